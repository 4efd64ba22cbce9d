//! What Meilisearch can answer exactly. A document holds one course with its
//! instances' facts in arrays, so each instance condition is checked against
//! the union of a course's instances: exact for one condition, a superset
//! for several (Kotka in one instance, evenings in another). Those searches
//! fetch the candidates and check one and the same instance here.

use chrono::NaiveDate;

use super::document::day_number;
use crate::domain::CourseFilter;
use crate::search::filter::{is_instance_facet, without};
use crate::search::filter_string::FilterBuilder;
use crate::search::{Facet, SearchOrder};

/// How many instance conditions a filter has. Municipalities and regions are
/// one (a place matches either), and so are the two ends of a start range.
pub fn instance_conditions(f: &CourseFilter) -> usize {
    [
        !f.municipalities.is_empty() || !f.regions.is_empty(),
        !f.teaching_modes.is_empty(),
        !f.languages.is_empty(),
        f.free_only,
        !f.funding_categories.is_empty(),
        !f.times_of_day.is_empty(),
        f.starts_after.is_some() || f.starts_before.is_some(),
        f.application_open.is_some(),
        f.upcoming.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

/// True when the engine filter selects exactly the courses `f` does.
/// "No application open" has no engine form at all.
pub fn is_exact(f: &CourseFilter) -> bool {
    instance_conditions(f) <= 1 && f.application_open != Some(false)
}

/// True when the engine's own order is the order asked for: the start-date
/// order is by the earliest start of a *matching* instance, which the engine
/// knows only when no condition picks instances.
pub fn order_is_exact(f: &CourseFilter, order: SearchOrder) -> bool {
    order != SearchOrder::StartDate || !f.has_instance_filters()
}

/// How the counts of a facet are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetPlan {
    /// The engine's facet distribution under the relaxed filter is exact.
    Engine,
    /// Counted here from the candidates of the relaxed filter.
    Local,
}

/// How the counts of `facet` under `filter` can be made exactly. The engine
/// counts a course once for each value any of its instances has, so an
/// instance facet is exact only when no other condition picks instances.
pub fn facet_plan(filter: &CourseFilter, facet: Facet) -> FacetPlan {
    let relaxed = without(filter, facet);
    let exact = if facet == Facet::ApplicationOpen {
        // The engine cannot count "not open today".
        false
    } else if is_instance_facet(facet) {
        instance_conditions(&relaxed) == 0
    } else {
        is_exact(&relaxed)
    };
    if exact {
        FacetPlan::Engine
    } else {
        FacetPlan::Local
    }
}

/// The engine filter of a domain filter: exact for course conditions and for
/// each instance condition on its own; "no application open" is left to the
/// check here.
pub fn filter_expression(f: &CourseFilter, today: NaiveDate) -> Option<String> {
    let codes = |v: Vec<&'static str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let mut b = FilterBuilder::new()
        .any([
            FilterBuilder::new().any_of("municipalities", &f.municipalities),
            FilterBuilder::new().any_of("regions", &f.regions),
        ])
        .any_of("fields", &f.fields_of_education)
        .any_of(
            "education_type",
            &codes(f.education_types.iter().map(|t| t.code()).collect()),
        )
        .any_of(
            "modes",
            &codes(f.teaching_modes.iter().map(|m| m.code()).collect()),
        )
        .any_of("languages", &f.languages)
        .any_of(
            "provider_id",
            &f.providers
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
        )
        .any_of(
            "funding",
            &codes(f.funding_categories.iter().map(|c| c.code()).collect()),
        )
        .any_of(
            "times_of_day",
            &codes(f.times_of_day.iter().map(|t| t.code()).collect()),
        )
        .any_of(
            "audiences",
            &codes(f.audiences.iter().map(|a| a.code()).collect()),
        );
    if f.free_only {
        b = b.flag("free", true);
    }
    // One condition on one instance's start: an array attribute matches a
    // range when one of its values lies in it.
    let starts = match (f.starts_after, f.starts_before) {
        (None, None) => None,
        (Some(a), None) => Some(FilterBuilder::new().compare("start_days", ">=", day_number(a))),
        (None, Some(b)) => Some(FilterBuilder::new().compare("start_days", "<=", day_number(b))),
        (Some(a), Some(b)) => {
            Some(FilterBuilder::new().range("start_days", day_number(a), day_number(b)))
        }
    };
    if let Some(starts) = starts {
        b = b.any([starts, FilterBuilder::new().flag("flexible_start", true)]);
    }
    if f.application_open == Some(true) {
        b = b.any_of("enrol_days", &[day_number(today).to_string()]);
    }
    match f.upcoming {
        Some(true) => b = b.compare("end_days", ">=", day_number(today)),
        Some(false) => b = b.compare("end_days", "<", day_number(today)),
        None => {}
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{TeachingMode, TimeOfDay};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn kotka() -> CourseFilter {
        CourseFilter {
            municipalities: vec!["285".into()],
            ..CourseFilter::default()
        }
    }

    #[test]
    fn one_instance_condition_is_exact_and_two_are_not() {
        assert!(is_exact(&CourseFilter::default()));
        assert!(is_exact(&kotka()));
        let place = CourseFilter {
            regions: vec!["08".into()],
            ..kotka()
        };
        assert!(is_exact(&place), "municipality or region is one condition");
        let range = CourseFilter {
            starts_after: Some(day(1)),
            starts_before: Some(day(30)),
            ..CourseFilter::default()
        };
        assert!(is_exact(&range), "a start range is one condition");
        let evening_in_kotka = CourseFilter {
            times_of_day: vec![TimeOfDay::Evening],
            ..kotka()
        };
        assert!(!is_exact(&evening_in_kotka));
        let closed = CourseFilter {
            application_open: Some(false),
            ..CourseFilter::default()
        };
        assert!(!is_exact(&closed));
    }

    #[test]
    fn instance_facets_are_counted_by_the_engine_only_without_other_instance_conditions() {
        assert_eq!(facet_plan(&kotka(), Facet::Municipality), FacetPlan::Engine);
        assert_eq!(facet_plan(&kotka(), Facet::Region), FacetPlan::Engine);
        assert_eq!(facet_plan(&kotka(), Facet::TeachingMode), FacetPlan::Local);
        assert_eq!(facet_plan(&kotka(), Facet::Provider), FacetPlan::Engine);
        assert_eq!(
            facet_plan(&CourseFilter::default(), Facet::ApplicationOpen),
            FacetPlan::Local
        );
        let two = CourseFilter {
            teaching_modes: vec![TeachingMode::Online],
            ..kotka()
        };
        assert_eq!(facet_plan(&two, Facet::Provider), FacetPlan::Local);
    }

    #[test]
    fn the_start_date_order_is_the_engines_only_without_instance_conditions() {
        assert!(order_is_exact(
            &CourseFilter::default(),
            SearchOrder::StartDate
        ));
        assert!(!order_is_exact(&kotka(), SearchOrder::StartDate));
        assert!(order_is_exact(&kotka(), SearchOrder::Name));
    }

    #[test]
    fn places_are_ored_and_start_ranges_are_one_condition() {
        let f = CourseFilter {
            regions: vec!["08".into()],
            starts_after: Some(day(1)),
            starts_before: Some(day(30)),
            application_open: Some(true),
            ..kotka()
        };
        let (a, b, today) = (day_number(day(1)), day_number(day(30)), day_number(day(23)));
        assert_eq!(
            filter_expression(&f, day(23)).unwrap(),
            format!(
                r#"((municipalities IN ["285"]) OR (regions IN ["08"])) AND ((start_days {a} TO {b}) OR (flexible_start = true)) AND enrol_days IN ["{today}"]"#
            )
        );
        assert_eq!(filter_expression(&CourseFilter::default(), day(23)), None);
    }
}
