//! Connectors and the pools they act on. The sealed credentials are written here and never selected for the API.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{Connector, ConnectorKind, ConnectorPool, Reconciliation, Removal};
use sqlx::any::AnyRow;

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::reconcile::Holder;

/// A connector to store.
pub struct NewConnector<'a> {
    pub kind: ConnectorKind,
    pub name: &'a str,
    pub base_url: Option<&'a str>,
    /// Sealed (`domain::sealed`).
    pub credentials: Option<&'a str>,
    pub removal: Removal,
    pub dry_run: bool,
    pub max_actions_per_minute: Option<i64>,
    pub created_by: &'a str,
}

pub async fn insert(conn: &mut Conn, c: &NewConnector<'_>, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    let at = to_db(now);
    sqlx::query_scalar(
        "INSERT INTO connectors (kind, name, base_url, credentials, removal, dry_run, created_at, created_by, \
           updated_at, max_actions_per_minute) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9) RETURNING id",
    )
    .bind(c.kind.as_str())
    .bind(c.name)
    .bind(c.base_url)
    .bind(c.credentials)
    .bind(c.removal.as_str())
    .bind(i64::from(c.dry_run))
    .bind(at)
    .bind(c.created_by)
    .bind(c.max_actions_per_minute)
    .fetch_one(conn)
    .await
}

/// Put pools under the connector, each with its group in the target (if named).
pub async fn add_pools(conn: &mut Conn, connector_id: i64, pools: &[(i64, Option<&str>)]) -> Result<(), sqlx::Error> {
    let id = connector_id.to_string();
    let args: [&str; 1] = [&id];
    let statement = Statement {
        sql: "INSERT INTO connector_pools (connector_id, pool_id, target) SELECT CAST($2 AS BIGINT), r.id, r.target \
              FROM {rows}",
        cols: &[Col::Int("id"), Col::Text("target")],
        args: &args,
    };
    bulk::execute(conn, &statement, pools).await?;
    Ok(())
}

/// Of these pools, those that exist: id -> name.
pub async fn pools_named(conn: &mut Conn, pool_ids: &[i64]) -> Result<HashMap<i64, String>, sqlx::Error> {
    let statement = bulk::over_ids("SELECT p.id, p.name FROM pools p WHERE p.id IN (SELECT r.id FROM {rows})", &[]);
    bulk::fetch(conn, &statement, &bulk::ids(pool_ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok((c.i64("id")?, c.text("name")?))
        })
        .collect()
}

/// Of these pools, those another connector already acts on: pool id -> that connector's name.
pub async fn pools_taken(conn: &mut Conn, pool_ids: &[i64]) -> Result<HashMap<i64, String>, sqlx::Error> {
    let statement = bulk::over_ids(
        "SELECT cp.pool_id, c.name FROM connector_pools cp JOIN connectors c ON c.id = cp.connector_id \
         WHERE cp.pool_id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(pool_ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "connector_pools");
            Ok((c.i64("pool_id")?, c.of("connectors").text("name")?))
        })
        .collect()
}

const SELECT: &str =
    "SELECT k.id, k.kind, k.name, k.base_url, CAST(CASE WHEN k.credentials IS NULL THEN 0 ELSE 1 END AS BIGINT) \
    AS credentials_set, k.removal, k.dry_run, k.max_actions_per_minute, k.created_at, k.created_by, k.updated_at, k.version FROM connectors k";

fn connector_from(r: &AnyRow) -> Result<Connector, sqlx::Error> {
    let c = Cols::new(r, "connectors");
    Ok(Connector {
        id: c.i64("id")?,
        kind: c.parsed("kind", ConnectorKind::parse)?,
        name: c.text("name")?,
        base_url: c.opt_text("base_url")?,
        pools: Vec::new(),
        removal: c.parsed("removal", Removal::parse)?,
        dry_run: c.flag("dry_run")?,
        max_actions_per_minute: c.opt_i64("max_actions_per_minute")?,
        credentials_set: c.flag("credentials_set")?,
        created_at: c.timestamp("created_at")?,
        created_by: c.text("created_by")?,
        updated_at: c.timestamp("updated_at")?,
        version: c.i64("version")?,
    })
}

/// Connectors (all, or the one `id`), by id, with their pools.
pub async fn list(conn: &mut Conn, id: Option<i64>) -> Result<Vec<Connector>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE k.retired_at IS NULL");
    if let Some(id) = id {
        sql.push(" AND k.id = ").bind(id);
    }
    sql.push(" ORDER BY k.id");
    let mut items: Vec<Connector> =
        sql.query().fetch_all(&mut *conn).await?.iter().map(connector_from).collect::<Result<_, _>>()?;
    let ids: Vec<i64> = items.iter().map(|c| c.id).collect();
    let statement = Statement {
        sql:
            "SELECT cp.connector_id, cp.target, p.id, p.name FROM connector_pools cp JOIN pools p ON p.id = cp.pool_id \
              WHERE cp.connector_id IN (SELECT r.id FROM {rows}) ORDER BY p.name, p.id",
        cols: &[Col::Int("id")],
        args: &[],
    };
    let mut pools: HashMap<i64, Vec<ConnectorPool>> = HashMap::new();
    for r in bulk::fetch(conn, &statement, &bulk::ids(&ids)).await? {
        let c = Cols::new(&r, "connector_pools");
        let p = c.of("pools");
        pools.entry(c.i64("connector_id")?).or_default().push(ConnectorPool {
            id: p.i64("id")?,
            name: p.text("name")?,
            group: c.opt_text("target")?,
        });
    }
    for c in &mut items {
        c.pools = pools.remove(&c.id).unwrap_or_default();
    }
    Ok(items)
}

/// A connector's sealed credentials, for the server's own calls to its target.
pub async fn credentials(conn: &mut Conn, id: i64) -> Result<Option<String>, sqlx::Error> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT credentials FROM connectors WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(found.flatten())
}

/// The seats in a connector's pools, with their holders' addresses.
pub async fn holders(conn: &mut Conn, connector_id: i64) -> Result<Vec<Holder>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, pe.id AS person_id, pe.name AS person_name, pe.email FROM connector_pools cp \
         JOIN pools p ON p.id = cp.pool_id JOIN seat_assignments a ON a.pool_id = p.id \
         JOIN people pe ON pe.id = a.person_id WHERE cp.connector_id = $1 ORDER BY pe.email, p.id",
    )
    .bind(connector_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(Holder {
                pool_id: c.i64("id")?,
                pool_name: c.text("name")?,
                person_id: c.of("people").i64("person_id")?,
                person_name: c.of("people").text("person_name")?,
                email: c.of("people").text("email")?,
            })
        })
        .collect()
}

/// People with a seat action of this connector still on its way.
pub async fn in_flight(conn: &mut Conn, connector_id: i64) -> Result<HashSet<i64>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT person_id FROM seat_actions WHERE connector_id = $1 \
         AND status IN ('pending', 'sent', 'failed')",
    )
    .bind(connector_id)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().collect())
}

/// People of the directory by address (lower-cased): id and name.
pub async fn people_by_email(
    conn: &mut Conn,
    emails: &[String],
) -> Result<HashMap<String, (i64, String)>, sqlx::Error> {
    let rows: Vec<(String,)> = emails.iter().map(|e| (e.to_lowercase(),)).collect();
    let statement = Statement {
        sql: "SELECT pe.id, pe.name, pe.email FROM people pe WHERE LOWER(pe.email) IN (SELECT r.email FROM {rows})",
        cols: &[Col::Text("email")],
        args: &[],
    };
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.text("email")?.to_lowercase(), (c.i64("id")?, c.text("name")?)))
        })
        .collect()
}

/// Keep a reconciliation's report; its id.
pub async fn insert_reconciliation(conn: &mut Conn, report: &Reconciliation) -> Result<i64, sqlx::Error> {
    let json = serde_json::to_string(report).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_scalar(
        "INSERT INTO connector_reconciliations (connector_id, ran_at, ran_by, matched, missing, unknown, report) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(report.connector_id)
    .bind(to_db(report.ran_at))
    .bind(report.ran_by.clone())
    .bind(report.matched)
    .bind(report.missing_total)
    .bind(report.unknown_total)
    .bind(json)
    .fetch_one(conn)
    .await
}

/// A connector's latest reconciliation, if it has had one.
pub async fn last_reconciliation(conn: &mut Conn, connector_id: i64) -> Result<Option<Reconciliation>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, report FROM connector_reconciliations WHERE connector_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(connector_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let c = Cols::new(&r, "connector_reconciliations");
        let mut report: Reconciliation = c.json("report")?;
        report.id = c.i64("id")?;
        Ok(report)
    })
    .transpose()
}

/// The Microsoft 365 SKU of each of these pools (from the SKU mappings), for Graph connectors.
pub async fn skus(conn: &mut Conn, pool_ids: &[i64]) -> Result<HashMap<i64, String>, sqlx::Error> {
    let statement = bulk::over_ids(
        "SELECT m.pool_id, m.sku_id FROM sku_mappings m WHERE m.sku_id IS NOT NULL \
         AND m.pool_id IN (SELECT r.id FROM {rows}) ORDER BY m.part_number",
        &[],
    );
    let mut out = HashMap::new();
    for r in bulk::fetch(conn, &statement, &bulk::ids(pool_ids)).await? {
        let c = Cols::new(&r, "sku_mappings");
        out.entry(c.i64("pool_id")?).or_insert(c.text("sku_id")?);
    }
    Ok(out)
}

/// Write a connector's fields; sealed credentials replace the stored ones only when given.
pub async fn update(conn: &mut Conn, id: i64, c: &NewConnector<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connectors SET name = $1, base_url = $2, credentials = COALESCE($3, credentials), removal = $4, \
         dry_run = $5, updated_at = $6, max_actions_per_minute = $8 WHERE id = $7",
    )
    .bind(c.name)
    .bind(c.base_url)
    .bind(c.credentials)
    .bind(c.removal.as_str())
    .bind(i64::from(c.dry_run))
    .bind(to_db(now))
    .bind(id)
    .bind(c.max_actions_per_minute)
    .execute(conn)
    .await?;
    Ok(())
}

/// Draw one action from the connector's allowance for the current minute: `None` when it may go now, else when
/// the next minute starts. The minute starts with its first action; one conditional update per action, so
/// several instances share one count.
pub async fn take_pace(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let minute_ago = to_db(now - chrono::Duration::minutes(1));
    let took = sqlx::query(
        "UPDATE connectors SET \
           pace_count = CASE WHEN pace_window_at IS NULL OR pace_window_at <= $1 THEN 1 ELSE pace_count + 1 END, \
           pace_window_at = CASE WHEN pace_window_at IS NULL OR pace_window_at <= $1 THEN $2 ELSE pace_window_at END \
         WHERE id = $3 AND (max_actions_per_minute IS NULL OR pace_window_at IS NULL OR pace_window_at <= $1 \
           OR pace_count < max_actions_per_minute)",
    )
    .bind(&minute_ago)
    .bind(to_db(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if took.rows_affected() == 1 {
        return Ok(None);
    }
    let started: Option<String> = sqlx::query_scalar("SELECT pace_window_at FROM connectors WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .flatten();
    let started =
        started.as_deref().map(crate::clock::parse_db).transpose().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Some(started.unwrap_or(now) + chrono::Duration::minutes(1)))
}

/// Take every pool off the connector (before it gets its new ones, or is removed).
pub async fn clear_pools(conn: &mut Conn, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM connector_pools WHERE connector_id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Remove a connector from use (its history stays).
pub async fn retire(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE connectors SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many of the connector's actions are still on their way or waiting for a person.
pub async fn open_actions(conn: &mut Conn, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM seat_actions WHERE connector_id = $1 AND status IN ('pending', 'sent', 'failed', 'manual')",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}
