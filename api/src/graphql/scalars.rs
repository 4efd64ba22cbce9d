//! Typed scalars.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, NaiveDate, Utc};

/// A calendar date, ISO 8601 (`2026-11-23`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (RFC 3339's full-date), in Finnish time
/// where a day is meant (`2026-11-23`).
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("{s:?} is not a date (YYYY-MM-DD)"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A moment in time, an RFC 3339 date-time with its offset
/// (`2026-11-23T08:30:00+00:00`); answers are in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

/// A moment in time, an RFC 3339 date-time with its offset
/// (`2026-11-23T08:30:00+00:00`); answers are in UTC.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Timestamp {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| Timestamp(t.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "{s:?} is not an RFC 3339 date-time (2026-11-23T08:30:00+02:00)"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp(t)
    }
}
