//! Filters and disjunctive facets over documents, with the same semantics as
//! the database listing: a course matches when one of its instances matches
//! every instance filter.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::codes::code_sets;
use crate::domain::CourseFilter;
use crate::search::{Facet, InstanceDoc, SearchDocument};

fn any_of(wanted: &[String], have: &[String]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
}

fn codes<T: Copy>(values: &[T], code: fn(T) -> &'static str) -> Vec<String> {
    values.iter().map(|v| code(*v).to_string()).collect()
}

/// The filter with one facet's own condition removed.
pub fn without(filter: &CourseFilter, facet: Facet) -> CourseFilter {
    let mut f = filter.clone();
    match facet {
        Facet::Municipality => f.municipalities.clear(),
        Facet::Region => f.regions.clear(),
        Facet::FieldOfEducation => f.fields_of_education.clear(),
        Facet::EducationType => f.education_types.clear(),
        Facet::TeachingMode => f.teaching_modes.clear(),
        Facet::Language => f.languages.clear(),
        Facet::Provider => f.providers.clear(),
        Facet::FundingCategory => f.funding_categories.clear(),
        Facet::TimeOfDay => f.times_of_day.clear(),
        Facet::Free => f.free_only = false,
        Facet::ApplicationOpen => f.application_open = None,
        Facet::Audience => f.audiences.clear(),
    }
    f
}

pub(crate) fn course_matches(doc: &SearchDocument, f: &CourseFilter) -> bool {
    (f.providers.is_empty() || f.providers.contains(&doc.provider_id))
        && any_of(
            &codes(&f.education_types, |t| t.code()),
            &doc.education_type.clone().into_iter().collect::<Vec<_>>(),
        )
        && any_of(&f.fields_of_education, &doc.fields)
        && any_of(&codes(&f.audiences, |a| a.code()), &doc.audiences)
}

pub(crate) fn instance_matches(i: &InstanceDoc, f: &CourseFilter, today: NaiveDate) -> bool {
    let place_ok = if f.municipalities.is_empty() && f.regions.is_empty() {
        true
    } else {
        i.municipality
            .as_ref()
            .is_some_and(|m| f.municipalities.contains(m))
            || i.region.as_ref().is_some_and(|r| f.regions.contains(r))
    };
    place_ok
        && any_of(&codes(&f.teaching_modes, |m| m.code()), &i.modes)
        && any_of(&f.languages, &i.languages)
        && (!f.free_only || i.price_cents == Some(0))
        && any_of(
            &codes(&f.funding_categories, |c| c.code()),
            &i.funding.clone().into_iter().collect::<Vec<_>>(),
        )
        && any_of(&codes(&f.times_of_day, |t| t.code()), &i.times_of_day)
        && f.starts_after
            .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s >= d))
        && f.starts_before
            .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s <= d))
        && f.application_open
            .is_none_or(|open| i.open_on(today) == open)
        && f.upcoming
            .is_none_or(|u| crate::domain::is_upcoming(i.end_date, today) == u)
}

/// The instances of `doc` that match, or None when the course does not.
pub fn matching_instances(
    doc: &SearchDocument,
    f: &CourseFilter,
    today: NaiveDate,
) -> Option<Vec<i32>> {
    if !course_matches(doc, f) {
        return None;
    }
    let ids: Vec<i32> = doc
        .instances
        .iter()
        .filter(|i| instance_matches(i, f, today))
        .map(|i| i.id)
        .collect();
    if f.has_instance_filters() && ids.is_empty() {
        return None;
    }
    Some(ids)
}

/// The values a course has for a facet, from its matching instances.
fn values(
    doc: &SearchDocument,
    instances: &[&InstanceDoc],
    facet: Facet,
    today: NaiveDate,
) -> Vec<String> {
    let mut out: Vec<String> = match facet {
        Facet::FieldOfEducation => doc.fields.clone(),
        Facet::EducationType => doc.education_type.clone().into_iter().collect(),
        Facet::Provider => vec![doc.provider_id.to_string()],
        Facet::Audience => doc.audiences.clone(),
        Facet::Municipality => instances
            .iter()
            .filter_map(|i| i.municipality.clone())
            .collect(),
        Facet::Region => instances.iter().filter_map(|i| i.region.clone()).collect(),
        Facet::TeachingMode => instances.iter().flat_map(|i| i.modes.clone()).collect(),
        Facet::Language => instances.iter().flat_map(|i| i.languages.clone()).collect(),
        Facet::FundingCategory => instances.iter().filter_map(|i| i.funding.clone()).collect(),
        Facet::TimeOfDay => instances
            .iter()
            .flat_map(|i| i.times_of_day.clone())
            .collect(),
        Facet::Free => instances
            .iter()
            .map(|i| (i.price_cents == Some(0)).to_string())
            .collect(),
        Facet::ApplicationOpen => instances
            .iter()
            .map(|i| i.open_on(today).to_string())
            .collect(),
    };
    out.sort();
    out.dedup();
    out
}

/// Counts per value of `facet` over `docs`, applying every filter but the
/// facet's own; values of the whole index are kept with zero counts.
pub fn count<'a>(
    all: impl Iterator<Item = &'a SearchDocument>,
    candidates: impl Iterator<Item = &'a SearchDocument>,
    filter: &CourseFilter,
    facet: Facet,
    today: NaiveDate,
) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for doc in all {
        let everything: Vec<&InstanceDoc> = doc.instances.iter().collect();
        for v in values(doc, &everything, facet, today) {
            counts.entry(v).or_insert(0);
        }
    }
    if matches!(facet, Facet::Free | Facet::ApplicationOpen) {
        counts.entry("true".into()).or_insert(0);
        counts.entry("false".into()).or_insert(0);
    }
    let relaxed = without(filter, facet);
    for doc in candidates {
        let Some(ids) = matching_instances(doc, &relaxed, today) else {
            continue;
        };
        let instances: Vec<&InstanceDoc> = doc
            .instances
            .iter()
            .filter(|i| ids.contains(&i.id))
            .collect();
        for v in values(doc, &instances, facet, today) {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    for selected in selected_values(filter, facet) {
        counts.entry(selected).or_insert(0);
    }
    counts.into_iter().collect()
}

fn selected_values(f: &CourseFilter, facet: Facet) -> Vec<String> {
    match facet {
        Facet::Municipality => f.municipalities.clone(),
        Facet::Region => {
            let mut regions = f.regions.clone();
            regions.retain(|r| code_sets().region(r).is_some());
            regions
        }
        Facet::FieldOfEducation => f.fields_of_education.clone(),
        _ => Vec::new(),
    }
}
