//! The renewal calendar and its feeds.

use chrono::NaiveDate;
use seatwise_types::Money;
use sqlx::AnyPool;

use super::{push_filter, ContractFilter};
use crate::db::decode::Cols;
use crate::db::Sql;

/// One dated entry for the calendar: a term's end or cancel-by date.
#[derive(Debug, Clone)]
pub struct CalendarRow {
    pub contract_id: i64,
    pub number: String,
    pub title: String,
    pub vendor: String,
    pub auto_renew: bool,
    pub end: NaiveDate,
    pub cancel_by: NaiveDate,
    /// The date that matters (cancel-by or end, by renewal kind).
    pub key_date: NaiveDate,
    pub value: Option<Money>,
    pub currency: String,
    /// Covered pools the reader may not see (set by the service).
    pub hidden_pools: i64,
}

/// Terms with an end (or, auto-renewing, a cancel-by) date in `from..=to`.
pub async fn calendar(
    db: &AnyPool,
    f: &ContractFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CalendarRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT c.id, c.number, c.title, v.name AS vendor_name, c.auto_renew, t.end_date, t.cancel_by, t.key_date, c.currency, \
         COALESCE(t.price_minor, c.renewal_price_minor, (SELECT CAST(SUM(p.annual_cost_minor) AS BIGINT) FROM pools p \
           WHERE p.contract_id = c.id AND p.currency = c.currency)) AS value_minor \
         FROM contract_terms t JOIN contracts c ON c.id = t.contract_id JOIN vendors v ON v.id = c.vendor_id",
    );
    push_filter(&mut sql, f);
    sql.push(" AND ((t.end_date >= ").bind(from.to_string()).push(" AND t.end_date <= ").bind(to.to_string());
    sql.push(") OR (c.auto_renew = 1 AND t.cancel_by >= ").bind(from.to_string());
    sql.push(" AND t.cancel_by <= ").bind(to.to_string()).push(")) ORDER BY t.key_date, c.id");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "contracts");
            let t = Cols::new(r, "contract_terms");
            let currency = c.text("currency")?;
            Ok(CalendarRow {
                contract_id: c.i64("id")?,
                number: c.text("number")?,
                title: c.text("title")?,
                vendor: c.text("vendor_name")?,
                auto_renew: c.flag("auto_renew")?,
                end: t.date("end_date")?,
                cancel_by: t.date("cancel_by")?,
                key_date: t.date("key_date")?,
                value: t.opt_money_minor("value_minor")?.map(|m| Money::new(m, currency.clone())),
                currency,
                hidden_pools: 0,
            })
        })
        .collect()
}

/// Contracts a user owns (a covered pool's owner is their person) or watches, for their calendar feed.
pub async fn feed_contract_ids(db: &AnyPool, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT p.contract_id FROM pools p JOIN people o ON o.id = p.owner_id JOIN users u \
           ON (u.person_id = o.id OR LOWER(u.email) = LOWER(o.email)) \
         WHERE u.id = $1 AND p.contract_id IS NOT NULL \
         UNION SELECT contract_id FROM contract_watchers WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}
