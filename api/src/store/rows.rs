//! Rows as the store hands them out. The GraphQL layer wraps these in its own
//! view types; nothing outside the store queries them.

use crate::domain::Localized;

/// A stored organisation.
pub type OrganisationRow = entity::organisation::Model;
/// A stored location.
pub type LocationRow = entity::location::Model;
/// A stored course.
pub type CourseRow = entity::course::Model;
/// A stored course instance.
pub type InstanceRow = entity::course_instance::Model;
/// A stored guidance service.
pub type GuidanceServiceRow = entity::guidance_service::Model;

/// Assembles a multilingual text from its three columns.
pub fn localized(fi: &Option<String>, sv: &Option<String>, en: &Option<String>) -> Localized {
    Localized {
        fi: fi.clone(),
        sv: sv.clone(),
        en: en.clone(),
    }
}

/// The lowercase name in fallback order that name ordering uses.
pub(crate) fn sort_name(name: &Localized) -> String {
    let mut key: String = name
        .get(crate::domain::Lang::Fi)
        .unwrap_or_default()
        .to_lowercase();
    key.truncate(key.floor_char_boundary(290));
    key
}
