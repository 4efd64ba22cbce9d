//! The stable codes of validation errors (defined once, in the domain).

pub use crate::domain::error_codes::*;
