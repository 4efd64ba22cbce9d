//! Bulk writes: many records in one transaction, each in a savepoint of its
//! own, so that a refused record undoes only itself while an import of a
//! million records pays one commit per batch instead of one per record.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend};
use tokio::sync::Mutex;

use super::{
    begin, bulk, course, guidance, place, CatalogueWriter, Outcome, WriteError, WriteOptions,
};
use crate::domain::{CourseRecord, GuidanceServiceRecord, OrganisationRecord};
use crate::store::{Store, StoreError};

/// Records written between commits.
pub const BATCH_RECORDS: usize = 500;

/// Records a batch writes before PostgreSQL's statistics are first refreshed.
const FIRST_ANALYSE: usize = 2_000;

/// A writer that commits every `size` records; call `finish` to commit the rest.
pub struct Batch<'a> {
    store: &'a Store,
    options: WriteOptions,
    size: usize,
    open: Mutex<Open>,
}

/// The open transaction, what it holds, and how much the batch has written.
#[derive(Default)]
struct Open {
    tx: Option<DatabaseTransaction>,
    uncommitted: usize,
    written: usize,
    analysed_at: usize,
}

impl Open {
    /// Commits the open transaction when it holds a batch (or `force`, at the
    /// end), and refreshes the planner's statistics when the batch has
    /// doubled what it had written at the last refresh, and at the end.
    ///
    /// PostgreSQL plans the batch's id lookups from its statistics; where
    /// autovacuum is off or behind, a table that grew from nothing still
    /// looks empty, and every `external_id IN (...)` lookup scans it whole.
    async fn settle(&mut self, store: &Store, size: usize, force: bool) -> Result<(), StoreError> {
        if self.uncommitted < size && !force {
            return Ok(());
        }
        self.uncommitted = 0;
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
            crate::crash::point("import-batch");
        }
        if store.backend() != DbBackend::Postgres || self.written < FIRST_ANALYSE {
            return Ok(());
        }
        // At the end, VACUUM as well: it marks the freshly written pages
        // all-visible, so that counts can be answered from an index alone.
        let statement = if force {
            "VACUUM (ANALYZE)"
        } else if self.written >= self.analysed_at * 2 {
            "ANALYZE"
        } else {
            return Ok(());
        };
        store.db().execute_unprepared(statement).await?;
        self.analysed_at = self.written;
        Ok(())
    }
}

impl Store {
    /// A batch writer as the command line, committing every `size` records.
    pub fn batch(&self, size: usize) -> Batch<'_> {
        self.batch_as(WriteOptions::cli(), size)
    }

    /// A batch writer with `options`, committing every `size` records.
    pub fn batch_as(&self, options: WriteOptions, size: usize) -> Batch<'_> {
        Batch {
            store: self,
            options,
            size: size.max(1),
            open: Mutex::new(Open::default()),
        }
    }
}

impl Batch<'_> {
    /// Runs one record's write in the open transaction (a savepoint of its
    /// own), and commits when the batch is full.
    async fn write<T, F>(&self, run: F) -> Result<T, WriteError>
    where
        F: AsyncFnOnce(&DatabaseTransaction, &WriteOptions) -> Result<T, WriteError>,
    {
        let mut open = self.open.lock().await;
        if open.tx.is_none() {
            // The batch holds the change-log lock until it commits.
            open.tx = Some(begin(self.store.db()).await?);
        }
        let result = match &open.tx {
            Some(tx) => run(tx, &self.options).await,
            None => unreachable!("a transaction was just opened"),
        };
        open.uncommitted += 1;
        open.written += 1;
        open.settle(self.store, self.size, false).await?;
        result
    }

    /// Upserts a chunk of courses in the open transaction, and commits when
    /// the batch is full.
    async fn write_courses(
        &self,
        records: &[&CourseRecord],
    ) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
        let mut open = self.open.lock().await;
        if open.tx.is_none() {
            open.tx = Some(begin(self.store.db()).await.map_err(|e| match e {
                WriteError::Store(e) => e,
                other => StoreError::Corrupt(other.to_string()),
            })?);
        }
        let outcomes = match &open.tx {
            Some(tx) => bulk::upsert_courses(tx, records, &self.options).await?,
            None => unreachable!("a transaction was just opened"),
        };
        open.uncommitted += records.len();
        open.written += records.len();
        open.settle(self.store, self.size, false).await?;
        Ok(outcomes)
    }

    /// Commits what the last batch wrote (and refreshes the statistics if
    /// the batch has doubled the tables since they were last refreshed).
    pub async fn finish(self) -> Result<(), StoreError> {
        let mut open = self.open.into_inner();
        open.settle(self.store, self.size, true).await
    }
}

impl CatalogueWriter for Batch<'_> {
    async fn upsert_organisation(
        &self,
        record: &OrganisationRecord,
    ) -> Result<Outcome, WriteError> {
        self.write(async |tx, o| place::upsert_organisation(tx, record, o).await)
            .await
    }

    async fn upsert_course(&self, record: &CourseRecord) -> Result<Outcome, WriteError> {
        self.write(async |tx, o| course::upsert_course(tx, record, o).await.map(|(o, _)| o))
            .await
    }

    async fn upsert_guidance_service(
        &self,
        record: &GuidanceServiceRecord,
    ) -> Result<Outcome, WriteError> {
        self.write(async |tx, o| {
            guidance::upsert_guidance_service(tx, record, o)
                .await
                .map(|(o, _)| o)
        })
        .await
    }

    async fn upsert_courses(
        &self,
        records: &[&CourseRecord],
    ) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
        self.write_courses(records).await
    }
}
