//! Search through GraphQL on the embedded engine: Finnish forms, facets,
//! autocomplete, highlights, limits, and an index that never loses a write.

use serde_json::{json, Value};
use tarjotin_api::domain::Role;
use tarjotin_api::ingest::{parse_jsonld_line, FeedRecord};
use tarjotin_api::store::CatalogueWriter;

use super::harness::{demo_path, on_every_demo, TestApp};

const SEARCH: &str = r#"query($q: String, $filter: CourseFilter, $facets: [CourseFacet!], $first: Int) {
  search(query: $q, filter: $filter, facets: $facets, first: $first) {
    totalCount totalCountIsEstimate
    nodes { externalId name }
    edges { score highlights { name description } matchedInstances { externalId municipality { code } } }
    facets { facet values { value label count } }
  }
}"#;

async fn search(app: &TestApp, q: &str, filter: Value) -> Value {
    app.data(SEARCH, json!({"q": q, "filter": filter, "first": 100}))
        .await["search"]
        .clone()
}

fn ids(result: &Value) -> Vec<String> {
    result["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["externalId"].as_str().unwrap().to_string())
        .collect()
}

fn first_course() -> tarjotin_api::domain::CourseRecord {
    let line = std::fs::read_to_string(demo_path("courses"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    match parse_jsonld_line(&line).unwrap() {
        FeedRecord::Course(c) => c,
        _ => panic!("not a course"),
    }
}

#[tokio::test]
async fn inflected_forms_compound_parts_and_unaccented_words_find_their_courses() {
    on_every_demo(|app| async move {
        let lahihoitaja = ids(&search(&app, "lähihoitaja", json!(null)).await);
        assert!(lahihoitaja.contains(&"urn:kymi:course:ekami:1".to_string()));
        let inflected = ids(&search(&app, "lähihoitajaksi", json!(null)).await);
        assert!(
            inflected.contains(&"urn:kymi:course:ekami:1".to_string()),
            "{inflected:?}"
        );
        let folded = search(&app, "tyovoimakoulutus", json!(null)).await;
        assert!(folded["totalCount"].as_u64().unwrap() > 0);

        let mut course = first_course();
        course.external_id = "urn:test:course:only-inflected".into();
        course.name = tarjotin_api::domain::Localized::fi("Hakeutumisen tuki");
        course.description = tarjotin_api::domain::Localized::fi("Tule mukaan aikuiskoulutukseen!");
        course.keywords = vec![];
        course.credential = Default::default();
        for (i, instance) in course.instances.iter_mut().enumerate() {
            instance.external_id = format!("urn:test:course:only-inflected:{i}");
        }
        app.store.upsert_course(&course).await.unwrap();
        app.search.drain().await.unwrap();
        let found = ids(&search(
            &app,
            "koulutus",
            json!({"providers": ["urn:kymi:org:ekami"]}),
        )
        .await);
        assert!(found.contains(&"urn:test:course:only-inflected".to_string()));
    })
    .await;
}

#[tokio::test]
async fn hits_carry_highlights_scores_and_the_instances_that_matched() {
    on_every_demo(|app| async move {
        let result = search(&app, "lähihoitaja", json!({"municipalities": ["075"]})).await;
        let edge = &result["edges"][0];
        assert!(
            edge["highlights"]["name"]
                .as_str()
                .unwrap()
                .contains("<mark>"),
            "{edge}"
        );
        assert!(edge["score"].as_f64().unwrap() > 0.0);
        for instance in edge["matchedInstances"].as_array().unwrap() {
            assert_eq!(instance["municipality"]["code"], "075");
        }
        assert_eq!(result["totalCountIsEstimate"], false);
    })
    .await;
}

#[tokio::test]
async fn an_empty_query_browses_with_the_same_filters_as_the_listing() {
    on_every_demo(|app| async move {
        for filter in [
            json!({"municipalities": ["285"]}),
            json!({"timesOfDay": ["EVENING"], "freeOnly": false}),
            json!({"applicationOpen": true}),
        ] {
            let searched = search(&app, "", filter.clone()).await;
            let listed = app
                .data(
                    "query($f: CourseFilter) { courses(filter: $f, first: 1) { totalCount } }",
                    json!({"f": filter}),
                )
                .await;
            assert_eq!(
                searched["totalCount"], listed["courses"]["totalCount"],
                "{filter}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn facets_are_disjunctive_and_keep_zero_counts() {
    on_every_demo(|app| async move {
        let all = app
            .data(SEARCH, json!({"q": null, "facets": ["MUNICIPALITY", "TEACHING_MODE", "FREE"], "first": 1}))
            .await["search"]
            .clone();
        let kotka = app
            .data(
                SEARCH,
                json!({"q": null, "filter": {"municipalities": ["285"], "teachingModes": ["ONLINE"]}, "facets": ["MUNICIPALITY", "TEACHING_MODE"], "first": 1}),
            )
            .await["search"]
            .clone();
        let count = |r: &Value, facet: &str, value: &str| -> u64 {
            r["facets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["facet"] == facet)
                .unwrap()["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["value"] == value)
                .map(|v| v["count"].as_u64().unwrap())
                .unwrap_or(u64::MAX)
        };
        // The municipality facet ignores the municipality filter but applies the mode filter.
        let online_in_kouvola = app
            .data(
                "{ courses(filter: {municipalities: [\"286\"], teachingModes: [ONLINE]}) { totalCount } }",
                json!({}),
            )
            .await["courses"]["totalCount"]
            .as_u64()
            .unwrap();
        assert_eq!(count(&kotka, "MUNICIPALITY", "286"), online_in_kouvola);
        let in_kotka = count(&all, "MUNICIPALITY", "285");
        assert!(in_kotka > 0 && in_kotka != u64::MAX);
        assert_ne!(count(&all, "FREE", "true"), u64::MAX);
        let labels = all["facets"][0]["values"].as_array().unwrap();
        assert!(labels.iter().any(|v| v["label"] == "Kotka"));
        assert!(kotka["facets"][0]["values"].as_array().unwrap().iter().any(|v| v["count"] == 0), "zero counts are kept");
    })
    .await;
}

#[tokio::test]
async fn suggest_offers_courses_keywords_and_places_as_you_type() {
    on_every_demo(|app| async move {
        let data = app
            .data(
                r#"{ suggest(prefix: "lähih") { text kind courseId } }"#,
                json!({}),
            )
            .await;
        let suggestions = data["suggest"].as_array().unwrap();
        assert!(
            suggestions.iter().any(|s| s["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("lähihoitaja")),
            "{data}"
        );
        let data = app
            .data(r#"{ suggest(prefix: "kouvo") { text kind } }"#, json!({}))
            .await;
        assert!(data["suggest"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "MUNICIPALITY" && s["text"] == "Kouvola"));
        let typo = app
            .data(r#"{ suggest(prefix: "lähihoitja") { text } }"#, json!({}))
            .await;
        assert!(
            !typo["suggest"].as_array().unwrap().is_empty(),
            "typo tolerant"
        );
    })
    .await;
}

#[tokio::test]
async fn over_long_queries_and_too_many_words_are_refused() {
    on_every_demo(|app| async move {
        let long = "a".repeat(201);
        let error = app.error(SEARCH, json!({"q": long})).await;
        assert_eq!(error["extensions"]["field"], "query");
        let many = vec!["sana"; 13].join(" ");
        let error = app.error(SEARCH, json!({"q": many})).await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
    })
    .await;
}

#[tokio::test]
async fn the_index_catches_up_after_an_outage_and_equals_the_database() {
    on_every_demo(|app| async move {
        app.engine.set_available(false);
        let mut course = first_course();
        for i in 0..1000 {
            course.keywords = vec![format!("muutos{i}")];
            app.store.upsert_course(&course).await.unwrap();
        }
        assert!(app.search.drain().await.is_err(), "the engine is down");
        let status = app
            .data("{ indexStatus { pendingChanges lastError } }", json!({}))
            .await;
        assert_eq!(status["indexStatus"]["pendingChanges"], 1000);
        assert!(
            status["indexStatus"]["lastError"].is_null(),
            "the engine's error text is for administrators"
        );
        let (_, admin) = app.key(Role::Admin, None).await;
        let status = app
            .data_as(admin, "{ indexStatus { lastError } }", json!({}))
            .await;
        assert!(status["indexStatus"]["lastError"].is_string());
        assert!(ids(&search(&app, "muutos999", json!(null)).await).is_empty());

        app.engine.set_available(true);
        app.search.drain().await.unwrap();
        let status = app
            .data("{ indexStatus { pendingChanges documents } }", json!({}))
            .await;
        assert_eq!(status["indexStatus"]["pendingChanges"], 0);
        let found = ids(&search(&app, "muutos999", json!(null)).await);
        assert_eq!(found, ["urn:kymi:course:ekami:1"]);
        let listed = app.data("{ courses { totalCount } }", json!({})).await;
        assert_eq!(
            status["indexStatus"]["documents"],
            listed["courses"]["totalCount"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_course_unpublished_since_indexing_is_not_shown_before_the_outbox_catches_up() {
    on_every_demo(|app| async move {
        let mut course = first_course();
        course.state = tarjotin_api::domain::PublicationState::Draft;
        app.store.upsert_course(&course).await.unwrap();
        let found = ids(&search(&app, "lähihoitaja", json!(null)).await);
        assert!(!found.contains(&"urn:kymi:course:ekami:1".to_string()));
        app.search.drain().await.unwrap();
        let found = ids(&search(&app, "lähihoitaja", json!(null)).await);
        assert!(!found.contains(&"urn:kymi:course:ekami:1".to_string()));
    })
    .await;
}

#[tokio::test]
async fn a_course_unpublished_since_indexing_is_not_suggested_before_the_outbox_catches_up() {
    on_every_demo(|app| async move {
        let query = r#"{ suggest(prefix: "Sosiaali- ja terveysalan perus", first: 20) { text kind courseId } }"#;
        let before = app.data(query, json!({})).await;
        let nurse = before["suggest"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["text"] == "Sosiaali- ja terveysalan perustutkinto, lähihoitaja (aikuiset, monimuoto)"
            })
            .unwrap_or_else(|| panic!("{before}"))["courseId"]
            .clone();
        let suggested = |data: &Value| {
            data["suggest"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["courseId"] == nurse)
        };
        assert!(suggested(&app.data(query, json!({})).await));
        let mut course = first_course();
        course.state = tarjotin_api::domain::PublicationState::Draft;
        app.store.upsert_course(&course).await.unwrap();
        assert!(
            !suggested(&app.data(query, json!({})).await),
            "not suggested while the index still has it"
        );
    })
    .await;
}

/// An engine whose server cannot be reached.
struct Unreachable;

impl tarjotin_api::search::SearchEngine for Unreachable {
    fn name(&self) -> &'static str {
        "unreachable"
    }
    fn apply(
        &self,
        _: Vec<tarjotin_api::search::IndexChange>,
    ) -> futures_util::future::BoxFuture<'_, Result<(), tarjotin_api::search::SearchError>> {
        Box::pin(async { Err(unreachable()) })
    }
    fn begin_rebuild(
        &self,
    ) -> futures_util::future::BoxFuture<
        '_,
        Result<Box<dyn tarjotin_api::search::IndexBuild>, tarjotin_api::search::SearchError>,
    > {
        Box::pin(async { Err(unreachable()) })
    }
    fn search<'a>(
        &'a self,
        _: &'a tarjotin_api::search::SearchRequest,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<tarjotin_api::search::SearchResult, tarjotin_api::search::SearchError>,
    > {
        Box::pin(async { Err(unreachable()) })
    }
    fn suggest<'a>(
        &'a self,
        _: &'a str,
        _: tarjotin_api::domain::Lang,
        _: usize,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<Vec<tarjotin_api::search::Suggestion>, tarjotin_api::search::SearchError>,
    > {
        Box::pin(async { Err(unreachable()) })
    }
    fn count(
        &self,
    ) -> futures_util::future::BoxFuture<'_, Result<u64, tarjotin_api::search::SearchError>> {
        Box::pin(async { Err(unreachable()) })
    }
}

fn unreachable() -> tarjotin_api::search::SearchError {
    tarjotin_api::search::SearchError::Unavailable("connection refused (127.0.0.1:7700)".into())
}

#[tokio::test]
async fn an_unreachable_engine_is_search_unavailable_and_its_cause_stays_in_the_log() {
    on_every_demo(|app| async move {
        let service = tarjotin_api::search::service::SearchService::new(
            std::sync::Arc::new(Unreachable),
            app.store.clone(),
        );
        let schema = tarjotin_api::graphql::build_schema(
            app.store.clone(),
            service,
            tarjotin_api::graphql::Clock::Fixed(super::harness::reference_day()),
        );
        for document in [
            r#"{ search(query: "englanti") { totalCount } }"#,
            r#"{ suggest(prefix: "engl") { text } }"#,
        ] {
            let response = tarjotin_api::graphql::execute(
                &schema,
                &app.store,
                async_graphql::Request::new(document),
            )
            .await;
            let response = serde_json::to_value(response).unwrap();
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "SEARCH_UNAVAILABLE",
                "{document}"
            );
            assert!(!error["message"].as_str().unwrap().contains("7700"));
        }
        let listed = app.data("{ courses { totalCount } }", json!({})).await;
        assert!(
            listed["courses"]["totalCount"].as_u64().unwrap() > 0,
            "listings still work"
        );
    })
    .await;
}

#[tokio::test]
async fn a_course_the_engine_refuses_is_set_apart_retried_and_becomes_a_dead_letter() {
    on_every_demo(|app| async move {
        let mut bad = first_course();
        let bad_id = app
            .store
            .course_by_external_id(&bad.external_id)
            .await
            .unwrap()
            .unwrap()
            .id;
        app.engine.refuse_courses(&[bad_id]);
        bad.keywords = vec!["zorblaxxi".into()];
        app.store.upsert_course(&bad).await.unwrap();
        // Others in the same batch are applied all the same.
        let lines = std::fs::read_to_string(demo_path("courses")).unwrap();
        let mut good = match parse_jsonld_line(lines.lines().nth(1).unwrap()).unwrap() {
            FeedRecord::Course(c) => c,
            _ => panic!("not a course"),
        };
        good.keywords = vec!["quuxvamppi".into()];
        app.store.upsert_course(&good).await.unwrap();
        app.search.drain().await.unwrap();
        assert!(ids(&search(&app, "quuxvamppi", json!(null)).await).contains(&good.external_id));
        assert!(!ids(&search(&app, "zorblaxxi", json!(null)).await).contains(&bad.external_id));
        let status = app
            .data("{ indexStatus { pendingChanges deadLetters } }", json!({}))
            .await;
        assert_eq!(status["indexStatus"]["pendingChanges"], 1, "{status}");
        assert_eq!(status["indexStatus"]["deadLetters"], 0);

        // Refused again at every try, it becomes a dead letter and blocks
        // nothing.
        for _ in 0..tarjotin_api::store::MAX_ATTEMPTS {
            app.store.retry_refused_now().await.unwrap();
            app.search.drain().await.unwrap();
        }
        let status = app
            .data("{ indexStatus { pendingChanges deadLetters } }", json!({}))
            .await;
        assert_eq!(status["indexStatus"]["pendingChanges"], 0, "{status}");
        assert_eq!(status["indexStatus"]["deadLetters"], 1, "{status}");
        let anonymous = app.run("{ searchDeadLetters { id } }", json!({})).await;
        assert_eq!(
            anonymous["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{anonymous}"
        );
        let (_, admin) = app.key(Role::Admin, None).await;
        let letters = app
            .data_as(
                admin,
                "{ searchDeadLetters { id attempts error } }",
                json!({}),
            )
            .await;
        let letter = &letters["searchDeadLetters"][0];
        assert_eq!(letter["attempts"], tarjotin_api::store::MAX_ATTEMPTS);
        assert!(
            letter["error"].as_str().unwrap().contains("refuses"),
            "{letters}"
        );

        // Once the cause is gone, an administrator sends it back.
        app.engine.refuse_courses(&[]);
        let retried = app
            .data_as(
                admin,
                "mutation($ids: [Int!]) { retrySearchDeadLetters(ids: $ids) { retried } }",
                json!({ "ids": [letter["id"]] }),
            )
            .await;
        assert_eq!(retried["retrySearchDeadLetters"]["retried"], 1);
        app.search.drain().await.unwrap();
        assert!(ids(&search(&app, "zorblaxxi", json!(null)).await).contains(&bad.external_id));
        let status = app
            .data("{ indexStatus { pendingChanges deadLetters } }", json!({}))
            .await;
        assert_eq!(status["indexStatus"]["deadLetters"], 0);
        assert_eq!(status["indexStatus"]["pendingChanges"], 0);
    })
    .await;
}

/// Every facet value goes straight back into its filter and finds the
/// courses the facet counted.
#[tokio::test]
async fn facet_values_pass_back_into_their_filters() {
    super::harness::on_every_demo(|app| async move {
        let facets = [
            ("TEACHING_MODE", "teachingModes"),
            ("EDUCATION_TYPE", "educationTypes"),
            ("FUNDING_CATEGORY", "fundingCategories"),
            ("TIME_OF_DAY", "timesOfDay"),
            ("AUDIENCE", "audiences"),
            ("MUNICIPALITY", "municipalities"),
            ("LANGUAGE", "languages"),
            ("PROVIDER", "providers"),
        ];
        let names: Vec<&str> = facets.iter().map(|(f, _)| *f).collect();
        let data = app
            .data(
                &format!("{{ search(first: 0, facets: [{}]) {{ facets {{ facet values {{ value label count }} }} }} }}", names.join(", ")),
                serde_json::json!({}),
            )
            .await;
        let mut checked = 0;
        for result in data["search"]["facets"].as_array().unwrap() {
            let facet = result["facet"].as_str().unwrap();
            let filter = facets.iter().find(|(f, _)| *f == facet).unwrap().1;
            for value in result["values"].as_array().unwrap().iter().filter(|v| v["count"].as_u64() > Some(0)).take(3) {
                assert!(!value["label"].as_str().unwrap().is_empty(), "{value}");
                let query = "query($f: CourseFilter) { search(first: 0, filter: $f) { totalCount } }";
                let answer = app.run(query, serde_json::json!({ "f": { filter: [value["value"]] } })).await;
                assert!(answer["errors"].is_null(), "{facet} {value}: {answer}");
                assert_eq!(answer["data"]["search"]["totalCount"], value["count"], "{facet} {value}");
                checked += 1;
            }
        }
        assert!(checked >= 15, "{checked} values checked");
    })
    .await;
}
