//! An independent reading of the demo feed, to check filters against: it
//! works on the raw JSON, not on anything the application parsed.

use std::collections::BTreeSet;

use serde_json::Value;

use super::harness::demo_path;

/// Every course line of the demo feed.
pub fn courses() -> Vec<Value> {
    std::fs::read_to_string(demo_path("courses"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A string or an array of strings, as a list.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// An object or an array of objects, as a list.
pub fn objects(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    }
}

/// The instances of a course.
pub fn instances(course: &Value) -> Vec<&Value> {
    objects(&course["hasCourseInstance"])
}

/// Municipality codes of an instance's places.
pub fn municipalities(instance: &Value) -> Vec<String> {
    objects(&instance["location"])
        .into_iter()
        .filter_map(|p| {
            p["containedInPlace"]["identifier"]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// Whether an instance's weekly lessons fall in the evening on a weekday.
pub fn is_evening(instance: &Value) -> bool {
    let schedule = &instance["courseSchedule"];
    let days = strings(&schedule["byDay"]);
    let weekday = days
        .iter()
        .any(|d| !d.ends_with("Saturday") && !d.ends_with("Sunday"));
    let start = schedule["startTime"].as_str().unwrap_or("");
    weekday && start >= "16:00"
}

/// The external ids of courses one of whose instances satisfies `pred`.
pub fn with_instance(pred: impl Fn(&Value, &Value) -> bool) -> BTreeSet<String> {
    courses()
        .iter()
        .filter(|c| instances(c).iter().any(|i| pred(c, i)))
        .map(|c| c["@id"].as_str().unwrap().to_string())
        .collect()
}

/// The external ids of courses that satisfy `pred`.
pub fn with_course(pred: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    courses()
        .iter()
        .filter(|c| pred(c))
        .map(|c| c["@id"].as_str().unwrap().to_string())
        .collect()
}
