//! The pools a contract covers.

use chrono::NaiveDate;
use seatwise_types::{Money, PoolUsage, Ref};
use sqlx::{Any, AnyPool, Executor};

use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::access::PoolPlace;
use crate::domain::pool::Seats;
use crate::domain::renewal_seats::Covered;
use crate::domain::renewals::PoolTerms;

/// Point exactly these pools at the contract.
/// Returns how many pools were newly attached: only pools on no contract are taken, so a pool another writer just
/// gave to a different contract is left alone (the caller compares the count with what it expected).
pub async fn set_pools(conn: &mut Conn, contract_id: i64, pool_ids: &[i64]) -> Result<u64, sqlx::Error> {
    // Every write here moves the pool's version: a pool form opened before it must not silently revert it.
    let mut clear = Sql::new("UPDATE pools SET contract_id = NULL, version = version + 1 WHERE contract_id = ");
    clear.bind(contract_id).push(" AND ").push_not_in("id", pool_ids);
    clear.query().execute(&mut *conn).await?;
    if !pool_ids.is_empty() {
        let mut set = Sql::new("UPDATE pools SET version = version + 1, contract_id = ");
        set.bind(contract_id).push(" WHERE contract_id IS NULL AND ");
        set.push_in("id", pool_ids);
        return Ok(set.query().execute(&mut *conn).await?.rows_affected());
    }
    Ok(0)
}

/// Pools with their own contract end date and no contract yet.
pub async fn uncovered_pool_terms(db: &AnyPool) -> Result<Vec<PoolTerms>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, vendor_id, contract_start, contract_end, auto_renew, notice_days, po_number FROM pools \
         WHERE contract_id IS NULL AND contract_end IS NOT NULL ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(PoolTerms {
                pool_id: c.i64("id")?,
                name: c.text("name")?,
                vendor_id: c.i64("vendor_id")?,
                start: c.opt_date("contract_start")?,
                end: c.date("contract_end")?,
                auto_renew: c.flag("auto_renew")?,
                notice_days: c.opt_i64("notice_days")?,
                po_number: c.opt_text("po_number")?,
            })
        })
        .collect()
}

pub async fn pool_currency(conn: &mut Conn, pool_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT currency FROM pools WHERE id = $1").bind(pool_id).fetch_one(conn).await
}

/// Add one pool to a contract.
pub async fn set_pool(conn: &mut Conn, contract_id: i64, pool_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE pools SET contract_id = $1, version = version + 1 WHERE id = $2")
        .bind(contract_id)
        .bind(pool_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Copy the running term onto the covered pools, so inventory filters and owners' attention lists agree with it.
pub async fn sync_pool_terms(
    conn: &mut Conn,
    contract_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    auto_renew: bool,
    notice_days: i64,
    cancel_by: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE pools SET contract_start = $1, contract_end = $2, auto_renew = $3, notice_days = $4, cancel_by = $5, \
         version = version + 1 WHERE contract_id = $6",
    )
    .bind(start.to_string())
    .bind(end.to_string())
    .bind(i64::from(auto_renew))
    .bind(notice_days)
    .bind(cancel_by.to_string())
    .bind(contract_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// What validating a contract needs about a pool it is to cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolFacts {
    pub pool_id: i64,
    /// Where the pool sits, for access.
    pub place: PoolPlace,
    pub vendor_id: i64,
    pub currency: String,
    /// The contract it belongs to now.
    pub contract_id: Option<i64>,
}

pub async fn pool_facts(db: &AnyPool, ids: &[i64]) -> Result<Vec<PoolFacts>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, department_id, owner_id, vendor_id, currency, contract_id FROM pools WHERE ");
    sql.push_in("id", ids);
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(PoolFacts {
                pool_id: c.i64("id")?,
                place: PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?),
                vendor_id: c.i64("vendor_id")?,
                currency: c.text("currency")?,
                contract_id: c.opt_i64("contract_id")?,
            })
        })
        .collect()
}

/// A covered pool with what the access policy and the visible value need.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveredPool {
    pub contract_id: i64,
    pub pool: Ref,
    pub place: PoolPlace,
    pub owner_email: Option<String>,
    pub annual_cost_minor: i64,
    pub currency: String,
}

/// The pools covered by these contracts, by name.
pub async fn covered_pools<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    contract_ids: &[i64],
) -> Result<Vec<CoveredPool>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT p.contract_id, p.id, p.name, p.department_id, p.owner_id, o.email AS owner_email, p.annual_cost_minor, p.currency \
         FROM pools p LEFT JOIN people o ON o.id = p.owner_id WHERE ",
    );
    sql.push_in("p.contract_id", contract_ids).push(" ORDER BY p.name_lower, p.id");
    let rows = sql.query().fetch_all(exec).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(CoveredPool {
                contract_id: c.i64("contract_id")?,
                pool: Ref { id: c.i64("id")?, name: c.text("name")? },
                place: PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?),
                owner_email: c.opt_text("owner_email")?,
                annual_cost_minor: c.money_minor("annual_cost_minor")?,
                currency: c.text("currency")?,
            })
        })
        .collect()
}

/// The pools a contract covers with their seats purchased now, by id.
pub async fn covered_seats(conn: &mut Conn, contract_id: i64) -> Result<Vec<Covered>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, seats_purchased FROM pools WHERE contract_id = $1 ORDER BY id")
        .bind(contract_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(Covered { pool_id: c.i64("id")?, seats_purchased: c.opt_i64("seats_purchased")? })
        })
        .collect()
}

/// A pool named by the contract that covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveredRef {
    pub contract_id: i64,
    pub pool: Ref,
}

/// Covered pools by contract id.
pub async fn pools_of<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    contract_ids: &[i64],
) -> Result<Vec<CoveredRef>, sqlx::Error> {
    let mut sql = Sql::new("SELECT contract_id, id, name FROM pools WHERE ");
    sql.push_in("contract_id", contract_ids).push(" ORDER BY name_lower");
    let rows = sql.query().fetch_all(exec).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(CoveredRef { contract_id: c.i64("contract_id")?, pool: Ref { id: c.i64("id")?, name: c.text("name")? } })
        })
        .collect()
}

/// Where the pools a contract covers sit (each place once).
pub async fn places_of(db: &AnyPool, contract_id: i64) -> Result<Vec<PoolPlace>, sqlx::Error> {
    let rows = sqlx::query("SELECT DISTINCT department_id, owner_id FROM pools WHERE contract_id = $1")
        .bind(contract_id)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?))
        })
        .collect()
}

/// Covered pools with the figures a renewal decision needs. Holders without a sign-in since
/// `inactive_before` (or none recorded) count as inactive.
pub async fn usage(db: &AnyPool, contract_id: i64, inactive_before: NaiveDate) -> Result<Vec<PoolUsage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.tier, p.seats_purchased, p.seats_assigned, p.annual_cost_minor, p.currency, \
         d.id AS department_id, d.name AS department_name, o.id AS owner_id, o.name AS owner_name, \
         (SELECT COUNT(*) FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
            WHERE a.pool_id = p.id AND pe.status = 'terminated') AS terminated, \
         (SELECT COUNT(*) FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
            WHERE a.pool_id = p.id AND pe.status = 'on_leave') AS on_leave, \
         (SELECT COUNT(*) FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
            WHERE a.pool_id = p.id AND pe.status = 'active' AND NOT EXISTS (SELECT 1 FROM person_signins s \
              WHERE s.person_id = pe.id AND s.last_sign_in_at >= $2)) AS inactive \
         FROM pools p JOIN departments d ON d.id = p.department_id LEFT JOIN people o ON o.id = p.owner_id \
         WHERE p.contract_id = $1 ORDER BY p.name_lower",
    )
    .bind(contract_id)
    .bind(inactive_before.to_string())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            let seats = Seats { purchased: c.opt_i64("seats_purchased")?, assigned: c.i64("seats_assigned")? };
            Ok(PoolUsage {
                pool: Ref { id: c.i64("id")?, name: c.text("name")? },
                department: Ref { id: c.i64("department_id")?, name: c.text("department_name")? },
                owner: match c.opt_i64("owner_id")? {
                    Some(id) => Some(Ref { id, name: c.text("owner_name")? }),
                    None => None,
                },
                tier: c.text("tier")?,
                seats_purchased: seats.purchased,
                seats_assigned: seats.assigned,
                utilization_percent: seats.utilization_percent(),
                held_by_terminated: c.i64("terminated")?,
                held_by_on_leave: c.i64("on_leave")?,
                held_by_inactive: c.i64("inactive")?,
                annual_cost: Money::new(c.money_minor("annual_cost_minor")?, c.text("currency")?),
                // Filled in by the service from the finance figures.
                right_size_seats: None,
                right_size_saving_annual: None,
            })
        })
        .collect()
}

/// The contract a pool belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLink {
    pub pool_id: i64,
    pub contract_id: Option<i64>,
}

/// The contract each of these pools belongs to now, by pool id.
pub async fn pool_links(conn: &mut Conn, pool_ids: &[i64]) -> Result<Vec<PoolLink>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, contract_id FROM pools WHERE ");
    sql.push_in("id", pool_ids).push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(PoolLink { pool_id: c.i64("id")?, contract_id: c.opt_i64("contract_id")? })
        })
        .collect()
}
