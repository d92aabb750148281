//! Sign-in through the identity provider: sign-ins under way, users' subjects at the provider, the people a
//! provider's user may be, and the group → role mapping.

use chrono::{DateTime, Utc};
use seatwise_types::{PersonStatus, Role};
use sqlx::AnyPool;

use super::decode::{scalar_parsed, Cols};
use super::Conn;
use crate::clock::to_db;
use crate::domain::sign_in::GroupRole;

/// A sign-in under way, as the callback needs it.
#[derive(Debug, Clone)]
pub struct Login {
    pub browser_hash: String,
    pub pkce_verifier: String,
    pub nonce: String,
}

pub async fn insert_login(
    db: &AnyPool,
    state_hash: &str,
    login: &Login,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // Sign-ins never finished would pile up: each start clears those long expired.
    sqlx::query("DELETE FROM oidc_logins WHERE expires_at <= $1").bind(to_db(now)).execute(db).await?;
    sqlx::query(
        "INSERT INTO oidc_logins (state_hash, browser_hash, pkce_verifier, nonce, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(state_hash)
    .bind(&login.browser_hash)
    .bind(&login.pkce_verifier)
    .bind(&login.nonce)
    .bind(to_db(now))
    .bind(to_db(expires))
    .execute(db)
    .await?;
    Ok(())
}

/// Take a sign-in under way by its state: deleted as it is read, so a second callback with the same state (a
/// replay) finds nothing. `None` when unknown, used or expired.
pub async fn take_login(db: &AnyPool, state_hash: &str, now: DateTime<Utc>) -> Result<Option<Login>, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING browser_hash, pkce_verifier, nonce, expires_at",
    )
    .bind(state_hash)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let c = Cols::new(&r, "oidc_logins");
    if c.timestamp("expires_at")? <= now {
        return Ok(None);
    }
    Ok(Some(Login {
        browser_hash: c.text("browser_hash")?,
        pkce_verifier: c.text("pkce_verifier")?,
        nonce: c.text("nonce")?,
    }))
}

/// A user already known, with the person they are linked to and that person's status.
#[derive(Debug, Clone)]
pub struct Known {
    pub user_id: i64,
    pub person_id: Option<i64>,
    pub person_status: Option<PersonStatus>,
    pub subject: Option<String>,
}

fn known(c: &Cols<'_>) -> Result<Known, sqlx::Error> {
    let status = c.opt_text("person_status")?;
    Ok(Known {
        user_id: c.i64("id")?,
        person_id: c.opt_i64("person_id")?,
        person_status: status.map(|s| scalar_parsed("people", "status", &s, PersonStatus::parse)).transpose()?,
        subject: c.opt_text("oidc_subject")?,
    })
}

const KNOWN: &str = "SELECT u.id, u.person_id, u.oidc_subject, pe.status AS person_status FROM users u \
                     LEFT JOIN people pe ON pe.id = u.person_id";

/// The user who signed in before with this subject.
pub async fn user_by_subject(conn: &mut Conn, subject: &str) -> Result<Option<Known>, sqlx::Error> {
    let sql = format!("{KNOWN} WHERE u.oidc_subject = $1");
    let row = sqlx::query(&sql).bind(subject).fetch_optional(&mut *conn).await?;
    row.map(|r| known(&Cols::new(&r, "users"))).transpose()
}

/// The user linked to `person_id`, else the one with the address `email` (lower-case), the linked one first.
pub async fn user_for(
    conn: &mut Conn,
    person_id: Option<i64>,
    email: Option<&str>,
) -> Result<Option<Known>, sqlx::Error> {
    let sql = format!(
        "{KNOWN} WHERE u.person_id = $1 OR u.email = $2 ORDER BY CASE WHEN u.person_id = $1 THEN 0 ELSE 1 END, u.id \
         LIMIT 1"
    );
    let row = sqlx::query(&sql).bind(person_id).bind(email).fetch_optional(&mut *conn).await?;
    row.map(|r| known(&Cols::new(&r, "users"))).transpose()
}

/// A person the provider's user may be.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: PersonStatus,
}

/// The person a provider's user is: by SCIM `externalId` (the provider's `sub`), else by SCIM `userName`, else by
/// HR employee id, else by a verified e-mail address, in that order of trust.
pub async fn find_person(
    conn: &mut Conn,
    sub: &str,
    username: Option<&str>,
    employee_id: Option<&str>,
    verified_email: Option<&str>,
) -> Result<Option<Person>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, email, status FROM people WHERE external_id = $1 OR LOWER(username) = LOWER($2) \
         OR employee_id = $3 OR LOWER(email) = $4 \
         ORDER BY CASE WHEN external_id = $1 THEN 0 WHEN LOWER(username) = LOWER($2) THEN 1 \
           WHEN employee_id = $3 THEN 2 ELSE 3 END, id LIMIT 1",
    )
    .bind(sub)
    .bind(username)
    .bind(employee_id)
    .bind(verified_email)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let c = Cols::new(&r, "people");
        Ok(Person {
            id: c.i64("id")?,
            name: c.text("name")?,
            email: c.text("email")?,
            status: scalar_parsed("people", "status", &c.text("status")?, PersonStatus::parse)?,
        })
    })
    .transpose()
}

/// Remember who a user is at the provider and which person they are.
pub async fn link(conn: &mut Conn, user_id: i64, subject: &str, person_id: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET oidc_subject = $1, person_id = COALESCE($2, person_id) WHERE id = $3")
        .bind(subject)
        .bind(person_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The group → role mapping, by group then role.
pub async fn group_roles(db: &AnyPool) -> Result<Vec<GroupRole>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT group_name, role, department_id FROM oidc_group_roles ORDER BY LOWER(group_name), role, department_id",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "oidc_group_roles");
            Ok(GroupRole {
                group: c.text("group_name")?,
                role: scalar_parsed("oidc_group_roles", "role", &c.text("role")?, Role::parse)?,
                department_id: c.opt_i64("department_id")?,
            })
        })
        .collect()
}

/// Replace the mapping.
pub async fn set_group_roles(conn: &mut Conn, rows: &[GroupRole]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM oidc_group_roles").execute(&mut *conn).await?;
    for r in rows {
        sqlx::query("INSERT INTO oidc_group_roles (group_name, role, department_id) VALUES ($1, $2, $3)")
            .bind(&r.group)
            .bind(r.role.as_str())
            .bind(r.department_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
