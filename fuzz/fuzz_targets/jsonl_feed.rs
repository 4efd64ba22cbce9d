//! A whole JSON Lines feed, through the importer's two passes and its
//! report, as `tarjotin import` reads it: lines of any kind, blank lines,
//! broken lines, in any order. The writer accepts every record, so that the
//! reading and the report are what is exercised.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tarjotin_api::domain::{CourseRecord, GuidanceServiceRecord, OrganisationRecord};
use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};
use tarjotin_api::store::{CatalogueWriter, Outcome, StoreError, WriteError};

struct Accepting;

impl CatalogueWriter for Accepting {
    async fn upsert_organisation(&self, _: &OrganisationRecord) -> Result<Outcome, WriteError> {
        Ok(Outcome::Created)
    }
    async fn upsert_course(&self, _: &CourseRecord) -> Result<Outcome, WriteError> {
        Ok(Outcome::Created)
    }
    async fn upsert_guidance_service(
        &self,
        _: &GuidanceServiceRecord,
    ) -> Result<Outcome, WriteError> {
        Ok(Outcome::Created)
    }
    async fn upsert_courses(
        &self,
        records: &[&CourseRecord],
    ) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
        Ok(records.iter().map(|_| Ok(Outcome::Created)).collect())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = String::from_utf8(data.to_vec()) else {
        return;
    };
    let files = [FeedFile {
        path: "feed.jsonl".into(),
        text,
    }];
    let mut report = ImportReport::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime
        .block_on(import(&Accepting, &files, &mut report, &Silent))
        .unwrap();
    let _ = report.to_string();
    let _ = report.exit_code();
});
