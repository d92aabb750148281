//! What checking a change request reads: pools and people by id, name or e-mail, and people's departments.

use seatwise_types::{BillingPeriod, PersonStatus, Ref};

use crate::db::bulk::{self, over_ids, Col, Statement};
use crate::db::decode::Cols;
use crate::db::Conn;
use crate::domain::access::PoolPlace;
use crate::domain::change_request::PoolFacts;

// --- What the rules read -------------------------------------------------------------------------------------

/// Pools as the rules read them, each with its department (the service asks the access policy about it and sets
/// `may_edit`, false here).
pub async fn pools(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(PoolPlace, PoolFacts)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT p.id, p.name, p.department_id, p.owner_id, p.seats_purchased, p.seats_assigned, p.allow_overage, \
                p.retired_at, p.unit_cost_minor, p.billing_period, p.currency, p.contract_start, p.contract_end, \
                p.annual_cost_minor FROM pools p WHERE p.id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            let pool = PoolFacts {
                id: c.i64("id")?,
                name: c.text("name")?,
                seats_purchased: c.opt_i64("seats_purchased")?,
                seats_assigned: c.i64("seats_assigned")?,
                allow_overage: c.flag("allow_overage")?,
                retired: c.opt_timestamp("retired_at")?.is_some(),
                may_edit: false,
                may_ask: false,
                unit_cost_minor: c.money_minor("unit_cost_minor")?,
                billing_period: c.parsed("billing_period", BillingPeriod::parse)?,
                currency: c.text("currency")?,
                contract_start: c.opt_date("contract_start")?,
                contract_end: c.opt_date("contract_end")?,
                annual_cost_minor: c.money_minor("annual_cost_minor")?,
            };
            Ok((PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?), pool))
        })
        .collect()
}

/// People by id: (id, name, status).
pub async fn people(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, String, PersonStatus)>, sqlx::Error> {
    let statement =
        over_ids("SELECT pe.id, pe.name, pe.status FROM people pe WHERE pe.id IN (SELECT r.id FROM {rows})", &[]);
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, c.text("name")?, c.parsed("status", PersonStatus::parse)?))
        })
        .collect()
}

/// The department of each of these people who has one: (person id, department).
pub async fn departments_of_people(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, Ref)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT pe.id, d.id AS department_id, d.name AS department_name FROM people pe JOIN {rows} ON pe.id = r.id \
         JOIN departments d ON d.id = pe.department_id",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, Ref { id: c.i64("department_id")?, name: c.text("department_name")? }))
        })
        .collect()
}

// --- What a CSV file's names refer to -------------------------------------------------------------------------

/// Pools by lower-case name: (id, lower-case name, department); a name two pools share comes back twice.
pub async fn pools_named(conn: &mut Conn, names: &[String]) -> Result<Vec<(i64, String, PoolPlace)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT p.id, p.name_lower, p.department_id, p.owner_id FROM pools p \
              WHERE p.name_lower IN (SELECT r.name FROM {rows})",
        cols: &[Col::Text("name")],
        args: &[],
    };
    let rows: Vec<(&String,)> = names.iter().map(|n| (n,)).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok((c.i64("id")?, c.text("name_lower")?, PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?)))
        })
        .collect()
}

/// People by lower-case e-mail address or by employee id: (id, lower-case e-mail, employee id).
pub async fn people_keyed(
    conn: &mut Conn,
    emails: &[String],
    employee_ids: &[String],
) -> Result<Vec<(i64, String, Option<String>)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT pe.id, LOWER(pe.email) AS email, pe.employee_id FROM people pe \
              WHERE LOWER(pe.email) IN (SELECT r.key FROM {rows} WHERE r.kind = 'email') \
                 OR pe.employee_id IN (SELECT r.key FROM {rows} WHERE r.kind = 'employee')",
        cols: &[Col::Text("kind"), Col::Text("key")],
        args: &[],
    };
    let rows: Vec<(&str, &String)> =
        emails.iter().map(|e| ("email", e)).chain(employee_ids.iter().map(|e| ("employee", e))).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, c.text("email")?, c.opt_text("employee_id")?))
        })
        .collect()
}
