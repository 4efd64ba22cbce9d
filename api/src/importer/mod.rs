//! `tarjotin import`: reads feed files, upserts every valid record and reports
//! the rest by `file:line`, field path and reason.

mod report;

use std::path::PathBuf;

pub use report::{ImportReport, Rejection};

use crate::ingest::{detect_kind, parse_jsonld_line, FeedRecord, RecordKind};
use crate::store::{CatalogueWriter, Outcome, Store, StoreError, WriteError};

/// A feed file to import, with its text.
pub struct FeedFile {
    pub path: PathBuf,
    pub text: String,
}

/// Reads feed files; a file that cannot be read is reported, not fatal.
pub fn read_files(paths: &[PathBuf], report: &mut ImportReport) -> Vec<FeedFile> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(FeedFile {
                    path: path.clone(),
                    text,
                }),
                Err(e) => report.unreadable(
                    path,
                    format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
                ),
            },
            Err(e) => report.unreadable(path, e.to_string()),
        }
    }
    files
}

/// Progress of an import, one tick per record.
pub trait Progress {
    /// A new pass over `total` records begins.
    fn start(&self, label: &str, total: u64);
    /// One record done.
    fn tick(&self);
    /// The pass is over.
    fn finish(&self);
}

/// No progress output.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn tick(&self) {}
    fn finish(&self) {}
}

fn lines(file: &FeedFile) -> impl Iterator<Item = (usize, &str)> {
    file.text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim().is_empty())
}

async fn write<W: CatalogueWriter>(writer: &W, record: &FeedRecord) -> Result<Outcome, WriteError> {
    match record {
        FeedRecord::Organisation(r) => writer.upsert_organisation(r).await,
        FeedRecord::Course(r) => writer.upsert_course(r).await,
        FeedRecord::GuidanceService(r) => writer.upsert_guidance_service(r).await,
    }
}

/// Imports `files` through `writer`. Organisations go first, whatever the
/// order of the files, so that courses and services can refer to them.
pub async fn import<W: CatalogueWriter>(
    writer: &W,
    files: &[FeedFile],
    report: &mut ImportReport,
    progress: &dyn Progress,
) -> Result<(), StoreError> {
    let total: u64 = files.iter().map(|f| lines(f).count() as u64).sum();
    for pass in [Pass::Organisations, Pass::Rest] {
        progress.start(pass.label(), total);
        for file in files {
            for (line, text) in lines(file) {
                progress.tick();
                let parsed = parse_jsonld_line(text);
                let record = match (pass, parsed) {
                    (Pass::Organisations, Err(errors)) => {
                        report.reject(&file.path, line, detect_kind(text), errors);
                        continue;
                    }
                    (Pass::Rest, Err(_)) => continue,
                    (pass, Ok(record)) if pass.takes(record.kind()) => record,
                    (_, Ok(_)) => continue,
                };
                match write(writer, &record).await {
                    Ok(outcome) => report.count(record.kind(), outcome),
                    Err(WriteError::Invalid(errors)) => {
                        report.reject(&file.path, line, Some(record.kind()), errors)
                    }
                    Err(WriteError::Store(e)) => return Err(e),
                }
            }
        }
        progress.finish();
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Organisations,
    Rest,
}

impl Pass {
    fn label(self) -> &'static str {
        match self {
            Pass::Organisations => "organisations",
            Pass::Rest => "courses and services",
        }
    }

    fn takes(self, kind: RecordKind) -> bool {
        (kind == RecordKind::Organisation) == (self == Pass::Organisations)
    }
}

/// Imports files from disk into `store`, or only checks them with `dry_run`.
pub async fn import_paths(
    store: &Store,
    paths: &[PathBuf],
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = read_files(paths, &mut report);
    if dry_run {
        let scope = store.dry_run().await?;
        import(&scope, &files, &mut report, progress).await?;
        scope.finish().await?;
    } else {
        import(store, &files, &mut report, progress).await?;
    }
    Ok(report)
}
