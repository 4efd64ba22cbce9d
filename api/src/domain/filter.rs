//! Parsed search and listing filters. Values of one filter are ORed; filters
//! are ANDed; a course matches when one of its instances matches every
//! instance-level filter.

use chrono::NaiveDate;

use super::codes::*;

/// Filters on courses and their instances.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CourseFilter {
    /// Municipality codes where an instance is taught.
    pub municipalities: Vec<String>,
    /// Region codes, expanded to their municipalities.
    pub regions: Vec<String>,
    /// Koulutusala 2016 codes of level 1 or 2.
    pub fields_of_education: Vec<String>,
    pub education_types: Vec<EducationType>,
    pub teaching_modes: Vec<TeachingMode>,
    /// Languages of instruction of an instance.
    pub languages: Vec<String>,
    /// Provider ids.
    pub providers: Vec<i32>,
    /// Only instances that cost nothing.
    pub free_only: bool,
    pub funding_categories: Vec<FundingCategory>,
    pub times_of_day: Vec<TimeOfDay>,
    /// Instances starting on or after this day (flexible starts always match).
    pub starts_after: Option<NaiveDate>,
    /// Instances starting on or before this day (flexible starts always match).
    pub starts_before: Option<NaiveDate>,
    /// `Some(true)`: an enrolment period is open today; `Some(false)`: none is.
    pub application_open: Option<bool>,
    pub audiences: Vec<Audience>,
    /// `Some(true)`: an instance has not ended by today (no end date, or it
    /// ends today or later); `Some(false)`: an instance has ended.
    pub upcoming: Option<bool>,
    /// Publication states to list; empty means whatever the caller may see.
    pub states: Vec<PublicationState>,
}

impl CourseFilter {
    /// True when some filter applies to instances.
    pub fn has_instance_filters(&self) -> bool {
        !self.municipalities.is_empty()
            || !self.regions.is_empty()
            || !self.teaching_modes.is_empty()
            || !self.languages.is_empty()
            || self.free_only
            || !self.funding_categories.is_empty()
            || !self.times_of_day.is_empty()
            || self.starts_after.is_some()
            || self.starts_before.is_some()
            || self.application_open.is_some()
            || self.upcoming.is_some()
    }
}

/// Which publication states a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Anonymous callers: published content only.
    PublishedOnly,
    /// A partner: published content, and everything of its own organisation.
    PublishedAndOwn(i32),
    /// Everything, drafts and archived included.
    Everything,
}

impl Visibility {
    /// True when a record in `state` owned by `organisation_id` may be seen.
    pub fn allows(self, state: &str, organisation_id: i32) -> bool {
        match self {
            Visibility::Everything => true,
            Visibility::PublishedAndOwn(own) if own == organisation_id => true,
            _ => state == PublicationState::Published.code(),
        }
    }
}

/// True when an instance that ends on `end` has not ended by `today`.
pub fn is_upcoming(end: Option<NaiveDate>, today: NaiveDate) -> bool {
    end.is_none_or(|e| e >= today)
}
