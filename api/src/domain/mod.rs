//! Parsed catalogue values: no actix, async-graphql or sea-orm in here.

pub mod codes;
pub mod filter;
pub mod records;
pub mod text;

pub use codes::*;
pub use filter::{CourseFilter, Visibility};
pub use records::*;
pub use text::{Lang, Localized};
