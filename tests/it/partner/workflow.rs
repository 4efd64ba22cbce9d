//! The publication workflow, scheduled publication, and instances that have
//! ended dropping out of `upcoming` by themselves.

use chrono::{TimeZone, Utc};
use serde_json::json;
use tarjotin_api::domain::Role;

use super::fixture::{course_id, course_input, load, OWN};
use crate::harness::on_every_backend;

const MOVE: &str = "mutation($c: ID!) {
  publish: publishCourse(id: $c) { outcome course { state version } userErrors { field code } } }";

async fn state_of(app: &crate::harness::TestApp, id: &str) -> String {
    let admin = tarjotin_api::domain::Caller::Admin { key_id: 0 };
    let data = app
        .data_as(
            admin,
            "query($c: String!) { courseByExternalId(externalId: $c) { state } }",
            json!({"c": id}),
        )
        .await;
    data["courseByExternalId"]["state"]
        .as_str()
        .unwrap_or("GONE")
        .to_string()
}

#[tokio::test]
async fn courses_move_draft_published_archived_and_back_and_other_moves_are_refused() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let id = course_id(OWN, "draft");
        let run = |q: &'static str| {
            let app = app.clone();
            let id = id.clone();
            async move { app.data_as(partner, q, json!({"c": id})).await }
        };
        let archive = "mutation($c: ID!) { m: archiveCourse(id: $c) { outcome userErrors { field code message } } }";
        let unpublish = "mutation($c: ID!) { m: unpublishCourse(id: $c) { outcome userErrors { field code } } }";
        let publish = "mutation($c: ID!) { m: publishCourse(id: $c) { outcome userErrors { field code } } }";
        let refused = run(archive).await;
        assert_eq!(refused["m"]["userErrors"][0]["code"], "INVALID_TRANSITION", "{refused}");
        assert_eq!(refused["m"]["userErrors"][0]["field"], json!(["state"]));
        assert_eq!(state_of(&app, &id).await, "DRAFT");
        assert_eq!(run(publish).await["m"]["outcome"], "UPDATED");
        assert_eq!(run(publish).await["m"]["outcome"], "UNCHANGED", "publishing twice is no change");
        assert_eq!(run(archive).await["m"]["outcome"], "UPDATED");
        let refused = run(publish).await;
        assert_eq!(refused["m"]["userErrors"][0]["code"], "INVALID_TRANSITION");
        assert_eq!(run(unpublish).await["m"]["outcome"], "UPDATED");
        assert_eq!(run(publish).await["m"]["outcome"], "UPDATED");
        assert_eq!(run(unpublish).await["m"]["outcome"], "UPDATED");
        assert_eq!(state_of(&app, &id).await, "DRAFT");
        let _ = MOVE;
    })
    .await;
}

#[tokio::test]
async fn publishing_an_incomplete_draft_names_what_is_missing_and_changes_nothing() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let mut input = course_input(OWN, "urn:test:incomplete");
        input["name"] = json!({"en": "Only English"});
        input.as_object_mut().unwrap().remove("description");
        input["instances"][0].as_object_mut().unwrap().remove("municipality");
        app.data_as(partner, "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { created } }", json!({"i": [input]})).await;
        let data = app
            .data_as(partner, "mutation { publishCourse(id: \"urn:test:incomplete\") { outcome userErrors { field code } } }", json!({}))
            .await;
        let errors = data["publishCourse"]["userErrors"].as_array().unwrap().clone();
        let found: Vec<(String, String)> = errors.iter().map(|e| (e["field"].to_string(), e["code"].as_str().unwrap().to_string())).collect();
        for (field, code) in [
            (json!(["name", "fi"]), "REQUIRED_LANGUAGE"),
            (json!(["description"]), "REQUIRED"),
            (json!(["instances", "0", "location"]), "REQUIRED"),
        ] {
            assert!(found.contains(&(field.to_string(), code.to_string())), "{code} at {field}: {found:?}");
        }
        assert_eq!(state_of(&app, "urn:test:incomplete").await, "DRAFT");
    })
    .await;
}

#[tokio::test]
async fn scheduled_publication_and_archiving_happen_when_their_time_comes() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let mut input = course_input(OWN, "urn:test:scheduled");
        input["publishAt"] = json!("2027-01-10T08:00:00Z");
        input["archiveAt"] = json!("2027-03-01T08:00:00Z");
        app.data_as(partner, "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { created } }", json!({"i": [input]})).await;
        let before = app.store.apply_schedules(Utc.with_ymd_and_hms(2027, 1, 10, 7, 59, 0).unwrap()).await.unwrap();
        assert!(before.published.is_empty());
        assert_eq!(state_of(&app, "urn:test:scheduled").await, "DRAFT");
        let due = app.store.apply_schedules(Utc.with_ymd_and_hms(2027, 1, 10, 8, 0, 0).unwrap()).await.unwrap();
        assert_eq!(due.published, ["urn:test:scheduled"]);
        assert_eq!(state_of(&app, "urn:test:scheduled").await, "PUBLISHED");
        app.search.drain().await.unwrap();
        let found = app.data("{ search(query: \"Uusi kurssi\") { nodes { externalId } } }", json!({})).await;
        assert!(found.to_string().contains("urn:test:scheduled"), "published courses reach search: {found}");
        let later = app.store.apply_schedules(Utc.with_ymd_and_hms(2027, 3, 2, 0, 0, 0).unwrap()).await.unwrap();
        assert_eq!(later.archived, ["urn:test:scheduled"]);
        assert_eq!(state_of(&app, "urn:test:scheduled").await, "ARCHIVED");
        let audit = app
            .data_as(tarjotin_api::domain::Caller::Admin { key_id: 0 }, "{ auditLog(first: 100, filter: {entity: COURSE}) { nodes { actor externalId changedFields } } }", json!({}))
            .await;
        let by_scheduler = audit["auditLog"]["nodes"].as_array().unwrap().iter().filter(|n| n["actor"] == "scheduler").count();
        assert_eq!(by_scheduler, 2, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn ended_instances_drop_out_of_upcoming_and_stay_queryable() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let mut input = course_input(OWN, "urn:test:past");
        input["state"] = json!("PUBLISHED");
        input["instances"][0]["startDate"] = json!("2026-01-05");
        input["instances"][0]["endDate"] = json!("2026-05-01");
        input["instances"][0]["enrolmentPeriods"] = json!([]);
        let done = app.data_as(partner, "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { userErrors { code field } } } }", json!({"i": [input]})).await;
        assert_eq!(done["upsertCourses"]["results"][0]["userErrors"], json!([]), "{done}");
        app.search.drain().await.unwrap();
        let q = "query($u: Boolean) { courses(filter: {upcoming: $u}, first: 100) { nodes { externalId } }
                 search(filter: {upcoming: $u}, first: 100) { nodes { externalId } } }";
        let upcoming = app.data(q, json!({"u": true})).await.to_string();
        let ended = app.data(q, json!({"u": false})).await;
        let all = app.data(q, json!({"u": null})).await.to_string();
        assert!(!upcoming.contains("urn:test:past"), "{upcoming}");
        assert_eq!(ended["courses"]["nodes"], json!([{"externalId": "urn:test:past"}]));
        assert_eq!(ended["search"]["nodes"], json!([{"externalId": "urn:test:past"}]));
        assert!(all.contains("urn:test:past"));
        let node = app.data("{ courseByExternalId(externalId: \"urn:test:past\") { instances { nodes { past } } } }", json!({})).await;
        assert_eq!(node["courseByExternalId"]["instances"]["nodes"][0]["past"], true);
    })
    .await;
}
