//! `tarjotin import`: reads feed files, upserts every valid record and reports
//! the rest by `file:line`, field path and reason.

mod report;

use std::path::PathBuf;

pub use report::{ImportReport, Rejection, EXIT_STOPPED};

use crate::domain::CourseRecord;
use crate::ingest::{detect_kind, parse_csv, parse_jsonld_line, FeedRecord, RecordKind};
use crate::store::{
    CatalogueWriter, Outcome, Store, StoreError, WriteError, WriteOptions, BATCH_RECORDS,
};

/// A feed file to import, with its text: a CSV sheet when its name ends in
/// `.csv`, else schema.org JSON-LD Lines.
pub struct FeedFile {
    pub path: PathBuf,
    pub text: String,
}

impl FeedFile {
    /// True for a CSV sheet.
    pub fn is_csv(&self) -> bool {
        self.path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    }
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
    /// True once the import should stop (the process was told to): the
    /// import ends before its next record, and what it wrote is committed.
    fn stopped(&self) -> bool {
        false
    }
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

/// Course records read but not yet written, with where they were read.
struct Pending<'a> {
    file: &'a FeedFile,
    courses: Vec<(usize, CourseRecord)>,
}

impl<'a> Pending<'a> {
    fn new(file: &'a FeedFile) -> Pending<'a> {
        Pending {
            file,
            courses: Vec::new(),
        }
    }

    /// Writes the pending courses as one chunk and reports each by its line.
    async fn flush<W: CatalogueWriter>(
        &mut self,
        writer: &W,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        if self.courses.is_empty() {
            return Ok(());
        }
        let records: Vec<&CourseRecord> = self.courses.iter().map(|(_, r)| r).collect();
        let outcomes = writer.upsert_courses(&records).await?;
        for ((line, record), outcome) in self.courses.iter().zip(outcomes) {
            match outcome {
                Ok(outcome) => report.count(RecordKind::Course, outcome),
                Err(WriteError::Invalid(errors)) => report.reject(
                    &self.file.path,
                    *line,
                    Some(RecordKind::Course),
                    Some(record.external_id.clone()),
                    errors,
                ),
                Err(WriteError::Store(e)) => return Err(e),
            }
        }
        self.courses.clear();
        Ok(())
    }
}

/// Imports `files` through `writer`. Organisations go first, whatever the
/// order of the files, so that courses and services can refer to them.
/// Courses are written in chunks of `BATCH_RECORDS`, each record with the
/// outcome it would have alone.
pub async fn import<W: CatalogueWriter>(
    writer: &W,
    files: &[FeedFile],
    report: &mut ImportReport,
    progress: &(dyn Progress + Sync),
) -> Result<(), StoreError> {
    let total: u64 = files.iter().map(|f| lines(f).count() as u64).sum();
    for pass in [Pass::Organisations, Pass::Rest] {
        progress.start(pass.label(), total);
        for file in files {
            if file.is_csv() {
                if pass == Pass::Rest {
                    import_csv(writer, file, report).await?;
                }
                continue;
            }
            let mut pending = Pending::new(file);
            for (line, text) in lines(file) {
                if progress.stopped() {
                    pending.flush(writer, report).await?;
                    report.stopped_at = Some((file.path.display().to_string(), line));
                    progress.finish();
                    return Ok(());
                }
                progress.tick();
                let parsed = parse_jsonld_line(text);
                let record = match (pass, parsed) {
                    (Pass::Organisations, Err(errors)) => {
                        report.reject(&file.path, line, detect_kind(text), None, errors);
                        continue;
                    }
                    (Pass::Rest, Err(_)) => continue,
                    (pass, Ok(record)) if pass.takes(record.kind()) => record,
                    (_, Ok(_)) => continue,
                };
                let record = match record {
                    FeedRecord::Course(course) => {
                        pending.courses.push((line, course));
                        if pending.courses.len() >= BATCH_RECORDS {
                            pending.flush(writer, report).await?;
                        }
                        continue;
                    }
                    other => other,
                };
                // Records stay in feed order.
                pending.flush(writer, report).await?;
                match write(writer, &record).await {
                    Ok(outcome) => report.count(record.kind(), outcome),
                    Err(WriteError::Invalid(errors)) => report.reject(
                        &file.path,
                        line,
                        Some(record.kind()),
                        Some(record.external_id().to_string()),
                        errors,
                    ),
                    Err(WriteError::Store(e)) => return Err(e),
                }
            }
            pending.flush(writer, report).await?;
        }
        progress.finish();
    }
    Ok(())
}

/// Imports the courses of a CSV sheet; errors go by row and column.
async fn import_csv<W: CatalogueWriter>(
    writer: &W,
    file: &FeedFile,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let courses = match parse_csv(&file.text) {
        Ok(courses) => courses,
        Err(e) => {
            report.reject(&file.path, 1, None, None, vec![e]);
            return Ok(());
        }
    };
    for course in courses {
        let id = course.external_id.clone();
        let record = match &course.result {
            Ok(record) => record,
            Err(errors) => {
                report.reject_rows(&file.path, RecordKind::Course, id, errors.clone());
                continue;
            }
        };
        match writer.upsert_course(record).await {
            Ok(outcome) => report.count(RecordKind::Course, outcome),
            Err(WriteError::Invalid(errors)) => {
                let located = errors.into_iter().map(|e| course.locate(e)).collect();
                report.reject_rows(&file.path, RecordKind::Course, id, located)
            }
            Err(WriteError::Store(e)) => return Err(e),
        }
    }
    Ok(())
}

/// Imports one feed text with `options` (an API caller's scope and key);
/// `name` ends in `.csv` for a sheet. A dry run writes nothing.
pub async fn import_text(
    store: &Store,
    name: &str,
    text: String,
    dry_run: bool,
    options: WriteOptions,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = [FeedFile {
        path: name.into(),
        text,
    }];
    if dry_run {
        let scope = store.dry_run_as(options).await?;
        import(&scope, &files, &mut report, &Silent).await?;
        scope.finish().await?;
    } else {
        // One transaction, each record in a savepoint of its own: a feed
        // cut off part-way (the client went away, the server stopped)
        // commits nothing, so sending it again is always safe. A feed is at
        // most TARJOTIN_MAX_BODY_BYTES, so the transaction stays short.
        let batch = store.batch_as(options, usize::MAX);
        import(&batch, &files, &mut report, &Silent).await?;
        batch.finish().await?;
    }
    Ok(report)
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
    progress: &(dyn Progress + Sync),
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let files = read_files(paths, &mut report);
    if dry_run {
        let scope = store.dry_run().await?;
        import(&scope, &files, &mut report, progress).await?;
        scope.finish().await?;
    } else {
        // Committed in batches; every record still succeeds or fails alone.
        let batch = store.batch(BATCH_RECORDS);
        import(&batch, &files, &mut report, progress).await?;
        batch.finish().await?;
    }
    Ok(report)
}
