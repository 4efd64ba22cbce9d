//! schema.org JSON-LD Lines feeds: one complete document per line.

mod course;
mod guidance;
mod organisation;
mod place;

use serde_json::Value;

use super::errors::*;
use super::reader::{shown, Reader};
use super::{FeedRecord, RecordKind};
use crate::domain::FieldError;

const ORGANISATION_TYPES: &[&str] = &[
    "Organization",
    "EducationalOrganization",
    "CollegeOrUniversity",
    "School",
    "HighSchool",
    "GovernmentOrganization",
    "NGO",
    "Corporation",
    "LocalBusiness",
];
const COURSE_TYPES: &[&str] = &["Course"];
const SERVICE_TYPES: &[&str] = &["Service", "GovernmentService"];

fn types(value: &Value) -> Vec<&str> {
    match &value["@type"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn kind_of(value: &Value) -> Option<RecordKind> {
    let types = types(value);
    let is = |list: &[&str]| {
        types.iter().any(|t| {
            list.contains(
                &t.trim_start_matches("schema:")
                    .trim_start_matches("https://schema.org/"),
            )
        })
    };
    if is(COURSE_TYPES) {
        Some(RecordKind::Course)
    } else if is(SERVICE_TYPES) {
        Some(RecordKind::GuidanceService)
    } else if is(ORGANISATION_TYPES) {
        Some(RecordKind::Organisation)
    } else {
        None
    }
}

/// The kind of record a line holds, when it is JSON with a known `@type`.
pub fn detect_kind(line: &str) -> Option<RecordKind> {
    serde_json::from_str::<Value>(line)
        .ok()
        .as_ref()
        .and_then(kind_of)
}

/// Reads a course document (what a CSV sheet's rows stand for) with the
/// same reader and rules as a feed line.
pub fn read_course(value: &Value) -> Result<crate::domain::CourseRecord, Vec<FieldError>> {
    let mut reader = Reader::default();
    let record = course::read(&mut reader, value);
    finish(reader.errors, record.map(FeedRecord::Course)).map(|r| match r {
        FeedRecord::Course(c) => c,
        _ => unreachable!("a course was read"),
    })
}

/// Parses one line; every problem of the record is reported, not only the first.
pub fn parse_jsonld_line(line: &str) -> Result<FeedRecord, Vec<FieldError>> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        vec![FieldError::new(
            "",
            INVALID_JSON,
            format!("not a JSON document: {e}"),
        )]
    })?;
    if !value.is_object() {
        return Err(vec![FieldError::new(
            "",
            INVALID_TYPE,
            "expected a JSON object",
        )]);
    }
    let mut reader = Reader::default();
    let record = match kind_of(&value) {
        Some(RecordKind::Organisation) => {
            organisation::read(&mut reader, &value).map(FeedRecord::Organisation)
        }
        Some(RecordKind::Course) => course::read(&mut reader, &value).map(FeedRecord::Course),
        Some(RecordKind::GuidanceService) => {
            guidance::read(&mut reader, &value).map(FeedRecord::GuidanceService)
        }
        None => {
            let found = types(&value).join(", ");
            reader.error(
                "@type",
                UNKNOWN_TYPE,
                format!(
                    "expected an organisation, Course or Service, got {}",
                    if found.is_empty() {
                        "nothing".to_string()
                    } else {
                        shown(&found)
                    }
                ),
            );
            None
        }
    };
    finish(reader.errors, record)
}

/// Adds the shared rules' findings to the reader's.
fn finish(
    mut errors: Vec<FieldError>,
    record: Option<FeedRecord>,
) -> Result<FeedRecord, Vec<FieldError>> {
    if let Some(record) = &record {
        // Every format obeys the same rules; a rule that trips over a value
        // the reader already refused would only repeat it.
        for e in record.validate() {
            let related = |p: &str| p.starts_with(&e.path) || e.path.starts_with(p);
            if !errors.iter().any(|r| related(&r.path)) {
                errors.push(e);
            }
        }
    }
    match record {
        Some(record) if errors.is_empty() => Ok(record),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
