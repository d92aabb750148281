//! Holds: a legal hold on a person or a blackout window on a pool defers revoking their seats.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::Hold;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::clock::to_db;
use crate::db::decode::Cols;
use crate::db::Conn;
use crate::domain::access::PoolPlace;

/// A hold as stored (whether it is in force is the domain's to say).
#[derive(Debug, Clone)]
pub struct StoredHold {
    pub hold: Hold,
    /// Where a blackout's pool sits, for access.
    pub pool: Option<PoolPlace>,
}

const SELECT: &str = "SELECT h.id, h.kind, h.person_id, h.pool_id, COALESCE(pe.name, p.name) AS subject, h.reason, \
       h.starts_on, h.ends_on, h.lifted_at, h.created_at, h.created_by, p.department_id, p.owner_id AS pool_owner_id \
     FROM reclamation_holds h LEFT JOIN people pe ON pe.id = h.person_id LEFT JOIN pools p ON p.id = h.pool_id";

fn hold_from(r: &AnyRow) -> Result<StoredHold, sqlx::Error> {
    let c = Cols::new(r, "reclamation_holds");
    Ok(StoredHold {
        pool: c
            .of("pools")
            .opt_i64("department_id")?
            .map(|d| c.of("pools").opt_i64("pool_owner_id").map(|o| PoolPlace::new(d, o)))
            .transpose()?,
        hold: Hold {
            id: c.i64("id")?,
            kind: c.parsed("kind", |k| ["legal", "blackout"].into_iter().find(|x| *x == k).map(str::to_string))?,
            person_id: c.opt_i64("person_id")?,
            pool_id: c.opt_i64("pool_id")?,
            subject: c.text("subject")?,
            reason: c.text("reason")?,
            starts_on: c.date("starts_on")?,
            ends_on: c.opt_date("ends_on")?,
            lifted_at: c.opt_timestamp("lifted_at")?,
            created_at: c.timestamp("created_at")?,
            created_by: c.text("created_by")?,
            active: false,
        },
    })
}

pub struct NewHold<'a> {
    pub kind: &'a str,
    pub person_id: Option<i64>,
    pub pool_id: Option<i64>,
    pub reason: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

pub async fn insert(conn: &mut Conn, h: &NewHold<'_>, by: &str, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO reclamation_holds (kind, person_id, pool_id, reason, starts_on, ends_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(h.kind)
    .bind(h.person_id)
    .bind(h.pool_id)
    .bind(h.reason)
    .bind(h.starts_on.to_string())
    .bind(h.ends_on.map(|d| d.to_string()))
    .bind(to_db(now))
    .bind(by)
    .fetch_one(conn)
    .await
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<StoredHold>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE h.id = $1"))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(hold_from)
        .transpose()
}

/// Every hold not lifted, newest first; with `lifted`, the lifted ones too.
pub async fn list<'e, E: Executor<'e, Database = Any>>(exec: E, lifted: bool) -> Result<Vec<StoredHold>, sqlx::Error> {
    let filter = if lifted { "" } else { " WHERE h.lifted_at IS NULL" };
    sqlx::query(&format!("{SELECT}{filter} ORDER BY h.id DESC")).fetch_all(exec).await?.iter().map(hold_from).collect()
}

/// Holds not lifted on this person or this pool.
pub async fn touching(conn: &mut Conn, person_id: i64, pool_id: i64) -> Result<Vec<StoredHold>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE h.lifted_at IS NULL AND (h.person_id = $1 OR h.pool_id = $2) ORDER BY h.id"))
        .bind(person_id)
        .bind(pool_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(hold_from)
        .collect()
}

pub async fn lift(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE reclamation_holds SET lifted_at = $1 WHERE id = $2 AND lifted_at IS NULL")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
