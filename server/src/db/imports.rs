//! Uploaded import files, and what imports read from and write to the directory, all writes through the bulk
//! path (`db::bulk`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{EmploymentType, PersonStatus};
use sqlx::AnyPool;

use super::bulk::{self, Col, Statement};
use super::decode::{map_each, Cols};
use super::Conn;
use crate::clock::to_db;
use crate::domain::hr::PersonRecord;

/// An uploaded file as stored. `document` is the kind's parameters and the preview summary (a JSON object the
/// kind reads back with its own types).
pub struct StoredImport {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    pub content: String,
    pub status: String,
    pub document: serde_json::Value,
}

pub struct NewImport<'a> {
    pub kind: &'a str,
    pub filename: &'a str,
    pub content: &'a str,
    pub sha256: &'a str,
    pub document: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(db: &AnyPool, i: &NewImport<'_>, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO imports (kind, filename, content, content_sha256, status, summary_json, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'previewed', $5, $6, $7) RETURNING id",
    )
    .bind(i.kind)
    .bind(i.filename)
    .bind(i.content)
    .bind(i.sha256)
    .bind(i.document)
    .bind(i.created_by)
    .bind(to_db(now))
    .fetch_one(db)
    .await
}

pub async fn get(db: &AnyPool, id: i64) -> Result<Option<StoredImport>, sqlx::Error> {
    let row = sqlx::query("SELECT id, kind, filename, content, status, summary_json FROM imports WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let c = Cols::new(&r, "imports");
        Ok(StoredImport {
            id: c.i64("id")?,
            kind: c.text("kind")?,
            filename: c.text("filename")?,
            content: c.text("content")?,
            status: c.text("status")?,
            document: c.json("summary_json")?,
        })
    })
    .transpose()
}

/// Mark applied only if still previewed: two clicks on "apply" apply once.
pub async fn mark_applied(conn: &mut Conn, id: i64, document: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE imports SET status = 'applied', applied_at = $1, summary_json = $2 WHERE id = $3 AND status = 'previewed'",
    )
    .bind(to_db(now))
    .bind(document)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Lock a previewed import's row for this transaction (PostgreSQL; SQLite's writer is single anyway). False when it
/// is no longer previewed.
pub async fn hold_for_apply(conn: &mut Conn, id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE imports SET status = status WHERE id = $1 AND status = 'previewed'")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn all_people(conn: &mut Conn) -> Result<Vec<PersonRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, employee_id, username, email, name, department_id, cost_centre_id, manager_id, employment_type, \
         status, start_date, end_date, missing_from_hr_at, vip FROM people",
    )
    .fetch(conn);
    map_each(rows, |r| {
        let c = Cols::new(r, "people");
        Ok(PersonRecord {
            id: c.i64("id")?,
            employee_id: c.opt_text("employee_id")?,
            username: c.opt_text("username")?,
            email: c.text("email")?,
            name: c.text("name")?,
            department_id: c.opt_i64("department_id")?,
            cost_centre_id: c.opt_i64("cost_centre_id")?,
            manager_id: c.opt_i64("manager_id")?,
            employment_type: c.parsed("employment_type", EmploymentType::parse)?,
            status: c.parsed("status", PersonStatus::parse)?,
            start_date: c.opt_date("start_date")?,
            end_date: c.opt_date("end_date")?,
            missing_from_hr: c.opt_timestamp("missing_from_hr_at")?.is_some(),
            vip: c.flag("vip")?,
        })
    })
    .await
}

const PERSON_COLS: &[Col] = &[
    Col::Int("id"),
    Col::Text("employee_id"),
    Col::Text("email"),
    Col::Text("name"),
    Col::Int("department_id"),
    Col::Int("cost_centre_id"),
    Col::Int("manager_id"),
    Col::Text("employment_type"),
    Col::Text("start_date"),
    Col::Text("end_date"),
    Col::Text("username"),
    Col::Int("vip"),
];

type PersonTuple<'a> = (
    i64,
    &'a Option<String>,
    &'a str,
    &'a str,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    &'static str,
    Option<String>,
    Option<String>,
    &'a Option<String>,
    i64,
);

fn person_tuple(p: &PersonRecord) -> PersonTuple<'_> {
    (
        p.id,
        &p.employee_id,
        &p.email,
        &p.name,
        p.department_id,
        p.cost_centre_id,
        p.manager_id,
        p.employment_type.as_str(),
        p.start_date.map(|d| d.to_string()),
        p.end_date.map(|d| d.to_string()),
        &p.username,
        i64::from(p.vip),
    )
}

/// Ids for `n` new people, in order, reserved before their records are written so records can point at each
/// other (a manager and their reports in one file). Call inside a write transaction: on SQLite it holds the only
/// write lock, so the ids after the largest are free; PostgreSQL hands them out from the column's sequence.
pub async fn reserve_person_ids(conn: &mut Conn, n: usize) -> Result<Vec<i64>, sqlx::Error> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if super::Backend::of(conn) == super::Backend::Postgres {
        let mut ids: Vec<i64> =
            sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('people', 'id')) FROM generate_series(1, $1)")
                .bind(n as i64)
                .fetch_all(&mut *conn)
                .await?;
        ids.sort_unstable();
        return Ok(ids);
    }
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM people").fetch_one(&mut *conn).await?;
    Ok((1..=n as i64).map(|i| last + i).collect())
}

/// Insert new people under the ids they carry (from [`reserve_person_ids`]), in order: a manager must come no
/// later than the people pointing at them. Active: status changes go through the status rules.
pub async fn insert_people_with_ids(
    conn: &mut Conn,
    people: &[&PersonRecord],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO people (id, employee_id, email, name, department_id, cost_centre_id, manager_id, \
              employment_type, status, start_date, end_date, username, vip, created_at, updated_at) \
              SELECT r.id, r.employee_id, r.email, r.name, r.department_id, r.cost_centre_id, r.manager_id, \
              r.employment_type, 'active', r.start_date, r.end_date, r.username, r.vip, $2, $2 FROM {rows} \
              ORDER BY r.n",
        cols: PERSON_COLS,
        args: &[&at],
    };
    let rows: Vec<_> = people.iter().map(|p| person_tuple(p)).collect();
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}

/// Insert new people (ids are ignored and reserved here); their ids in input order.
pub async fn insert_people(
    conn: &mut Conn,
    people: &[PersonRecord],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids = reserve_person_ids(conn, people.len()).await?;
    let people: Vec<PersonRecord> =
        people.iter().zip(&ids).map(|(p, id)| PersonRecord { id: *id, ..p.clone() }).collect();
    insert_people_with_ids(conn, &people.iter().collect::<Vec<_>>(), now).await?;
    Ok(ids)
}

/// Write existing people's HR fields (not status), clearing the missing-from-HR flag; each counts a version.
pub async fn update_people(conn: &mut Conn, people: &[&PersonRecord], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE people SET employee_id = r.employee_id, email = r.email, name = r.name, \
              department_id = r.department_id, cost_centre_id = r.cost_centre_id, manager_id = r.manager_id, \
              employment_type = r.employment_type, start_date = r.start_date, end_date = r.end_date, \
              username = r.username, vip = r.vip, missing_from_hr_at = NULL, updated_at = $2, version = version + 1 FROM {rows} WHERE people.id = r.id",
        cols: PERSON_COLS,
        args: &[&at],
    };
    let rows: Vec<_> = people.iter().map(|p| person_tuple(p)).collect();
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}

pub async fn flag_missing(conn: &mut Conn, ids: &[i64], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE people SET missing_from_hr_at = $2 FROM {rows} WHERE people.id = r.id \
              AND people.missing_from_hr_at IS NULL",
        cols: bulk::ID,
        args: &[&at],
    };
    bulk::execute(conn, &statement, &bulk::ids(ids)).await?;
    Ok(())
}

/// One status change as stored: the person, the new status and the stored termination time after it.
pub struct StatusRow {
    pub id: i64,
    pub status: PersonStatus,
    pub terminated_at: Option<DateTime<Utc>>,
}

/// Set statuses (each counts a version); `terminated_at` as decided by `domain::people::transition`.
pub async fn set_statuses(conn: &mut Conn, rows: &[StatusRow], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE people SET status = r.status, terminated_at = r.terminated_at, updated_at = $2, \
              version = version + 1 FROM {rows} WHERE people.id = r.id",
        cols: &[Col::Int("id"), Col::Text("status"), Col::Text("terminated_at")],
        args: &[&at],
    };
    let rows: Vec<_> = rows.iter().map(|r| (r.id, r.status.as_str(), r.terminated_at.map(to_db))).collect();
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}

/// Mark the seats of these people for reclamation (only those not yet marked): `(person, latency_ms)` pairs.
pub async fn mark_seats(
    conn: &mut Conn,
    people: &[(i64, i64)],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE seat_assignments SET reclaim_marked_at = $2, reclaim_reason = $3, \
              reclaim_latency_ms = r.latency_ms FROM {rows} \
              WHERE seat_assignments.person_id = r.person_id AND seat_assignments.reclaim_marked_at IS NULL",
        cols: &[Col::Int("person_id"), Col::Int("latency_ms")],
        args: &[&at, reason],
    };
    bulk::execute(conn, &statement, people).await?;
    Ok(())
}

/// New departments by name; ids in input order.
pub async fn insert_departments(conn: &mut Conn, names: &[String]) -> Result<Vec<i64>, sqlx::Error> {
    let statement = Statement {
        sql: "INSERT INTO departments (name) SELECT r.name FROM {rows} ORDER BY r.n RETURNING id",
        cols: &[Col::Text("name")],
        args: &[],
    };
    let rows: Vec<_> = names.iter().map(|n| (n,)).collect();
    bulk::insert_ids(conn, &statement, &rows).await
}

/// New cost centres named by their code; ids in input order.
pub async fn insert_cost_centres(conn: &mut Conn, codes: &[String]) -> Result<Vec<i64>, sqlx::Error> {
    let statement = Statement {
        sql: "INSERT INTO cost_centres (code, name) SELECT r.code, r.code FROM {rows} ORDER BY r.n RETURNING id",
        cols: &[Col::Text("code")],
        args: &[],
    };
    let rows: Vec<_> = codes.iter().map(|c| (c,)).collect();
    bulk::insert_ids(conn, &statement, &rows).await
}

/// Who already holds a seat in these pools: `(pool, person)` pairs.
pub async fn seat_holders(conn: &mut Conn, pool_ids: &[i64]) -> Result<HashSet<(i64, i64)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT a.pool_id, a.person_id FROM seat_assignments a \
              WHERE a.person_id IS NOT NULL AND a.pool_id IN (SELECT r.id FROM {rows})",
        cols: bulk::ID,
        args: &[],
    };
    let rows = bulk::fetch(conn, &statement, &bulk::ids(pool_ids)).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "seat_assignments");
            Ok((c.i64("pool_id")?, c.i64("person_id")?))
        })
        .collect()
}

/// New seats `(pool, person)` assigned now, with each pool's counter moved; ids in input order.
pub async fn insert_seats(
    conn: &mut Conn,
    seats: &[(i64, i64)],
    assigned_by: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by) \
              SELECT r.pool_id, r.person_id, $2, $3 FROM {rows} ORDER BY r.n RETURNING id",
        cols: &[Col::Int("pool_id"), Col::Int("person_id")],
        args: &[&at, assigned_by],
    };
    let ids = bulk::insert_ids(conn, &statement, seats).await?;
    let mut added: HashMap<i64, i64> = HashMap::new();
    for (pool_id, _) in seats {
        *added.entry(*pool_id).or_default() += 1;
    }
    let counts: Vec<(i64, i64)> = added.into_iter().collect();
    let statement = Statement {
        sql: "UPDATE pools SET seats_assigned = seats_assigned + r.added FROM {rows} WHERE pools.id = r.id",
        cols: &[Col::Int("id"), Col::Int("added")],
        args: &[],
    };
    bulk::execute(conn, &statement, &counts).await?;
    Ok(ids)
}

/// A vendor by name, any case, for imports matching by name.
pub async fn vendor_id(conn: &mut Conn, name: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM vendors WHERE LOWER(name) = $1")
        .bind(name.to_lowercase())
        .fetch_optional(conn)
        .await
}

pub async fn product_id(conn: &mut Conn, vendor_id: i64, name: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM products WHERE vendor_id = $1 AND LOWER(name) = $2")
        .bind(vendor_id)
        .bind(name.to_lowercase())
        .fetch_optional(conn)
        .await
}

pub async fn pool_id(conn: &mut Conn, vendor_id: i64, name: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM pools WHERE vendor_id = $1 AND name_lower = $2")
        .bind(vendor_id)
        .bind(name.to_lowercase())
        .fetch_optional(conn)
        .await
}

/// The import whose successful apply was under way at each of these instants: (instant, import id, file name).
/// An apply writes its ledger entries between its attempt's start and finish, so this names the import behind
/// them.
pub async fn applied_at(
    conn: &mut Conn,
    times: &[DateTime<Utc>],
) -> Result<Vec<(DateTime<Utc>, i64, String)>, sqlx::Error> {
    let times: Vec<(String,)> = times.iter().map(|t| (to_db(*t),)).collect();
    let statement = Statement {
        sql: "SELECT r.at, i.id, i.filename FROM {rows} JOIN import_attempts a ON a.outcome = 'applied' \
              AND a.started_at <= r.at AND a.finished_at >= r.at JOIN imports i ON i.id = a.import_id",
        cols: &[Col::Text("at")],
        args: &[],
    };
    bulk::fetch(conn, &statement, &times)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "imports");
            Ok((c.timestamp("at")?, c.i64("id")?, c.text("filename")?))
        })
        .collect()
}
