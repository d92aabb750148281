//! Accounts, their roles and department scopes.

use chrono::{DateTime, Utc};
use seatwise_types::{Ref, Role, User};
use sqlx::AnyPool;

use super::decode::{scalar_parsed, Cols};
use super::{Backend, Conn, Sql};
use crate::clock::to_db;
use crate::domain::access::PoolPlace;

pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

pub async fn count(db: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db).await
}

pub async fn credentials(db: &AnyPool, email: &str) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email.to_lowercase())
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let c = Cols::new(&r, "users");
        Ok(Credentials { id: c.i64("id")?, password_hash: c.text("password_hash")? })
    })
    .transpose()
}

pub async fn load(db: &AnyPool, id: i64) -> Result<Option<User>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    load_in(&mut conn, id).await
}

/// The person a user `u` is: the linked one, else the person with their address (both lower-case).
const USER_PERSON: &str = "COALESCE(u.person_id, (SELECT pe.id FROM people pe WHERE pe.email = u.email))";

/// A user's columns from `users u`, with their roles and departments as JSON arrays: every authenticated request
/// loads its user, so in one statement. Their person is the linked one, else the person with their address.
pub fn user_columns(backend: Backend) -> String {
    let lists = match backend {
        Backend::Postgres => {
            "(SELECT CAST(COALESCE(json_agg(r.role ORDER BY r.role), '[]') AS TEXT) FROM user_roles r \
               WHERE r.user_id = u.id) AS roles, \
             (SELECT CAST(COALESCE(json_agg(d.department_id ORDER BY d.department_id), '[]') AS TEXT) \
               FROM user_departments d WHERE d.user_id = u.id) AS department_ids"
        }
        Backend::Sqlite => {
            "(SELECT json_group_array(role) FROM (SELECT r.role FROM user_roles r WHERE r.user_id = u.id \
               ORDER BY r.role)) AS roles, \
             (SELECT json_group_array(department_id) FROM (SELECT d.department_id FROM user_departments d \
               WHERE d.user_id = u.id ORDER BY d.department_id)) AS department_ids"
        }
    };
    format!("u.id, u.email, u.name, u.version, {USER_PERSON} AS person_id, {lists}")
}

/// A user read from [`user_columns`].
pub fn user_from(c: &Cols<'_>) -> Result<User, sqlx::Error> {
    let roles: Vec<String> = c.json("roles")?;
    Ok(User {
        id: c.i64("id")?,
        email: c.text("email")?,
        name: c.text("name")?,
        roles: roles.iter().map(|r| scalar_parsed("user_roles", "role", r, Role::parse)).collect::<Result<_, _>>()?,
        department_ids: c.json("department_ids")?,
        person_id: c.opt_i64("person_id")?,
        version: c.i64("version")?,
    })
}

/// `load` on a given connection (inside a transaction: under the user's row lock).
pub async fn load_in(conn: &mut Conn, id: i64) -> Result<Option<User>, sqlx::Error> {
    let backend = Backend::of(conn);
    let sql = format!("SELECT {} FROM users u WHERE u.id = $1", user_columns(backend));
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?;
    row.map(|r| user_from(&Cols::new(&r, "users"))).transpose()
}

/// Every user with `role`, whole (roles, departments, person), in one statement.
pub async fn having_role(conn: &mut Conn, role: Role) -> Result<Vec<User>, sqlx::Error> {
    let backend = Backend::of(conn);
    let sql = format!(
        "SELECT {} FROM users u WHERE EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = $1) \
         ORDER BY u.id",
        user_columns(backend)
    );
    let rows = sqlx::query(&sql).bind(role.as_str()).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| user_from(&Cols::new(r, "users"))).collect()
}

pub async fn list(db: &AnyPool) -> Result<Vec<User>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY name").fetch_all(db).await?;
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(u) = load(db, id).await? {
            users.push(u);
        }
    }
    Ok(users)
}

pub async fn insert(
    conn: &mut Conn,
    email: &str,
    name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(email.to_lowercase())
    .bind(name)
    .bind(password_hash)
    .bind(to_db(now))
    .fetch_one(conn)
    .await
}

pub async fn set_roles(
    conn: &mut Conn,
    user_id: i64,
    roles: &[Role],
    department_ids: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM user_departments WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for d in department_ids {
        sqlx::query("INSERT INTO user_departments (user_id, department_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*d)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn email_exists(db: &AnyPool, email: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email.to_lowercase())
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// Users who can act on something in pools placed so: admins, and license owners of one of their departments or
/// named owner of one of them.
pub async fn assignable(db: &AnyPool, places: &[PoolPlace]) -> Result<Vec<Ref>, sqlx::Error> {
    let departments: Vec<i64> = places.iter().map(|p| p.department_id).collect();
    let owners: Vec<i64> = places.iter().filter_map(|p| p.owner_id).collect();
    let mut sql = Sql::new(
        "SELECT DISTINCT u.id, u.name FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'admin' \
         OR (r.role = 'license_owner' AND (EXISTS (SELECT 1 FROM user_departments d WHERE d.user_id = u.id \
         AND ",
    );
    sql.push_in("d.department_id", &departments).push(") OR ");
    sql.push_in(USER_PERSON, &owners);
    sql.push(")) ORDER BY u.name");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "users");
            Ok(Ref { id: c.i64("id")?, name: c.text("name")? })
        })
        .collect()
}

/// The login behind an e-mail address: a user with that address, or linked to the person who has it.
pub async fn user_of_address(db: &AnyPool, email: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(u.id) FROM users u WHERE LOWER(u.email) = LOWER($1) \
         OR u.person_id IN (SELECT p.id FROM people p WHERE LOWER(p.email) = LOWER($1))",
    )
    .bind(email)
    .fetch_one(db)
    .await
}

/// Users holding any of these roles: (id, e-mail address), by id.
pub async fn with_roles(conn: &mut Conn, roles: &[Role]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let mut sql = Sql::new("SELECT DISTINCT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id WHERE ");
    sql.push_in_text("r.role", &names).push(" ORDER BY u.id");
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "users");
            Ok((c.i64("id")?, c.text("email")?))
        })
        .collect()
}

/// A user's e-mail address.
pub async fn email_of(conn: &mut Conn, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(id).fetch_optional(&mut *conn).await
}
