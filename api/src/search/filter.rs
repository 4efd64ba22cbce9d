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

/// Every instance-level filter holds for `i`.
pub(crate) fn instance_matches(i: &InstanceDoc, f: &CourseFilter, today: NaiveDate) -> bool {
    Matcher::new(f, today).instance(i)
}

/// A filter compiled once for many documents: its codes as strings, so that
/// matching a document allocates nothing.
pub struct Matcher<'f> {
    filter: &'f CourseFilter,
    today: NaiveDate,
    education_types: Vec<&'static str>,
    audiences: Vec<&'static str>,
    modes: Vec<&'static str>,
    funding: Vec<&'static str>,
    times: Vec<&'static str>,
    instance_filters: bool,
}

fn any_str(wanted: &[&str], have: &[String]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.iter().any(|h| h == w))
}

fn any_opt(wanted: &[&str], have: &Option<String>) -> bool {
    wanted.is_empty() || have.as_deref().is_some_and(|h| wanted.contains(&h))
}

impl<'f> Matcher<'f> {
    /// Compiles `filter` for `today`.
    pub fn new(filter: &'f CourseFilter, today: NaiveDate) -> Matcher<'f> {
        Matcher {
            filter,
            today,
            education_types: filter.education_types.iter().map(|t| t.code()).collect(),
            audiences: filter.audiences.iter().map(|a| a.code()).collect(),
            modes: filter.teaching_modes.iter().map(|m| m.code()).collect(),
            funding: filter.funding_categories.iter().map(|c| c.code()).collect(),
            times: filter.times_of_day.iter().map(|t| t.code()).collect(),
            instance_filters: filter.has_instance_filters(),
        }
    }

    /// The course-level filters hold.
    pub fn course(&self, doc: &SearchDocument) -> bool {
        let f = self.filter;
        (f.providers.is_empty() || f.providers.contains(&doc.provider_id))
            && any_opt(&self.education_types, &doc.education_type)
            && any_of(&f.fields_of_education, &doc.fields)
            && any_str(&self.audiences, &doc.audiences)
    }

    /// Every instance-level filter holds for `i`.
    pub fn instance(&self, i: &InstanceDoc) -> bool {
        let f = self.filter;
        let place_ok = (f.municipalities.is_empty() && f.regions.is_empty())
            || i.municipality
                .as_ref()
                .is_some_and(|m| f.municipalities.contains(m))
            || i.region.as_ref().is_some_and(|r| f.regions.contains(r));
        place_ok
            && any_str(&self.modes, &i.modes)
            && any_of(&f.languages, &i.languages)
            && (!f.free_only || i.price_cents == Some(0))
            && any_opt(&self.funding, &i.funding)
            && any_str(&self.times, &i.times_of_day)
            && f.starts_after
                .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s >= d))
            && f.starts_before
                .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s <= d))
            && f.application_open
                .is_none_or(|open| i.open_on(self.today) == open)
    }

    /// The course matches: its course filters hold, and one instance matches
    /// when instances are filtered.
    pub fn matches(&self, doc: &SearchDocument) -> bool {
        self.course(doc)
            && (!self.instance_filters || doc.instances.iter().any(|i| self.instance(i)))
    }

    /// The instances of `doc` that match, or None when the course does not.
    pub fn matching_instances(&self, doc: &SearchDocument) -> Option<Vec<i32>> {
        if !self.course(doc) {
            return None;
        }
        let ids: Vec<i32> = doc
            .instances
            .iter()
            .filter(|i| self.instance(i))
            .map(|i| i.id)
            .collect();
        if self.instance_filters && ids.is_empty() {
            return None;
        }
        Some(ids)
    }
}

/// The instances of `doc` that match, or None when the course does not.
pub fn matching_instances(
    doc: &SearchDocument,
    f: &CourseFilter,
    today: NaiveDate,
) -> Option<Vec<i32>> {
    Matcher::new(f, today).matching_instances(doc)
}

/// Calls `each` with every value a course has for a facet, from the
/// instances the matcher lets through (each value once per course).
fn each_value<'d>(
    doc: &'d SearchDocument,
    m: &Matcher<'_>,
    facet: Facet,
    today: NaiveDate,
    seen: &mut Vec<&'d str>,
) {
    seen.clear();
    let instances = doc.instances.iter().filter(|i| m.instance(i));
    match facet {
        Facet::FieldOfEducation => seen.extend(doc.fields.iter().map(String::as_str)),
        Facet::EducationType => seen.extend(doc.education_type.as_deref()),
        Facet::Audience => seen.extend(doc.audiences.iter().map(String::as_str)),
        Facet::Provider => {}
        Facet::Municipality => seen.extend(instances.filter_map(|i| i.municipality.as_deref())),
        Facet::Region => seen.extend(instances.filter_map(|i| i.region.as_deref())),
        Facet::TeachingMode => {
            seen.extend(instances.flat_map(|i| i.modes.iter().map(String::as_str)))
        }
        Facet::Language => {
            seen.extend(instances.flat_map(|i| i.languages.iter().map(String::as_str)))
        }
        Facet::FundingCategory => seen.extend(instances.filter_map(|i| i.funding.as_deref())),
        Facet::TimeOfDay => {
            seen.extend(instances.flat_map(|i| i.times_of_day.iter().map(String::as_str)))
        }
        Facet::Free => seen.extend(instances.map(|i| bool_str(i.price_cents == Some(0)))),
        Facet::ApplicationOpen => seen.extend(instances.map(|i| bool_str(i.open_on(today)))),
    }
    seen.sort_unstable();
    seen.dedup();
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The values a course has for a facet over all its instances, for the
/// index's list of every value.
pub fn all_values(doc: &SearchDocument, facet: Facet) -> Vec<String> {
    let everything = CourseFilter::default();
    let m = Matcher::new(&everything, NaiveDate::MIN);
    if facet == Facet::Provider {
        return vec![doc.provider_id.to_string()];
    }
    if matches!(facet, Facet::Free | Facet::ApplicationOpen) {
        return Vec::new();
    }
    let mut seen = Vec::new();
    each_value(doc, &m, facet, NaiveDate::MIN, &mut seen);
    seen.into_iter().map(String::from).collect()
}

/// Counts per value of `facet` over the `candidates`, applying every filter
/// but the facet's own; every value of `universe` (the whole index's) is
/// kept, with zero counts.
pub fn count<'a>(
    universe: impl Iterator<Item = &'a str>,
    candidates: impl Iterator<Item = &'a SearchDocument>,
    filter: &CourseFilter,
    facet: Facet,
    today: NaiveDate,
) -> Vec<(String, u64)> {
    let relaxed = without(filter, facet);
    let m = Matcher::new(&relaxed, today);
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    let mut providers: std::collections::HashMap<i32, u64> = std::collections::HashMap::new();
    let mut seen = Vec::new();
    for doc in candidates {
        if !m.matches(doc) {
            continue;
        }
        if facet == Facet::Provider {
            *providers.entry(doc.provider_id).or_insert(0) += 1;
            continue;
        }
        each_value(doc, &m, facet, today, &mut seen);
        for v in &seen {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    let mut out: BTreeMap<String, u64> = universe.map(|v| (v.to_string(), 0)).collect();
    if matches!(facet, Facet::Free | Facet::ApplicationOpen) {
        out.entry("true".into()).or_insert(0);
        out.entry("false".into()).or_insert(0);
    }
    for (v, n) in counts {
        *out.entry(v.to_string()).or_insert(0) += n;
    }
    for (id, n) in providers {
        *out.entry(id.to_string()).or_insert(0) += n;
    }
    for selected in selected_values(filter, facet) {
        out.entry(selected).or_insert(0);
    }
    out.into_iter().collect()
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
