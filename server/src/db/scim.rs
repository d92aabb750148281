//! People as the identity provider sees them.

use chrono::{DateTime, Utc};
use seatwise_types::PersonStatus;
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;

#[derive(Debug, Clone, PartialEq)]
pub struct ScimPerson {
    pub id: i64,
    pub email: String,
    pub username: Option<String>,
    pub name: String,
    pub external_id: Option<String>,
    pub status: PersonStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The user document the provider last sent.
    pub document: Option<serde_json::Value>,
    pub deleted: bool,
}

const SELECT: &str =
    "SELECT id, email, username, name, external_id, status, created_at, updated_at, scim_json, scim_deleted_at FROM people";

fn from_row(r: &AnyRow) -> Result<ScimPerson, sqlx::Error> {
    let c = Cols::new(r, "people");
    Ok(ScimPerson {
        id: c.i64("id")?,
        email: c.text("email")?,
        username: c.opt_text("username")?,
        name: c.text("name")?,
        external_id: c.opt_text("external_id")?,
        status: c.parsed("status", PersonStatus::parse)?,
        created_at: c.timestamp("created_at")?,
        updated_at: c.opt_timestamp("updated_at")?,
        document: c.opt_json("scim_json")?,
        deleted: c.opt_timestamp("scim_deleted_at")?.is_some(),
    })
}

/// Which people a SCIM list asks for: `attribute eq "value"` (`userName`, `externalId` or `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScimFilter<'a> {
    pub attribute: &'a str,
    pub value: &'a str,
}

/// One page of a SCIM list, and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimPage {
    pub total: i64,
    pub people: Vec<ScimPerson>,
}

pub async fn get<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    id: i64,
) -> Result<Option<ScimPerson>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(exec).await?;
    row.as_ref().map(from_row).transpose()
}

/// A page of people, optionally filtered by `userName` (email) or `externalId`; `start` is 1-based.
pub async fn list(
    db: &AnyPool,
    filter: Option<ScimFilter<'_>>,
    start: i64,
    count: i64,
) -> Result<ScimPage, sqlx::Error> {
    let mut count_sql = Sql::new("SELECT COUNT(*) FROM people");
    let mut page_sql = Sql::new(SELECT);
    for s in [&mut count_sql, &mut page_sql] {
        // Users the provider deleted are kept in Seatwise but no longer exist for SCIM.
        s.push(" WHERE scim_deleted_at IS NULL");
        match filter.map(|f| (f.attribute, f.value)) {
            // A userName is an address, or the user name another system keys the person by (Snipe-IT).
            Some(("userName", v)) => {
                s.push(" AND (email = ").bind(v.to_lowercase()).push(" OR username = ").bind(v.to_lowercase()).push(")")
            }
            Some(("externalId", v)) => s.push(" AND external_id = ").bind(v.to_string()),
            // An id that is not a number names nobody.
            Some(("id", v)) => s.push(" AND id = ").bind(v.parse::<i64>().unwrap_or(-1)),
            _ => s,
        };
    }
    let total: i64 = count_sql.query_scalar().fetch_one(db).await?;
    page_sql.push(" ORDER BY id LIMIT ").bind(count).push(" OFFSET ").bind(start - 1);
    let rows = page_sql.query().fetch_all(db).await?;
    Ok(ScimPage { total, people: rows.iter().map(from_row).collect::<Result<_, _>>()? })
}

/// The person a userName names: by address, else by user name.
pub async fn by_email(conn: &mut Conn, email: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(id) FROM people WHERE email = $1 OR username = $1")
        .bind(email.to_lowercase())
        .fetch_one(conn)
        .await
}

pub async fn update_identity(
    conn: &mut Conn,
    id: i64,
    email: &str,
    name: &str,
    external_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE people SET email = $1, name = $2, external_id = $3, updated_at = $4, version = version + 1 WHERE id = $5")
        .bind(email.to_lowercase())
        .bind(name)
        .bind(external_id.map(str::to_string))
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Keep the provider's document; `deleted` hides the user from SCIM (set on DELETE, cleared on re-provisioning).
pub async fn set_document(
    conn: &mut Conn,
    id: i64,
    document: &str,
    deleted_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE people SET scim_json = $1, scim_deleted_at = $2 WHERE id = $3")
        .bind(document)
        .bind(deleted_at.map(to_db))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
