//! The catalogue's records as partners describe them, already parsed and
//! validated. Feeds and (later) mutations produce these; the store writes them.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::codes::*;
use super::text::Localized;

/// One problem with one field of an input record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Where in the record, e.g. `hasCourseInstance[1].endDate`.
    pub path: String,
    /// A stable SHOUTY_SNAKE code, e.g. `END_BEFORE_START`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl FieldError {
    /// A new error at `path`.
    pub fn new(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.message, self.code)
    }
}

/// A postal address; the municipality code is always resolved when an address is stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    pub municipality_code: Option<String>,
}

/// WGS84 coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

/// A campus or venue of a provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationRecord {
    pub external_id: String,
    pub name: Localized,
    pub address: Address,
    pub coordinates: Option<Coordinates>,
}

/// A provider of courses or guidance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationRecord {
    pub external_id: String,
    pub identifier: Option<String>,
    pub kind: OrganisationKind,
    pub name: Localized,
    pub description: Localized,
    pub url: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<Address>,
    pub locations: Vec<LocationRecord>,
}

/// The extent of a course.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Credits {
    pub value: f64,
    pub unit: CreditUnit,
}

/// What is taught, independent of when and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseRecord {
    pub external_id: String,
    pub identifier: Option<String>,
    pub provider_external_id: String,
    pub funder_external_id: Option<String>,
    pub name: Localized,
    pub description: Localized,
    pub url: Option<String>,
    /// Koulutusala 2016 codes, level 1 (`09`) or level 2 (`091`).
    pub fields_of_education: Vec<String>,
    pub education_type: Option<EducationType>,
    pub credential: Localized,
    pub credits: Option<Credits>,
    /// ISO 8601 duration, e.g. `PT24H` or `P3Y6M`.
    pub duration: Option<String>,
    pub keywords: Vec<String>,
    pub audiences: Vec<Audience>,
    /// Languages of instruction (ISO 639-1).
    pub languages: Vec<String>,
    pub state: PublicationState,
    pub instances: Vec<InstanceRecord>,
    /// When the scheduler publishes the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<DateTime<Utc>>,
    /// When the scheduler archives the published course.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_at: Option<DateTime<Utc>>,
}

/// A weekly timetable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub weekdays: Vec<Weekday>,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    /// ISO 8601 repeat interval, e.g. `P1W`.
    pub repeat: Option<String>,
}

/// The local time from which a lesson counts as an evening lesson.
const EVENING_STARTS: (u32, u32) = (16, 0);

impl Schedule {
    /// The times of day this timetable falls on.
    pub fn times_of_day(&self) -> Vec<TimeOfDay> {
        let evening = NaiveTime::from_hms_opt(EVENING_STARTS.0, EVENING_STARTS.1, 0)
            .expect("a valid constant time");
        let weekday_slot = match self.start_time {
            Some(start) if start >= evening => TimeOfDay::Evening,
            _ => TimeOfDay::Daytime,
        };
        let mut out = Vec::new();
        if self.weekdays.is_empty() {
            out.push(weekday_slot);
        }
        for day in &self.weekdays {
            let slot = if day.is_weekend() {
                TimeOfDay::Weekend
            } else {
                weekday_slot
            };
            if !out.contains(&slot) {
                out.push(slot);
            }
        }
        out.sort();
        out
    }
}

/// An application or enrolment period; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub starts: Option<NaiveDate>,
    pub ends: Option<NaiveDate>,
}

impl Period {
    /// True when `day` falls inside the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.starts.is_none_or(|s| s <= day) && self.ends.is_none_or(|e| day <= e)
    }
}

/// One offering of a course: when, where, how and for how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceRecord {
    pub external_id: String,
    pub modes: Vec<TeachingMode>,
    /// The venue, one of the provider's locations (created when new).
    pub location: Option<LocationRecord>,
    /// The municipality when there is no venue (or the venue's municipality).
    pub municipality_code: Option<String>,
    /// Taught (also) online.
    pub online: bool,
    pub online_url: Option<String>,
    /// Languages of instruction (ISO 639-1).
    pub languages: Vec<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Starts whenever the student is ready (continuous enrolment).
    pub flexible_start: bool,
    pub schedule: Option<Schedule>,
    /// Price in euro cents; 0 is free.
    pub price_cents: Option<i64>,
    pub funding: Option<FundingCategory>,
    pub enrolment_periods: Vec<Period>,
    pub enrolment_url: Option<String>,
    pub capacity: Option<i32>,
}

impl InstanceRecord {
    /// When in the week the instance is taught: from its schedule, else
    /// self-paced for online-only teaching and daytime for the rest.
    pub fn times_of_day(&self) -> Vec<TimeOfDay> {
        match &self.schedule {
            Some(schedule) => schedule.times_of_day(),
            None if self.modes == [TeachingMode::Online] => vec![TimeOfDay::SelfPaced],
            None => vec![TimeOfDay::Daytime],
        }
    }
}

/// One way to reach a guidance service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRecord {
    pub kind: ChannelKind,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub location: Option<LocationRecord>,
    /// Languages served (ISO 639-1).
    pub languages: Vec<String>,
}

/// Opening hours on some days of the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub weekdays: Vec<Weekday>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// An adult-education guidance and counselling service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuidanceServiceRecord {
    pub external_id: String,
    pub identifier: Option<String>,
    pub provider_external_id: String,
    pub service_type: Option<String>,
    pub name: Localized,
    pub description: Localized,
    pub channels: Vec<ChannelRecord>,
    pub opening_hours: Vec<OpeningHours>,
    /// Municipality codes.
    pub area_served: Vec<String>,
    pub audiences: Vec<Audience>,
    pub state: PublicationState,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn an_evening_lesson_on_a_weekday_is_evening_and_saturday_is_weekend() {
        let schedule = Schedule {
            weekdays: vec![Weekday::Monday, Weekday::Saturday],
            start_time: time(17, 30),
            end_time: time(19, 0),
            repeat: None,
        };
        assert_eq!(
            schedule.times_of_day(),
            vec![TimeOfDay::Evening, TimeOfDay::Weekend]
        );
    }

    #[test]
    fn a_morning_lesson_is_daytime() {
        let schedule = Schedule {
            weekdays: vec![Weekday::Wednesday],
            start_time: time(10, 0),
            ..Schedule::default()
        };
        assert_eq!(schedule.times_of_day(), vec![TimeOfDay::Daytime]);
    }

    #[test]
    fn a_period_with_open_ends_contains_every_day_after_its_start() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let period = Period {
            starts: Some(day(1)),
            ends: None,
        };
        assert!(period.contains(day(23)));
        assert!(!period.contains(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()));
    }
}
