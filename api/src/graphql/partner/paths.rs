//! The shared rules name fields in the schema.org vocabulary of the feeds;
//! mutation inputs have names of their own. This turns one into the other,
//! as Shopify-style `field` lists (`["input", "3", "instances", "0", "endDate"]`).

use crate::domain::error_codes::{INVALID_EMAIL, UNKNOWN_MUNICIPALITY};
use crate::ingest::csv::segments;

/// Which input a path is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Course,
    Instance,
    GuidanceService,
    Location,
    Organisation,
}

fn own(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn instance(rest: &[&str], code: &str) -> Vec<String> {
    let mapped: Vec<&str> = match rest {
        ["@id"] => vec!["externalId"],
        ["courseMode", tail @ ..] => [&["teachingModes"][..], tail].concat(),
        ["location", "url"] | ["location", _, "url"] => vec!["onlineUrl"],
        ["location", ..] if code == UNKNOWN_MUNICIPALITY => vec!["municipality"],
        ["location", ..] => vec!["location"],
        ["inLanguage", tail @ ..] => [&["languages"][..], tail].concat(),
        ["courseSchedule", "byDay", tail @ ..] => [&["schedule", "weekdays"][..], tail].concat(),
        ["courseSchedule", tail @ ..] => [&["schedule"][..], tail].concat(),
        ["offers"] => vec!["enrolmentPeriods"],
        ["offers", "price"] => vec!["price"],
        ["offers", "category", ..] => vec!["fundingCategory"],
        ["offers", "url"] => vec!["enrolmentUrl"],
        ["offers", "availabilityStarts"] => vec!["enrolmentPeriods", "0", "starts"],
        ["offers", "availabilityEnds"] => vec!["enrolmentPeriods", "0", "ends"],
        ["offers", j, "availabilityStarts"] => vec!["enrolmentPeriods", j, "starts"],
        ["offers", j, "availabilityEnds"] => vec!["enrolmentPeriods", j, "ends"],
        ["maximumAttendeeCapacity"] => vec!["capacity"],
        other => other.to_vec(),
    };
    own(&mapped)
}

fn location(rest: &[&str], code: &str) -> Vec<String> {
    let mapped: Vec<&str> = match rest {
        ["@id"] => vec!["externalId"],
        ["containedInPlace", ..] => vec!["address", "municipality"],
        ["address", "addressLocality"] => vec!["address", "locality"],
        ["geo", ..] => vec!["coordinates"],
        [] if code == UNKNOWN_MUNICIPALITY => vec!["address", "municipality"],
        other => other.to_vec(),
    };
    own(&mapped)
}

/// The input field list of a rule's schema.org `path`.
pub fn translate(kind: InputKind, path: &str, code: &str) -> Vec<String> {
    let parts = segments(path);
    match kind {
        InputKind::Instance => instance(&parts, code),
        InputKind::Location => location(&parts, code),
        InputKind::Course => match parts.as_slice() {
            ["hasCourseInstance", i, rest @ ..] if !rest.is_empty() => {
                let mut out = vec!["instances".to_string(), i.to_string()];
                out.extend(instance(rest, code));
                out
            }
            ["hasCourseInstance", ..] => own(&["instances"]),
            ["@id"] => own(&["externalId"]),
            ["about"] => own(&["fieldsOfEducation"]),
            ["about", i, ..] => own(&["fieldsOfEducation", i]),
            ["educationalLevel", ..] => own(&["educationType"]),
            ["educationalCredentialAwarded", tail @ ..] => {
                [own(&["credential"]), own(tail)].concat()
            }
            ["numberOfCredits", "unitText"] => own(&["credits", "unit"]),
            ["numberOfCredits", ..] => own(&["credits", "value"]),
            ["timeRequired"] => own(&["duration"]),
            ["audience", ..] => own(&["audiences"]),
            ["inLanguage", tail @ ..] => [own(&["languages"]), own(tail)].concat(),
            ["creativeWorkStatus"] => own(&["state"]),
            other => own(other),
        },
        InputKind::GuidanceService => match parts.as_slice() {
            ["@id"] => own(&["externalId"]),
            ["availableChannel", i, rest @ ..] => {
                let tail: Vec<&str> = match rest {
                    ["servicePhone", ..] => vec!["phone"],
                    ["serviceUrl"] if code == INVALID_EMAIL => vec!["email"],
                    ["serviceUrl"] => vec!["url"],
                    ["availableLanguage", tail @ ..] => [&["languages"][..], tail].concat(),
                    ["serviceLocation", ..] => vec!["location"],
                    other => other.to_vec(),
                };
                [own(&["channels", i]), own(&tail)].concat()
            }
            ["hoursAvailable", i, "dayOfWeek"] => own(&["openingHours", i, "weekdays"]),
            ["hoursAvailable", tail @ ..] => [own(&["openingHours"]), own(tail)].concat(),
            other => own(other),
        },
        InputKind::Organisation => match parts.as_slice() {
            ["@id"] => own(&["externalId"]),
            ["telephone"] => own(&["phone"]),
            ["additionalType"] => own(&["kind"]),
            ["address", rest @ ..] => [own(&["address"]), location(rest, code)].concat(),
            ["location", i, rest @ ..] => [own(&["locations", i]), location(rest, code)].concat(),
            other => own(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_paths_become_input_fields() {
        let t = |kind, path: &str| translate(kind, path, "X").join(".");
        assert_eq!(
            t(InputKind::Course, "hasCourseInstance[2].endDate"),
            "instances.2.endDate"
        );
        assert_eq!(
            t(
                InputKind::Course,
                "hasCourseInstance[0].offers.availabilityStarts"
            ),
            "instances.0.enrolmentPeriods.0.starts"
        );
        assert_eq!(
            t(InputKind::Course, "hasCourseInstance[0].offers.price"),
            "instances.0.price"
        );
        assert_eq!(t(InputKind::Course, "name.fi"), "name.fi");
        assert_eq!(
            t(InputKind::Course, "about[1].termCode"),
            "fieldsOfEducation.1"
        );
        assert_eq!(
            translate(
                InputKind::Course,
                "hasCourseInstance[0].location",
                UNKNOWN_MUNICIPALITY
            )
            .join("."),
            "instances.0.municipality"
        );
        assert_eq!(
            t(
                InputKind::GuidanceService,
                "availableChannel[1].servicePhone.telephone"
            ),
            "channels.1.phone"
        );
    }
}
