//! Usage per person and pool, by source, and the seats a policy looks at with what is known of their holders.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use seatwise_types::{PersonStatus, SeatSignIn};
use sqlx::any::AnyRow;

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::reclamation::{Holder, Usage};

/// Record what `source` says of each (pool id, person id): the last use, or `None` for never; replacing what the
/// same source said before of the same seat.
pub async fn set(
    conn: &mut Conn,
    signals: &[(i64, i64, Option<DateTime<Utc>>)],
    source: &str,
    read_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let cols = &[Col::Int("pool_id"), Col::Int("person_id"), Col::Text("last_used_at")];
    let rows: Vec<(i64, i64, Option<String>)> = signals.iter().map(|(p, pe, at)| (*p, *pe, at.map(to_db))).collect();
    for chunk in rows.chunks(bulk::CHUNK) {
        let delete = Statement {
            sql: "DELETE FROM usage_signals WHERE source = $2 AND EXISTS (SELECT 1 FROM {rows} \
                  WHERE r.pool_id = usage_signals.pool_id AND r.person_id = usage_signals.person_id)",
            cols,
            args: &[source],
        };
        bulk::execute(conn, &delete, chunk).await?;
        let at = to_db(read_at);
        let insert = Statement {
            sql: "INSERT INTO usage_signals (pool_id, person_id, source, last_used_at, read_at) \
                  SELECT r.pool_id, r.person_id, $2, r.last_used_at, $3 FROM {rows}",
            cols,
            args: &[source, &at],
        };
        bulk::execute(conn, &insert, chunk).await?;
    }
    Ok(())
}

/// One row of the holders query: a seat, its holder, and up to two usage signals (its pool's, an Entra sign-in).
fn holder_row(r: &AnyRow) -> Result<(Holder, [Option<Usage>; 2]), sqlx::Error> {
    let c = Cols::new(r, "seat_assignments");
    let p = c.of("people");
    let holder = Holder {
        assignment_id: c.i64("assignment_id")?,
        person_id: c.i64("person_id")?,
        pool_id: c.i64("pool_id")?,
        status: p.parsed("status", PersonStatus::parse)?,
        department_id: p.opt_i64("department_id")?,
        start_date: p.opt_date("start_date")?,
        assigned_at: c.timestamp("assigned_at")?,
        vip: p.flag("vip")?,
        usage: None,
    };
    let signal = |table: &'static str, prefix: &str| -> Result<Option<Usage>, sqlx::Error> {
        let u = c.of(table);
        match u.opt_text(&format!("{prefix}_source"))? {
            Some(source) => Ok(Some(Usage {
                last_used_at: u.opt_timestamp(&format!("{prefix}_last_used_at"))?,
                read_at: u.timestamp(&format!("{prefix}_read_at"))?,
                source,
            })),
            None => Ok(None),
        }
    };
    Ok((holder, [signal("usage_signals", "s")?, signal("person_signins", "g")?]))
}

/// Every person-held seat of these pools with its holder and usage, in seat order. Usage comes from the usage
/// signals of the seat's pool and, for pools a Microsoft 365 SKU maps to, from the holder's Entra sign-ins; several
/// sources are combined by `Usage::combine`. Read as it streams: a million seats are never held twice.
pub async fn holders(conn: &mut Conn, pool_ids: &[i64]) -> Result<Vec<Holder>, sqlx::Error> {
    if pool_ids.is_empty() {
        return Ok(Vec::new());
    }
    holders_where(conn, |sql| {
        sql.push_in("a.pool_id", pool_ids);
    })
    .await
}

/// The seats one person holds, with their usage as [`holders`] reads it (My seats).
pub async fn seats_of(conn: &mut Conn, person_id: i64) -> Result<Vec<Holder>, sqlx::Error> {
    holders_where(conn, |sql| {
        sql.push("a.person_id = ").bind(person_id);
    })
    .await
}

async fn holders_where(conn: &mut Conn, filter: impl FnOnce(&mut Sql)) -> Result<Vec<Holder>, sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut sql = Sql::new(
        "SELECT a.id AS assignment_id, a.person_id, a.pool_id, a.assigned_at, pe.status, pe.department_id, pe.vip, \
           pe.start_date, s.source AS s_source, s.last_used_at AS s_last_used_at, s.read_at AS s_read_at, \
           g.source AS g_source, g.last_sign_in_at AS g_last_used_at, g.read_at AS g_read_at \
         FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
         LEFT JOIN usage_signals s ON s.pool_id = a.pool_id AND s.person_id = a.person_id \
         LEFT JOIN person_signins g ON g.person_id = a.person_id \
           AND a.pool_id IN (SELECT m.pool_id FROM sku_mappings m WHERE m.pool_id IS NOT NULL) \
         WHERE ",
    );
    filter(&mut sql);
    sql.push(" ORDER BY a.id");
    let mut rows = sql.query().fetch(&mut *conn);
    let mut out: Vec<Holder> = Vec::new();
    let mut signals: Vec<Usage> = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let (holder, usage) = holder_row(&row)?;
        if out.last().is_none_or(|h| h.assignment_id != holder.assignment_id) {
            if let Some(last) = out.last_mut() {
                last.usage = Usage::combine(std::mem::take(&mut signals));
            }
            out.push(holder);
        }
        signals.extend(usage.into_iter().flatten());
    }
    if let Some(last) = out.last_mut() {
        last.usage = Usage::combine(signals);
    }
    Ok(out)
}

/// Pools of products by lower-case product name, still in use: (pool id, lower-case product name).
pub async fn pools_of_products(conn: &mut Conn, names: &[String]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT p.id, LOWER(pr.name) AS product FROM pools p JOIN products pr ON pr.id = p.product_id \
              WHERE p.retired_at IS NULL AND LOWER(pr.name) IN (SELECT r.name FROM {rows}) ORDER BY p.id",
        cols: &[Col::Text("name")],
        args: &[],
    };
    let rows: Vec<(String,)> = names.iter().map(|n| (n.clone(),)).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok((c.i64("id")?, c.text("product")?))
        })
        .collect()
}

/// Which of these pool ids exist and are in use.
pub async fn pools_in_use(conn: &mut Conn, ids: &[i64]) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM pools WHERE retired_at IS NULL AND ");
    sql.push_in("id", ids);
    sql.query_scalar::<i64>().fetch_all(conn).await.map(|v| v.into_iter().collect())
}

/// The latest usage signal of each of these seats (pool id, person id) that has one; a seat with signals from
/// several sources gets its latest.
pub async fn sign_ins(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<Vec<SeatSignIn>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT u.pool_id, u.person_id, u.last_used_at, u.source FROM {rows} JOIN usage_signals u \
              ON u.pool_id = r.pool_id AND u.person_id = r.person_id",
        cols: &[Col::Int("pool_id"), Col::Int("person_id")],
        args: &[],
    };
    let mut latest: HashMap<(i64, i64), SeatSignIn> = HashMap::new();
    for r in bulk::fetch(conn, &statement, seats).await? {
        let c = Cols::new(&r, "usage_signals");
        let seen = SeatSignIn {
            pool_id: c.i64("pool_id")?,
            person_id: c.i64("person_id")?,
            last_used_at: c.opt_timestamp("last_used_at")?,
            source: c.text("source")?,
        };
        let key = (seen.pool_id, seen.person_id);
        if latest.get(&key).is_none_or(|s| seen.last_used_at > s.last_used_at) {
            latest.insert(key, seen);
        }
    }
    Ok(latest.into_values().collect())
}
