//! Seat actions: the outbox of seat changes to carry out in the systems connectors reach. Rows are written in the
//! transaction that changes the seats, claimed under a token with a lease (one instance works a row at a time),
//! and settled only under the same token.

use chrono::{DateTime, Utc};
use seatwise_types::{SeatAction, SeatActionKind, SeatActionStatus};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::access::{PoolPlace, Scope};

/// A seat changed in Seatwise: its pool, its holder, and what the target should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatChange {
    pub pool_id: i64,
    pub person_id: i64,
    pub kind: SeatActionKind,
}

/// Queue an action for each change in a pool a connector acts on (the others need none); how many were queued.
/// A manual connector's actions start as tasks for a person.
pub async fn enqueue(
    conn: &mut Conn,
    changes: &[SeatChange],
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    if changes.is_empty() {
        return Ok(0);
    }
    let rows: Vec<(i64, i64, &str)> = changes.iter().map(|c| (c.pool_id, c.person_id, c.kind.as_str())).collect();
    let at = to_db(now);
    let args: [&str; 2] = [&at, by];
    let statement = Statement {
        sql: "INSERT INTO seat_actions (connector_id, pool_id, person_id, account, kind, status, dry_run, \
                next_attempt_at, created_at, created_by) \
              SELECT cp.connector_id, cp.pool_id, pe.id, pe.email, r.kind, \
                CASE WHEN k.kind = 'manual' THEN 'manual' ELSE 'pending' END, k.dry_run, $2, $2, $3 \
              FROM {rows} JOIN connector_pools cp ON cp.pool_id = r.pool_id \
              JOIN connectors k ON k.id = cp.connector_id JOIN people pe ON pe.id = r.person_id ORDER BY r.n",
        cols: &[Col::Int("pool_id"), Col::Int("person_id"), Col::Text("kind")],
        args: &args,
    };
    bulk::execute(conn, &statement, &rows).await
}

/// Whether any pool has a connector (when none has, seat changes queue nothing and skip the statement).
pub async fn any_connected(conn: &mut Conn) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM connector_pools LIMIT 1) AS x").fetch_one(conn).await?;
    Ok(n > 0)
}

/// Renew the claim on one action before working it; false when another worker has taken it over.
pub async fn renew(db: &AnyPool, id: i64, token: &str, until: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    super::outbox::renew(db, &ACTIONS, id, token, until).await
}

/// A claimed action, with what delivering it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub connector_id: i64,
    pub pool_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub account: String,
    pub kind: SeatActionKind,
    pub status: SeatActionStatus,
    pub dry_run: bool,
    pub attempts: i64,
    pub target_id: Option<String>,
}

/// Statuses the delivery works on.
const DUE: &str = "status IN ('pending', 'sent', 'failed')";
const ACTIONS: super::outbox::Outbox = super::outbox::Outbox { table: "seat_actions", due: DUE };

/// Claim up to `limit` due actions under `token` until `now + lease`, oldest first.
pub async fn claim(
    db: &AnyPool,
    token: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    super::outbox::claim(db, &ACTIONS, token, now, lease, limit).await?;
    let rows = sqlx::query(
        "SELECT a.id, a.connector_id, a.pool_id, a.person_id, pe.name, a.account, a.kind, a.status, a.dry_run, \
         a.attempts, a.target_id FROM seat_actions a JOIN people pe ON pe.id = a.person_id \
         WHERE a.claim_token = $1 AND a.status IN ('pending', 'sent', 'failed') ORDER BY a.connector_id, a.id",
    )
    .bind(token)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "seat_actions");
            Ok(Claimed {
                id: c.i64("id")?,
                connector_id: c.i64("connector_id")?,
                pool_id: c.i64("pool_id")?,
                person_id: c.i64("person_id")?,
                person_name: c.of("people").text("name")?,
                account: c.text("account")?,
                kind: c.parsed("kind", SeatActionKind::parse)?,
                status: c.parsed("status", SeatActionStatus::parse)?,
                dry_run: c.flag("dry_run")?,
                attempts: c.i64("attempts")?,
                target_id: c.opt_text("target_id")?,
            })
        })
        .collect()
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub status: SeatActionStatus,
    /// Counted as an attempt (a read-back of a sent action is not).
    pub attempted: bool,
    pub last_error: Option<String>,
    pub detail: Option<String>,
    pub target_id: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<String>,
}

/// Put a claimed action off until `until` without an attempt (the connector's pace is spent); the claim is
/// released.
pub async fn postpone(db: &AnyPool, id: i64, token: &str, until: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE seat_actions SET next_attempt_at = $1, claimed_until = NULL, claim_token = NULL \
         WHERE id = $2 AND claim_token = $3",
    )
    .bind(to_db(until))
    .bind(id)
    .bind(token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record an attempt's outcome, only while `token` still holds the claim; whether it did. The claim is released.
pub async fn settle(conn: &mut Conn, id: i64, token: &str, s: &Settled) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE seat_actions SET status = $1, attempts = attempts + $2, last_error = $3, \
           detail = COALESCE($4, detail), target_id = COALESCE($5, target_id), \
           next_attempt_at = COALESCE($6, next_attempt_at), sent_at = COALESCE(sent_at, $7), confirmed_at = $8, \
           confirmed_by = $9, claimed_until = NULL, claim_token = NULL \
         WHERE id = $10 AND claim_token = $11",
    )
    .bind(s.status.as_str())
    .bind(i64::from(s.attempted))
    .bind(s.last_error.clone())
    .bind(s.detail.clone())
    .bind(s.target_id.clone())
    .bind(s.next_attempt_at.map(to_db))
    .bind(s.sent_at.map(to_db))
    .bind(s.confirmed_at.map(to_db))
    .bind(s.confirmed_by.clone())
    .bind(id)
    .bind(token)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A person did a manual action: confirmed by them, if it was still waiting for a person.
pub async fn mark_done(conn: &mut Conn, id: i64, by: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE seat_actions SET status = 'confirmed', confirmed_at = $1, confirmed_by = $2, claimed_until = NULL, \
           claim_token = NULL WHERE id = $3 AND status = 'manual'",
    )
    .bind(to_db(now))
    .bind(by)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

const SELECT: &str = "SELECT a.id, a.connector_id, a.pool_id, p.name, a.person_id, pe.name AS person_name, a.account, \
    a.kind, a.status, a.dry_run, a.attempts, a.last_error, a.detail, a.created_at, a.created_by, a.next_attempt_at, \
    a.sent_at, a.confirmed_at, a.confirmed_by, p.department_id, p.owner_id FROM seat_actions a \
    JOIN pools p ON p.id = a.pool_id \
    JOIN people pe ON pe.id = a.person_id";

fn action_from(r: &AnyRow) -> Result<SeatAction, sqlx::Error> {
    let c = Cols::new(r, "seat_actions");
    let status = c.parsed("status", SeatActionStatus::parse)?;
    let waiting = matches!(status, SeatActionStatus::Pending | SeatActionStatus::Sent | SeatActionStatus::Failed);
    Ok(SeatAction {
        id: c.i64("id")?,
        connector_id: c.i64("connector_id")?,
        pool_id: c.i64("pool_id")?,
        pool_name: c.of("pools").text("name")?,
        person_id: c.i64("person_id")?,
        person_name: c.of("people").text("person_name")?,
        account: c.text("account")?,
        kind: c.parsed("kind", SeatActionKind::parse)?,
        status,
        dry_run: c.flag("dry_run")?,
        attempts: c.i64("attempts")?,
        last_error: c.opt_text("last_error")?,
        detail: c.opt_text("detail")?,
        created_at: c.timestamp("created_at")?,
        created_by: c.text("created_by")?,
        next_attempt_at: if waiting { Some(c.timestamp("next_attempt_at")?) } else { None },
        sent_at: c.opt_timestamp("sent_at")?,
        confirmed_at: c.opt_timestamp("confirmed_at")?,
        confirmed_by: c.opt_text("confirmed_by")?,
    })
}

fn filtered(connector_id: i64, status: Option<SeatActionStatus>, select: &str) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE a.connector_id = ").bind(connector_id);
    if let Some(s) = status {
        sql.push(" AND a.status = ").bind(s.as_str());
    }
    sql
}

/// A connector's actions, newest first, and how many match.
pub async fn list(
    conn: &mut Conn,
    connector_id: i64,
    status: Option<SeatActionStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SeatAction>, i64), sqlx::Error> {
    let total: i64 = filtered(connector_id, status, "SELECT COUNT(*) FROM seat_actions a")
        .query_scalar()
        .fetch_one(&mut *conn)
        .await?;
    let mut sql = filtered(connector_id, status, SELECT);
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    let items = sql.query().fetch_all(conn).await?.iter().map(action_from).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// The tasks waiting for a person in the pools of `scope`, oldest first, and how many there are.
pub async fn tasks(
    conn: &mut Conn,
    scope: &Scope,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SeatAction>, i64), sqlx::Error> {
    let scoped = |select: &str| {
        let mut sql = Sql::new(select);
        sql.push(" WHERE a.status = 'manual'");
        match scope {
            Scope::All => {}
            Scope::Within(reach) => {
                sql.push(" AND ").push_reach("p", reach);
            }
            Scope::Nothing => {
                sql.push(" AND 1 = 0");
            }
        }
        sql
    };
    let total: i64 = scoped("SELECT COUNT(*) FROM seat_actions a JOIN pools p ON p.id = a.pool_id")
        .query_scalar()
        .fetch_one(&mut *conn)
        .await?;
    let mut sql = scoped(SELECT);
    sql.push(" ORDER BY a.id LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    let items = sql.query().fetch_all(conn).await?.iter().map(action_from).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Where an action's pool sits, for access, as [`SELECT`] reads it.
fn place_from(r: &AnyRow) -> Result<PoolPlace, sqlx::Error> {
    let p = Cols::new(r, "pools");
    Ok(PoolPlace::new(p.i64("department_id")?, p.opt_i64("owner_id")?))
}

/// One action with where its pool sits.
pub async fn get_placed(conn: &mut Conn, id: i64) -> Result<Option<(SeatAction, PoolPlace)>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE a.id = ").bind(id);
    sql.query().fetch_optional(conn).await?.as_ref().map(|r| Ok((action_from(r)?, place_from(r)?))).transpose()
}

/// A new task as the mail to its pool's people lists it.
pub struct NewTask {
    pub action: SeatAction,
    pub place: PoolPlace,
}

/// Tasks nobody has been told of yet, marked told now (only those this call marks are returned, so two instances
/// never both mail one).
pub async fn tell_new_tasks(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<NewTask>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE seat_actions SET told_at = $1 WHERE status = 'manual' AND told_at IS NULL RETURNING id",
    )
    .bind(to_db(now))
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{SELECT} WHERE a.id IN (SELECT r.id FROM {{rows}}) ORDER BY a.id");
    let statement = bulk::over_ids(&sql, &[]);
    bulk::fetch(conn, &statement, &bulk::ids(&ids))
        .await?
        .iter()
        .map(|r| Ok(NewTask { action: action_from(r)?, place: place_from(r)? }))
        .collect()
}

/// One action.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<SeatAction>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE a.id = ").bind(id);
    sql.query().fetch_optional(conn).await?.as_ref().map(action_from).transpose()
}

/// A task waiting for a person, as the escalation mail lists it.
pub struct Overdue {
    pub id: i64,
    pub connector_id: i64,
    pub connector: String,
    pub person: String,
    pub pool: String,
    pub created_at: DateTime<Utc>,
}

/// Tasks waiting for a person since before `before` and not yet escalated: marked escalated now (only those this
/// call marks are returned, so two instances never both mail one).
pub async fn escalate_overdue(
    conn: &mut Conn,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Overdue>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE seat_actions SET escalated_at = $1 WHERE status = 'manual' AND escalated_at IS NULL \
         AND created_at < $2 RETURNING id",
    )
    .bind(to_db(now))
    .bind(to_db(before))
    .fetch_all(&mut *conn)
    .await?;
    let statement = bulk::over_ids(
        "SELECT a.id, a.connector_id, k.name AS connector, pe.name AS person, p.name AS pool, a.created_at \
         FROM seat_actions a JOIN connectors k ON k.id = a.connector_id JOIN people pe ON pe.id = a.person_id \
         JOIN pools p ON p.id = a.pool_id WHERE a.id IN (SELECT r.id FROM {rows}) ORDER BY a.id",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(&ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "seat_actions");
            Ok(Overdue {
                id: c.i64("id")?,
                connector_id: c.i64("connector_id")?,
                connector: c.of("connectors").text("connector")?,
                person: c.of("people").text("person")?,
                pool: c.of("pools").text("pool")?,
                created_at: c.timestamp("created_at")?,
            })
        })
        .collect()
}
