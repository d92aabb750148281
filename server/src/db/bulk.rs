//! Multi-row inserts for seeding and the large-data generator.

use chrono::{DateTime, Utc};
use seatwise_types::PersonStatus;

use super::{Conn, Sql};
use crate::clock::to_db;

pub struct PersonRow {
    pub name: String,
    pub email: String,
    pub department_id: i64,
    pub cost_centre_id: i64,
    pub status: PersonStatus,
}

/// Insert people in chunks; returns their ids in input order.
pub async fn insert_people(conn: &mut Conn, rows: &[PersonRow], now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let mut sql =
            Sql::new("INSERT INTO people (name, email, department_id, cost_centre_id, status, created_at) VALUES ");
        for (i, r) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(r.name.clone()).push(", ").bind(r.email.clone()).push(", ").bind(r.department_id);
            sql.push(", ").bind(r.cost_centre_id).push(", ").bind(r.status.as_str()).push(", ").bind(to_db(now));
            sql.push(")");
        }
        sql.push(" RETURNING id");
        let mut chunk_ids: Vec<i64> = sql.query_scalar().fetch_all(&mut *conn).await?;
        // RETURNING order follows insertion order on both backends for a single VALUES list, but sort to be sure.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

pub struct SeatRow {
    pub pool_id: i64,
    pub person_id: i64,
    pub assigned_at: DateTime<Utc>,
}

pub async fn insert_seats(conn: &mut Conn, rows: &[SeatRow], assigned_by: &str) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(1_000) {
        let mut sql = Sql::new("INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by) VALUES ");
        for (i, r) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(r.pool_id).push(", ").bind(r.person_id).push(", ").bind(to_db(r.assigned_at));
            sql.push(", ").bind(assigned_by).push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Bring every pool's seat counter in line with its assignment rows after a bulk load.
pub async fn recount_seats(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE pools SET seats_assigned = (SELECT COUNT(*) FROM seat_assignments a WHERE a.pool_id = pools.id)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn is_empty(pool: &sqlx::AnyPool) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM pools) + (SELECT COUNT(*) FROM people)")
        .fetch_one(pool)
        .await?;
    Ok(n == 0)
}
