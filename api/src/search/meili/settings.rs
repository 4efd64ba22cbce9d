//! The index settings of this release, the format they and the analysis
//! give the documents, and the check that a live index has them.

use meilisearch_sdk::settings::{
    FacetingSettings, PaginationSetting, Settings, TypoToleranceSettings,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::query::{LEMMA_FIELDS, RAW_FIELDS};
use super::{suggest, MAX_FACET_VALUES, MAX_TOTAL_HITS};
use crate::finnish::{analyzer, STOP_WORDS};
use crate::search::synonyms;

/// The generation of the index format. Raise it with every change to the
/// settings, the documents or their analysis: a release never replaces an
/// index that a later generation built, so that two versions serving side
/// by side during a rolling deploy do not undo each other.
pub const GENERATION: u32 = 3;

/// Attributes returned with hits: everything but the analysed terms, which
/// only the lemmatised queries search, and the suggestion texts.
pub const DISPLAYED: &[&str] = &[
    "id",
    "external_id",
    "name_fi",
    "name_sv",
    "name_en",
    "keywords",
    "credential_fi",
    "credential_sv",
    "credential_en",
    "provider_name",
    "places",
    "times",
    "description_fi",
    "description_sv",
    "description_en",
    "provider_id",
    "fields",
    "education_type",
    "audiences",
    "municipalities",
    "regions",
    "modes",
    "languages",
    "funding",
    "times_of_day",
    "free",
    "start_days",
    "end_days",
    "flexible_start",
    "enrol_days",
    "name_sort",
    "first_start_day",
    "instances",
    "instance_ids",
];

/// Attributes filters, facets and facet search use.
pub const FILTERABLE: &[&str] = &[
    "id",
    suggest::ATTRIBUTE,
    "provider_id",
    "fields",
    "education_type",
    "audiences",
    "municipalities",
    "regions",
    "modes",
    "languages",
    "funding",
    "times_of_day",
    "free",
    "start_days",
    "end_days",
    "flexible_start",
    "enrol_days",
];

/// Sort first, so that a sorted search is in that order; a search without
/// `sort` ranks by relevance alone.
const RANKING_RULES: &[&str] = &[
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
];

/// The settings of every index this release builds.
pub fn settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(RAW_FIELDS.iter().chain(LEMMA_FIELDS))
        .with_displayed_attributes(DISPLAYED)
        .with_filterable_attributes(FILTERABLE)
        .with_sortable_attributes(["name_sort", "first_start_day"])
        .with_ranking_rules(RANKING_RULES)
        .with_stop_words(STOP_WORDS)
        .with_synonyms(synonyms::all().clone())
        .with_typo_tolerance(TypoToleranceSettings {
            // The analysed fields hold short part-words (ala, työ, oppi):
            // typos there would match almost anything.
            disable_on_attributes: Some(LEMMA_FIELDS.iter().map(|s| s.to_string()).collect()),
            ..TypoToleranceSettings::default()
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: MAX_FACET_VALUES,
            sort_facet_values_by: None,
        })
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
}

/// The settings as JSON, with objects' keys sorted (through a Value), so
/// that every process gives the same text.
pub fn settings_json() -> Value {
    serde_json::to_value(settings()).expect("settings serialise")
}

/// What the documents of an index are built with: the generation, the
/// settings and the Finnish analysis (its backend, code and dictionary, by
/// its fingerprint). An index of another format is rebuilt.
pub fn format() -> String {
    let digest = Sha256::digest(format!(
        "{GENERATION}|{}|{}",
        settings_json(),
        analyzer().fingerprint()
    ));
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Settings whose lists are sets: their order means nothing to the engine,
/// which may give them back sorted.
const UNORDERED: &[&str] = &[
    "displayedAttributes",
    "filterableAttributes",
    "sortableAttributes",
    "stopWords",
    "disableOnAttributes",
    "disableOnWords",
];

fn same(key: &str, ours: &Value, theirs: &Value) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| {
            let path = format!("{key}.{k}");
            match b.get(k) {
                Some(t) => same(&path, v, t),
                None if v.is_null() => None,
                None => Some(path),
            }
        }),
        (Value::Array(a), Value::Array(b))
            if UNORDERED.iter().any(|u| key.ends_with(u)) || key.starts_with("synonyms.") =>
        {
            let mut a: Vec<String> = a.iter().map(Value::to_string).collect();
            let mut b: Vec<String> = b.iter().map(Value::to_string).collect();
            a.sort();
            b.sort();
            (a != b).then(|| key.to_string())
        }
        (Value::Null, _) => None,
        (a, b) => (a != b).then(|| key.to_string()),
    }
}

/// The first setting of ours that a live index's settings (as the engine
/// gives them, defaults filled in) lack or differ in, if any.
pub fn differs(theirs: &Value) -> Option<String> {
    let ours = settings_json();
    let Value::Object(ours) = ours else {
        return Some("settings".into());
    };
    ours.iter().find_map(|(k, v)| match theirs.get(k) {
        Some(t) => same(k, v, t),
        None => Some(k.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_the_same_in_every_process() {
        assert_eq!(format(), format());
        let text = settings_json().to_string();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed.to_string(), text, "keys come out sorted");
    }

    #[test]
    fn settings_name_the_attributes_in_meilisearchs_own_terms() {
        let settings = settings_json();
        assert_eq!(settings["rankingRules"][0], "sort");
        assert_eq!(settings["searchableAttributes"][0], "name_fi");
        assert_eq!(
            settings["typoTolerance"]["disableOnAttributes"],
            serde_json::json!(["lemmas", "lemmas_description"])
        );
        assert_eq!(settings["pagination"]["maxTotalHits"], MAX_TOTAL_HITS);
        assert_eq!(settings["faceting"]["maxValuesPerFacet"], MAX_FACET_VALUES);
        assert!(settings["displayedAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a != "lemmas"));
    }

    #[test]
    fn a_live_index_with_our_settings_in_another_order_and_with_defaults_is_the_same() {
        let mut theirs = settings_json();
        theirs["stopWords"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|v| v.to_string());
        theirs["filterableAttributes"]
            .as_array_mut()
            .unwrap()
            .reverse();
        theirs["typoTolerance"]["minWordSizeForTypos"] = serde_json::json!({"oneTypo": 5});
        theirs["proximityPrecision"] = "byWord".into();
        assert_eq!(differs(&theirs), None);
    }

    #[test]
    fn a_live_index_with_other_settings_is_named_by_the_setting() {
        let mut theirs = settings_json();
        theirs["rankingRules"].as_array_mut().unwrap().reverse();
        assert_eq!(differs(&theirs).as_deref(), Some("rankingRules"));
        let mut theirs = settings_json();
        theirs["typoTolerance"]["disableOnAttributes"] = serde_json::json!([]);
        assert_eq!(
            differs(&theirs).as_deref(),
            Some("typoTolerance.disableOnAttributes")
        );
        let mut theirs = settings_json();
        theirs.as_object_mut().unwrap().remove("sortableAttributes");
        assert_eq!(differs(&theirs).as_deref(), Some("sortableAttributes"));
    }

    /// The settings of generation `GENERATION`, digested. When the settings
    /// change, this test fails: raise `GENERATION` and write the new digest.
    #[test]
    fn settings_change_only_with_the_generation() {
        let digest = Sha256::digest(settings_json().to_string());
        let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            (GENERATION, short.as_str()),
            (3, "e4648ba0b209"),
            "the index settings changed: raise GENERATION and record the new digest here"
        );
    }
}
