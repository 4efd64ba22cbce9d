//! `Course` with nested `CourseInstance`s and `Offer`s -> CourseRecord.

use serde_json::Value;

use super::place::whereabouts;
use crate::codes::code_sets;
pub use crate::domain::validate::MAX_INSTANCES;
use crate::domain::*;
use crate::ingest::errors::*;
use crate::ingest::reader::{
    each, item_path, join, shown, Reader, MAX_DESCRIPTION, MAX_ID, MAX_NAME, MAX_SHORT,
};

fn languages(r: &mut Reader, value: &Value, path: &str) -> Vec<String> {
    r.codes(
        value,
        path,
        "language",
        |c| code_sets().language(c).map(|l| l.code.clone()),
        "ISO 639-1 codes such as fi, sv, en",
    )
}

fn fields(r: &mut Reader, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (i, term) in each(value) {
        let at = item_path("about", i);
        let code = match term {
            Value::Object(_) => r.string(&term["termCode"], &join(&at, "termCode"), 10),
            other => r.string(other, &at, 10),
        };
        let Some(code) = code else { continue };
        if code_sets().field(&code).is_some() {
            if !out.contains(&code) {
                out.push(code);
            }
        } else {
            r.error(
                &join(&at, "termCode"),
                UNKNOWN_CODE,
                format!(
                    "unknown field of education {} (Koulutusala 2016)",
                    shown(&code)
                ),
            );
        }
    }
    out
}

fn keywords(r: &mut Reader, value: &Value) -> Vec<String> {
    let raw: Vec<String> = match value {
        Value::String(s) => s.split(',').map(|k| k.trim().to_string()).collect(),
        other => r.strings(other, "keywords", MAX_SHORT),
    };
    let mut out: Vec<String> = Vec::new();
    for k in raw.into_iter().filter(|k| !k.is_empty()) {
        if k.chars().count() > MAX_SHORT {
            r.error(
                "keywords",
                TOO_LONG,
                format!("a keyword is at most {MAX_SHORT} characters"),
            );
        } else if !out.iter().any(|o| o.eq_ignore_ascii_case(&k)) {
            out.push(k);
        }
    }
    out
}

fn credits(r: &mut Reader, value: &Value) -> Option<Credits> {
    if value.is_null() {
        return None;
    }
    let amount = r.number(&value["value"], "numberOfCredits.value");
    let unit = r.string(&value["unitText"], "numberOfCredits.unitText", MAX_SHORT);
    match (amount, unit) {
        (Some(value), Some(unit)) => match CreditUnit::parse(&unit) {
            Some(unit) => Some(Credits { value, unit }),
            None => {
                r.error(
                    "numberOfCredits.unitText",
                    UNKNOWN_CODE,
                    format!(
                        "unknown unit {}; expected one of {}",
                        shown(&unit),
                        CreditUnit::expected()
                    ),
                );
                None
            }
        },
        (Some(_), None) => {
            r.error(
                "numberOfCredits.unitText",
                REQUIRED,
                "credits need a unit (osp, op, hours, ...)",
            );
            None
        }
        (None, _) => {
            r.error("numberOfCredits.value", REQUIRED, "credits need a value");
            None
        }
    }
}

fn schedule(r: &mut Reader, value: &Value, path: &str) -> Option<Schedule> {
    if value.is_null() {
        return None;
    }
    let weekdays = r.codes(
        &value["byDay"],
        &join(path, "byDay"),
        "day",
        Weekday::parse,
        "schema.org days such as https://schema.org/Monday",
    );
    let start_time = r.time(&value["startTime"], &join(path, "startTime"));
    let end_time = r.time(&value["endTime"], &join(path, "endTime"));
    let repeat = r.string(
        &value["repeatFrequency"],
        &join(path, "repeatFrequency"),
        40,
    );
    Some(Schedule {
        weekdays,
        start_time,
        end_time,
        repeat,
    })
}

struct Offer {
    price_cents: Option<i64>,
    funding: Option<FundingCategory>,
    period: Option<Period>,
    url: Option<String>,
}

fn offer(r: &mut Reader, value: &Value, path: &str) -> Offer {
    let mut out = Offer {
        price_cents: None,
        funding: None,
        period: None,
        url: None,
    };
    let offers = each(value);
    let Some((i, offer)) = offers.first().copied() else {
        return out;
    };
    let path = item_path(path, i);
    if let Some(price) = r.number(&offer["price"], &join(&path, "price")) {
        // Saturates far beyond the largest valid price, which the rules check.
        out.price_cents = Some((price * 100.0).round() as i64);
    }
    if let Some(currency) = r.string(&offer["priceCurrency"], &join(&path, "priceCurrency"), 10) {
        if !currency.eq_ignore_ascii_case("EUR") {
            r.error(
                &join(&path, "priceCurrency"),
                UNSUPPORTED_CURRENCY,
                format!("prices are in EUR, not {}", shown(&currency)),
            );
        }
    }
    out.funding = r
        .codes(
            &offer["category"],
            &join(&path, "category"),
            "funding category",
            FundingCategory::parse,
            &FundingCategory::expected(),
        )
        .into_iter()
        .next();
    let starts = r.date(
        &offer["availabilityStarts"],
        &join(&path, "availabilityStarts"),
    );
    let ends = r.date(&offer["availabilityEnds"], &join(&path, "availabilityEnds"));
    if starts.is_some() || ends.is_some() {
        out.period = Some(Period { starts, ends });
    }
    out.url = r.url(&offer["url"], &join(&path, "url"));
    out
}

fn instance(
    r: &mut Reader,
    v: &Value,
    path: &str,
    provider: &str,
    course_languages: &[String],
) -> Option<InstanceRecord> {
    if !v.is_object() {
        r.error(path, INVALID_TYPE, "expected a CourseInstance object");
        return None;
    }
    let external_id = r.required_string(&v["@id"], &join(path, "@id"), MAX_ID);
    let modes = r.codes(
        &v["courseMode"],
        &join(path, "courseMode"),
        "teaching mode",
        TeachingMode::parse,
        &TeachingMode::expected(),
    );
    let place = whereabouts(r, &v["location"], &join(path, "location"), provider);
    let mut languages = languages(r, &v["inLanguage"], &join(path, "inLanguage"));
    if languages.is_empty() {
        languages = course_languages.to_vec();
    }
    let start_date = r.date(&v["startDate"], &join(path, "startDate"));
    let end_date = r.date(&v["endDate"], &join(path, "endDate"));
    let schedule = schedule(r, &v["courseSchedule"], &join(path, "courseSchedule"));
    let offer = offer(r, &v["offers"], &join(path, "offers"));
    let capacity = match r.number(
        &v["maximumAttendeeCapacity"],
        &join(path, "maximumAttendeeCapacity"),
    ) {
        Some(c) if c.fract() != 0.0 || c.abs() > f64::from(i32::MAX) => {
            r.error(
                &join(path, "maximumAttendeeCapacity"),
                OUT_OF_RANGE,
                "a whole number",
            );
            None
        }
        Some(c) => Some(c as i32),
        None => None,
    };
    let municipality_code = place
        .place
        .as_ref()
        .and_then(|p| p.address.municipality_code.clone())
        .or(place.municipality.clone());
    let online = place.online || modes.contains(&TeachingMode::Online);
    Some(InstanceRecord {
        external_id: external_id?,
        modes,
        location: place.place,
        municipality_code,
        online,
        online_url: place.online_url,
        languages,
        flexible_start: start_date.is_none(),
        start_date,
        end_date,
        schedule,
        price_cents: offer.price_cents,
        funding: offer.funding,
        enrolment_periods: offer.period.into_iter().collect(),
        enrolment_url: offer.url,
        capacity,
    })
}

/// Reads a course and its instances.
pub fn read(r: &mut Reader, v: &Value) -> Option<CourseRecord> {
    let external_id = r.required_string(&v["@id"], "@id", MAX_ID);
    let identifier = r.string(&v["identifier"], "identifier", MAX_SHORT);
    let name = r.text(&v["name"], "name", MAX_NAME);
    let description = r.text(&v["description"], "description", MAX_DESCRIPTION);
    let url = r.url(&v["url"], "url");
    let provider = r.reference(&v["provider"], "provider");
    if provider.is_none() && !r.errors.iter().any(|e| e.path.starts_with("provider")) {
        r.error(
            "provider",
            REQUIRED,
            "a course needs a provider {\"@id\": ...}",
        );
    }
    let funder = r.reference(&v["funder"], "funder");
    let fields_of_education = fields(r, &v["about"]);
    let education_type = r
        .codes(
            &v["educationalLevel"],
            "educationalLevel",
            "education level",
            EducationType::parse,
            &EducationType::expected(),
        )
        .into_iter()
        .next();
    let credential = r.text(
        &v["educationalCredentialAwarded"],
        "educationalCredentialAwarded",
        MAX_NAME,
    );
    let credits = credits(r, &v["numberOfCredits"]);
    let duration = r.string(&v["timeRequired"], "timeRequired", 40);
    let keywords = keywords(r, &v["keywords"]);
    let audience_value = if v["audience"].is_object() {
        &v["audience"]["audienceType"]
    } else {
        &v["audience"]
    };
    let audiences = r.codes(
        audience_value,
        "audience.audienceType",
        "audience",
        Audience::parse,
        &Audience::expected(),
    );
    let languages = languages(r, &v["inLanguage"], "inLanguage");
    let state = match r.string(&v["creativeWorkStatus"], "creativeWorkStatus", 40) {
        Some(s) => PublicationState::parse(&s).or_else(|| {
            r.error(
                "creativeWorkStatus",
                UNKNOWN_CODE,
                format!(
                    "unknown state {}; expected one of {}",
                    shown(&s),
                    PublicationState::expected()
                ),
            );
            None
        }),
        None => Some(PublicationState::Published),
    };
    let items = each(&v["hasCourseInstance"]);
    if items.len() > MAX_INSTANCES {
        r.error(
            "hasCourseInstance",
            TOO_MANY,
            format!(
                "at most {MAX_INSTANCES} instances a course, got {}",
                items.len()
            ),
        );
    }
    let owner = provider.clone().unwrap_or_default();
    let instances: Vec<InstanceRecord> = items
        .into_iter()
        .take(MAX_INSTANCES)
        .filter_map(|(i, item)| {
            instance(
                r,
                item,
                &item_path("hasCourseInstance", i),
                &owner,
                &languages,
            )
        })
        .collect();
    Some(CourseRecord {
        external_id: external_id?,
        identifier,
        provider_external_id: provider?,
        funder_external_id: funder,
        name,
        description,
        url,
        fields_of_education,
        education_type,
        credential,
        credits,
        duration,
        keywords,
        audiences,
        languages,
        state: state?,
        instances,
        publish_at: None,
        archive_at: None,
    })
}
