//! The documents a filter lets through, from the index's sets of facet
//! values: each filter group (the values of one filter, any of which will
//! do) is a union of sets, the filter their intersection. Course filters are
//! exact this way; instance filters only say that some instance has each
//! value, so with more than one of them (or a date, open application or
//! upcoming condition) the candidates still need checking against the
//! instances, which the caller does on the candidates only.

use super::bits::Bits;
use super::index::Index;
use crate::domain::CourseFilter;
use crate::search::Facet;

/// The filter's candidates among `within`, and whether they are exactly the
/// matching courses (else a superset to check).
pub fn candidates(index: &Index, filter: &CourseFilter, within: &Bits) -> (Bits, bool) {
    let mut out = within.clone();
    let mut restrict = |groups: &[(Facet, Vec<String>)]| {
        if groups.iter().all(|(_, values)| values.is_empty()) {
            return false;
        }
        let mut union = Bits::empty(index.docs.len());
        for (facet, values) in groups {
            for value in values {
                if let Some(set) = index.carrying(*facet, value) {
                    set.union_into(&mut union);
                }
            }
        }
        out.intersect(&union);
        true
    };
    let codes = |codes: Vec<&'static str>| codes.into_iter().map(String::from).collect();
    restrict(&[(
        Facet::Provider,
        filter.providers.iter().map(i32::to_string).collect(),
    )]);
    restrict(&[(
        Facet::EducationType,
        codes(filter.education_types.iter().map(|t| t.code()).collect()),
    )]);
    restrict(&[(Facet::FieldOfEducation, filter.fields_of_education.clone())]);
    restrict(&[(
        Facet::Audience,
        codes(filter.audiences.iter().map(|a| a.code()).collect()),
    )]);
    let instance_groups = [
        restrict(&[
            (Facet::Municipality, filter.municipalities.clone()),
            (Facet::Region, filter.regions.clone()),
        ]),
        restrict(&[(
            Facet::TeachingMode,
            codes(filter.teaching_modes.iter().map(|m| m.code()).collect()),
        )]),
        restrict(&[(Facet::Language, filter.languages.clone())]),
        restrict(&[(
            Facet::FundingCategory,
            codes(filter.funding_categories.iter().map(|c| c.code()).collect()),
        )]),
        restrict(&[(
            Facet::TimeOfDay,
            codes(filter.times_of_day.iter().map(|t| t.code()).collect()),
        )]),
        filter.free_only && restrict(&[(Facet::Free, vec!["true".to_string()])]),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    let unindexed = filter.starts_after.is_some()
        || filter.starts_before.is_some()
        || filter.application_open.is_some()
        || filter.upcoming.is_some();
    (out, !unindexed && instance_groups <= 1)
}
