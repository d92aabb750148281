//! Microsoft 365 SKU mappings and sign-in freshness per source.

use super::decode::Cols;
use super::Conn;
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use seatwise_types::SkuMapping;

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
            let c = Cols::new(r, "sku_mappings");
            Ok(SkuMapping {
                part_number: c.text("part_number")?,
                sku_id: c.opt_text("sku_id")?,
                pool_id: c.opt_i64("pool_id")?,
                pool_name: c.opt_text("pool_name")?,
                version: c.i64("version")?,
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

/// Record when each person last signed in at `source` (`None`: never), replacing what that source said before.
pub async fn set_sign_ins(
    conn: &mut Conn,
    sign_ins: &[(i64, Option<DateTime<Utc>>)],
    source: &str,
    read_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    use super::bulk::{self, Col, Statement};
    let ids: Vec<i64> = sign_ins.iter().map(|(id, _)| *id).collect();
    let delete = Statement {
        sql: "DELETE FROM person_signins WHERE source = $2 AND person_id IN (SELECT r.id FROM {rows})",
        cols: bulk::ID,
        args: &[source],
    };
    bulk::execute(conn, &delete, &bulk::ids(&ids)).await?;
    let at = to_db(read_at);
    let insert = Statement {
        sql: "INSERT INTO person_signins (person_id, source, last_sign_in_at, read_at) \
              SELECT r.person_id, $2, r.last_sign_in_at, $3 FROM {rows}",
        cols: &[Col::Int("person_id"), Col::Text("last_sign_in_at")],
        args: &[source, &at],
    };
    let rows: Vec<_> = sign_ins.iter().map(|(id, last)| (*id, last.map(to_db))).collect();
    bulk::execute(conn, &insert, &rows).await?;
    Ok(())
}
