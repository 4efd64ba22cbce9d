//! Every rule of the shared validation, through the API, with its exact
//! code and field path. The feed import reports the same codes (see the
//! JSON-LD reader's tests and `sheets`).

use serde_json::{json, Value};
use tarjotin_api::domain::Role;

use super::fixture::{course_id, course_input, load, OWN};
use crate::harness::on_every_backend;

type Change = fn(&mut Value);

fn cases() -> Vec<(&'static str, Change, &'static [&'static str], &'static str)> {
    vec![
        (
            "too many enrolment periods",
            |c| {
                c["instances"][0]["enrolmentPeriods"] =
                    json!(vec![json!({"starts": "2026-12-01"}); 21])
            },
            &["instances", "0", "enrolmentPeriods"],
            "TOO_MANY",
        ),
        (
            "too many teaching modes",
            |c| c["instances"][0]["teachingModes"] = json!(vec!["ONSITE"; 101]),
            &["instances", "0", "teachingModes"],
            "TOO_MANY",
        ),
        (
            "too many audiences",
            |c| c["audiences"] = json!(vec!["ADULTS"; 20_000]),
            &["audiences"],
            "TOO_MANY",
        ),
        (
            "too many fields of education",
            |c| c["fieldsOfEducation"] = json!(vec!["07"; 101]),
            &["fieldsOfEducation"],
            "TOO_MANY",
        ),
        (
            "a control character in the name",
            |c| c["name"]["fi"] = json!("Nimi\u{1}"),
            &["name", "fi"],
            "INVALID_CHARACTER",
        ),
        (
            "end before start",
            |c| c["instances"][0]["endDate"] = json!("2027-01-01"),
            &["instances", "0", "endDate"],
            "END_BEFORE_START",
        ),
        (
            "enrolment after the end",
            |c| c["instances"][0]["enrolmentPeriods"] = json!([{"starts": "2027-06-01"}]),
            &["instances", "0", "enrolmentPeriods", "0", "starts"],
            "ENROLMENT_AFTER_END",
        ),
        (
            "enrolment ends before it starts",
            |c| {
                c["instances"][0]["enrolmentPeriods"] = json!([{"starts": "2026-12-01", "ends": "2026-11-01"}, {"starts": "2026-12-05"}])
            },
            &["instances", "0", "enrolmentPeriods", "0", "ends"],
            "END_BEFORE_START",
        ),
        (
            "negative price",
            |c| c["instances"][0]["price"] = json!(-5.0),
            &["instances", "0", "price"],
            "NEGATIVE_PRICE",
        ),
        (
            "absurd price",
            |c| c["instances"][0]["price"] = json!(5_000_000.0),
            &["instances", "0", "price"],
            "OUT_OF_RANGE",
        ),
        (
            "unknown municipality",
            |c| c["instances"][0]["municipality"] = json!("999"),
            &["instances", "0", "municipality"],
            "UNKNOWN_MUNICIPALITY",
        ),
        (
            "unknown location",
            |c| c["instances"][0]["location"] = json!("urn:nowhere"),
            &["instances", "0", "location"],
            "NOT_FOUND",
        ),
        (
            "unknown field",
            |c| c["fieldsOfEducation"] = json!(["09", "77"]),
            &["fieldsOfEducation", "1"],
            "UNKNOWN_CODE",
        ),
        (
            "unknown course language",
            |c| c["languages"] = json!(["xx"]),
            &["languages", "0"],
            "UNKNOWN_CODE",
        ),
        (
            "unknown instance language",
            |c| c["instances"][0]["languages"] = json!(["fi", "qq"]),
            &["instances", "0", "languages", "1"],
            "UNKNOWN_CODE",
        ),
        (
            "not an http url",
            |c| c["url"] = json!("javascript:alert(1)"),
            &["url"],
            "INVALID_URL",
        ),
        (
            "bad enrolment url",
            |c| c["instances"][0]["enrolmentUrl"] = json!("ftp://x.fi"),
            &["instances", "0", "enrolmentUrl"],
            "INVALID_URL",
        ),
        (
            "bad online url",
            |c| c["instances"][0]["onlineUrl"] = json!("verkossa"),
            &["instances", "0", "onlineUrl"],
            "INVALID_URL",
        ),
        (
            "name too long",
            |c| c["name"]["fi"] = json!("x".repeat(301)),
            &["name", "fi"],
            "TOO_LONG",
        ),
        (
            "description too long",
            |c| c["description"]["sv"] = json!("x".repeat(20_001)),
            &["description", "sv"],
            "TOO_LONG",
        ),
        (
            "too many keywords",
            |c| c["keywords"] = json!((0..51).map(|i| format!("k{i}")).collect::<Vec<_>>()),
            &["keywords"],
            "TOO_MANY",
        ),
        (
            "too many instances",
            |c| {
                let one = c["instances"][0].clone();
                c["instances"] = Value::Array(
                    (0..201)
                        .map(|i| {
                            let mut x = one.clone();
                            x["externalId"] = json!(format!("i{i}"));
                            x
                        })
                        .collect(),
                );
            },
            &["instances"],
            "TOO_MANY",
        ),
        (
            "duplicate instance ids",
            |c| {
                let one = c["instances"][0].clone();
                c["instances"] = json!([one.clone(), one]);
            },
            &["instances", "1", "externalId"],
            "DUPLICATE_ID",
        ),
        (
            "blank external id",
            |c| c["externalId"] = json!("  "),
            &["externalId"],
            "REQUIRED",
        ),
        (
            "lesson ends before it starts",
            |c| c["instances"][0]["schedule"] = json!({"startTime": "18:00", "endTime": "17:00"}),
            &["instances", "0", "schedule", "endTime"],
            "INVALID_TIME",
        ),
        (
            "not a time",
            |c| c["instances"][0]["schedule"] = json!({"startTime": "25:99"}),
            &["instances", "0", "schedule", "startTime"],
            "INVALID_TIME",
        ),
        (
            "not a duration",
            |c| c["duration"] = json!("3 years"),
            &["duration"],
            "INVALID_DURATION",
        ),
        (
            "negative capacity",
            |c| c["instances"][0]["capacity"] = json!(-1),
            &["instances", "0", "capacity"],
            "OUT_OF_RANGE",
        ),
        (
            "negative credits",
            |c| c["credits"] = json!({"value": -3.0, "unit": "OP"}),
            &["credits", "value"],
            "OUT_OF_RANGE",
        ),
        (
            "unknown provider",
            |c| c["provider"] = json!("urn:nobody"),
            &["provider"],
            "UNKNOWN_ORGANISATION",
        ),
        (
            "archive before publish",
            |c| {
                c["publishAt"] = json!("2027-01-02T10:00:00Z");
                c["archiveAt"] = json!("2027-01-01T10:00:00Z");
            },
            &["archiveAt"],
            "END_BEFORE_START",
        ),
        (
            "published without Finnish",
            |c| {
                c["state"] = json!("PUBLISHED");
                c["name"] = json!({"sv": "Kurs"});
            },
            &["name", "fi"],
            "REQUIRED_LANGUAGE",
        ),
        (
            "published without a description",
            |c| {
                c["state"] = json!("PUBLISHED");
                c.as_object_mut().unwrap().remove("description");
            },
            &["description"],
            "REQUIRED",
        ),
        (
            "published without a place",
            |c| {
                c["state"] = json!("PUBLISHED");
                c["instances"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("municipality");
            },
            &["instances", "0", "location"],
            "REQUIRED",
        ),
    ]
}

const UPSERT: &str = "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { outcome userErrors { field code message } } } }";

#[tokio::test]
async fn each_rule_reports_its_code_at_the_field_it_is_about() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let cases = cases();
        for (what, change, field, code) in &cases {
            let mut input = course_input(OWN, "urn:test:rules");
            change(&mut input);
            let data = app.data_as(partner, UPSERT, json!({"i": [input]})).await;
            let result = &data["upsertCourses"]["results"][0];
            assert_eq!(result["outcome"], "REJECTED", "{what}: {result}");
            let mut expected = vec!["input".to_string(), "0".to_string()];
            expected.extend(field.iter().map(|s| s.to_string()));
            let errors = result["userErrors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["code"] == *code && e["field"] == json!(expected)),
                "[{}] {what}: expected {code} at {expected:?}, got {errors:?}",
                app.backend
            );
        }
        println!(
            "[{}] {} rules checked through the API",
            app.backend,
            cases.len()
        );
        // Drafts may be incomplete: the same bare course is fine as a draft.
        let mut draft = course_input(OWN, "urn:test:rules:draft");
        draft.as_object_mut().unwrap().remove("description");
        draft["name"] = json!({"sv": "Kurs"});
        let data = app.data_as(partner, UPSERT, json!({"i": [draft]})).await;
        assert_eq!(
            data["upsertCourses"]["results"][0]["outcome"], "CREATED",
            "{data}"
        );
    })
    .await;
}

#[tokio::test]
async fn services_locations_and_organisations_follow_the_same_rules() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let (_, admin) = app.key(Role::Admin, None).await;
        let service = app.data_as(partner, "mutation($i: GuidanceServiceInput!) { upsertGuidanceService(input: $i) { userErrors { field code } } }",
            json!({"i": {"externalId": "urn:s", "provider": OWN, "name": {"fi": "Ohjaus"},
                         "channels": [{"kind": "PHONE", "phone": "soita minulle"}, {"kind": "EMAIL", "email": "ei osoite"}],
                         "openingHours": [{"weekdays": ["MONDAY"], "opens": "12:00", "closes": "09:00"}], "areaServed": ["285", "000"]}})).await;
        let errors = &service["upsertGuidanceService"]["userErrors"];
        for (field, code) in [
            (json!(["input", "channels", "0", "phone"]), "INVALID_PHONE"),
            (json!(["input", "channels", "1", "email"]), "INVALID_EMAIL"),
            (json!(["input", "openingHours", "0", "closes"]), "INVALID_TIME"),
            (json!(["input", "areaServed", "1"]), "UNKNOWN_MUNICIPALITY"),
        ] {
            assert!(errors.as_array().unwrap().iter().any(|e| e["field"] == field && e["code"] == code), "{code} at {field}: {errors}");
        }
        let place = app.data_as(partner, "mutation($i: LocationInput!) { upsertLocation(input: $i) { userErrors { field code } } }",
            json!({"i": {"externalId": "urn:p", "organisation": OWN, "name": {"fi": "X"}, "address": {"municipality": "Atlantis"}, "coordinates": {"latitude": 99.0, "longitude": 0.0}}})).await;
        assert_eq!(place["upsertLocation"]["userErrors"][0], json!({"field": ["input", "address", "municipality"], "code": "UNKNOWN_MUNICIPALITY"}));
        let org = app.data_as(admin, "mutation($i: OrganisationInput!) { upsertOrganisation(input: $i) { userErrors { field code } } }",
            json!({"i": {"externalId": OWN, "kind": "OTHER", "name": {"fi": "Oma"}, "email": "nope", "phone": "abc"}})).await;
        let errors = &org["upsertOrganisation"]["userErrors"];
        assert!(errors.as_array().unwrap().iter().any(|e| e["code"] == "INVALID_EMAIL" && e["field"] == json!(["input", "email"])), "{errors}");
        assert!(errors.as_array().unwrap().iter().any(|e| e["code"] == "INVALID_PHONE" && e["field"] == json!(["input", "phone"])), "{errors}");
        let _ = course_id(OWN, "a");
    })
    .await;
}
