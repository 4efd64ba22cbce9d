//! The Meilisearch document of a course: raw texts, the analysed terms as
//! hidden fields, and instance facts as arrays for filters and facets.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finnish::analyzer;
use crate::search::filter::CourseFacts;
use crate::search::{InstanceDoc, SearchDocument};

/// How far ahead an enrolment period without an end is spelled out as days.
const OPEN_ENDED_DAYS: i64 = 730;
/// How far back from the day of indexing open days are spelled out, so that
/// an index built a little after the day asked about still answers it.
const LOOKBACK_DAYS: i64 = 60;

/// The end day of an instance without an end date.
pub const NEVER_ENDS: i64 = 2_932_896;

/// Days since 1970-01-01, the form dates take in filters.
pub fn day_number(day: NaiveDate) -> i64 {
    day.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"))
        .num_days()
}

/// How many bytes of the name the sort key spells out.
const NAME_KEY_BYTES: usize = 100;

/// A sort key that orders as the name's bytes do. Meilisearch folds
/// diacritics in the strings it sorts, which would put "ä" next to "a"; the
/// hex digits of the UTF-8 bytes keep Finnish order (å, ä, ö after z), as
/// the database's listing has it.
pub fn name_key(name_sort: &str) -> String {
    name_sort
        .as_bytes()
        .iter()
        .take(NAME_KEY_BYTES)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One course in the index. Searches that retrieve only some attributes
/// leave the others at their defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
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
    /// Suggestion texts, as facet values (`suggest::values`); hidden.
    pub suggest: Vec<String>,
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
    /// The name's sort key (`name_key`).
    pub name_sort: String,
    pub first_start_day: Option<i64>,
    /// The instance facts, for checking that one instance matches every
    /// instance filter and for reporting the matched instances.
    pub instances: Vec<InstanceDoc>,
    /// The instances' ids: all a page needs when no filter picks instances.
    pub instance_ids: Vec<i32>,
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
        let (earliest, horizon) = (
            day_number(today) - LOOKBACK_DAYS,
            day_number(today) + OPEN_ENDED_DAYS,
        );
        let enrol_days = collect(&doc.instances, |i| {
            i.periods
                .iter()
                .flat_map(|p| {
                    let from = p.starts.map(day_number).unwrap_or(earliest).max(earliest);
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
            suggest: super::suggest::values(doc),
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
            name_sort: name_key(&doc.name_sort),
            first_start_day: i.iter().filter_map(|x| x.start_date).min().map(day_number),
            instances: doc.instances.clone(),
            instance_ids: doc.instances.iter().map(|x| x.id).collect(),
        }
    }
}

impl CourseFacts for MeiliDoc {
    fn provider_id(&self) -> i32 {
        self.provider_id
    }
    fn fields(&self) -> &[String] {
        &self.fields
    }
    fn education_type(&self) -> Option<&str> {
        self.education_type.as_deref()
    }
    fn audiences(&self) -> &[String] {
        &self.audiences
    }
    fn instances(&self) -> &[InstanceDoc] {
        &self.instances
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_sort_as_the_names_bytes_do() {
        let mut names = vec!["öljyväri", "auto", "äidinkieli", "zumba", "ab", "a"];
        let mut keys: Vec<(String, &str)> = names.iter().map(|n| (name_key(n), *n)).collect();
        keys.sort();
        names.sort();
        assert_eq!(keys.into_iter().map(|(_, n)| n).collect::<Vec<_>>(), names);
        assert!(name_key("zumba") < name_key("äidinkieli"));
        assert_eq!(name_key(&"x".repeat(500)).len(), 2 * NAME_KEY_BYTES);
    }
}
