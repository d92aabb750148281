//! Reclamation policies: the current version in `reclamation_policies`, every version in
//! `reclamation_policy_versions`.

use chrono::{DateTime, Utc};
use seatwise_types::{Policy, PolicyInput, PolicyVersion, ReclaimAction};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::clock::to_db;
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::access::{PoolPlace, Reach};

const SELECT: &str = "SELECT r.id, r.name, r.pool_id, r.product_id, COALESCE(p.name, pr.name) AS scope_name, r.action, \
       r.target_pool_id, t.name AS target_pool_name, r.conditions, r.ask_consent, r.needs_approval, r.enabled, \
       r.version, r.created_at, r.created_by, r.updated_at, r.last_run_at, COALESCE(p.department_id, -1) AS department_id, \
       p.owner_id AS pool_owner_id \
     FROM reclamation_policies r LEFT JOIN pools p ON p.id = r.pool_id LEFT JOIN products pr ON pr.id = r.product_id \
       LEFT JOIN pools t ON t.id = r.target_pool_id";

/// A stored policy and where the pool it watches sits (`None` for a product's policy, which spans departments).
pub struct StoredPolicy {
    pub policy: Policy,
    pub pool: Option<PoolPlace>,
}

fn policy_from(r: &AnyRow) -> Result<StoredPolicy, sqlx::Error> {
    let c = Cols::new(r, "reclamation_policies");
    let department = c.i64("department_id")?;
    Ok(StoredPolicy {
        policy: Policy {
            id: c.i64("id")?,
            name: c.text("name")?,
            pool_id: c.opt_i64("pool_id")?,
            product_id: c.opt_i64("product_id")?,
            scope_name: c.text("scope_name")?,
            action: c.parsed("action", ReclaimAction::parse)?,
            target_pool_id: c.opt_i64("target_pool_id")?,
            target_pool_name: c.of("pools").opt_text("target_pool_name")?,
            conditions: c.json("conditions")?,
            ask_consent: c.flag("ask_consent")?,
            needs_approval: c.flag("needs_approval")?,
            enabled: c.flag("enabled")?,
            version: c.i64("version")?,
            created_at: c.timestamp("created_at")?,
            created_by: c.text("created_by")?,
            updated_at: c.timestamp("updated_at")?,
            last_run_at: c.opt_timestamp("last_run_at")?,
        },
        pool: (department >= 0).then_some(PoolPlace::new(department, c.of("pools").opt_i64("pool_owner_id")?)),
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<StoredPolicy>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE r.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.as_ref().map(policy_from).transpose()
}

/// Every policy, by id; `scope` limits them to pools within that reach (product policies excluded).
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    scope: Option<&Reach>,
) -> Result<Vec<StoredPolicy>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    if let Some(d) = scope {
        sql.push(" WHERE ").push_reach("p", d);
    }
    sql.push(" ORDER BY r.id");
    sql.query().fetch_all(exec).await?.iter().map(policy_from).collect()
}

/// Enabled policies' ids, for the daily run.
pub async fn enabled<'e, E: Executor<'e, Database = Any>>(exec: E) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM reclamation_policies WHERE enabled = 1 ORDER BY id").fetch_all(exec).await
}

/// Who writes a policy version: the name the ledger gives them, and their user id (four eyes on its runs).
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub name: &'a str,
    pub user_id: i64,
}

fn version_row(
    conn_id: i64,
    version: i64,
    input: &PolicyInput,
    by: Author<'_>,
    now: DateTime<Utc>,
) -> Result<Sql, sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO reclamation_policy_versions (policy_id, version, definition, created_at, created_by, author_id) \
         VALUES (",
    );
    sql.bind(conn_id).push(", ").bind(version).push(", ").bind(encode(input)?).push(", ").bind(to_db(now));
    sql.push(", ").bind(by.name.to_string()).push(", ").bind(by.user_id).push(")");
    Ok(sql)
}

/// The user who wrote this version of a policy (`None` for a version written before authors were kept).
pub async fn version_author(conn: &mut Conn, policy_id: i64, version: i64) -> Result<Option<i64>, sqlx::Error> {
    let author: Option<Option<i64>> =
        sqlx::query_scalar("SELECT author_id FROM reclamation_policy_versions WHERE policy_id = $1 AND version = $2")
            .bind(policy_id)
            .bind(version)
            .fetch_optional(conn)
            .await?;
    Ok(author.flatten())
}

/// Bind a policy's columns as `$1` to `$9`, in the order both writes name them.
fn with_policy<'q, O>(
    q: sqlx::query::QueryScalar<'q, Any, O, sqlx::any::AnyArguments<'q>>,
    input: &'q PolicyInput,
) -> Result<sqlx::query::QueryScalar<'q, Any, O, sqlx::any::AnyArguments<'q>>, sqlx::Error> {
    Ok(q.bind(input.name.trim())
        .bind(input.pool_id)
        .bind(input.product_id)
        .bind(input.action.as_str())
        .bind(input.target_pool_id)
        .bind(encode(&input.conditions)?)
        .bind(i64::from(input.ask_consent))
        .bind(i64::from(input.needs_approval))
        .bind(i64::from(input.enabled)))
}

/// A new policy at version 1.
pub async fn insert(
    conn: &mut Conn,
    input: &PolicyInput,
    by: Author<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = with_policy(
        sqlx::query_scalar(
            "INSERT INTO reclamation_policies (name, pool_id, product_id, action, target_pool_id, conditions, \
           ask_consent, needs_approval, enabled, version, created_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $10) RETURNING id",
        ),
        input,
    )?
    .bind(to_db(now))
    .bind(by.name)
    .fetch_one(&mut *conn)
    .await?;
    version_row(id, 1, input, by, now)?.query().execute(conn).await?;
    Ok(id)
}

/// Write `input` as the policy's next version; the version written (`None`: no such policy).
pub async fn update(
    conn: &mut Conn,
    id: i64,
    input: &PolicyInput,
    by: Author<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let version: Option<i64> = with_policy(
        sqlx::query_scalar(
        "UPDATE reclamation_policies SET name = $1, pool_id = $2, product_id = $3, action = $4, target_pool_id = $5, \
           conditions = $6, ask_consent = $7, needs_approval = $8, enabled = $9, version = version + 1, \
           updated_at = $10 WHERE id = $11 RETURNING version",
    ), input)?
    .bind(to_db(now))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(v) = version {
        version_row(id, v, input, by, now)?.query().execute(conn).await?;
    }
    Ok(version)
}

pub async fn versions<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    id: i64,
) -> Result<Vec<PolicyVersion>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT version, definition, created_at, created_by FROM reclamation_policy_versions WHERE policy_id = $1 \
         ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "reclamation_policy_versions");
            Ok(PolicyVersion {
                version: c.i64("version")?,
                definition: c.json("definition")?,
                created_at: c.timestamp("created_at")?,
                created_by: c.text("created_by")?,
            })
        })
        .collect()
}

pub async fn mark_run(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reclamation_policies SET last_run_at = $1 WHERE id = $2")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The pools a policy watches: its pool, or every pool of its product still in use.
pub async fn pools_of(conn: &mut Conn, policy: &Policy) -> Result<Vec<i64>, sqlx::Error> {
    match (policy.pool_id, policy.product_id) {
        (Some(pool), _) => Ok(vec![pool]),
        // A product's pools, less the pool a downgrade moves holders to (its holders are where they should be).
        (None, Some(product)) => sqlx::query_scalar(
            "SELECT id FROM pools WHERE product_id = $1 AND retired_at IS NULL AND id <> COALESCE($2, -1) ORDER BY id",
        )
        .bind(product)
        .bind(policy.target_pool_id)
        .fetch_all(conn)
        .await,
        (None, None) => Ok(Vec::new()),
    }
}

/// What reclamation needs of a pool: who may act on it, whether it is in use, its seats and its price.
#[derive(Debug, Clone)]
pub struct PoolFacts {
    pub id: i64,
    pub name: String,
    pub department_id: i64,
    pub owner_id: Option<i64>,
    pub retired: bool,
    pub seats_purchased: Option<i64>,
    pub seats_assigned: i64,
    pub allow_overage: bool,
    pub price: crate::domain::reclamation::SeatPrice,
    /// A connector acts on it: its seats' removals wait for the connector to confirm them.
    pub connected: bool,
}

impl PoolFacts {
    pub fn place(&self) -> PoolPlace {
        PoolPlace::new(self.department_id, self.owner_id)
    }
}

pub async fn pool_facts(
    conn: &mut Conn,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, PoolFacts>, sqlx::Error> {
    use seatwise_types::{BillingPeriod, LicenseType};
    let mut sql = Sql::new(
        "SELECT id, name, department_id, owner_id, retired_at, seats_purchased, seats_assigned, allow_overage, \
           unit_cost_minor, billing_period, currency, license_type, contract_start, contract_end, \
           CAST(CASE WHEN EXISTS (SELECT 1 FROM connector_pools cp WHERE cp.pool_id = pools.id) THEN 1 ELSE 0 END \
           AS BIGINT) AS connected FROM pools WHERE ",
    );
    sql.push_in("id", ids);
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            let facts = PoolFacts {
                id: c.i64("id")?,
                name: c.text("name")?,
                department_id: c.i64("department_id")?,
                owner_id: c.opt_i64("owner_id")?,
                retired: c.opt_text("retired_at")?.is_some(),
                seats_purchased: c.opt_i64("seats_purchased")?,
                seats_assigned: c.i64("seats_assigned")?,
                allow_overage: c.flag("allow_overage")?,
                price: crate::domain::reclamation::SeatPrice {
                    unit_minor: c.money_minor("unit_cost_minor")?,
                    period: c.parsed("billing_period", BillingPeriod::parse)?,
                    currency: c.text("currency")?,
                    site: c.parsed("license_type", LicenseType::parse)? == LicenseType::Site,
                    contract_start: c.opt_date("contract_start")?,
                    contract_end: c.opt_date("contract_end")?,
                },
                connected: c.flag("connected")?,
            };
            Ok((facts.id, facts))
        })
        .collect()
}

/// People by id: (name, e-mail), for the findings a page shows.
pub async fn people_named(
    conn: &mut Conn,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, (String, String)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, name, email FROM people WHERE ");
    sql.push_in("id", ids);
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, (c.text("name")?, c.text("email")?)))
        })
        .collect()
}

/// The user who wrote a policy's current version (a daily run acts as them), if they still have an account.
pub async fn writer(conn: &mut Conn, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE LOWER(u.email) = LOWER((SELECT v.created_by FROM reclamation_policy_versions v \
           WHERE v.policy_id = $1 ORDER BY v.version DESC LIMIT 1))",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}
