//! The connections: SQLite's writer and read pool or PostgreSQL's one pool, an open write
//! transaction (`Tx`), the scope every query of merchant data is confined to, and what a
//! database error means.

use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::AnyPool;
use std::path::Path;
use std::time::Duration;

/// What every query of merchant data is confined to: one merchant, one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub merchant_id: uuid::Uuid,
    pub livemode: bool,
}

impl Scope {
    /// `$1` and `$2` of a dynamically built query confined to this scope.
    pub(super) fn binds(self) -> Vec<super::codec::Bind> {
        use super::codec::Bind;
        vec![Bind::Text(self.merchant_id.to_string()), Bind::Bool(self.livemode)]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// WAL lets readers run beside the one writer; NORMAL sync is durable across application
/// crashes in WAL mode; the busy timeout covers another process (the key CLI) writing.
const PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
];

#[derive(Clone)]
pub struct Store {
    pub(super) writer: AnyPool,
    pub(super) reader: AnyPool,
    pub(super) backend: Backend,
}

impl Store {
    /// Opens (creating when missing) the database at `url`: `sqlite://path` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let url = if url.contains('?') { url.to_string() } else { format!("{url}?mode=rwc") };
            let pragmas = |pool: AnyPoolOptions| {
                // An embedded connection cannot drop away, so no ping (a trip to its worker
                // thread) before each use.
                pool.acquire_timeout(Duration::from_secs(10)).test_before_acquire(false).after_connect(|conn, _| {
                    Box::pin(async move {
                        for pragma in PRAGMAS {
                            sqlx::Executor::execute(&mut *conn, *pragma).await?;
                        }
                        Ok(())
                    })
                })
            };
            let writer = pragmas(AnyPoolOptions::new().max_connections(1)).connect(&url).await?;
            let reader = pragmas(AnyPoolOptions::new().max_connections(8)).connect(&url).await?;
            Ok(Store { writer, reader, backend: Backend::Sqlite })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool =
                AnyPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
            Ok(Store { writer: pool.clone(), reader: pool, backend: Backend::Postgres })
        } else {
            Err(sqlx::Error::Configuration("database URL must start with sqlite:// or postgres://".into()))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        }
    }

    /// Applies the backend's migrations that have not run yet.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        self.migrator().run(&self.writer).await
    }

    /// Whether the database answers (on both pools) and every migration this build knows has
    /// been applied.
    pub async fn is_ready(&self) -> Result<bool, sqlx::Error> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&self.reader).await?;
        sqlx::query("SELECT 1").execute(&self.writer).await?;
        Ok(applied == self.migrator().iter().count() as i64)
    }

    /// SQLite: writes a consistent copy of the whole database to `file` while it is in use (as
    /// one read transaction, `VACUUM INTO`). PostgreSQL is backed up with `pg_dump` instead.
    pub async fn backup_to(&self, file: &std::path::Path) -> Result<(), sqlx::Error> {
        if self.backend != Backend::Sqlite {
            return Err(sqlx::Error::Configuration("backup is for SQLite; back PostgreSQL up with pg_dump".into()));
        }
        let target = file.to_str().ok_or_else(|| sqlx::Error::Configuration("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.reader).await?;
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx { tx: self.writer.begin().await?, backend: self.backend })
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// An open write transaction on the writer. Dropped without `commit`, it rolls back.
pub struct Tx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(super) backend: Backend,
}

/// The savepoint a write's own work runs under, so that a failed statement (a taken slug) can be
/// undone without losing the claim of its Idempotency-Key, which then stores the answer.
const WORK: &str = "paylinks_work";

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(super) fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Marks where the write's own work starts.
    pub async fn start_work(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("SAVEPOINT {WORK}")).execute(self.conn()).await.map(drop)
    }

    /// Keeps the work done since `start_work`.
    pub async fn keep_work(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("RELEASE SAVEPOINT {WORK}")).execute(self.conn()).await.map(drop)
    }

    /// Undoes the work done since `start_work`; what came before stays.
    pub async fn undo_work(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("ROLLBACK TO SAVEPOINT {WORK}")).execute(self.conn()).await?;
        self.keep_work().await
    }
}

/// Whether an error is a unique-constraint violation (a slug or key already taken).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Whether an error means the database cannot serve us right now (worth a retry later): no
/// connection, or the database says it is busy, read-only, full, shutting down or refusing
/// connections.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            Some(pg) => postgres_unavailable(pg.code()),
            None => db.code().and_then(|code| code.parse().ok()).is_some_and(sqlite_unavailable),
        },
        _ => false,
    }
}

/// SQLSTATE classes 08 (connection exceptions) and 53 (out of connections, disk or memory);
/// 57P01-57P03 (shutting down or starting up); 55000 ("not currently accepting connections").
fn postgres_unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || sqlstate.starts_with("53") || sqlstate.starts_with("57P") || sqlstate == "55000"
}

/// SQLite result codes (the low byte is the primary code): busy, locked, read-only, I/O error,
/// disk full, cannot open.
fn sqlite_unavailable(code: u32) -> bool {
    matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14)
}

/// The connection a query runs on: a read pool's or a transaction's.
pub(super) type Conn = AnyConnection;

#[cfg(test)]
mod tests {
    use super::{postgres_unavailable, sqlite_unavailable};

    #[test]
    fn busy_locked_full_and_refusing_databases_are_unavailable() {
        for code in [5, 517, 6, 8, 1032, 13, 14] {
            assert!(sqlite_unavailable(code), "{code}");
        }
        for code in [1, 19, 2067] {
            assert!(!sqlite_unavailable(code), "{code}");
        }
        for code in ["08006", "53300", "57P01", "57P03", "55000"] {
            assert!(postgres_unavailable(code), "{code}");
        }
        for code in ["23505", "42601", "22001", "40001"] {
            assert!(!postgres_unavailable(code), "{code}");
        }
    }
}
