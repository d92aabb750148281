//! Uploaded import files and the person records imports read and write.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{EmploymentType, PersonStatus};

use crate::domain::hr::PersonRecord;
use sqlx::{AnyPool, Row};

use super::{parse_date, parse_enum, Conn};
use crate::clock::to_db;

pub struct StoredImport {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    pub content: String,
    pub status: String,
    pub summary_json: String,
}

#[allow(clippy::too_many_arguments)] // one column each
pub async fn insert(
    pool: &AnyPool,
    kind: &str,
    filename: &str,
    content: &str,
    sha256: &str,
    summary_json: &str,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO imports (kind, filename, content, content_sha256, status, summary_json, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'previewed', $5, $6, $7) RETURNING id",
    )
    .bind(kind)
    .bind(filename)
    .bind(content)
    .bind(sha256)
    .bind(summary_json)
    .bind(created_by)
    .bind(to_db(now))
    .fetch_one(pool)
    .await
}

pub async fn get(pool: &AnyPool, id: i64) -> Result<Option<StoredImport>, sqlx::Error> {
    let row = sqlx::query("SELECT id, kind, filename, content, status, summary_json FROM imports WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(StoredImport {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            filename: r.try_get("filename")?,
            content: r.try_get("content")?,
            status: r.try_get("status")?,
            summary_json: r.try_get("summary_json")?,
        })
    })
    .transpose()
}

/// Mark applied only if still previewed: two clicks on "apply" apply once.
pub async fn mark_applied(
    conn: &mut Conn,
    id: i64,
    summary_json: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE imports SET status = 'applied', applied_at = $1, summary_json = $2 WHERE id = $3 AND status = 'previewed'",
    )
    .bind(to_db(now))
    .bind(summary_json)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn all_people<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
) -> Result<Vec<PersonRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, employee_id, email, name, department_id, cost_centre_id, manager_id, employment_type, status, \
         start_date, end_date, missing_from_hr_at FROM people",
    )
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PersonRecord {
                id: r.try_get("id")?,
                employee_id: r.try_get("employee_id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                department_id: r.try_get("department_id")?,
                cost_centre_id: r.try_get("cost_centre_id")?,
                manager_id: r.try_get("manager_id")?,
                employment_type: parse_enum(&r.try_get::<String, _>("employment_type")?, EmploymentType::parse)?,
                status: parse_enum(&r.try_get::<String, _>("status")?, PersonStatus::parse)?,
                start_date: parse_date(r.try_get("start_date")?),
                end_date: parse_date(r.try_get("end_date")?),
                missing_from_hr: r.try_get::<Option<String>, _>("missing_from_hr_at")?.is_some(),
            })
        })
        .collect()
}

/// Write a person's HR fields (not status: that goes through the status rules). Returns the id.
pub async fn upsert_person(conn: &mut Conn, p: &PersonRecord, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    if p.id > 0 {
        sqlx::query(
            "UPDATE people SET employee_id = $1, email = $2, name = $3, department_id = $4, cost_centre_id = $5, \
             manager_id = $6, employment_type = $7, start_date = $8, end_date = $9, missing_from_hr_at = NULL, \
             updated_at = $10, version = version + 1 WHERE id = $11",
        )
        .bind(p.employee_id.clone())
        .bind(p.email.clone())
        .bind(p.name.clone())
        .bind(p.department_id)
        .bind(p.cost_centre_id)
        .bind(p.manager_id)
        .bind(p.employment_type.as_str())
        .bind(date(p.start_date))
        .bind(date(p.end_date))
        .bind(to_db(now))
        .bind(p.id)
        .execute(conn)
        .await?;
        return Ok(p.id);
    }
    sqlx::query_scalar(
        "INSERT INTO people (employee_id, email, name, department_id, cost_centre_id, manager_id, employment_type, \
         status, start_date, end_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $10) \
         RETURNING id",
    )
    .bind(p.employee_id.clone())
    .bind(p.email.clone())
    .bind(p.name.clone())
    .bind(p.department_id)
    .bind(p.cost_centre_id)
    .bind(p.manager_id)
    .bind(p.employment_type.as_str())
    .bind(date(p.start_date))
    .bind(date(p.end_date))
    .bind(to_db(now))
    .fetch_one(conn)
    .await
}

pub async fn flag_missing(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE people SET missing_from_hr_at = $1 WHERE id = $2 AND missing_from_hr_at IS NULL")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The id behind a natural key (`SELECT id FROM ... WHERE <column> = $1`), for imports matching by name.
pub async fn id_by(conn: &mut Conn, table: KeyedTable, key: &str) -> Result<Option<i64>, sqlx::Error> {
    let sql = match table {
        KeyedTable::Vendor => "SELECT id FROM vendors WHERE LOWER(name) = $1",
        KeyedTable::PersonEmail => "SELECT id FROM people WHERE email = $1",
    };
    sqlx::query_scalar(sql).bind(key.to_lowercase()).fetch_optional(conn).await
}

#[derive(Debug, Clone, Copy)]
pub enum KeyedTable {
    Vendor,
    PersonEmail,
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

/// Insert new people in chunks; ids come back in input order.
pub async fn insert_people(
    conn: &mut Conn,
    people: &[PersonRecord],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::with_capacity(people.len());
    for chunk in people.chunks(400) {
        let mut sql = super::Sql::new(
            "INSERT INTO people (employee_id, email, name, department_id, cost_centre_id, manager_id, employment_type, \
             status, start_date, end_date, created_at, updated_at) VALUES ",
        );
        for (i, p) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(p.employee_id.clone()).push(", ").bind(p.email.clone()).push(", ").bind(p.name.clone()).push(", ");
            sql.bind(p.department_id).push(", ").bind(p.cost_centre_id).push(", ").bind(p.manager_id).push(", ");
            sql.bind(p.employment_type.as_str())
                .push(", 'active', ")
                .bind(p.start_date.map(|d| d.to_string()))
                .push(", ");
            sql.bind(p.end_date.map(|d| d.to_string()))
                .push(", ")
                .bind(to_db(now))
                .push(", ")
                .bind(to_db(now))
                .push(")");
        }
        sql.push(" RETURNING id");
        let mut chunk_ids: Vec<i64> = sql.query_scalar().fetch_all(&mut *conn).await?;
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Set many managers at once: `(person, manager)` pairs, one CASE update per chunk.
pub async fn set_managers(conn: &mut Conn, pairs: &[(i64, Option<i64>)]) -> Result<(), sqlx::Error> {
    for chunk in pairs.chunks(400) {
        let mut sql = super::Sql::new("UPDATE people SET manager_id = CASE id");
        for (id, manager) in chunk {
            sql.push(" WHEN ").bind(*id).push(" THEN ").bind(*manager);
        }
        sql.push(" END WHERE ");
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        sql.push_in("id", &ids);
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}
