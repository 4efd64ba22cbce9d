//! A small catalogue of two organisations, each with a few courses, a
//! location and a guidance service, and helpers for the partner tests.

use serde_json::{json, Value};
use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};

use crate::harness::TestApp;

/// The organisation a partner key belongs to.
pub const OWN: &str = "urn:test:org:own";
/// Somebody else's organisation.
pub const OTHER: &str = "urn:test:org:other";

/// A complete course of `org` with one instance.
pub fn course(org: &str, n: &str) -> Value {
    json!({
        "@type": "Course",
        "@id": format!("{org}:course:{n}"),
        "name": [{"@language": "fi", "@value": format!("Kurssi {n}")}],
        "description": "Kuvaus kurssista, joka opettaa taitoja.",
        "provider": {"@id": org},
        "inLanguage": "fi",
        "hasCourseInstance": [{
            "@type": "CourseInstance",
            "@id": format!("{org}:course:{n}:i1"),
            "courseMode": "onsite",
            "startDate": "2027-01-11",
            "endDate": "2027-03-29",
            "location": {"@type": "Place", "@id": format!("{org}:place:main"), "name": "Kampus",
                         "containedInPlace": {"identifier": "285"}},
            "offers": {"price": 40, "priceCurrency": "EUR", "availabilityStarts": "2026-11-01", "availabilityEnds": "2027-01-05"}
        }]
    })
}

fn organisation(id: &str, name: &str) -> Value {
    json!({"@type": "EducationalOrganization", "@id": id, "name": name,
           "address": {"addressLocality": "Kotka"},
           "location": [{"@type": "Place", "@id": format!("{id}:place:main"), "name": "Kampus",
                         "containedInPlace": {"identifier": "285"}}]})
}

fn service(org: &str) -> Value {
    json!({"@type": "Service", "@id": format!("{org}:service"), "name": "Opinto-ohjaus",
           "provider": {"@id": org}, "areaServed": [{"identifier": "285"}],
           "availableChannel": [{"name": "puhelin", "servicePhone": {"telephone": "+358 5 000 1100"}}]})
}

/// The fixture's feed lines.
pub fn feed() -> String {
    let mut lines = vec![
        organisation(OWN, "Oma opisto"),
        organisation(OTHER, "Toinen opisto"),
    ];
    for org in [OWN, OTHER] {
        for n in ["a", "b", "c", "d", "e", "f"] {
            lines.push(course(org, n));
        }
        let mut draft = course(org, "draft");
        draft["creativeWorkStatus"] = json!("draft");
        lines.push(draft);
        lines.push(service(org));
    }
    lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads the fixture into a fresh app.
pub async fn load(app: &TestApp) -> ImportReport {
    let files = [FeedFile {
        path: "fixture.jsonl".into(),
        text: feed(),
    }];
    let mut report = ImportReport::default();
    import(&app.store, &files, &mut report, &Silent)
        .await
        .unwrap();
    assert!(report.rejections.is_empty(), "{report}");
    app.search.drain().await.unwrap();
    report
}

/// The external id of course `n` of `org`.
pub fn course_id(org: &str, n: &str) -> String {
    format!("{org}:course:{n}")
}

/// A minimal valid course input of `org`.
pub fn course_input(org: &str, id: &str) -> Value {
    json!({
        "externalId": id,
        "provider": org,
        "name": {"fi": "Uusi kurssi", "en": "New course"},
        "description": {"fi": "Kuvaus."},
        "languages": ["fi"],
        "instances": [{
            "externalId": format!("{id}:i1"),
            "teachingModes": ["ONSITE"],
            "municipality": "285",
            "startDate": "2027-02-01",
            "endDate": "2027-05-01",
            "price": 25.0,
            "enrolmentPeriods": [{"starts": "2026-12-01", "ends": "2027-01-20"}]
        }]
    })
}

/// The codes of every error of a response, top-level and user errors.
pub fn codes(response: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(response, &mut out);
    out
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(code)) = map.get("extensions").and_then(|e| e.get("code")) {
                out.push(code.clone());
            }
            if let Some(Value::String(code)) = map.get("code") {
                out.push(code.clone());
            }
            for value in map.values() {
                collect(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// How many change-log entries and pending search changes there are: what
/// any write adds to.
pub async fn footprint(app: &TestApp) -> (usize, u64, String) {
    let entries = app
        .store
        .changes(&tarjotin_api::store::ChangeQuery {
            include_keys: true,
            ..tarjotin_api::store::ChangeQuery::new(
                tarjotin_api::domain::Visibility::Everything,
                100_000,
            )
        })
        .await
        .unwrap()
        .len();
    let (pending, _, _) = app.store.outbox_status().await.unwrap();
    let data = app
        .data_as(
            tarjotin_api::domain::Caller::Admin { key_id: 0 },
            "{ courses(first: 100) { nodes { externalId version state instances { nodes { externalId } } } } guidanceServices(first: 100) { nodes { externalId } } }",
            json!({}),
        )
        .await;
    (entries, pending, data.to_string())
}
