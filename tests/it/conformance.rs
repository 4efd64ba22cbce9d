//! One conformance suite for every search engine: the same documents, the
//! same queries, filters and facets, the same expectations. Filters and
//! facet counts are checked against the database's listing of the same
//! filter, an independent implementation in SQL. It runs on the embedded
//! engine always, and on Meilisearch when MEILI_URL is set.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use tarjotin_api::domain::{
    Audience, CourseFilter, EducationType, FundingCategory, Lang, Localized, PublicationState,
    TeachingMode, TimeOfDay, Visibility,
};
use tarjotin_api::search::service::SearchService;
use tarjotin_api::search::{
    rebuild_with, Facet, Hit, IndexChange, SearchDocument, SearchEngine, SearchOrder,
    SearchRequest, SearchResult, SuggestionKind, Unwatched,
};
use tarjotin_api::store::{CourseOrder, OrderDirection, PageRequest, WriteOptions};

use super::harness::{reference_day, Backend, TestApp};

const ALL_FACETS: [Facet; 12] = Facet::ALL;

/// Enough for every course of the demo catalogue on one page.
const EVERYTHING: usize = 1000;

fn request(query: &str, filter: CourseFilter) -> SearchRequest {
    SearchRequest {
        query: Some(query.to_string()).filter(|q| !q.is_empty()),
        filter,
        facets: vec![],
        order: SearchOrder::Relevance,
        offset: 0,
        limit: EVERYTHING,
        lang: Lang::Fi,
        today: reference_day(),
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The demo catalogue in a database, its documents, and the listing to check against.
struct Fixture {
    app: TestApp,
    docs: Vec<SearchDocument>,
    external: HashMap<i32, String>,
}

impl Fixture {
    async fn new() -> Fixture {
        let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
        let docs: Vec<SearchDocument> = app
            .store
            .course_bundles(None)
            .await
            .unwrap()
            .iter()
            .map(|(c, i, p)| SearchDocument::from_rows(c, i, p).unwrap())
            .collect();
        let external = docs
            .iter()
            .map(|d| (d.course_id, d.external_id.clone()))
            .collect();
        Fixture {
            app,
            docs,
            external,
        }
    }

    fn ids(&self, hits: &[Hit]) -> Vec<String> {
        hits.iter()
            .map(|h| self.external[&h.course_id].clone())
            .collect()
    }

    fn doc(&self, course_id: i32) -> &SearchDocument {
        self.docs.iter().find(|d| d.course_id == course_id).unwrap()
    }

    /// The courses the database lists for `filter`.
    async fn listed(&self, filter: &CourseFilter) -> BTreeSet<String> {
        self.app
            .store
            .list_courses(
                filter,
                Visibility::PublishedOnly,
                reference_day(),
                CourseOrder::Name,
                OrderDirection::Asc,
                PageRequest {
                    offset: 0,
                    limit: 10_000,
                },
            )
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.external_id)
            .collect()
    }
}

async fn search(engine: &Arc<dyn SearchEngine>, request: &SearchRequest) -> SearchResult {
    engine
        .search(request)
        .await
        .unwrap_or_else(|e| panic!("{e} for {request:?}"))
}

/// Filters alone and combined, course and instance conditions, so that one
/// and the same instance must meet several.
fn filters(f: &Fixture) -> Vec<(&'static str, CourseFilter)> {
    let kotka = CourseFilter {
        municipalities: vec!["285".into()],
        ..CourseFilter::default()
    };
    let provider = f.docs[0].provider_id;
    vec![
        ("everything", CourseFilter::default()),
        ("Kotka", kotka.clone()),
        (
            "Kotka or Kymenlaakso",
            CourseFilter {
                regions: vec!["08".into()],
                ..kotka.clone()
            },
        ),
        (
            "evenings in Kotka",
            CourseFilter {
                times_of_day: vec![TimeOfDay::Evening],
                ..kotka.clone()
            },
        ),
        (
            "online in Kymenlaakso",
            CourseFilter {
                regions: vec!["08".into()],
                teaching_modes: vec![TeachingMode::Online],
                ..CourseFilter::default()
            },
        ),
        (
            "free in Kouvola",
            CourseFilter {
                municipalities: vec!["286".into()],
                free_only: true,
                ..CourseFilter::default()
            },
        ),
        (
            "evenings in Kotka open today",
            CourseFilter {
                times_of_day: vec![TimeOfDay::Evening],
                application_open: Some(true),
                ..kotka.clone()
            },
        ),
        (
            "starting in early 2027",
            CourseFilter {
                starts_after: Some(day(2027, 1, 1)),
                starts_before: Some(day(2027, 3, 31)),
                ..CourseFilter::default()
            },
        ),
        (
            "starting from January in Kotka",
            CourseFilter {
                starts_after: Some(day(2027, 1, 1)),
                ..kotka.clone()
            },
        ),
        (
            "application closed today",
            CourseFilter {
                application_open: Some(false),
                ..CourseFilter::default()
            },
        ),
        (
            "health and welfare open today",
            CourseFilter {
                fields_of_education: vec!["09".into()],
                application_open: Some(true),
                ..CourseFilter::default()
            },
        ),
        (
            "liberal adult education at weekends in Hamina",
            CourseFilter {
                education_types: vec![EducationType::LiberalAdultEducation],
                municipalities: vec!["075".into()],
                times_of_day: vec![TimeOfDay::Weekend],
                ..CourseFilter::default()
            },
        ),
        (
            "in English online",
            CourseFilter {
                languages: vec!["en".into()],
                teaching_modes: vec![TeachingMode::Online, TeachingMode::Blended],
                ..CourseFilter::default()
            },
        ),
        (
            "labour-market training for the unemployed",
            CourseFilter {
                funding_categories: vec![FundingCategory::LabourMarketTraining],
                audiences: vec![Audience::Unemployed],
                ..CourseFilter::default()
            },
        ),
        (
            "one provider in Kotka",
            CourseFilter {
                providers: vec![provider],
                ..kotka
            },
        ),
    ]
}

async fn finnish_forms_find_their_courses(engine: &Arc<dyn SearchEngine>, f: &Fixture) {
    for (query, expected) in [
        ("lähihoitaja", "urn:kymi:course:ekami:1"),
        ("lähihoitajaksi", "urn:kymi:course:ekami:1"),
        ("lähihoitja", "urn:kymi:course:ekami:1"),
        ("oppisopmus", "urn:kymi:course:ekami:16"),
        ("kokiksi", "urn:kymi:course:ekami:44"),
        ("englanninkurssi", "urn:kymi:course:haminan-ko:1"),
        ("kokkikoulu", "urn:kymi:course:ekami:44"),
        ("rekkakuski", "urn:kymi:course:ekami:13"),
        ("hitsaus Kouvola", "urn:kymi:course:ksao:5"),
        ("first aid", "urn:kymi:course:turvataito:7"),
    ] {
        let result = search(
            engine,
            &SearchRequest {
                limit: 10,
                ..request(query, CourseFilter::default())
            },
        )
        .await;
        let ids = f.ids(&result.hits);
        assert!(ids.contains(&expected.to_string()), "{query}: {ids:?}");
        assert!(
            result.hits.windows(2).all(|w| w[0].score >= w[1].score),
            "{query}: hits are ordered by score"
        );
    }
    // Typed without ä/ö, a word finds the courses that have it as written.
    let folded = search(
        engine,
        &request("tyovoimakoulutus", CourseFilter::default()),
    )
    .await;
    let accented = search(
        engine,
        &request("työvoimakoulutus", CourseFilter::default()),
    )
    .await;
    let folded: BTreeSet<i32> = folded.hits.iter().map(|h| h.course_id).collect();
    let best: Vec<i32> = accented.hits.iter().take(5).map(|h| h.course_id).collect();
    assert!(!best.is_empty());
    assert!(
        best.iter().all(|id| folded.contains(id)),
        "tyovoimakoulutus finds the best matches of työvoimakoulutus"
    );

    // A compound's head finds the compound, inflected.
    let mut adult = f.docs[0].clone();
    adult.course_id = f.docs.iter().map(|d| d.course_id).max().unwrap() + 1000;
    adult.external_id = "urn:test:aikuiskoulutus".into();
    adult.name = Localized::fi("Puutyön perusteet");
    adult.description = Localized::fi("Tule mukaan aikuiskoulutukseen!");
    adult.credential = Localized::default();
    adult.keywords = vec![];
    engine
        .apply(vec![IndexChange::Upsert(Box::new(adult.clone()))])
        .await
        .unwrap();
    let found = search(engine, &request("koulutus", CourseFilter::default())).await;
    assert!(
        found.hits.iter().any(|h| h.course_id == adult.course_id),
        "koulutus finds a course that only says aikuiskoulutukseen"
    );
    engine
        .apply(vec![IndexChange::Delete(adult.course_id)])
        .await
        .unwrap();
}

async fn filters_select_what_the_listing_does(engine: &Arc<dyn SearchEngine>, f: &Fixture) {
    for (label, filter) in filters(f) {
        let listed = f.listed(&filter).await;
        let browsed = search(engine, &request("", filter.clone())).await;
        let got: BTreeSet<String> = f.ids(&browsed.hits).into_iter().collect();
        assert_eq!(
            got, listed,
            "{label}: browsing gives what the listing gives"
        );
        assert_eq!(browsed.total as usize, listed.len(), "{label}: total");
        assert_eq!(got.len(), browsed.hits.len(), "{label}: no course twice");

        let queried = search(engine, &request("kurssi", filter.clone())).await;
        for id in f.ids(&queried.hits) {
            assert!(
                listed.contains(&id),
                "{label}: kurssi found {id} outside the filter"
            );
        }
        if !filter.has_instance_filters() {
            continue;
        }
        for hit in &browsed.hits {
            let wanted: Vec<i32> = instances_meeting(f, hit.course_id, &filter);
            let mut got = hit.instance_ids.clone();
            got.sort();
            assert_eq!(got, wanted, "{label}: the instances that matched");
        }
    }
}

/// The instances of a course that meet the place, mode and time conditions
/// of `filter` (the conditions the filters above combine), from the documents.
fn instances_meeting(f: &Fixture, course_id: i32, filter: &CourseFilter) -> Vec<i32> {
    let mut out: Vec<i32> = f
        .doc(course_id)
        .instances
        .iter()
        .filter(|i| {
            let place = (filter.municipalities.is_empty() && filter.regions.is_empty())
                || i.municipality
                    .as_ref()
                    .is_some_and(|m| filter.municipalities.contains(m))
                || i.region
                    .as_ref()
                    .is_some_and(|r| filter.regions.contains(r));
            let mode = filter.teaching_modes.is_empty()
                || filter
                    .teaching_modes
                    .iter()
                    .any(|m| i.modes.contains(&m.code().to_string()));
            let time = filter.times_of_day.is_empty()
                || filter
                    .times_of_day
                    .iter()
                    .any(|t| i.times_of_day.contains(&t.code().to_string()));
            let language = filter.languages.is_empty()
                || filter.languages.iter().any(|l| i.languages.contains(l));
            let free = !filter.free_only || i.price_cents == Some(0);
            let funding = filter.funding_categories.is_empty()
                || filter
                    .funding_categories
                    .iter()
                    .any(|c| i.funding.as_deref() == Some(c.code()));
            let after = filter
                .starts_after
                .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s >= d));
            let before = filter
                .starts_before
                .is_none_or(|d| i.flexible_start || i.start_date.is_some_and(|s| s <= d));
            let open = filter
                .application_open
                .is_none_or(|o| i.open_on(reference_day()) == o);
            place && mode && time && language && free && funding && after && before && open
        })
        .map(|i| i.id)
        .collect();
    out.sort();
    out
}

/// The filter a click on `value` of `facet` gives: the facet's own
/// condition (and its group's: a place is a municipality or a region)
/// replaced by the value. None where no filter selects the value.
fn clicked(base: &CourseFilter, facet: Facet, value: &str) -> Option<CourseFilter> {
    let mut f = base.clone();
    match facet {
        Facet::Municipality => {
            f.regions.clear();
            f.municipalities = vec![value.into()];
        }
        Facet::Region => {
            f.municipalities.clear();
            f.regions = vec![value.into()];
        }
        Facet::FieldOfEducation => f.fields_of_education = vec![value.into()],
        Facet::EducationType => f.education_types = vec![EducationType::parse(value)?],
        Facet::TeachingMode => f.teaching_modes = vec![TeachingMode::parse(value)?],
        Facet::Language => f.languages = vec![value.into()],
        Facet::Provider => f.providers = vec![value.parse().ok()?],
        Facet::FundingCategory => f.funding_categories = vec![FundingCategory::parse(value)?],
        Facet::TimeOfDay => f.times_of_day = vec![TimeOfDay::parse(value)?],
        Facet::Free => {
            if value != "true" {
                return None;
            }
            f.free_only = true;
        }
        Facet::ApplicationOpen => f.application_open = Some(value == "true"),
        Facet::Audience => f.audiences = vec![Audience::parse(value)?],
    }
    Some(f)
}

async fn facets_count_what_a_click_would_give(engine: &Arc<dyn SearchEngine>, f: &Fixture) {
    let every_municipality: BTreeSet<String> = f
        .docs
        .iter()
        .flat_map(|d| d.instances.iter().filter_map(|i| i.municipality.clone()))
        .collect();
    for (label, filter) in filters(f).into_iter().step_by(2) {
        let result = search(
            engine,
            &SearchRequest {
                facets: ALL_FACETS.to_vec(),
                ..request("", filter.clone())
            },
        )
        .await;
        assert_eq!(result.facets.len(), ALL_FACETS.len(), "{label}");
        for counts in &result.facets {
            let values: BTreeMap<&str, u64> = counts
                .values
                .iter()
                .map(|(v, n)| (v.as_str(), *n))
                .collect();
            assert_eq!(
                values.len(),
                counts.values.len(),
                "{label}: values are unique"
            );
            for (value, count) in &values {
                let Some(click) = clicked(&filter, counts.facet, value) else {
                    continue;
                };
                let listed = f.listed(&click).await.len() as u64;
                assert_eq!(
                    *count, listed,
                    "{label}: {:?} = {value} counts what the listing gives",
                    counts.facet
                );
            }
            if counts.facet == Facet::Municipality {
                for m in &every_municipality {
                    assert!(
                        values.contains_key(m.as_str()),
                        "{label}: {m} is kept at zero"
                    );
                }
            }
            if matches!(counts.facet, Facet::Free | Facet::ApplicationOpen) {
                assert!(values.contains_key("true") && values.contains_key("false"));
            }
        }
    }

    // With a query too: a count is what a click on the value would find.
    let filter = CourseFilter {
        regions: vec!["08".into()],
        ..CourseFilter::default()
    };
    let result = search(
        engine,
        &SearchRequest {
            facets: vec![Facet::Municipality, Facet::TimeOfDay, Facet::Provider],
            ..request("englanti", filter.clone())
        },
    )
    .await;
    for counts in &result.facets {
        for (value, count) in &counts.values {
            let click = clicked(&filter, counts.facet, value).unwrap();
            let found = search(engine, &request("englanti", click)).await;
            assert_eq!(
                *count,
                found.hits.len() as u64,
                "englanti: {:?} = {value}",
                counts.facet
            );
        }
    }
}

async fn pages_and_orders_hold_together(engine: &Arc<dyn SearchEngine>, f: &Fixture) {
    let kotka = CourseFilter {
        municipalities: vec!["285".into()],
        ..CourseFilter::default()
    };
    let evenings = CourseFilter {
        times_of_day: vec![TimeOfDay::Evening],
        ..kotka.clone()
    };
    for (label, query, filter, order) in [
        ("by name", "", CourseFilter::default(), SearchOrder::Name),
        (
            "by relevance",
            "kurssi",
            CourseFilter::default(),
            SearchOrder::Relevance,
        ),
        (
            "by start in Kotka",
            "",
            kotka.clone(),
            SearchOrder::StartDate,
        ),
        ("evenings by name", "", evenings.clone(), SearchOrder::Name),
        (
            "evenings by start",
            "",
            evenings.clone(),
            SearchOrder::StartDate,
        ),
    ] {
        let whole = search(
            engine,
            &SearchRequest {
                order,
                ..request(query, filter.clone())
            },
        )
        .await;
        let mut paged = Vec::new();
        for page in 0.. {
            let part = search(
                engine,
                &SearchRequest {
                    order,
                    offset: page * 25,
                    limit: 25,
                    ..request(query, filter.clone())
                },
            )
            .await;
            assert_eq!(part.total, whole.total, "{label}: the total of every page");
            if part.hits.is_empty() {
                break;
            }
            paged.extend(part.hits.iter().map(|h| h.course_id));
        }
        let whole_ids: Vec<i32> = whole.hits.iter().map(|h| h.course_id).collect();
        assert_eq!(paged, whole_ids, "{label}: pages make up the whole list");

        match order {
            SearchOrder::Name => {
                let names: Vec<&str> = whole_ids
                    .iter()
                    .map(|id| f.doc(*id).name_sort.as_str())
                    .collect();
                assert!(names.windows(2).all(|w| w[0] <= w[1]), "{label}: {names:?}");
            }
            SearchOrder::StartDate => {
                // The earliest start of a matching instance; none last.
                let starts: Vec<Option<NaiveDate>> = whole
                    .hits
                    .iter()
                    .map(|h| {
                        f.doc(h.course_id)
                            .instances
                            .iter()
                            .filter(|i| h.instance_ids.contains(&i.id))
                            .filter_map(|i| i.start_date)
                            .min()
                    })
                    .collect();
                assert!(
                    starts.windows(2).all(|w| match (w[0], w[1]) {
                        (Some(a), Some(b)) => a <= b,
                        (None, Some(_)) => false,
                        _ => true,
                    }),
                    "{label}: {starts:?}"
                );
            }
            SearchOrder::Relevance => {}
        }
    }
}

async fn hits_carry_highlights(engine: &Arc<dyn SearchEngine>, f: &Fixture) {
    let result = search(engine, &request("lähihoitaja", CourseFilter::default())).await;
    let hit = result
        .hits
        .iter()
        .find(|h| f.external[&h.course_id] == "urn:kymi:course:ekami:1")
        .unwrap();
    let name = hit.name_highlight.as_deref().unwrap();
    assert!(name.to_lowercase().contains("<mark>lähihoitaja"), "{name}");
    assert!(hit.description_snippet.is_some());
    let hostile = search(engine, &request("<script>", CourseFilter::default())).await;
    for hit in hostile.hits {
        for text in [hit.name_highlight, hit.description_snippet]
            .into_iter()
            .flatten()
        {
            assert!(!text.contains("<script"), "highlights are escaped: {text}");
        }
    }
}

async fn changes_take_effect(engine: &Arc<dyn SearchEngine>, f: &Fixture) {
    let first = f.docs[0].clone();
    let mut renamed = first.clone();
    renamed.name = Localized::fi("Zyxwvu-ainutlaatuinen kurssi");
    renamed.name_sort = "zyxwvu-ainutlaatuinen kurssi".into();
    engine
        .apply(vec![IndexChange::Upsert(Box::new(renamed.clone()))])
        .await
        .unwrap();
    let found = search(engine, &request("zyxwvu", CourseFilter::default())).await;
    assert_eq!(f.ids(&found.hits), vec![first.external_id.clone()]);
    // The order by name follows the new name, browsing and ranking alike.
    for query in ["", "kurssi"] {
        let mut by_name = request(query, CourseFilter::default());
        by_name.order = SearchOrder::Name;
        let listed = search(engine, &by_name).await;
        assert!(listed.hits.iter().any(|h| h.course_id == first.course_id));
        let names: Vec<&str> = listed
            .hits
            .iter()
            .map(|h| match h.course_id == first.course_id {
                true => renamed.name_sort.as_str(),
                false => f.doc(h.course_id).name_sort.as_str(),
            })
            .collect();
        assert!(
            names.windows(2).all(|w| w[0] <= w[1]),
            "{query:?}: the renamed course sorts by its new name: {names:?}"
        );
    }
    engine
        .apply(vec![IndexChange::Delete(first.course_id)])
        .await
        .unwrap();
    assert_eq!(engine.count().await.unwrap(), f.docs.len() as u64 - 1);
    let gone = search(engine, &request("zyxwvu", CourseFilter::default())).await;
    assert!(gone.hits.is_empty());
    engine
        .apply(vec![IndexChange::Upsert(Box::new(first))])
        .await
        .unwrap();
    assert_eq!(engine.count().await.unwrap(), f.docs.len() as u64);
}

/// A course that leaves the published catalogue leaves search and
/// suggestions once the outbox is applied, and comes back when published.
async fn unpublished_courses_are_neither_found_nor_suggested(
    engine: &Arc<dyn SearchEngine>,
    f: &Fixture,
) {
    let service = SearchService::new(engine.clone(), f.app.store.clone());
    let nurse = f
        .docs
        .iter()
        .find(|d| d.external_id == "urn:kymi:course:ekami:1")
        .unwrap();
    let findable =
        |result: &SearchResult| result.hits.iter().any(|h| h.course_id == nurse.course_id);
    let suggested = |list: &[tarjotin_api::search::Suggestion]| {
        list.iter().any(|s| s.course_id == Some(nurse.course_id))
    };
    let name = nurse.display_name(Lang::Fi);
    let prefix: String = name.chars().take(12).collect();
    assert!(findable(
        &search(engine, &request("lähihoitaja", CourseFilter::default())).await
    ));
    assert!(suggested(
        &engine.suggest(&prefix, Lang::Fi, 50).await.unwrap()
    ));
    for (state, visible) in [
        (PublicationState::Draft, false),
        (PublicationState::Published, true),
    ] {
        f.app
            .store
            .set_course_state(nurse.course_id, state, &WriteOptions::cli())
            .await
            .unwrap();
        service.drain().await.unwrap();
        let found = search(engine, &request("lähihoitaja", CourseFilter::default())).await;
        assert_eq!(findable(&found), visible, "{state:?}: search");
        let suggestions = engine.suggest(&prefix, Lang::Fi, 50).await.unwrap();
        assert_eq!(suggested(&suggestions), visible, "{state:?}: suggestions");
    }
}

async fn suggestions_complete_as_you_type(engine: &Arc<dyn SearchEngine>) {
    for prefix in ["lähih", "lahihoit", "lähihoitja"] {
        let suggestions = engine.suggest(prefix, Lang::Fi, 10).await.unwrap();
        assert!(
            suggestions.iter().any(|s| s.kind == SuggestionKind::Course
                && s.course_id.is_some()
                && s.text.to_lowercase().contains("lähihoitaja")),
            "{prefix}: {suggestions:?}"
        );
        assert!(suggestions.len() <= 10);
    }
    let places = engine.suggest("kouvo", Lang::Fi, 10).await.unwrap();
    assert!(
        places
            .iter()
            .any(|s| s.kind == SuggestionKind::Municipality && s.text == "Kouvola"),
        "{places:?}"
    );
    assert!(engine.suggest("  ", Lang::Fi, 10).await.unwrap().is_empty());
}

async fn hostile_queries_are_just_words(engine: &Arc<dyn SearchEngine>) {
    for hostile in [
        r#"" OR 1=1 --"#,
        "municipality = 285",
        "\\",
        "a TO b",
        "*",
        "\"\"\"",
        "NOT id EXISTS",
        "'; DROP TABLE course; --",
    ] {
        let mut r = request(hostile, CourseFilter::default());
        r.facets = vec![Facet::Provider, Facet::Municipality];
        r.filter.municipalities = vec![hostile.to_string()];
        let result = search(engine, &r).await;
        assert!(result.hits.is_empty(), "{hostile}: no place has that code");
    }
}

/// Runs the suite against `engine`.
pub async fn suite(engine: Arc<dyn SearchEngine>) {
    let f = Fixture::new().await;
    rebuild_with(engine.as_ref(), f.docs.clone(), &Unwatched)
        .await
        .unwrap();
    assert_eq!(engine.count().await.unwrap(), f.docs.len() as u64);
    finnish_forms_find_their_courses(&engine, &f).await;
    filters_select_what_the_listing_does(&engine, &f).await;
    facets_count_what_a_click_would_give(&engine, &f).await;
    pages_and_orders_hold_together(&engine, &f).await;
    hits_carry_highlights(&engine, &f).await;
    changes_take_effect(&engine, &f).await;
    unpublished_courses_are_neither_found_nor_suggested(&engine, &f).await;
    suggestions_complete_as_you_type(&engine).await;
    hostile_queries_are_just_words(&engine).await;
    f.app.finish().await;
}

#[tokio::test]
async fn the_embedded_engine_passes_the_conformance_suite() {
    suite(Arc::new(
        tarjotin_api::search::embedded::EmbeddedEngine::new(),
    ))
    .await;
}

#[tokio::test]
async fn meilisearch_passes_the_conformance_suite() {
    let Some(meili) = super::meili::TestMeili::connect("conformance").await else {
        return;
    };
    suite(meili.engine.clone()).await;
    meili.finish().await;
}

/// The embedded index compacts itself under churn: after thousands of
/// updates of the same courses it holds about as many slots as courses, and
/// searches, facets and suggestions answer as they did before the churn.
#[tokio::test]
async fn the_embedded_index_compacts_under_churn_and_answers_the_same() {
    let f = Fixture::new().await;
    let embedded = Arc::new(tarjotin_api::search::embedded::EmbeddedEngine::new());
    let engine: Arc<dyn SearchEngine> = embedded.clone();
    engine
        .apply(
            f.docs
                .iter()
                .cloned()
                .map(|d| IndexChange::Upsert(Box::new(d)))
                .collect(),
        )
        .await
        .unwrap();
    let probe = |engine: Arc<dyn SearchEngine>| async move {
        let mut seen = Vec::new();
        for query in ["lähihoitaja", "koulutus", "englanti", "kotka", ""] {
            let mut r = request(query, CourseFilter::default());
            r.facets = vec![Facet::Municipality, Facet::Language, Facet::Provider];
            r.limit = 20;
            let result = search(&engine, &r).await;
            let hits: Vec<i32> = result.hits.iter().map(|h| h.course_id).collect();
            seen.push(format!(
                "{query}: {} {hits:?} {:?}",
                result.total, result.facets
            ));
        }
        let suggested: Vec<String> = engine
            .suggest("lähi", Lang::Fi, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect();
        seen.push(format!("{suggested:?}"));
        seen
    };
    let before = probe(engine.clone()).await;
    let rounds = 12;
    for round in 0..rounds {
        let churned: Vec<IndexChange> = f
            .docs
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.keywords.push(format!("vaihtuva{round}"));
                IndexChange::Upsert(Box::new(d))
            })
            .collect();
        engine.apply(churned).await.unwrap();
    }
    engine
        .apply(
            f.docs
                .iter()
                .cloned()
                .map(|d| IndexChange::Upsert(Box::new(d)))
                .collect(),
        )
        .await
        .unwrap();
    let (slots, dead) = embedded.slots();
    let updates = f.docs.len() * (rounds + 1);
    println!(
        "{updates} updates of {} courses: {slots} slots, {dead} dead",
        f.docs.len()
    );
    assert!(
        slots
            <= 3 * f
                .docs
                .len()
                .max(tarjotin_api::search::embedded::COMPACT_MIN_DEAD),
        "compacted: {slots} slots for {} courses after {updates} updates",
        f.docs.len()
    );
    assert!(slots < updates, "{slots} slots after {updates} updates");
    assert_eq!(engine.count().await.unwrap(), f.docs.len() as u64);
    let after = probe(engine.clone()).await;
    assert_eq!(before, after);
    let stale = search(&engine, &request("vaihtuva3", CourseFilter::default())).await;
    assert!(stale.hits.is_empty());
}
