//! Devices that hold per-device seats (seats name them by asset tag).

use seatwise_types::{Device, Ref};
use sqlx::AnyPool;

use super::decode::Cols;
use super::Conn;

pub async fn list(db: &AnyPool) -> Result<Vec<Device>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT d.id, d.asset_tag, d.name, d.person_id, pe.name AS person_name, \
         (SELECT COUNT(*) FROM seat_assignments a WHERE a.device = d.asset_tag) AS seats_held \
         FROM devices d LEFT JOIN people pe ON pe.id = d.person_id ORDER BY d.asset_tag",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "devices");
            Ok(Device {
                id: c.i64("id")?,
                asset_tag: c.text("asset_tag")?,
                name: c.text("name")?,
                person: match c.opt_i64("person_id")? {
                    Some(id) => Some(Ref { id, name: c.text("person_name")? }),
                    None => None,
                },
                seats_held: c.i64("seats_held")?,
            })
        })
        .collect()
}

/// Any case; the database folds both sides (SQLite only ASCII), so a stored tag is always found, `Ⱥ` too.
pub async fn tag_taken(db: &AnyPool, asset_tag: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE LOWER(asset_tag) = LOWER($1)")
        .bind(asset_tag)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

pub async fn insert(conn: &mut Conn, asset_tag: &str, name: &str, person_id: Option<i64>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO devices (asset_tag, name, person_id) VALUES ($1, $2, $3) RETURNING id")
        .bind(asset_tag)
        .bind(name)
        .bind(person_id)
        .fetch_one(conn)
        .await
}
