//! Microsoft 365 SKU mappings and sign-in freshness per source.

use chrono::{DateTime, Utc};
use seatwise_types::SkuMapping;
use sqlx::Row;

use super::Conn;
use crate::clock::to_db;

pub async fn mappings<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
) -> Result<Vec<SkuMapping>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.part_number, m.sku_id, m.pool_id, p.name AS pool_name, m.version FROM sku_mappings m \
         LEFT JOIN pools p ON p.id = m.pool_id ORDER BY m.part_number",
    )
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SkuMapping {
                part_number: r.try_get("part_number")?,
                sku_id: r.try_get("sku_id")?,
                pool_id: r.try_get("pool_id")?,
                pool_name: r.try_get("pool_name")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

/// Record a SKU's id, keeping any pool already mapped to it.
pub async fn upsert_sku(
    conn: &mut Conn,
    part_number: &str,
    sku_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE sku_mappings SET sku_id = $1, updated_at = $2, version = version + 1 WHERE part_number = $3",
    )
    .bind(sku_id)
    .bind(to_db(now))
    .bind(part_number)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query("INSERT INTO sku_mappings (part_number, sku_id, updated_at) VALUES ($1, $2, $3)")
            .bind(part_number)
            .bind(sku_id)
            .bind(to_db(now))
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn set_pool(
    conn: &mut Conn,
    part_number: &str,
    pool_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE sku_mappings SET pool_id = $1, updated_at = $2, version = version + 1 WHERE part_number = $3",
    )
    .bind(pool_id)
    .bind(to_db(now))
    .bind(part_number)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query("INSERT INTO sku_mappings (part_number, pool_id, updated_at) VALUES ($1, $2, $3)")
            .bind(part_number)
            .bind(pool_id)
            .bind(to_db(now))
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn set_sign_in(
    conn: &mut Conn,
    person_id: i64,
    source: &str,
    last: Option<DateTime<Utc>>,
    read_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM person_signins WHERE person_id = $1 AND source = $2")
        .bind(person_id)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO person_signins (person_id, source, last_sign_in_at, read_at) VALUES ($1, $2, $3, $4)")
        .bind(person_id)
        .bind(source)
        .bind(last.map(to_db))
        .bind(to_db(read_at))
        .execute(conn)
        .await?;
    Ok(())
}
