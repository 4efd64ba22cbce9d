//! The object types of the public schema.

mod codes;
mod course;
mod guidance;
mod instance;
mod organisation;
mod text;

use async_graphql::{Interface, ID};

pub use codes::{FieldOfEducation, LanguageInfo, Municipality, Region};
pub use course::Course;
pub use guidance::GuidanceService;
pub use instance::CourseInstance;
pub use organisation::{Location, Organisation};

/// Anything with a global id, fetchable with `node(id)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The opaque global id."))]
pub enum Node {
    Organisation(Organisation),
    Location(Location),
    Course(Course),
    CourseInstance(CourseInstance),
    GuidanceService(GuidanceService),
}
