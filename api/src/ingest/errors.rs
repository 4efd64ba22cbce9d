//! The stable codes of validation errors, shared by feeds and mutations.

/// The line is not JSON.
pub const INVALID_JSON: &str = "INVALID_JSON";
/// A value has the wrong JSON type.
pub const INVALID_TYPE: &str = "INVALID_TYPE";
/// A required value is missing or blank.
pub const REQUIRED: &str = "REQUIRED";
/// A text is longer than allowed.
pub const TOO_LONG: &str = "TOO_LONG";
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
