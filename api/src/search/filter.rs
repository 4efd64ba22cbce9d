//! Filters and disjunctive facets over documents, with the same semantics as
//! the database listing: a course matches when one of its instances matches
//! every instance filter.

use std::collections::{BTreeMap, HashMap};

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

fn any_opt(wanted: &[&str], have: Option<&str>) -> bool {
    wanted.is_empty() || have.is_some_and(|h| wanted.contains(&h))
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
    pub fn course(&self, doc: &impl CourseFacts) -> bool {
        let f = self.filter;
        (f.providers.is_empty() || f.providers.contains(&doc.provider_id()))
            && any_opt(&self.education_types, doc.education_type())
            && any_of(&f.fields_of_education, doc.fields())
            && any_str(&self.audiences, doc.audiences())
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
            && any_opt(&self.funding, i.funding.as_deref())
            && any_str(&self.times, &i.times_of_day)
            && f.starts_after
                .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s >= d))
            && f.starts_before
                .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s <= d))
            && f.application_open
                .is_none_or(|open| i.open_on(self.today) == open)
            && f.upcoming
                .is_none_or(|u| crate::domain::is_upcoming(i.end_date, self.today) == u)
    }

    /// The course matches: its course filters hold, and one instance matches
    /// when instances are filtered.
    pub fn matches(&self, doc: &impl CourseFacts) -> bool {
        self.course(doc)
            && (!self.instance_filters || doc.instances().iter().any(|i| self.instance(i)))
    }

    /// The instances of `doc` that match, or None when the course does not.
    pub fn matching_instances(&self, doc: &impl CourseFacts) -> Option<Vec<i32>> {
        if !self.course(doc) {
            return None;
        }
        let ids: Vec<i32> = doc
            .instances()
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
    doc: &impl CourseFacts,
    f: &CourseFilter,
    today: NaiveDate,
) -> Option<Vec<i32>> {
    Matcher::new(f, today).matching_instances(doc)
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Puts into `seen` every value a course has for a (non-provider) facet,
/// from the instances the matcher lets through, each once.
fn each_value<'d, D: CourseFacts>(
    doc: &'d D,
    m: &Matcher<'_>,
    facet: Facet,
    today: NaiveDate,
    seen: &mut Vec<&'d str>,
) {
    seen.clear();
    let instances = doc.instances().iter().filter(|i| m.instance(i));
    match facet {
        Facet::FieldOfEducation => seen.extend(doc.fields().iter().map(String::as_str)),
        Facet::EducationType => seen.extend(doc.education_type()),
        Facet::Audience => seen.extend(doc.audiences().iter().map(String::as_str)),
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

/// The values a course has for a facet over all its instances (none for
/// the yes/no facets, whose two values are always shown), for an index's
/// list of every value.
pub fn all_values(doc: &impl CourseFacts, facet: Facet) -> Vec<String> {
    if facet == Facet::Provider {
        return vec![doc.provider_id().to_string()];
    }
    if matches!(facet, Facet::Free | Facet::ApplicationOpen) {
        return Vec::new();
    }
    let everything = CourseFilter::default();
    let m = Matcher::new(&everything, NaiveDate::MIN);
    let mut seen = Vec::new();
    each_value(doc, &m, facet, NaiveDate::MIN, &mut seen);
    seen.into_iter().map(String::from).collect()
}

/// Counts per value of `facet` over `candidates`, applying every filter but
/// the facet's own; every value of `universe` (the whole index's) is kept,
/// with zero counts.
pub fn count<'a, D: CourseFacts + 'a>(
    universe: impl Iterator<Item = &'a str>,
    candidates: impl Iterator<Item = &'a D>,
    filter: &CourseFilter,
    facet: Facet,
    today: NaiveDate,
) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = universe.map(|v| (v.to_string(), 0)).collect();
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
    let m = Matcher::new(&relaxed, today);
    let mut found: HashMap<&str, u64> = HashMap::new();
    let mut providers: HashMap<i32, u64> = HashMap::new();
    let mut seen = Vec::new();
    // An instance facet takes its values from the matching instances only,
    // so a course none of whose instances match adds nothing anyway: its
    // course filters are all there is to check first.
    let instance_facet = is_instance_facet(facet);
    for doc in candidates {
        let passes = if instance_facet {
            m.course(doc)
        } else {
            m.matches(doc)
        };
        if !passes {
            continue;
        }
        if facet == Facet::Provider {
            *providers.entry(doc.provider_id()).or_insert(0) += 1;
            continue;
        }
        each_value(doc, &m, facet, today, &mut seen);
        for v in &seen {
            *found.entry(v).or_insert(0) += 1;
        }
    }
    for (v, n) in found {
        *counts.entry(v.to_string()).or_insert(0) += n;
    }
    for (id, n) in providers {
        *counts.entry(id.to_string()).or_insert(0) += n;
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
