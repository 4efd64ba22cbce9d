//! The authorisation matrix: every role × every operation × the caller's
//! own organisation and another one, each cell asserted. A refused write is
//! FORBIDDEN (NOT_FOUND for another organisation's record, as for one that
//! does not exist) and leaves the database, the change log and the search
//! outbox as they were.

use serde_json::{json, Value};
use tarjotin_api::domain::{Caller, Role};

use super::fixture::{codes, course, course_id, course_input, footprint, load, OTHER, OWN};
use crate::harness::{Backend, TestApp};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Partner,
    Admin,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rule {
    /// Partners write their own organisation's data; admins everything.
    Scoped,
    /// Administrators only.
    AdminOnly,
    /// A read: drafts are visible to their owner and admins.
    ReadDraft,
}

type Build = fn(&str) -> (String, Value);

fn ops() -> Vec<(&'static str, Rule, Build)> {
    vec![
        ("upsertCourses", Rule::Scoped, |org| {
            let mut input = course_input(org, &course_id(org, "a"));
            input["name"]["fi"] = json!("Muutettu nimi");
            ("mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { outcome userErrors { code field } } } }".into(), json!({"i": [input]}))
        }),
        ("upsertCourseInstances", Rule::Scoped, |org| {
            ("mutation($c: ID!) { upsertCourseInstances(course: $c, input: [{externalId: \"new-instance\", municipality: \"286\", startDate: \"2027-04-01\"}]) { outcome userErrors { code field } } }".replace("new-instance", &format!("{org}:new-instance")),
             json!({"c": course_id(org, "b")}))
        }),
        ("unpublishCourse", Rule::Scoped, |org| {
            (
                "mutation($c: ID!) { unpublishCourse(id: $c) { outcome userErrors { code } } }"
                    .into(),
                json!({"c": course_id(org, "c")}),
            )
        }),
        ("publishCourse", Rule::Scoped, |org| {
            (
                "mutation($c: ID!) { publishCourse(id: $c) { outcome userErrors { code } } }"
                    .into(),
                json!({"c": course_id(org, "draft")}),
            )
        }),
        ("archiveCourse", Rule::Scoped, |org| {
            (
                "mutation($c: ID!) { archiveCourse(id: $c) { outcome userErrors { code } } }"
                    .into(),
                json!({"c": course_id(org, "d")}),
            )
        }),
        ("deleteCourseInstance", Rule::Scoped, |org| {
            ("mutation($i: ID!) { deleteCourseInstance(id: $i) { outcome userErrors { code } } }".into(), json!({"i": format!("{}:i1", course_id(org, "e"))}))
        }),
        ("deleteCourse", Rule::Scoped, |org| {
            (
                "mutation($c: ID!) { deleteCourse(id: $c) { deletedId userErrors { code } } }"
                    .into(),
                json!({"c": course_id(org, "f")}),
            )
        }),
        ("upsertGuidanceService", Rule::Scoped, |org| {
            ("mutation($i: GuidanceServiceInput!) { upsertGuidanceService(input: $i) { outcome userErrors { code field } } }".into(),
             json!({"i": {"externalId": format!("{org}:service"), "provider": org, "name": {"fi": "Ohjaus"}, "state": "PUBLISHED", "areaServed": ["285"],
                          "channels": [{"kind": "PHONE", "phone": "+358 5 000 2200"}]}}))
        }),
        ("upsertLocation", Rule::Scoped, |org| {
            ("mutation($i: LocationInput!) { upsertLocation(input: $i) { outcome userErrors { code field } } }".into(),
             json!({"i": {"externalId": format!("{org}:place:new"), "organisation": org, "name": {"fi": "Uusi toimipiste"}, "address": {"locality": "Kouvola"}}}))
        }),
        ("importFeed", Rule::Scoped, |org| {
            let mut line = course(org, "imported");
            line["name"] = json!("Tuotu kurssi");
            ("mutation($d: String!) { importFeed(format: SCHEMA_ORG_JSONLD, data: $d) { courses { created rejected } rejections { errors { code } } } }".into(),
             json!({"d": line.to_string()}))
        }),
        ("upsertOrganisation", Rule::AdminOnly, |org| {
            ("mutation($i: OrganisationInput!) { upsertOrganisation(input: $i) { outcome userErrors { code field } } }".into(),
             json!({"i": {"externalId": org, "kind": "OTHER", "name": {"fi": "Uusi nimi"}, "address": {"locality": "Kotka"}}}))
        }),
        ("createApiKey", Rule::AdminOnly, |org| {
            ("mutation($o: ID!) { createApiKey(input: {name: \"made-in-matrix\", role: PARTNER, organisation: $o}) { key userErrors { code } } }".into(), json!({"o": org}))
        }),
        ("revokeApiKey", Rule::AdminOnly, |org| {
            ("mutation($k: ID!) { revokeApiKey(id: $k) { apiKey { revokedAt } userErrors { code } } }".into(), json!({"k": format!("victim-{org}")}))
        }),
        ("auditLog", Rule::AdminOnly, |_| {
            (
                "{ auditLog(first: 5) { edges { node { actor } } } }".into(),
                json!({}),
            )
        }),
        ("apiKeys", Rule::AdminOnly, |_| {
            ("{ apiKeys { name } }".into(), json!({}))
        }),
        ("read a draft", Rule::ReadDraft, |org| {
            (
                "query($c: String!) { courseByExternalId(externalId: $c) { state } }".into(),
                json!({"c": course_id(org, "draft")}),
            )
        }),
    ]
}

fn allowed(who: Who, rule: Rule, own: bool) -> bool {
    match (who, rule) {
        (Who::Admin, _) => true,
        (Who::Partner, Rule::Scoped | Rule::ReadDraft) => own,
        _ => false,
    }
}

async fn app_for(backend: &Backend, who: Who) -> (TestApp, Caller) {
    let app = TestApp::new(backend).await;
    load(&app).await;
    for org in [OWN, OTHER] {
        // A key for revokeApiKey to revoke, named after its organisation.
        let admin = Caller::Admin { key_id: 0 };
        let made = app
            .run_as(admin, "mutation($n: String!, $o: ID!) { createApiKey(input: {name: $n, role: PARTNER, organisation: $o}) { userErrors { code } } }", json!({"n": format!("victim-{org}"), "o": org}))
            .await;
        assert!(made["errors"].is_null(), "{made}");
    }
    let caller = match who {
        Who::Anonymous => Caller::Anonymous,
        Who::Partner => app.key(Role::Partner, Some(OWN)).await.1,
        Who::Admin => app.key(Role::Admin, None).await.1,
    };
    (app, caller)
}

#[tokio::test]
async fn every_role_may_do_exactly_what_its_scope_allows_and_a_refusal_changes_nothing() {
    let ops = ops();
    let mut cells = 0;
    for backend in Backend::all() {
        for who in [Who::Anonymous, Who::Partner, Who::Admin] {
            for (target, own) in [(OWN, true), (OTHER, false)] {
                let (app, caller) = app_for(&backend, who).await;
                for (name, rule, build) in &ops {
                    let (query, variables) = build(target);
                    let before = footprint(&app).await;
                    let response = app.run_as(caller, &query, variables).await;
                    let after = footprint(&app).await;
                    let found = codes(&response);
                    let cell = format!(
                        "[{}] {who:?} × {name} × {}",
                        app.backend,
                        if own { "own" } else { "other" }
                    );
                    if rule == &Rule::ReadDraft {
                        let seen = !response["data"]["courseByExternalId"].is_null();
                        assert_eq!(seen, allowed(who, *rule, own), "{cell}: {response}");
                    } else if allowed(who, *rule, own) {
                        assert!(found.is_empty(), "{cell}: expected success, got {response}");
                        if !matches!(*name, "auditLog" | "apiKeys") {
                            assert_ne!(
                                before.0, after.0,
                                "{cell}: the write left no change-log entry"
                            );
                        }
                    } else if who == Who::Partner && *rule == Rule::Scoped {
                        // Another organisation's record is not found, as a
                        // record that does not exist; what is plainly not
                        // the key's to write (another provider) is FORBIDDEN.
                        assert!(
                            found.iter().any(|c| c == "NOT_FOUND" || c == "FORBIDDEN"),
                            "{cell}: expected NOT_FOUND or FORBIDDEN, got {response}"
                        );
                        assert!(
                            !response.to_string().contains("another organisation"),
                            "{cell}: the answer names the owner: {response}"
                        );
                        assert_eq!(before, after, "{cell}: a refused write changed something");
                    } else {
                        assert!(
                            found.iter().any(|c| c == "FORBIDDEN"),
                            "{cell}: expected FORBIDDEN, got {response}"
                        );
                        assert_eq!(before, after, "{cell}: a refused write changed something");
                    }
                    cells += 1;
                }
                app.finish().await;
            }
        }
    }
    let per_backend = 3 * ops.len() * 2;
    println!("authorisation matrix: 3 roles × {} operations × 2 organisations = {per_backend} cells per database, {cells} asserted", ops.len());
    assert_eq!(cells, per_backend * Backend::all().len());
}

#[tokio::test]
async fn another_organisations_record_answers_as_one_that_does_not_exist() {
    for backend in Backend::all() {
        let (app, partner) = app_for(&backend, Who::Partner).await;
        let foreign = course_id(OTHER, "draft");
        let missing = course_id(OWN, "no-such-course");
        let answers = |id: String| {
            let app = app.clone();
            async move {
                let mut seen = Vec::new();
                for (query, variables) in [
                    ("mutation($c: ID!) { publishCourse(id: $c, expectedVersion: 0) { outcome userErrors { code field message } } }", json!({"c": id})),
                    ("mutation($c: ID!) { publishCourse(id: $c, expectedVersion: 7) { outcome userErrors { code field message } } }", json!({"c": id})),
                    ("mutation($c: ID!) { unpublishCourse(id: $c) { outcome userErrors { code field message } } }", json!({"c": id})),
                    ("mutation($c: ID!) { deleteCourse(id: $c) { deletedId userErrors { code field message } } }", json!({"c": id})),
                ] {
                    let response = app.run_as(partner, query, variables).await;
                    assert!(response["errors"].is_null(), "{response}");
                    let data = response["data"].as_object().unwrap().values().next().unwrap().clone();
                    seen.push(data["userErrors"].clone());
                }
                seen
            }
        };
        let of_foreign = answers(foreign.clone()).await;
        let of_missing = answers(missing).await;
        assert_eq!(of_foreign, of_missing, "[{}]", app.backend);
        assert_eq!(of_foreign[0][0]["code"], "NOT_FOUND", "{of_foreign:?}");

        // An upsert under a foreign external id names neither its owner nor
        // its state or version.
        let mut input = course_input(OWN, &foreign);
        input["name"]["fi"] = json!("Kaapattu");
        let response = app
            .run_as(partner, "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { outcome userErrors { code field message } } } }", json!({"i": [input]}))
            .await;
        let text = response.to_string();
        assert!(text.contains("NOT_FOUND"), "{text}");
        assert!(
            !text.contains("another organisation") && !text.contains("version"),
            "{text}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn refused_writes_are_kept_for_administrators_with_actor_key_target_and_code() {
    for backend in Backend::all() {
        let (app, partner) = app_for(&backend, Who::Partner).await;
        let foreign = course_id(OTHER, "draft");
        let missing = course_id(OWN, "no-such-course");
        for (query, variables) in [
            ("mutation($c: ID!) { publishCourse(id: $c, expectedVersion: 0) { outcome userErrors { code } } }", json!({"c": foreign})),
            ("mutation($c: ID!) { deleteCourse(id: $c) { deletedId userErrors { code } } }", json!({"c": missing})),
            ("mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { outcome userErrors { code } } } }", json!({"i": [course_input(OWN, &foreign)]})),
            ("{ auditLog(first: 1) { edges { cursor } } }", json!({})),
        ] {
            app.run_as(partner, query, variables).await;
        }
        // A successful write and a validation error are not refusals for access.
        app.run_as(
            partner,
            "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { outcome } } }",
            json!({"i": [course_input(OWN, &course_id(OWN, "fine"))]}),
        )
        .await;

        let read = "query($f: DeniedWriteFilter) { deniedWrites(first: 50, filter: $f) { edges { node { actor action target code message key { id name } } } } }";
        let refused = app.run_as(partner, read, json!({})).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{refused}"
        );

        let admin = Caller::Admin { key_id: 0 };
        let data = app.data_as(admin, read, json!({})).await;
        let rows: Vec<(String, String, String)> = data["deniedWrites"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let n = &e["node"];
                assert_eq!(
                    n["actor"],
                    format!("key {}", partner.key_id().unwrap()),
                    "{n}"
                );
                (
                    n["action"].as_str().unwrap().to_string(),
                    n["target"].as_str().unwrap_or("").to_string(),
                    n["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected = vec![
            (
                "publishCourse".to_string(),
                foreign.clone(),
                "NOT_FOUND".to_string(),
            ),
            (
                "deleteCourse".to_string(),
                missing.clone(),
                "NOT_FOUND".to_string(),
            ),
            (
                "upsertCourses".to_string(),
                foreign.clone(),
                "NOT_FOUND".to_string(),
            ),
            (
                "auditLog".to_string(),
                String::new(),
                "FORBIDDEN".to_string(),
            ),
            // The partner's own read of the trail.
            (
                "deniedWrites".to_string(),
                String::new(),
                "FORBIDDEN".to_string(),
            ),
        ];
        assert_eq!(rows, expected, "[{}]", app.backend);

        let key = data["deniedWrites"]["edges"][0]["node"]["key"]["id"].clone();
        assert!(key.is_string(), "the key is named: {data}");
        let by_code = app
            .data_as(admin, read, json!({"f": {"code": "FORBIDDEN", "key": key}}))
            .await;
        assert_eq!(
            by_code["deniedWrites"]["edges"].as_array().unwrap().len(),
            2,
            "{by_code}"
        );

        // Retention: entries older than the cut are pruned, newer ones stay.
        let pruned = app
            .store
            .prune_denials(chrono::Utc::now() - chrono::Duration::days(1))
            .await
            .unwrap();
        assert_eq!(pruned, 0);
        let pruned = app
            .store
            .prune_denials(chrono::Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(pruned, 5);
        app.finish().await;
    }
}
