//! The dated exchange-rate table.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::ExchangeRate;
use sqlx::AnyPool;

use super::bulk::{self, Col, Statement};
use super::decode::Cols;
use super::Conn;
use crate::clock::to_db;

/// Every rate into `quote` (the reporting currency), by currency then day.
pub async fn list(db: &AnyPool, quote: &str) -> Result<Vec<ExchangeRate>, sqlx::Error> {
    list_in(&mut *db.acquire().await?, quote).await
}

/// [`list`] on a connection already held.
pub async fn list_in(conn: &mut Conn, quote: &str) -> Result<Vec<ExchangeRate>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT currency, rate, valid_from, created_by, created_at FROM exchange_rates WHERE quote = $1 \
         ORDER BY currency, valid_from",
    )
    .bind(quote)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "exchange_rates");
            Ok(ExchangeRate {
                currency: c.text("currency")?,
                rate: c.text("rate")?,
                date: c.date("valid_from")?,
                created_by: c.text("created_by")?,
                created_at: c.timestamp("created_at")?,
            })
        })
        .collect()
}

/// Which of these (currency, day) already have a rate into `quote`.
pub async fn taken(
    conn: &mut Conn,
    quote: &str,
    keys: &[(String, NaiveDate)],
) -> Result<Vec<(String, NaiveDate)>, sqlx::Error> {
    let rows: Vec<(&str, String)> = keys.iter().map(|(c, d)| (c.as_str(), d.to_string())).collect();
    let statement = Statement {
        sql: "SELECT x.currency, x.valid_from FROM exchange_rates x JOIN {rows} \
              ON x.currency = r.currency AND x.valid_from = r.valid_from WHERE x.quote = $2",
        cols: &[Col::Text("currency"), Col::Text("valid_from")],
        args: &[quote],
    };
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "exchange_rates");
            Ok((c.text("currency")?, c.date("valid_from")?))
        })
        .collect()
}

/// Add rates (currency, rate text, day) into `quote`.
pub async fn insert(
    conn: &mut Conn,
    quote: &str,
    rates: &[(String, String, NaiveDate)],
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO exchange_rates (quote, currency, valid_from, rate, created_by, created_at) \
              SELECT $2, r.currency, r.valid_from, r.rate, $3, $4 FROM {rows} ORDER BY r.n",
        cols: &[Col::Text("currency"), Col::Text("rate"), Col::Text("valid_from")],
        args: &[quote, by, at.as_str()],
    };
    let rows: Vec<(&str, &str, String)> =
        rates.iter().map(|(c, r, d)| (c.as_str(), r.as_str(), d.to_string())).collect();
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}
