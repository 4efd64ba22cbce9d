//! The parser against the real demo feeds and against broken records.

use serde_json::{json, Value};

use super::*;
use crate::domain::{TeachingMode, TimeOfDay};

fn demo(name: &str) -> String {
    let path = format!("{}/../data/demo/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn first_course() -> Value {
    serde_json::from_str(demo("courses").lines().next().unwrap()).unwrap()
}

fn errors_of(value: &Value) -> Vec<FieldError> {
    parse_jsonld_line(&value.to_string()).expect_err("the record should be rejected")
}

fn has(errors: &[FieldError], path: &str, code: &str) -> bool {
    errors.iter().any(|e| e.path == path && e.code == code)
}

#[test]
fn every_record_of_the_demo_feeds_parses() {
    let mut counts = (0, 0, 0, 0);
    for file in ["organizations", "courses", "guidance-services"] {
        for (i, line) in demo(file).lines().enumerate() {
            match parse_jsonld_line(line) {
                Ok(FeedRecord::Organisation(_)) => counts.0 += 1,
                Ok(FeedRecord::Course(c)) => {
                    counts.1 += 1;
                    counts.2 += c.instances.len();
                }
                Ok(FeedRecord::GuidanceService(_)) => counts.3 += 1,
                Err(e) => panic!("{file}:{}: {e:?}", i + 1),
            }
        }
    }
    assert_eq!(counts, (16, 324, 431, 12));
}

#[test]
fn a_blended_instance_has_its_municipality_and_is_online() {
    let Ok(FeedRecord::Course(course)) = parse_jsonld_line(&first_course().to_string()) else {
        panic!("not a course")
    };
    let instance = &course.instances[0];
    assert_eq!(instance.modes, [TeachingMode::Blended]);
    assert_eq!(instance.municipality_code.as_deref(), Some("285"));
    assert!(instance.online);
    assert_eq!(instance.price_cents, Some(0));
    assert_eq!(course.fields_of_education, ["09"]);
    assert_eq!(
        course
            .name
            .sv
            .as_deref()
            .map(|s| s.starts_with("Grundexamen")),
        Some(true)
    );
}

#[test]
fn an_evening_schedule_makes_an_evening_instance() {
    let mut course = first_course();
    course["hasCourseInstance"][0]["courseSchedule"] = json!({"@type": "Schedule", "byDay": "https://schema.org/Tuesday", "startTime": "18:00", "endTime": "19:30"});
    let Ok(FeedRecord::Course(course)) = parse_jsonld_line(&course.to_string()) else {
        panic!("not a course")
    };
    assert_eq!(course.instances[0].times_of_day(), [TimeOfDay::Evening]);
}

#[test]
fn each_broken_field_is_reported_with_its_path_and_code() {
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        (
            "missing name",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("name");
            }),
            "name",
            "REQUIRED",
        ),
        (
            "end before start",
            Box::new(|c| c["hasCourseInstance"][0]["endDate"] = json!("2020-01-01")),
            "hasCourseInstance[0].endDate",
            "END_BEFORE_START",
        ),
        (
            "unknown municipality",
            Box::new(|c| {
                c["hasCourseInstance"][0]["location"][0]["containedInPlace"]["identifier"] =
                    json!("999")
            }),
            "hasCourseInstance[0].location[0].containedInPlace.identifier",
            "UNKNOWN_MUNICIPALITY",
        ),
        (
            "unresolvable place",
            Box::new(|c| {
                c["hasCourseInstance"][0]["location"] = json!({"@type": "Place", "name": "X", "address": {"addressLocality": "Atlantis"}})
            }),
            "hasCourseInstance[0].location",
            "UNKNOWN_MUNICIPALITY",
        ),
        (
            "missing provider",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("provider");
            }),
            "provider",
            "REQUIRED",
        ),
        (
            "bad url",
            Box::new(|c| c["url"] = json!("javascript:alert(1)")),
            "url",
            "INVALID_URL",
        ),
        (
            "negative price",
            Box::new(|c| c["hasCourseInstance"][0]["offers"]["price"] = json!(-1)),
            "hasCourseInstance[0].offers.price",
            "NEGATIVE_PRICE",
        ),
        (
            "wrong currency",
            Box::new(|c| c["hasCourseInstance"][0]["offers"]["priceCurrency"] = json!("USD")),
            "hasCourseInstance[0].offers.priceCurrency",
            "UNSUPPORTED_CURRENCY",
        ),
        (
            "unknown level",
            Box::new(|c| c["educationalLevel"] = json!("tohtori")),
            "educationalLevel",
            "UNKNOWN_CODE",
        ),
        (
            "unknown field",
            Box::new(|c| c["about"][0]["termCode"] = json!("77")),
            "about[0].termCode",
            "UNKNOWN_CODE",
        ),
        (
            "unknown mode",
            Box::new(|c| c["hasCourseInstance"][0]["courseMode"] = json!("telepathy")),
            "hasCourseInstance[0].courseMode",
            "UNKNOWN_CODE",
        ),
        (
            "unknown funding",
            Box::new(|c| c["hasCourseInstance"][0]["offers"]["category"] = json!("lahjoitus")),
            "hasCourseInstance[0].offers.category",
            "UNKNOWN_CODE",
        ),
        (
            "unknown language",
            Box::new(|c| c["inLanguage"] = json!("xx")),
            "inLanguage",
            "UNKNOWN_CODE",
        ),
        (
            "enrolment after end",
            Box::new(|c| {
                c["hasCourseInstance"][0]["offers"]["availabilityStarts"] = json!("2028-01-01");
                c["hasCourseInstance"][0]["offers"]["availabilityEnds"] = json!("2028-02-01");
            }),
            "hasCourseInstance[0].offers.availabilityStarts",
            "ENROLMENT_AFTER_END",
        ),
        (
            "bad date",
            Box::new(|c| c["hasCourseInstance"][0]["startDate"] = json!("17.8.2026")),
            "hasCourseInstance[0].startDate",
            "INVALID_DATE",
        ),
        (
            "bad duration",
            Box::new(|c| c["timeRequired"] = json!("3 years")),
            "timeRequired",
            "INVALID_DURATION",
        ),
        (
            "number as name",
            Box::new(|c| c["name"] = json!(42)),
            "name",
            "INVALID_TYPE",
        ),
        (
            "missing instance id",
            Box::new(|c| {
                c["hasCourseInstance"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("@id");
            }),
            "hasCourseInstance[0].@id",
            "REQUIRED",
        ),
    ];
    for (what, change, path, code) in cases {
        let mut course = first_course();
        change(&mut course);
        let errors = errors_of(&course);
        assert!(
            has(&errors, path, code),
            "{what}: expected {code} at {path}, got {errors:?}"
        );
    }
}

#[test]
fn too_many_instances_are_refused() {
    let mut course = first_course();
    let instance = course["hasCourseInstance"][0].clone();
    course["hasCourseInstance"] = Value::Array(
        (0..=course::MAX_INSTANCES)
            .map(|i| {
                let mut x = instance.clone();
                x["@id"] = json!(format!("urn:i:{i}"));
                x
            })
            .collect(),
    );
    assert!(has(&errors_of(&course), "hasCourseInstance", "TOO_MANY"));
}

#[test]
fn all_problems_of_a_record_are_reported_together() {
    let mut course = first_course();
    course["url"] = json!("nope");
    course["hasCourseInstance"][0]["offers"]["price"] = json!(-3);
    assert!(errors_of(&course).len() >= 2);
}

#[test]
fn broken_json_and_unknown_types_are_errors() {
    assert_eq!(
        parse_jsonld_line("{ nope").unwrap_err()[0].code,
        "INVALID_JSON"
    );
    assert_eq!(
        parse_jsonld_line(r#"{"@type": "Recipe"}"#).unwrap_err()[0].code,
        "UNKNOWN_TYPE"
    );
    assert_eq!(
        parse_jsonld_line("[1, 2]").unwrap_err()[0].code,
        "INVALID_TYPE"
    );
    assert_eq!(
        detect_kind(r#"{"@type": "Course"}"#),
        Some(RecordKind::Course)
    );
    assert_eq!(detect_kind("garbage"), None);
}

#[test]
fn a_guidance_service_reads_its_channels_area_and_hours() {
    let line = demo("guidance-services")
        .lines()
        .next()
        .unwrap()
        .to_string();
    let Ok(FeedRecord::GuidanceService(s)) = parse_jsonld_line(&line) else {
        panic!("not a service")
    };
    assert!(s.area_served.contains(&"285".to_string()));
    assert!(s.channels.iter().any(|c| c.email.is_some()));
    assert!(!s.opening_hours.is_empty());
}
