//! Filters and disjunctive facets over documents, with the same semantics as
//! the database listing: a course matches when one of its instances matches
//! every instance filter.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::codes::code_sets;
use crate::domain::CourseFilter;
use crate::search::{Facet, InstanceDoc, SearchDocument};

/// The filterable facts of a course, however an engine keeps its documents.
pub trait CourseFacts {
    /// The provider's id.
    fn provider_id(&self) -> i32;
    /// Koulutusala codes, level-2 codes with their level-1 parents.
    fn fields(&self) -> &[String];
    /// The education type code.
    fn education_type(&self) -> Option<&str>;
    /// Audience codes.
    fn audiences(&self) -> &[String];
    /// The instances' facts.
    fn instances(&self) -> &[InstanceDoc];
}

impl CourseFacts for SearchDocument {
    fn provider_id(&self) -> i32 {
        self.provider_id
    }
    fn fields(&self) -> &[String] {
        &self.fields
    }
    fn education_type(&self) -> Option<&str> {
        self.education_type.as_deref()
    }
    fn audiences(&self) -> &[String] {
        &self.audiences
    }
    fn instances(&self) -> &[InstanceDoc] {
        &self.instances
    }
}

fn any_of(wanted: &[String], have: &[String]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
}

fn codes<T: Copy>(values: &[T], code: fn(T) -> &'static str) -> Vec<String> {
    values.iter().map(|v| code(*v).to_string()).collect()
}

/// True for facets counted from instances; the others describe the course.
pub fn is_instance_facet(facet: Facet) -> bool {
    !matches!(
        facet,
        Facet::FieldOfEducation | Facet::EducationType | Facet::Provider | Facet::Audience
    )
}

/// The filter with one facet's own condition removed. Municipalities and
/// regions are one group (a place matches either), so the facet of either
/// ignores both.
pub fn without(filter: &CourseFilter, facet: Facet) -> CourseFilter {
    let mut f = filter.clone();
    match facet {
        Facet::Municipality | Facet::Region => {
            f.municipalities.clear();
            f.regions.clear();
        }
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

pub(crate) fn course_matches(doc: &impl CourseFacts, f: &CourseFilter) -> bool {
    (f.providers.is_empty() || f.providers.contains(&doc.provider_id()))
        && (f.education_types.is_empty()
            || doc
                .education_type()
                .is_some_and(|t| f.education_types.iter().any(|w| w.code() == t)))
        && any_of(&f.fields_of_education, doc.fields())
        && any_of(&codes(&f.audiences, |a| a.code()), doc.audiences())
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
    doc: &impl CourseFacts,
    f: &CourseFilter,
    today: NaiveDate,
) -> Option<Vec<i32>> {
    if !course_matches(doc, f) {
        return None;
    }
    let ids: Vec<i32> = doc
        .instances()
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
    doc: &impl CourseFacts,
    instances: &[&InstanceDoc],
    facet: Facet,
    today: NaiveDate,
) -> Vec<String> {
    let mut out: Vec<String> = match facet {
        Facet::FieldOfEducation => doc.fields().to_vec(),
        Facet::EducationType => doc
            .education_type()
            .map(str::to_string)
            .into_iter()
            .collect(),
        Facet::Provider => vec![doc.provider_id().to_string()],
        Facet::Audience => doc.audiences().to_vec(),
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
pub fn count<'a, D: CourseFacts + 'a>(
    all: impl Iterator<Item = &'a D>,
    candidates: impl Iterator<Item = &'a D>,
    filter: &CourseFilter,
    facet: Facet,
    today: NaiveDate,
) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for doc in all {
        let everything: Vec<&InstanceDoc> = doc.instances().iter().collect();
        for v in values(doc, &everything, facet, today) {
            counts.entry(v).or_insert(0);
        }
    }
    tally(&mut counts, candidates, filter, facet, today);
    complete(&mut counts, filter, facet);
    counts.into_iter().collect()
}

/// Adds to `counts` the courses among `candidates` that match every filter
/// but the facet's own, once per value their matching instances have.
pub fn tally<'a, D: CourseFacts + 'a>(
    counts: &mut BTreeMap<String, u64>,
    candidates: impl Iterator<Item = &'a D>,
    filter: &CourseFilter,
    facet: Facet,
    today: NaiveDate,
) {
    let relaxed = without(filter, facet);
    for doc in candidates {
        let Some(ids) = matching_instances(doc, &relaxed, today) else {
            continue;
        };
        let instances: Vec<&InstanceDoc> = doc
            .instances()
            .iter()
            .filter(|i| ids.contains(&i.id))
            .collect();
        for v in values(doc, &instances, facet, today) {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
}

/// Adds the values every count of `facet` shows even when nothing has them:
/// both answers of a yes/no facet, and the values the filter selects.
pub fn complete(counts: &mut BTreeMap<String, u64>, filter: &CourseFilter, facet: Facet) {
    if matches!(facet, Facet::Free | Facet::ApplicationOpen) {
        counts.entry("true".into()).or_insert(0);
        counts.entry("false".into()).or_insert(0);
    }
    for selected in selected_values(filter, facet) {
        counts.entry(selected).or_insert(0);
    }
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
