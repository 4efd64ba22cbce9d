//! The change feed replays every write, deletions included, in order; the
//! audit log says who changed which fields.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tarjotin_api::domain::{Caller, Role};

use super::fixture::{course_id, course_input, load, OWN};
use crate::harness::{on_every_backend, TestApp};

const FEED: &str = "query($since: DateTime!, $after: String) {
  changes(since: $since, first: 7, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { at entity operation nodeId externalId version node { id } } } }";

async fn replay(app: &TestApp, caller: Caller, since: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .data_as(caller, FEED, json!({"since": since, "after": after}))
            .await;
        out.extend(data["changes"]["nodes"].as_array().unwrap().iter().cloned());
        if data["changes"]["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = data["changes"]["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn replaying_the_change_feed_rebuilds_exactly_the_catalogue_deletions_included() {
    on_every_backend(|app| async move {
        let start = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let upsert = "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { rejected } }";
        app.data_as(partner, upsert, json!({"i": [course_input(OWN, "urn:test:feed")]})).await;
        let mut changed = course_input(OWN, &course_id(OWN, "a"));
        changed["name"]["fi"] = json!("Uusi nimi");
        app.data_as(partner, upsert, json!({"i": [changed]})).await;
        app.data_as(partner, "mutation { deleteCourseInstance(id: \"urn:test:feed:i1\") { outcome } }", json!({})).await;
        app.data_as(partner, "mutation($c: ID!) { deleteCourse(id: $c) { deletedId } }", json!({"c": course_id(OWN, "b")})).await;
        let admin = Caller::Admin { key_id: 0 };
        let entries = replay(&app, admin, &start).await;
        let mut ids: Vec<i64> = Vec::new();
        let mut courses: BTreeMap<String, Value> = BTreeMap::new();
        let mut instances: BTreeMap<String, Value> = BTreeMap::new();
        for e in &entries {
            let map = match e["entity"].as_str().unwrap() {
                "COURSE" => &mut courses,
                "COURSE_INSTANCE" => &mut instances,
                _ => continue,
            };
            match e["operation"].as_str().unwrap() {
                "DELETED" => {
                    assert!(e["node"].is_null(), "a tombstone has no node");
                    map.remove(e["externalId"].as_str().unwrap());
                }
                _ => {
                    map.insert(e["externalId"].as_str().unwrap().to_string(), e["version"].clone());
                }
            }
            ids.push(e["at"].as_str().unwrap().len() as i64);
        }
        let ops: Vec<(&str, &str)> = entries.iter().map(|e| (e["operation"].as_str().unwrap(), e["externalId"].as_str().unwrap())).collect();
        assert!(ops.contains(&("DELETED", "urn:test:feed:i1")), "{ops:?}");
        assert!(ops.contains(&("DELETED", course_id(OWN, "b").as_str())), "{ops:?}");
        assert!(ops.contains(&("DELETED", format!("{}:i1", course_id(OWN, "b")).as_str())), "{ops:?}");
        // What the feed says exists is what the catalogue holds, at the same versions.
        let live = app
            .data_as(admin, "{ courses(first: 100) { nodes { externalId version instances(first: 100) { nodes { externalId } } } } }", json!({}))
            .await;
        let mut expected: BTreeMap<String, Value> = BTreeMap::new();
        let mut expected_instances: Vec<String> = Vec::new();
        for c in live["courses"]["nodes"].as_array().unwrap() {
            expected.insert(c["externalId"].as_str().unwrap().to_string(), c["version"].clone());
            for i in c["instances"]["nodes"].as_array().unwrap() {
                expected_instances.push(i["externalId"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(courses, expected);
        let mut replayed: Vec<String> = instances.keys().cloned().collect();
        expected_instances.sort();
        replayed.sort();
        assert_eq!(replayed, expected_instances);
        // Oldest first, and nothing before `since`.
        let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
        let later = app.data_as(admin, FEED, json!({"since": "2999-01-01T00:00:00Z"})).await;
        assert_eq!(later["changes"]["nodes"], json!([]));
        assert!(!times.is_empty());
    })
    .await;
}

#[tokio::test]
async fn anonymous_readers_see_changes_to_public_content_only() {
    on_every_backend(|app| async move {
        load(&app).await;
        let anonymous = replay(&app, Caller::Anonymous, "2000-01-01T00:00:00Z").await;
        let ids: Vec<&str> = anonymous
            .iter()
            .map(|e| e["externalId"].as_str().unwrap())
            .collect();
        assert!(
            !ids.contains(&course_id(OWN, "draft").as_str()),
            "drafts are not public"
        );
        assert!(ids.contains(&course_id(OWN, "a").as_str()));
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let own = replay(&app, partner, "2000-01-01T00:00:00Z").await;
        assert!(own
            .iter()
            .any(|e| e["externalId"] == course_id(OWN, "draft")));
        let bad = app
            .error(
                "{ changes(since: \"2020-01-01T00:00:00Z\", after: \"nope\") { nodes { at } } }",
                json!({}),
            )
            .await;
        assert_eq!(bad["extensions"]["code"], "INVALID_CURSOR");
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_records_who_changed_which_fields() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let mut changed = course_input(OWN, &course_id(OWN, "a"));
        changed["state"] = json!("PUBLISHED");
        changed["name"]["fi"] = json!("Audit");
        app.data_as(partner, "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { rejected } }", json!({"i": [changed]})).await;
        let (_, admin) = app.key(Role::Admin, None).await;
        let key = tarjotin_api::store::ChangeQuery::new(tarjotin_api::domain::Visibility::Everything, 1);
        let _ = key;
        let data = app
            .data_as(admin, "{ auditLog(first: 100, filter: {entity: COURSE, operation: UPDATED}) { nodes { actor key { name role } externalId changedFields version } } }", json!({}))
            .await;
        let entry = data["auditLog"]["nodes"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(entry["externalId"], course_id(OWN, "a"));
        assert_eq!(entry["key"]["role"], "PARTNER");
        assert!(entry["actor"].as_str().unwrap().starts_with("key "));
        let fields = entry["changedFields"].as_array().unwrap();
        assert!(fields.contains(&json!("name.fi")), "{fields:?}");
        assert!(fields.contains(&json!("name.en")), "{fields:?}");
        let refused = app.run_as(partner, "{ auditLog { nodes { actor } } }", json!({})).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    })
    .await;
}
