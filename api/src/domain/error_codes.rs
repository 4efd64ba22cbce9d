//! The stable codes of validation and write errors, shared by feeds and
//! mutations: one table, so that every path reports a problem the same way.

/// The line is not JSON.
pub const INVALID_JSON: &str = "INVALID_JSON";
/// A value has the wrong JSON type.
pub const INVALID_TYPE: &str = "INVALID_TYPE";
/// A required value is missing or blank.
pub const REQUIRED: &str = "REQUIRED";
/// A text is longer than allowed.
pub const TOO_LONG: &str = "TOO_LONG";
/// A text holds a control character (other than tab and line breaks).
pub const INVALID_CHARACTER: &str = "INVALID_CHARACTER";
/// A list holds more items than allowed.
pub const TOO_MANY: &str = "TOO_MANY";
/// `@type` is not one this catalogue knows.
pub const UNKNOWN_TYPE: &str = "UNKNOWN_TYPE";
/// A value is not in its code set.
pub const UNKNOWN_CODE: &str = "UNKNOWN_CODE";
/// A language other than fi, sv or en for a text.
pub const UNSUPPORTED_LANGUAGE: &str = "UNSUPPORTED_LANGUAGE";
/// A municipality code, name or postal code that cannot be resolved.
pub const UNKNOWN_MUNICIPALITY: &str = "UNKNOWN_MUNICIPALITY";
/// Not an http(s) URL.
pub const INVALID_URL: &str = "INVALID_URL";
/// Not an e-mail address.
pub const INVALID_EMAIL: &str = "INVALID_EMAIL";
/// Not a telephone number.
pub const INVALID_PHONE: &str = "INVALID_PHONE";
/// Not an ISO 8601 date.
pub const INVALID_DATE: &str = "INVALID_DATE";
/// Not a time of day, or an end before the start.
pub const INVALID_TIME: &str = "INVALID_TIME";
/// Not an ISO 8601 duration.
pub const INVALID_DURATION: &str = "INVALID_DURATION";
/// Latitude or longitude out of range.
pub const INVALID_COORDINATES: &str = "INVALID_COORDINATES";
/// A number out of its range.
pub const OUT_OF_RANGE: &str = "OUT_OF_RANGE";
/// An end date before its start date.
pub const END_BEFORE_START: &str = "END_BEFORE_START";
/// An enrolment period that begins after the teaching has ended.
pub const ENROLMENT_AFTER_END: &str = "ENROLMENT_AFTER_END";
/// A negative price.
pub const NEGATIVE_PRICE: &str = "NEGATIVE_PRICE";
/// A currency other than euro.
pub const UNSUPPORTED_CURRENCY: &str = "UNSUPPORTED_CURRENCY";
/// Two items of one list share an id.
pub const DUPLICATE_ID: &str = "DUPLICATE_ID";
/// A text lacks a language that publishing needs (Finnish at least).
pub const REQUIRED_LANGUAGE: &str = "REQUIRED_LANGUAGE";
/// An organisation the record refers to does not exist.
pub const UNKNOWN_ORGANISATION: &str = "UNKNOWN_ORGANISATION";
/// A location of another organisation.
pub const LOCATION_OF_ANOTHER_ORGANISATION: &str = "LOCATION_OF_ANOTHER_ORGANISATION";
/// An instance of another course.
pub const INSTANCE_OF_ANOTHER_COURSE: &str = "INSTANCE_OF_ANOTHER_COURSE";
/// The caller may not write this record.
pub const FORBIDDEN: &str = "FORBIDDEN";
/// `expectedVersion` is not the stored version.
pub const STALE_VERSION: &str = "STALE_VERSION";
/// A publication state change that the workflow does not allow.
pub const INVALID_TRANSITION: &str = "INVALID_TRANSITION";
/// The record to change does not exist.
pub const NOT_FOUND: &str = "NOT_FOUND";
/// A CSV row repeats a course column with a different value.
pub const CONFLICTING_VALUE: &str = "CONFLICTING_VALUE";
/// A CSV header is missing a required column or names an unknown one.
pub const INVALID_HEADER: &str = "INVALID_HEADER";

/// Every code above, for the GraphQL enum and its test.
pub const ALL: &[&str] = &[
    INVALID_JSON,
    INVALID_TYPE,
    REQUIRED,
    TOO_LONG,
    INVALID_CHARACTER,
    TOO_MANY,
    UNKNOWN_TYPE,
    UNKNOWN_CODE,
    UNSUPPORTED_LANGUAGE,
    UNKNOWN_MUNICIPALITY,
    INVALID_URL,
    INVALID_EMAIL,
    INVALID_PHONE,
    INVALID_DATE,
    INVALID_TIME,
    INVALID_DURATION,
    INVALID_COORDINATES,
    OUT_OF_RANGE,
    END_BEFORE_START,
    ENROLMENT_AFTER_END,
    NEGATIVE_PRICE,
    UNSUPPORTED_CURRENCY,
    DUPLICATE_ID,
    REQUIRED_LANGUAGE,
    UNKNOWN_ORGANISATION,
    LOCATION_OF_ANOTHER_ORGANISATION,
    INSTANCE_OF_ANOTHER_COURSE,
    FORBIDDEN,
    STALE_VERSION,
    INVALID_TRANSITION,
    NOT_FOUND,
    CONFLICTING_VALUE,
    INVALID_HEADER,
];
