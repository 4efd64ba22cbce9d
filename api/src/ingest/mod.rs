//! Partners' feeds -> domain records. Parsing and validation only; no
//! database: references between records are checked when they are written.

pub mod csv;
pub mod errors;
mod jsonld;
mod reader;

use std::fmt;

pub use self::csv::{parse_csv, CsvCourse};
pub use jsonld::{detect_kind, parse_jsonld_line, read_course};

use crate::domain::{CourseRecord, GuidanceServiceRecord, OrganisationRecord};

/// What kind of record a feed line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    Organisation,
    Course,
    GuidanceService,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::Organisation => "organisations",
            RecordKind::Course => "courses",
            RecordKind::GuidanceService => "guidance services",
        })
    }
}

/// One parsed, valid record of a feed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedRecord {
    Organisation(OrganisationRecord),
    Course(CourseRecord),
    GuidanceService(GuidanceServiceRecord),
}

impl FeedRecord {
    /// What kind of record this is.
    pub fn kind(&self) -> RecordKind {
        match self {
            FeedRecord::Organisation(_) => RecordKind::Organisation,
            FeedRecord::Course(_) => RecordKind::Course,
            FeedRecord::GuidanceService(_) => RecordKind::GuidanceService,
        }
    }

    /// Every problem the shared rules find in the record.
    pub fn validate(&self) -> Vec<crate::domain::FieldError> {
        use crate::domain::validate;
        match self {
            FeedRecord::Organisation(r) => validate::organisation(r),
            FeedRecord::Course(r) => validate::course(r),
            FeedRecord::GuidanceService(r) => validate::guidance_service(r),
        }
    }

    /// The partner's id of the record.
    pub fn external_id(&self) -> &str {
        match self {
            FeedRecord::Organisation(r) => &r.external_id,
            FeedRecord::Course(r) => &r.external_id,
            FeedRecord::GuidanceService(r) => &r.external_id,
        }
    }
}
