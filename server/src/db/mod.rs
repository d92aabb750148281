//! Storage: the only module that speaks SQL.
//!
//! One SQL dialect serves SQLite and PostgreSQL through sqlx's `Any` driver: numbered `$n` parameters (which
//! SQLite accepts too), text dates, `CAST` instead of `::`, `LOWER(..) LIKE` for case-insensitive search.
//! Only the DDL differs, in `migrations/sqlite` and `migrations/postgres`.

pub mod alerts;
pub mod attempts;
pub mod backup;
pub mod bulk;
pub mod catalog;
pub mod change_requests;
pub mod connectors;
pub mod contracts;
pub mod decode;
pub mod devices;
pub mod document;
pub mod exchange_rates;
pub mod finance;
pub mod graph;
pub mod import_history;
pub mod imports;
pub mod jobs;
pub mod ledger;
pub mod login_guard;
pub mod my_requests;
pub mod oidc;
pub mod outbox;
pub mod pools;
pub mod progress;
pub mod reclamation;
pub mod scim;
pub mod seat_actions;
pub mod seats;
pub mod sessions;
pub mod sql;
pub mod users;
pub mod versions;
pub mod webhooks;

use std::path::Path;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

pub use sql::{DateRange, Sort, Sql};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to, for the few statements whose SQL differs.
    pub fn of(conn: &Conn) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Connection pools. SQLite allows one writer at a time, so writes there go through a single connection
/// (no busy-retry storms); PostgreSQL uses one pool for both.
#[derive(Clone)]
pub struct Db {
    pub read: AnyPool,
    pub write: AnyPool,
    pub backend: Backend,
    /// Import progress. PostgreSQL: the same pool. SQLite: a small side database beside the main file, because a
    /// running import holds the main file's only write lock for its whole transaction.
    pub progress: AnyPool,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
pub type Conn = sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL (use sqlite://... or postgres://...)")]
    UnsupportedUrl,
    #[error("cannot create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Each connection caches up to 16 MB of pages (the readers' hot pages: the inventory, the directory's indexes);
/// the rest is the kernel's page cache. Nine connections at 64 MB each let one large import hold 100 MB of pages.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; \
     PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;";

/// The writer never checkpoints on commit (a large import would otherwise wait seconds for its own pages to be
/// copied back): [`Db::checkpoint`] does it in the background, and the WAL file is trimmed when it restarts.
const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;";

impl Db {
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let shared = AnyPoolOptions::new().max_connections(16).connect(url).await?;
            return Ok(Db {
                read: shared.clone(),
                write: shared.clone(),
                backend: Backend::Postgres,
                progress: shared,
            });
        }
        let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
            return Err(ConnectError::UnsupportedUrl);
        };
        let path = rest.split('?').next().unwrap_or_default();
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| ConnectError::Directory(parent.display().to_string(), e))?;
            }
        }
        let url = if rest.contains("mode=") {
            format!("sqlite://{rest}")
        } else if rest.contains('?') {
            format!("sqlite://{rest}&mode=rwc")
        } else {
            format!("sqlite://{rest}?mode=rwc")
        };
        let options_with = |extra: &'static str| {
            AnyPoolOptions::new().after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    if !extra.is_empty() {
                        conn.execute(extra).await?;
                    }
                    Ok(())
                })
            })
        };
        let options = || options_with("");
        let write = options_with(SQLITE_WRITER_PRAGMAS).max_connections(1).connect(&url).await?;
        let read = options().max_connections(8).connect(&url).await?;
        let in_memory = path.is_empty() || path == ":memory:" || rest.contains("mode=memory");
        let progress = if in_memory {
            // One connection that is never closed: an in-memory database lives as long as its connection.
            options()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect("sqlite::memory:")
                .await?
        } else {
            options().max_connections(2).connect(&format!("sqlite://{path}-progress.db?mode=rwc")).await?
        };
        Ok(Db { read, write, backend: Backend::Sqlite, progress })
    }

    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite").run(&self.write).await?;
                sqlx::migrate!("./migrations/sqlite-progress").run(&self.progress).await?;
            }
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.write).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            // Take the write lock up front: a read-then-write transaction cannot upgrade its lock while another
            // process writes (SQLite answers "database is locked" at once instead of waiting).
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.begin().await,
        }
    }

    /// Copy committed pages from SQLite's write-ahead log into the database file without blocking anyone
    /// (housekeeping calls it every second); PostgreSQL checkpoints by itself.
    pub async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.read).await?;
        }
        Ok(())
    }

    /// After a bulk load: PostgreSQL plans from table statistics, which autovacuum gathers only some time after
    /// the load, and until then picks plans for empty tables. SQLite keeps no statistics unless asked, and Seatwise
    /// never asks, so its plans after a load are those users get: nothing to do.
    pub async fn refresh_statistics(&self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("ANALYZE").execute(&self.write).await?;
        }
        Ok(())
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }
}
