//! The Meilisearch document of a course: raw texts, the analysed terms as
//! hidden fields, and instance facts as arrays for filters and facets.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finnish::analyzer;
use crate::search::{InstanceDoc, SearchDocument};

/// How far ahead an enrolment period without an end is spelled out as days.
const OPEN_ENDED_DAYS: i64 = 730;

/// The end day of an instance without an end date.
pub const NEVER_ENDS: i64 = 2_932_896;

/// Days since 1970-01-01, the form dates take in filters.
pub fn day_number(day: NaiveDate) -> i64 {
    day.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"))
        .num_days()
}

/// One course in the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeiliDoc {
    pub id: i32,
    pub external_id: String,
    pub name_fi: Option<String>,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub keywords: Vec<String>,
    pub credential_fi: Option<String>,
    pub credential_sv: Option<String>,
    pub credential_en: Option<String>,
    pub provider_name: Option<String>,
    pub places: Vec<String>,
    pub times: Vec<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    /// Analysed terms of the name, keywords, credential, places and times.
    pub lemmas: String,
    /// Analysed terms of the description.
    pub lemmas_description: String,
    pub provider_id: i32,
    pub fields: Vec<String>,
    pub education_type: Option<String>,
    pub audiences: Vec<String>,
    pub municipalities: Vec<String>,
    pub regions: Vec<String>,
    pub modes: Vec<String>,
    pub languages: Vec<String>,
    pub funding: Vec<String>,
    pub times_of_day: Vec<String>,
    pub free: Vec<bool>,
    pub start_days: Vec<i64>,
    /// Last days of teaching; an open-ended instance counts as never ending.
    pub end_days: Vec<i64>,
    pub flexible_start: bool,
    /// Every day on which an enrolment period is open, for "open today".
    pub enrol_days: Vec<i64>,
    pub name_sort: String,
    pub first_start_day: Option<i64>,
    /// The instance facts, for checking that one instance matches every
    /// instance filter and for reporting the matched instances.
    pub instances: Vec<InstanceDoc>,
}

fn collect<T: Ord + Clone>(docs: &[InstanceDoc], f: impl Fn(&InstanceDoc) -> Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = docs.iter().flat_map(f).collect();
    out.sort();
    out.dedup();
    out
}

fn analysed(texts: &[&str]) -> String {
    let a = analyzer();
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        out.extend(a.finnish_terms(text));
    }
    out.join(" ")
}

impl MeiliDoc {
    /// The document of `doc`; `today` bounds open-ended enrolment periods.
    pub fn from_document(doc: &SearchDocument, today: NaiveDate) -> MeiliDoc {
        let mut head: Vec<&str> = Vec::new();
        head.extend(doc.name.fi.as_deref());
        head.extend(doc.credential.fi.as_deref());
        head.extend(doc.keywords.iter().map(String::as_str));
        head.extend(doc.places.iter().map(String::as_str));
        head.extend(doc.times.iter().map(String::as_str));
        let mut lemmas = analysed(&head);
        for (text, swedish) in [
            (doc.name.sv.as_deref(), true),
            (doc.name.en.as_deref(), false),
        ] {
            if let Some(text) = text {
                lemmas.push(' ');
                lemmas.push_str(&analyzer().stems(text, swedish).join(" "));
            }
        }
        let mut lemmas_description = analysed(
            &doc.description
                .fi
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        for (text, swedish) in [
            (doc.description.sv.as_deref(), true),
            (doc.description.en.as_deref(), false),
        ] {
            if let Some(text) = text {
                lemmas_description.push(' ');
                lemmas_description.push_str(&analyzer().stems(text, swedish).join(" "));
            }
        }
        let horizon = day_number(today) + OPEN_ENDED_DAYS;
        let enrol_days = collect(&doc.instances, |i| {
            i.periods
                .iter()
                .flat_map(|p| {
                    let from = p
                        .starts
                        .map(day_number)
                        .unwrap_or(day_number(today))
                        .max(day_number(today) - 1);
                    let to = p.ends.map(day_number).unwrap_or(horizon).min(horizon);
                    from..=to
                })
                .collect()
        });
        let i = &doc.instances;
        MeiliDoc {
            id: doc.course_id,
            external_id: doc.external_id.clone(),
            name_fi: doc.name.fi.clone(),
            name_sv: doc.name.sv.clone(),
            name_en: doc.name.en.clone(),
            keywords: doc.keywords.clone(),
            credential_fi: doc.credential.fi.clone(),
            credential_sv: doc.credential.sv.clone(),
            credential_en: doc.credential.en.clone(),
            provider_name: doc
                .provider_name
                .fi
                .clone()
                .or(doc.provider_name.en.clone()),
            places: doc.places.clone(),
            times: doc.times.clone(),
            description_fi: doc.description.fi.clone(),
            description_sv: doc.description.sv.clone(),
            description_en: doc.description.en.clone(),
            lemmas,
            lemmas_description,
            provider_id: doc.provider_id,
            fields: doc.fields.clone(),
            education_type: doc.education_type.clone(),
            audiences: doc.audiences.clone(),
            municipalities: collect(i, |x| x.municipality.clone().into_iter().collect()),
            regions: collect(i, |x| x.region.clone().into_iter().collect()),
            modes: collect(i, |x| x.modes.clone()),
            languages: collect(i, |x| x.languages.clone()),
            funding: collect(i, |x| x.funding.clone().into_iter().collect()),
            times_of_day: collect(i, |x| x.times_of_day.clone()),
            free: collect(i, |x| vec![x.price_cents == Some(0)]),
            start_days: collect(i, |x| x.start_date.map(day_number).into_iter().collect()),
            end_days: collect(i, |x| vec![x.end_date.map_or(NEVER_ENDS, day_number)]),
            flexible_start: i.iter().any(|x| x.flexible_start),
            enrol_days,
            name_sort: doc.name_sort.clone(),
            first_start_day: i.iter().filter_map(|x| x.start_date).min().map(day_number),
            instances: doc.instances.clone(),
        }
    }
}
