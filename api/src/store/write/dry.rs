//! Dry runs, which must not hold up writers while a large file is checked.
//!
//! On SQLite the dry run writes into a copy of the database made for it
//! (`VACUUM INTO`, which only reads), and deletes the copy at the end: the
//! catalogue's write lock is never taken, and every record sees the earlier
//! ones of the file as a real run would. (SQLite's lock is not fair: a dry
//! run that took it for each record in turn could starve a writer.)
//!
//! On PostgreSQL (and an in-memory SQLite) every record is written in a transaction of its own that
//! is rolled back at once, so the dry run holds the advisory lock and row
//! locks for one record at a time, and writers queue fairly between them.
//! A record's outcome can depend on what came before it in the same file:
//! the organisation it names may be new, the same course may appear twice,
//! and an instance id may have been claimed by another course of the file.
//! Before each record, the dry run replays exactly those earlier records of
//! the file into the record's transaction, so the report is the one a real
//! run would give.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    begin, course, guidance, place, CatalogueWriter, Outcome, StoreError, WriteError, WriteOptions,
};
use crate::domain::*;
use crate::store::Store;
use sea_orm::{ConnectionTrait, DbBackend};

/// Writes that are undone at once: a dry run sees what a real run would do,
/// and leaves nothing behind.
pub struct DryRun {
    /// The catalogue (PostgreSQL), or the copy made for the dry run (SQLite).
    store: Store,
    /// The copy's file, deleted when the dry run finishes.
    copy: Option<std::path::PathBuf>,
    options: WriteOptions,
    seen: Mutex<Seen>,
}

impl Drop for DryRun {
    /// Deletes the copy, also when the dry run ended early.
    fn drop(&mut self) {
        if let Some(path) = &self.copy {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

/// The records of the file that were accepted so far, by external id.
#[derive(Default)]
struct Seen {
    organisations: HashMap<String, OrganisationRecord>,
    courses: HashMap<String, CourseRecord>,
    /// Instance external id → the course that claimed it.
    instances: HashMap<String, String>,
    guidance: HashMap<String, GuidanceServiceRecord>,
}

/// The earlier records one record depends on.
#[derive(Default)]
struct Prelude {
    organisations: Vec<OrganisationRecord>,
    courses: Vec<CourseRecord>,
    guidance: Vec<GuidanceServiceRecord>,
}

impl Seen {
    fn organisations<'a>(&self, ids: impl Iterator<Item = &'a str>, into: &mut Prelude) {
        for id in ids {
            if let Some(o) = self.organisations.get(id) {
                if !into.organisations.iter().any(|p| p.external_id == id) {
                    into.organisations.push(o.clone());
                }
            }
        }
    }

    fn for_course(&self, record: &CourseRecord) -> Prelude {
        let mut prelude = Prelude::default();
        let mut courses: Vec<&CourseRecord> = Vec::new();
        if let Some(same) = self.courses.get(&record.external_id) {
            courses.push(same);
        }
        for instance in &record.instances {
            if let Some(owner) = self.instances.get(&instance.external_id) {
                if let Some(c) = self.courses.get(owner) {
                    if !courses.iter().any(|k| k.external_id == c.external_id) {
                        courses.push(c);
                    }
                }
            }
        }
        let orgs = std::iter::once(record)
            .chain(courses.iter().copied())
            .flat_map(|c| {
                std::iter::once(c.provider_external_id.as_str())
                    .chain(c.funder_external_id.as_deref())
            });
        self.organisations(orgs, &mut prelude);
        prelude.courses = courses.into_iter().cloned().collect();
        prelude
    }

    fn for_guidance(&self, record: &GuidanceServiceRecord) -> Prelude {
        let mut prelude = Prelude::default();
        let same = self.guidance.get(&record.external_id);
        let orgs = std::iter::once(record.provider_external_id.as_str())
            .chain(same.map(|g| g.provider_external_id.as_str()));
        self.organisations(orgs, &mut prelude);
        prelude.guidance = same.into_iter().cloned().collect();
        prelude
    }
}

impl Store {
    /// Starts a dry run as the command line.
    pub async fn dry_run(&self) -> Result<DryRun, StoreError> {
        self.dry_run_as(WriteOptions::cli()).await
    }

    /// Starts a dry run with `options`.
    pub async fn dry_run_as(&self, options: WriteOptions) -> Result<DryRun, StoreError> {
        // An in-memory database has one connection, which writers queue
        // for anyway, and `VACUUM INTO` would copy it into memory too: it
        // is dry-run record by record like PostgreSQL.
        let in_memory = self.url.contains(":memory:") || self.url.contains("mode=memory");
        let (store, copy) = if self.backend() == DbBackend::Sqlite && !in_memory {
            let (store, path) = self.sqlite_copy().await?;
            (store, Some(path))
        } else {
            (self.clone(), None)
        };
        Ok(DryRun {
            store,
            copy,
            options,
            seen: Mutex::new(Seen::default()),
        })
    }

    /// A copy of this SQLite database in a file of its own, and its path.
    async fn sqlite_copy(&self) -> Result<(Store, std::path::PathBuf), StoreError> {
        let mut tag = [0u8; 6];
        let _ = getrandom::fill(&mut tag);
        let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        let path =
            std::env::temp_dir().join(format!("tarjotin-dry-run-{}-{tag}.db", std::process::id()));
        let quoted = path.display().to_string().replace('\'', "''");
        self.db()
            .execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
            .await?;
        if !path.exists() {
            return Err(StoreError::Corrupt(format!(
                "the dry run's copy of the database was not made at {}",
                path.display()
            )));
        }
        let store = Store::connect(&format!("sqlite://{}?mode=rw", path.display()), None).await?;
        Ok((store, path))
    }
}

impl DryRun {
    /// Ends the dry run. Nothing is left to undo: every record's
    /// transaction was rolled back when it was done.
    pub async fn finish(self) -> Result<(), StoreError> {
        if self.copy.is_some() {
            // The copy's pool closes before its files go (in `drop`).
            self.store.clone().db.close().await?;
        }
        Ok(())
    }

    /// True when records are written into a copy, kept for the next ones.
    fn writes_a_copy(&self) -> bool {
        self.copy.is_some()
    }

    /// Ends a record's transaction: kept in a copy, undone otherwise.
    async fn end(&self, tx: sea_orm::DatabaseTransaction) -> Result<(), WriteError> {
        if self.writes_a_copy() {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(())
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A transaction of its own for one record, with `prelude` replayed.
    async fn begin_with(
        &self,
        prelude: Prelude,
    ) -> Result<sea_orm::DatabaseTransaction, WriteError> {
        let tx = begin(self.store.db()).await?;
        if self.writes_a_copy() {
            // The copy holds the earlier records already.
            return Ok(tx);
        }
        // Each of these was accepted before with the same options; a
        // refusal now means the catalogue changed under the dry run, and the
        // record is then checked against what is stored.
        for o in &prelude.organisations {
            replayed(place::upsert_organisation(&tx, o, &self.options).await)?;
        }
        for c in &prelude.courses {
            replayed(course::upsert_course(&tx, c, &self.options).await)?;
        }
        for g in &prelude.guidance {
            replayed(guidance::upsert_guidance_service(&tx, g, &self.options).await)?;
        }
        Ok(tx)
    }
}

/// Only a store failure of a replayed record ends the record's check.
fn replayed<T>(result: Result<T, WriteError>) -> Result<(), WriteError> {
    match result {
        Err(WriteError::Store(e)) => Err(WriteError::Store(e)),
        _ => Ok(()),
    }
}

impl CatalogueWriter for DryRun {
    async fn upsert_organisation(
        &self,
        record: &OrganisationRecord,
    ) -> Result<Outcome, WriteError> {
        let prelude = Prelude {
            organisations: self
                .seen()
                .organisations
                .get(&record.external_id)
                .cloned()
                .into_iter()
                .collect(),
            ..Prelude::default()
        };
        let tx = self.begin_with(prelude).await?;
        let result = place::upsert_organisation(&tx, record, &self.options).await;
        self.end(tx).await?;
        if result.is_ok() {
            self.seen()
                .organisations
                .insert(record.external_id.clone(), record.clone());
        }
        result
    }

    async fn upsert_course(&self, record: &CourseRecord) -> Result<Outcome, WriteError> {
        let prelude = self.seen().for_course(record);
        let tx = self.begin_with(prelude).await?;
        let result = course::upsert_course(&tx, record, &self.options)
            .await
            .map(|(o, _)| o);
        self.end(tx).await?;
        if result.is_ok() {
            let mut seen = self.seen();
            for instance in &record.instances {
                seen.instances
                    .insert(instance.external_id.clone(), record.external_id.clone());
            }
            seen.courses
                .insert(record.external_id.clone(), record.clone());
        }
        result
    }

    async fn upsert_guidance_service(
        &self,
        record: &GuidanceServiceRecord,
    ) -> Result<Outcome, WriteError> {
        let prelude = self.seen().for_guidance(record);
        let tx = self.begin_with(prelude).await?;
        let result = guidance::upsert_guidance_service(&tx, record, &self.options)
            .await
            .map(|(o, _)| o);
        self.end(tx).await?;
        if result.is_ok() {
            self.seen()
                .guidance
                .insert(record.external_id.clone(), record.clone());
        }
        result
    }

    async fn upsert_courses(
        &self,
        records: &[&CourseRecord],
    ) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
        super::one_by_one(self, records).await
    }
}
