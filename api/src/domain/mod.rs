//! Parsed catalogue values: no actix, async-graphql or sea-orm in here.

pub mod caller;
pub mod codes;
pub mod credentials;
pub mod error_codes;
pub mod filter;
pub mod records;
pub mod text;
pub mod validate;

pub use caller::{Actor, Caller, Role, Scope};
pub use codes::*;
pub use filter::{is_upcoming, CourseFilter, Visibility};
pub use records::*;
pub use text::{AnalyzerMode, Lang, Localized};
