//! Dry runs: every record is written in a transaction of its own that is
//! rolled back at once, so a dry run never holds the write lock (SQLite's,
//! or PostgreSQL's advisory lock and row locks) for longer than one record.
//! Writers, the scheduler and the outbox go on while a large file is being
//! checked.
//!
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

/// Writes that are undone at once: a dry run sees what a real run would do,
/// and leaves nothing behind.
pub struct DryRun {
    store: Store,
    options: WriteOptions,
    seen: Mutex<Seen>,
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
        Ok(DryRun {
            store: self.clone(),
            options,
            seen: Mutex::new(Seen::default()),
        })
    }
}

impl DryRun {
    /// Ends the dry run. Nothing is left to undo: every record's
    /// transaction was rolled back when it was done.
    pub async fn finish(self) -> Result<(), StoreError> {
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
        tx.rollback().await?;
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
        tx.rollback().await?;
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
        tx.rollback().await?;
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
