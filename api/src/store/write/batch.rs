//! Bulk writes: many records in one transaction, each in a savepoint of its
//! own, so that a refused record undoes only itself while an import of a
//! million records pays one commit per batch instead of one per record.

use sea_orm::DatabaseTransaction;
use tokio::sync::Mutex;

use super::{
    begin, bulk, course, guidance, place, CatalogueWriter, Outcome, WriteError, WriteOptions,
};
use crate::domain::{CourseRecord, GuidanceServiceRecord, OrganisationRecord};
use crate::store::{Store, StoreError};

/// Records written between commits.
pub const BATCH_RECORDS: usize = 500;

/// A writer that commits every `size` records; call `finish` to commit the rest.
pub struct Batch<'a> {
    store: &'a Store,
    options: WriteOptions,
    size: usize,
    open: Mutex<(Option<DatabaseTransaction>, usize)>,
}

impl Store {
    /// A batch writer as the command line, committing every `size` records.
    pub fn batch(&self, size: usize) -> Batch<'_> {
        Batch {
            store: self,
            options: WriteOptions::cli(),
            size: size.max(1),
            open: Mutex::new((None, 0)),
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
        if open.0.is_none() {
            // The batch holds the change-log lock until it commits.
            open.0 = Some(begin(self.store.db()).await?);
        }
        let result = match &open.0 {
            Some(tx) => run(tx, &self.options).await,
            None => unreachable!("a transaction was just opened"),
        };
        open.1 += 1;
        if open.1 >= self.size {
            open.1 = 0;
            if let Some(tx) = open.0.take() {
                tx.commit().await.map_err(StoreError::from)?;
            }
        }
        result
    }

    /// Upserts a chunk of courses in the open transaction, and commits when
    /// the batch is full.
    async fn write_courses(
        &self,
        records: &[&CourseRecord],
    ) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
        let mut open = self.open.lock().await;
        if open.0.is_none() {
            open.0 = Some(begin(self.store.db()).await.map_err(|e| match e {
                WriteError::Store(e) => e,
                other => StoreError::Corrupt(other.to_string()),
            })?);
        }
        let outcomes = match &open.0 {
            Some(tx) => bulk::upsert_courses(tx, records, &self.options).await?,
            None => unreachable!("a transaction was just opened"),
        };
        open.1 += records.len();
        if open.1 >= self.size {
            open.1 = 0;
            if let Some(tx) = open.0.take() {
                tx.commit().await?;
            }
        }
        Ok(outcomes)
    }

    /// Commits what the last batch wrote.
    pub async fn finish(self) -> Result<(), StoreError> {
        if let Some(tx) = self.open.into_inner().0 {
            tx.commit().await?;
        }
        Ok(())
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
