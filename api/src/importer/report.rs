//! What an import did, per kind of record, and why records were rejected.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::domain::FieldError;
use crate::ingest::RecordKind;
use crate::store::Outcome;

/// A record that was not imported.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub file: String,
    pub line: usize,
    /// None when the line was not even a recognisable record.
    pub kind: Option<RecordKind>,
    /// The record's own id, when it could be read.
    pub external_id: Option<String>,
    pub errors: Vec<FieldError>,
}

/// Counts per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// The result of an import.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub counts: BTreeMap<RecordKind, Counts>,
    pub rejections: Vec<Rejection>,
    /// Inputs that could not be read at all, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// Lines not recognisable as any kind of record.
    pub unrecognised: u64,
    /// Where the import was stopped (by a signal) before its end: the file
    /// and line it would have read next. Everything counted was committed.
    pub stopped_at: Option<(String, usize)>,
}

/// The exit status of an import stopped by a signal (128 + SIGINT).
pub const EXIT_STOPPED: i32 = 130;

impl ImportReport {
    pub(crate) fn count(&mut self, kind: RecordKind, outcome: Outcome) {
        let counts = self.counts.entry(kind).or_default();
        match outcome {
            Outcome::Created => counts.created += 1,
            Outcome::Updated => counts.updated += 1,
            Outcome::Unchanged => counts.unchanged += 1,
        }
    }

    pub(crate) fn reject(
        &mut self,
        file: &Path,
        line: usize,
        kind: Option<RecordKind>,
        external_id: Option<String>,
        errors: Vec<FieldError>,
    ) {
        match kind {
            Some(kind) => self.counts.entry(kind).or_default().rejected += 1,
            None => self.unrecognised += 1,
        }
        self.rejections.push(Rejection {
            file: file.display().to_string(),
            line,
            kind,
            external_id,
            errors,
        });
    }

    /// Rejects one record whose errors are on several lines (a CSV course):
    /// counted once, reported line by line.
    pub(crate) fn reject_rows(
        &mut self,
        file: &Path,
        kind: RecordKind,
        external_id: Option<String>,
        mut errors: Vec<(usize, FieldError)>,
    ) {
        self.counts.entry(kind).or_default().rejected += 1;
        errors.sort_by_key(|(line, _)| *line);
        let mut lines: Vec<usize> = errors.iter().map(|(l, _)| *l).collect();
        lines.dedup();
        for line in lines {
            self.rejections.push(Rejection {
                file: file.display().to_string(),
                line,
                kind: Some(kind),
                external_id: external_id.clone(),
                errors: errors
                    .iter()
                    .filter(|(l, _)| *l == line)
                    .map(|(_, e)| e.clone())
                    .collect(),
            });
        }
    }

    pub(crate) fn unreadable(&mut self, file: &Path, reason: String) {
        self.unreadable.push((file.display().to_string(), reason));
    }

    /// Counts for one kind (zero when none was seen).
    pub fn counts_of(&self, kind: RecordKind) -> Counts {
        self.counts.get(&kind).copied().unwrap_or_default()
    }

    /// 0: everything imported; 1: some records rejected; 2: an input unreadable.
    pub fn exit_code(&self) -> i32 {
        if self.stopped_at.is_some() {
            EXIT_STOPPED
        } else if !self.unreadable.is_empty() {
            2
        } else if !self.rejections.is_empty() {
            1
        } else {
            0
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (file, reason) in &self.unreadable {
            writeln!(f, "{file}: cannot read: {reason}")?;
        }
        for r in &self.rejections {
            for e in &r.errors {
                writeln!(
                    f,
                    "{}:{}: {}: {} ({})",
                    r.file, r.line, e.path, e.message, e.code
                )?;
            }
        }
        for kind in [
            RecordKind::Organisation,
            RecordKind::Course,
            RecordKind::GuidanceService,
        ] {
            let c = self.counts_of(kind);
            writeln!(
                f,
                "{kind}: {} created, {} updated, {} unchanged, {} rejected",
                c.created, c.updated, c.unchanged, c.rejected
            )?;
        }
        if self.unrecognised > 0 {
            writeln!(f, "unrecognised lines: {}", self.unrecognised)?;
        }
        if let Some((file, line)) = &self.stopped_at {
            writeln!(
                f,
                "stopped before {file}:{line}: what is counted above was committed; \
                 run the same command again to finish (records already imported come back unchanged)"
            )?;
        }
        Ok(())
    }
}
