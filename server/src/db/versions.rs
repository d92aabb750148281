//! Row locks and version counters of the records the API edits (optimistic concurrency, see `domain::version`).

use super::Conn;

/// A table whose rows carry a `version` column (migration 0009).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    Pools,
    Contracts,
    People,
    Users,
    SkuMappings,
    OrgSettings,
    Connectors,
}

/// Which row: by numeric id, or by a text key (SKU part number).
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Id(i64),
    Text(&'a str),
}

impl Versioned {
    fn table_and_key(self) -> (&'static str, &'static str) {
        match self {
            Versioned::Pools => ("pools", "id"),
            Versioned::Contracts => ("contracts", "id"),
            Versioned::People => ("people", "id"),
            Versioned::Users => ("users", "id"),
            Versioned::SkuMappings => ("sku_mappings", "part_number"),
            Versioned::OrgSettings => ("org_settings", "id"),
            Versioned::Connectors => ("connectors", "id"),
        }
    }
}

/// Take the row's write lock for the rest of the transaction and return its current version (`None`: no such
/// row). A no-op UPDATE locks on both backends (PostgreSQL: the row; SQLite: the transaction already holds the
/// database), and on PostgreSQL it waits for a concurrent writer and then returns the version that writer left,
/// so whatever the caller reads next is what its own write replaces.
pub async fn lock(conn: &mut Conn, table: Versioned, key: Key<'_>) -> Result<Option<i64>, sqlx::Error> {
    let (table, column) = table.table_and_key();
    let sql = format!("UPDATE {table} SET version = version WHERE {column} = $1 RETURNING version");
    let q = sqlx::query_scalar::<_, i64>(&sql);
    match key {
        Key::Id(id) => q.bind(id).fetch_optional(conn).await,
        Key::Text(text) => q.bind(text).fetch_optional(conn).await,
    }
}

/// Count one write: the version moves from `current` to `current + 1`. `false` when the row is gone or at
/// another version (cannot happen under `lock`, but the update is conditional so it never overwrites blindly).
pub async fn bump(conn: &mut Conn, table: Versioned, key: Key<'_>, current: i64) -> Result<bool, sqlx::Error> {
    let (table, column) = table.table_and_key();
    let sql = format!("UPDATE {table} SET version = version + 1 WHERE {column} = $1 AND version = $2");
    let q = sqlx::query(&sql);
    let q = match key {
        Key::Id(id) => q.bind(id),
        Key::Text(text) => q.bind(text),
    };
    Ok(q.bind(current).execute(conn).await?.rows_affected() == 1)
}
