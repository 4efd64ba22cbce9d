//! The read API: nodes, lookups, translations, visibility, code sets.

use serde_json::json;
use tarjotin_api::domain::PublicationState;
use tarjotin_api::ingest::{parse_jsonld_line, FeedRecord};
use tarjotin_api::store::CatalogueWriter;

use super::harness::{demo_path, on_every_demo};

#[tokio::test]
async fn the_first_run_query_answers_with_every_published_course() {
    on_every_demo(|app| async move {
        let data = app
            .data(
                "{ courses(first: 5) { totalCount nodes { externalId name provider { externalId } instances(first: 3) { nodes { externalId } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["courses"]["totalCount"], 324);
        let nodes = data["courses"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 5);
        for node in nodes {
            assert!(node["provider"]["externalId"].as_str().unwrap().starts_with("urn:kymi:org:"));
            assert!(!node["instances"]["nodes"].as_array().unwrap().is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn a_node_fetched_by_its_global_id_is_the_same_course() {
    on_every_demo(|app| async move {
        let data = app
            .data(r#"{ courseByExternalId(externalId: "urn:kymi:course:ekami:1") { id externalId } }"#, json!({}))
            .await;
        let id = data["courseByExternalId"]["id"].clone();
        let q = r#"query($id: ID!) {
          node(id: $id) { id ... on Course { externalId } }
          course(id: $id) { externalId instances(first: 1) { nodes { id course { externalId } location { name municipality { code name region { code } } } } } }
          nodes(ids: [$id]) { id }
        }"#;
        let data = app.data(q, json!({"id": id})).await;
        assert_eq!(data["node"]["externalId"], "urn:kymi:course:ekami:1");
        assert_eq!(data["nodes"][0]["id"], id);
        let instance = &data["course"]["instances"]["nodes"][0];
        assert_eq!(instance["course"]["externalId"], "urn:kymi:course:ekami:1");
        assert_eq!(instance["location"]["municipality"]["code"], "285");
        assert_eq!(instance["location"]["municipality"]["region"]["code"], "08");
        let instance_id = instance["id"].clone();
        let data = app.data("query($id: ID!) { node(id: $id) { ... on CourseInstance { externalId } } }", json!({"id": instance_id})).await;
        assert_eq!(data["node"]["externalId"], "urn:kymi:course:ekami:1:instance:1");
        let error = app.error(r#"{ node(id: "bm9wZQ") { id } }"#, json!({})).await;
        assert_eq!(error["extensions"]["code"], "INVALID_ID");
    })
    .await;
}

#[tokio::test]
async fn texts_fall_back_from_the_asked_language_to_finnish_swedish_english() {
    on_every_demo(|app| async move {
        let q = r#"query($id: String!) { courseByExternalId(externalId: $id) {
            fi: name(lang: FI) sv: name(lang: SV) en: name(lang: EN) nameTranslations { language value } } }"#;
        let courses = std::fs::read_to_string(demo_path("courses")).unwrap();
        let fi_only = courses
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|c| c["name"].is_string())
            .unwrap();
        let data = app.data(q, json!({"id": fi_only["@id"]})).await;
        let c = &data["courseByExternalId"];
        assert_eq!(c["sv"], c["fi"]);
        assert_eq!(c["en"], c["fi"]);
        assert_eq!(c["nameTranslations"].as_array().unwrap().len(), 1);

        let data = app.data(q, json!({"id": "urn:kymi:course:ekami:1"})).await;
        let c = &data["courseByExternalId"];
        assert!(c["sv"].as_str().unwrap().starts_with("Grundexamen"));
        assert!(c["en"].as_str().unwrap().starts_with("Vocational Qualification"));
        assert_eq!(c["nameTranslations"].as_array().unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn unpublished_courses_are_hidden_from_anonymous_callers() {
    on_every_demo(|app| async move {
        let line = std::fs::read_to_string(demo_path("courses")).unwrap().lines().next().unwrap().to_string();
        let FeedRecord::Course(mut course) = parse_jsonld_line(&line).unwrap() else {
            panic!("not a course")
        };
        let data = app
            .data(r#"{ courseByExternalId(externalId: "urn:kymi:course:ekami:1") { id instances(first: 1) { nodes { id } } } }"#, json!({}))
            .await;
        let id = data["courseByExternalId"]["id"].clone();
        let instance_id = data["courseByExternalId"]["instances"]["nodes"][0]["id"].clone();
        // Along the workflow: published → archived → draft.
        for state in [PublicationState::Archived, PublicationState::Draft] {
            course.state = state;
            app.store.upsert_course(&course).await.unwrap();
            let data = app
                .data(
                    r#"query($id: ID!, $instance: ID!) {
                      courseByExternalId(externalId: "urn:kymi:course:ekami:1") { id }
                      course(id: $id) { id }
                      node(id: $id) { id }
                      instance: node(id: $instance) { id }
                      courses(filter: {providers: ["urn:kymi:org:ekami"]}, first: 100) { totalCount nodes { externalId } }
                    }"#,
                    json!({"id": id, "instance": instance_id}),
                )
                .await;
            assert!(data["courseByExternalId"].is_null());
            assert!(data["course"].is_null());
            assert!(data["node"].is_null());
            assert!(data["instance"].is_null());
            assert_eq!(data["courses"]["totalCount"], 44, "{state:?}");
            assert!(!data["courses"]["nodes"].to_string().contains("\"urn:kymi:course:ekami:1\""));
        }
    })
    .await;
}

#[tokio::test]
async fn organisations_guidance_services_and_code_sets_are_listed() {
    on_every_demo(|app| async move {
        let data = app
            .data(
                r#"{
                  organisations(first: 100) { totalCount nodes { externalId kind name locations { name municipality { code } } courses(first: 1) { totalCount } } }
                  guidanceServices(first: 100, filter: {municipalities: ["285"], channels: [PHONE]}) {
                    totalCount nodes { name channels { kind phone languages { code } } openingHours { weekdays opens closes } areaServed { code } }
                  }
                  regions { code }
                  municipalities(region: "08") { code name(lang: SV) }
                  fieldsOfEducation(level: 1) { code name(lang: EN) children { code } }
                }"#,
                json!({}),
            )
            .await;
        assert_eq!(data["organisations"]["totalCount"], 16);
        let ekami = data["organisations"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["externalId"] == "urn:kymi:org:ekami")
            .unwrap()
            .clone();
        assert_eq!(ekami["kind"], "VOCATIONAL_COLLEGE");
        assert_eq!(ekami["courses"]["totalCount"], 45);
        assert!(ekami["locations"].as_array().unwrap().len() >= 4);
        let services = &data["guidanceServices"];
        assert!(services["totalCount"].as_u64().unwrap() > 0);
        for s in services["nodes"].as_array().unwrap() {
            assert!(s["areaServed"].to_string().contains("\"285\""));
            assert!(s["channels"].to_string().contains("PHONE"));
        }
        assert_eq!(data["regions"].as_array().unwrap().len(), 19);
        let kymenlaakso = data["municipalities"].as_array().unwrap();
        assert!(kymenlaakso.iter().any(|m| m["code"] == "624" && m["name"] == "Pyttis"));
        assert!(data["fieldsOfEducation"].as_array().unwrap().len() >= 11);
    })
    .await;
}
