//! `Service` (guidance and counselling) -> GuidanceServiceRecord.

use serde_json::Value;

use super::place::{municipality, place};
use crate::codes::code_sets;
use crate::domain::*;
use crate::ingest::errors::*;
use crate::ingest::reader::{
    each, item_path, join, shown, Reader, MAX_DESCRIPTION, MAX_ID, MAX_NAME, MAX_SHORT,
};

fn channel(r: &mut Reader, v: &Value, path: &str, provider: &str) -> Option<ChannelRecord> {
    let kind = r
        .codes(
            &v["name"],
            &join(path, "name"),
            "channel",
            ChannelKind::parse,
            &ChannelKind::expected(),
        )
        .into_iter()
        .next();
    if kind.is_none()
        && !r
            .errors
            .iter()
            .any(|e| e.path.starts_with(&join(path, "name")))
    {
        r.error(
            &join(path, "name"),
            REQUIRED,
            "a channel needs a name such as puhelin, chat or walk-in",
        );
    }
    let phone_point = if v["servicePhone"].is_object() {
        &v["servicePhone"]
    } else {
        &v["serviceSmsNumber"]
    };
    let phone = r.phone(
        &phone_point["telephone"],
        &join(path, "servicePhone.telephone"),
    );
    let (url, email) = match v["serviceUrl"].as_str().map(str::trim) {
        Some(mail) if mail.starts_with("mailto:") => (
            None,
            r.email(
                &Value::String(mail.trim_start_matches("mailto:").to_string()),
                &join(path, "serviceUrl"),
            ),
        ),
        _ => (r.url(&v["serviceUrl"], &join(path, "serviceUrl")), None),
    };
    let location = if v["serviceLocation"].is_null() {
        None
    } else {
        place(
            r,
            &v["serviceLocation"],
            &join(path, "serviceLocation"),
            provider,
        )
    };
    let languages = r.codes(
        &v["availableLanguage"],
        &join(path, "availableLanguage"),
        "language",
        |c| code_sets().language(c).map(|l| l.code.clone()),
        "ISO 639-1 codes",
    );
    Some(ChannelRecord {
        kind: kind?,
        phone,
        url,
        email,
        location,
        languages,
    })
}

fn hours(r: &mut Reader, v: &Value, path: &str) -> Option<OpeningHours> {
    let weekdays = r.codes(
        &v["dayOfWeek"],
        &join(path, "dayOfWeek"),
        "day",
        Weekday::parse,
        "schema.org days",
    );
    let opens = r.time(&v["opens"], &join(path, "opens"));
    let closes = r.time(&v["closes"], &join(path, "closes"));
    match (opens, closes) {
        (Some(o), Some(c)) => Some(OpeningHours {
            weekdays,
            opens: o,
            closes: c,
        }),
        _ => {
            r.error(path, REQUIRED, "opening hours need opens and closes");
            None
        }
    }
}

/// Reads a guidance service.
pub fn read(r: &mut Reader, v: &Value) -> Option<GuidanceServiceRecord> {
    let external_id = r.required_string(&v["@id"], "@id", MAX_ID);
    let identifier = r.string(&v["identifier"], "identifier", MAX_SHORT);
    let service_type = r.string(&v["serviceType"], "serviceType", MAX_NAME);
    let name = r.text(&v["name"], "name", MAX_NAME);
    let description = r.text(&v["description"], "description", MAX_DESCRIPTION);
    let provider = r.reference(&v["provider"], "provider");
    if provider.is_none() && !r.errors.iter().any(|e| e.path.starts_with("provider")) {
        r.error(
            "provider",
            REQUIRED,
            "a service needs a provider {\"@id\": ...}",
        );
    }
    let mut area_served = Vec::new();
    for (i, area) in each(&v["areaServed"]) {
        let at = item_path("areaServed", i);
        let wrapped = serde_json::json!({ "containedInPlace": area, "address": { "addressLocality": area["name"] } });
        if let Some(code) = municipality(r, &wrapped, &at) {
            if !area_served.contains(&code) {
                area_served.push(code);
            }
        }
    }
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
    let owner = provider.clone().unwrap_or_default();
    let channels = each(&v["availableChannel"])
        .into_iter()
        .filter_map(|(i, c)| channel(r, c, &item_path("availableChannel", i), &owner))
        .collect();
    let opening_hours = each(&v["hoursAvailable"])
        .into_iter()
        .filter_map(|(i, h)| hours(r, h, &item_path("hoursAvailable", i)))
        .collect();
    let state = match r.string(&v["creativeWorkStatus"], "creativeWorkStatus", 40) {
        Some(s) => PublicationState::parse(&s).or_else(|| {
            r.error(
                "creativeWorkStatus",
                UNKNOWN_CODE,
                format!("unknown state {}", shown(&s)),
            );
            None
        }),
        None => Some(PublicationState::Published),
    };
    Some(GuidanceServiceRecord {
        external_id: external_id?,
        identifier,
        provider_external_id: provider?,
        service_type,
        name,
        description,
        channels,
        opening_hours,
        area_served,
        audiences,
        state: state?,
    })
}
