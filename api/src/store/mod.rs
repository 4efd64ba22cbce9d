//! The only place that touches sea-orm entities, queries and transactions.

mod census;
mod changes;
mod courses;
mod denials;
mod edit;
mod guidance;
mod keys;
mod lease;
mod organisations;
pub(crate) mod outbox;
mod records;
mod rows;
mod schedule;
mod write;

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

pub use census::Census;
pub use changes::{ChangeEntry, ChangeQuery};
pub use courses::{CourseOrder, CoursePage, OrderDirection, PageRequest};
pub use denials::{Denial, DenialQuery, DeniedWrite};
pub use edit::{Keep, ScheduleReport};
pub use guidance::GuidanceFilter;
pub use keys::{IdentifyError, Identity, KeyRow, NewKey};
pub use lease::Lead;
pub use outbox::{CourseBundle, DeadLetter, PendingChange, RebuildRequest, MAX_ATTEMPTS};
pub use records::location_record;
pub use rows::*;
pub use write::{
    changed_field_name, Batch, CatalogueWriter, DryRun, EntityKind, Operation, Outcome,
    ScopedWriter, WriteError, WriteOptions, BATCH_RECORDS,
};

/// Errors of the store that are not a caller's mistake.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// How many database connections are open, idle and allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// A callback that sees every SQL statement the store runs (for metrics and tests).
pub type StatementObserver = Arc<dyn Fn(&str) + Send + Sync>;

/// The catalogue database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// The URL, for the leader's connection of its own; never printed.
    url: Arc<str>,
}

impl Store {
    /// Connects to `url` (sqlite: or postgres:), observing every statement when asked.
    #[tracing::instrument(skip_all, fields(db.backend = url.split(':').next().unwrap_or("")))]
    pub async fn connect(
        url: &str,
        observer: Option<StatementObserver>,
    ) -> Result<Store, StoreError> {
        Store::open(url, observer, false).await
    }

    /// A store whose connections open when first used: a server starts
    /// and answers while the database is still away.
    pub async fn connect_lazy(url: &str) -> Result<Store, StoreError> {
        Store::open(url, None, true).await
    }

    async fn open(
        url: &str,
        observer: Option<StatementObserver>,
        lazy: bool,
    ) -> Result<Store, StoreError> {
        let mut options = ConnectOptions::new(url.to_string());
        options.connect_lazy(lazy);
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            if url.contains(":memory:") || url.contains("mode=memory") {
                // Every connection to an in-memory database is a database of its own.
                options.max_connections(1).min_connections(1);
            } else {
                options.max_connections(8);
            }
            options.map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        } else {
            options.max_connections(16);
        }
        let mut db = Database::connect(options).await?;
        if let Some(observer) = observer {
            db.set_metric_callback(move |info| observer(&info.statement.sql));
        }
        Ok(Store {
            db,
            url: Arc::from(url),
        })
    }

    /// Brings the schema up to date.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// The connection pool's state, for metrics.
    pub fn pool_stats(&self) -> PoolStats {
        let (open, idle, max) = match self.db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => {
                let pool = self.db.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
        };
        PoolStats {
            open,
            idle: idle as u32,
            max,
        }
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Parses a JSON text column written by the store.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}
