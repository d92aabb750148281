//! A consistent copy of a live SQLite database (`seatwise backup --to FILE`). `VACUUM INTO` reads the database in
//! one read transaction, so writes go on meanwhile and the copy is the database as it was when the copy began:
//! a running import's uncommitted rows are not in it, its committed ones all are. PostgreSQL is copied with its own
//! tools (`pg_dump`), as the README shows.

use std::path::Path;

use super::{Backend, Db};

#[derive(Debug)]
pub enum BackupError {
    /// PostgreSQL: not this command's work.
    Postgres,
    /// The file is there already: a backup never overwrites one.
    Exists,
    Sql(sqlx::Error),
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackupError::Postgres => write!(
                f,
                "a PostgreSQL database is backed up with pg_dump (pg_dump --format=custom --file=seatwise.dump \"$DATABASE_URL\"); see the README's Operations section"
            ),
            BackupError::Exists => write!(f, "the file exists already; a backup never overwrites one"),
            BackupError::Sql(e) => write!(f, "the copy failed: {e}"),
        }
    }
}

impl std::error::Error for BackupError {}

/// Copy the database into `to`, a new file.
pub async fn sqlite_into(db: &Db, to: &Path) -> Result<(), BackupError> {
    if db.backend == Backend::Postgres {
        return Err(BackupError::Postgres);
    }
    if to.exists() {
        return Err(BackupError::Exists);
    }
    sqlx::query("VACUUM INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(&db.read)
        .await
        .map_err(BackupError::Sql)?;
    Ok(())
}
