//! Who watches a contract and who hears about it.

use seatwise_types::Ref;
use sqlx::AnyPool;

use crate::db::alerts::Recipient;
use crate::db::decode::Cols;
use crate::db::Conn;

/// Start or stop watching; false when nothing changed.
pub async fn set_watching(conn: &mut Conn, contract_id: i64, user_id: i64, on: bool) -> Result<bool, sqlx::Error> {
    let sql = if on {
        "INSERT INTO contract_watchers (contract_id, user_id) VALUES ($1, $2) ON CONFLICT (contract_id, user_id) DO NOTHING"
    } else {
        "DELETE FROM contract_watchers WHERE contract_id = $1 AND user_id = $2"
    };
    let done = sqlx::query(sql).bind(contract_id).bind(user_id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn watchers(db: &AnyPool, contract_id: i64) -> Result<Vec<Ref>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, u.name FROM contract_watchers w JOIN users u ON u.id = w.user_id \
         WHERE w.contract_id = $1 ORDER BY u.name",
    )
    .bind(contract_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "users");
            Ok(Ref { id: c.i64("id")?, name: c.text("name")? })
        })
        .collect()
}

pub async fn set_watchers(conn: &mut Conn, contract_id: i64, user_ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM contract_watchers WHERE contract_id = $1").bind(contract_id).execute(&mut *conn).await?;
    for user_id in user_ids {
        sqlx::query("INSERT INTO contract_watchers (contract_id, user_id) VALUES ($1, $2)")
            .bind(contract_id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Who hears about a contract: owners of covered pools (people with an e-mail, and their login if they have one)
/// and watchers, one per address.
pub async fn recipients(conn: &mut Conn, contract_id: i64) -> Result<Vec<Recipient>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.email AS email, (SELECT MIN(u.id) FROM users u WHERE u.person_id = o.id OR LOWER(u.email) = \
         LOWER(o.email)) AS user_id FROM pools p JOIN people o ON o.id = p.owner_id \
         WHERE p.contract_id = $1 AND o.status <> 'terminated' \
         UNION SELECT u.email AS email, u.id AS user_id FROM contract_watchers w JOIN users u ON u.id = w.user_id \
         WHERE w.contract_id = $1",
    )
    .bind(contract_id)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Recipient> = Vec::new();
    for r in &rows {
        let c = Cols::new(r, "recipients");
        let (email, user_id) = (c.text("email")?, c.opt_i64("user_id")?);
        match out.iter_mut().find(|e| e.email.eq_ignore_ascii_case(&email)) {
            Some(existing) => existing.user_id = existing.user_id.or(user_id),
            None => out.push(Recipient { email, user_id }),
        }
    }
    Ok(out)
}

/// The users watching a contract, inside a transaction.
pub async fn watcher_ids(conn: &mut Conn, contract_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM contract_watchers WHERE contract_id = $1 ORDER BY user_id")
        .bind(contract_id)
        .fetch_all(&mut *conn)
        .await
}
