//! The federated multi-search of one search: the raw query on the raw
//! fields, the lemmatised query on the analysed fields a little lower, and
//! compound words split into modifier and head lower still. Meilisearch
//! merges the three by weighted ranking score and counts facets over the
//! union of their matches.

use std::collections::HashMap;

use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{
    FederatedMultiSearchResponse, FederationOptions, MatchingStrategies, MergeFacets, SearchQuery,
    Selectors,
};

use super::document::MeiliDoc;
use super::{engine_error, MAX_FACET_VALUES};
use crate::domain::Lang;
use crate::finnish::{analyzer, is_stop_word, tokenize};
use crate::search::SearchError;

/// Fields searched by the raw query, most important first.
pub const RAW_FIELDS: &[&str] = &[
    "name_fi",
    "name_sv",
    "name_en",
    "keywords",
    "credential_fi",
    "credential_sv",
    "credential_en",
    "places",
    "times",
    "provider_name",
    "description_fi",
    "description_sv",
    "description_en",
];
/// Fields of analysed terms, searched by the lemmatised and split queries.
pub const LEMMA_FIELDS: &[&str] = &["lemmas", "lemmas_description"];
/// Weights of the three queries of a search.
const RAW_WEIGHT: f32 = 1.0;
const LEMMA_WEIGHT: f32 = 0.9;
const SPLIT_WEIGHT: f32 = 0.5;
/// The most lemmas taken from one ambiguous query word.
const LEMMAS_PER_WORD: usize = 3;
/// Highlight marks that cannot occur in text; replaced by `<mark>` after
/// the rest is HTML-escaped.
pub const OPEN_MARK: &str = "\u{1}mark\u{1}";
pub const CLOSE_MARK: &str = "\u{1}/mark\u{1}";
/// Words of context around the first match of a description.
const CROP_WORDS: usize = 30;

/// The strings of the three queries of a search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryStrings {
    pub raw: String,
    pub lemmas: String,
    pub split: String,
}

impl QueryStrings {
    /// The queries of `query`: as typed, its analysed terms (Finnish lemmas
    /// and compound parts, Swedish and English stems, as the documents'
    /// analysed fields hold them and as the embedded engine reads a query),
    /// its compounds split.
    pub fn of(query: &str) -> QueryStrings {
        let a = analyzer();
        let mut lemmas: Vec<String> = Vec::new();
        let mut split: Vec<String> = Vec::new();
        let add = |list: &mut Vec<String>, term: String| {
            if !term.is_empty() && !list.contains(&term) {
                list.push(term);
            }
        };
        for token in tokenize(query) {
            if is_stop_word(&token.text) {
                continue;
            }
            let forms = a.word(&token.text);
            for lemma in forms.lemmas.into_iter().take(LEMMAS_PER_WORD) {
                add(&mut lemmas, lemma);
            }
            for swedish in [true, false] {
                for stem in a.stems(&token.text, swedish) {
                    add(&mut lemmas, stem);
                }
            }
            for part in forms.split {
                add(&mut split, part);
            }
        }
        QueryStrings {
            raw: query.trim().to_string(),
            lemmas: lemmas.join(" "),
            split: split.join(" "),
        }
    }
}

/// The fields whose highlighted forms a hit shows, per language, and the
/// descriptions cropped around their first match.
pub fn display_fields(lang: Lang) -> (&'static [&'static str], &'static [&'static str]) {
    match lang {
        Lang::Fi => (&["name_fi"], &["description_fi"]),
        Lang::Sv => (
            &["name_sv", "name_fi"],
            &["description_sv", "description_fi"],
        ),
        Lang::En => (
            &["name_en", "name_fi"],
            &["description_en", "description_fi"],
        ),
    }
}

/// What one federated search asks for.
pub struct Fetch<'a> {
    pub filter: Option<&'a str>,
    pub sort: Option<&'a [&'a str]>,
    pub offset: usize,
    pub limit: usize,
    /// Attributes to return; None for all displayed ones.
    pub retrieve: Option<&'a [&'a str]>,
    /// Highlight names and crop descriptions in this language.
    pub highlight: Option<Lang>,
    /// Count these facets over every match.
    pub facets: &'a [&'a str],
}

impl Fetch<'_> {
    /// Only the counts of `facets` under `filter`.
    pub fn facets_only<'a>(filter: Option<&'a str>, facets: &'a [&'a str]) -> Fetch<'a> {
        Fetch {
            filter,
            sort: None,
            offset: 0,
            limit: 0,
            retrieve: Some(&["id"]),
            highlight: None,
            facets,
        }
    }
}

/// Runs the federated search of `strings` on `index`.
pub async fn federated(
    client: &super::http::MeiliClient,
    index: &Index<super::http::Http>,
    strings: &QueryStrings,
    fetch: &Fetch<'_>,
) -> Result<FederatedMultiSearchResponse<MeiliDoc>, SearchError> {
    let crops: Vec<(&str, Option<usize>)>;
    let (highlight, crop) = match fetch.highlight {
        Some(lang) => {
            let (names, descriptions) = display_fields(lang);
            crops = descriptions.iter().map(|d| (*d, None)).collect();
            (Some(names), Some(crops.as_slice()))
        }
        None => (None, None),
    };
    let parts: [(&str, &[&str], f32); 3] = [
        (strings.raw.as_str(), RAW_FIELDS, RAW_WEIGHT),
        (strings.lemmas.as_str(), LEMMA_FIELDS, LEMMA_WEIGHT),
        (strings.split.as_str(), LEMMA_FIELDS, SPLIT_WEIGHT),
    ];
    let mut multi = client.multi_search();
    for (i, (q, fields, weight)) in parts.into_iter().enumerate() {
        // The raw query always runs (an empty one browses); the others only
        // when there is something to look for.
        if i > 0 && q.trim().is_empty() {
            continue;
        }
        let mut query = SearchQuery::new(index);
        query
            .with_query(q)
            .with_attributes_to_search_on(fields)
            .with_matching_strategy(MatchingStrategies::LAST);
        if let Some(filter) = fetch.filter {
            query.with_filter(filter);
        }
        if let Some(sort) = fetch.sort {
            query.with_sort(sort);
        }
        if let Some(retrieve) = fetch.retrieve {
            query.with_attributes_to_retrieve(Selectors::Some(retrieve));
        }
        if let (Some(highlight), Some(crop)) = (highlight, crop) {
            query
                .with_attributes_to_highlight(Selectors::Some(highlight))
                .with_attributes_to_crop(Selectors::Some(crop))
                .with_crop_length(CROP_WORDS)
                .with_highlight_pre_tag(OPEN_MARK)
                .with_highlight_post_tag(CLOSE_MARK);
        }
        multi.with_search_query_and_weight(query, weight);
    }
    let federation = FederationOptions {
        offset: Some(fetch.offset),
        limit: Some(fetch.limit),
        facets_by_index: (!fetch.facets.is_empty()).then(|| {
            HashMap::from([(
                index.uid.clone(),
                fetch.facets.iter().map(|f| f.to_string()).collect(),
            )])
        }),
        merge_facets: (!fetch.facets.is_empty()).then_some(MergeFacets {
            max_values_per_facet: Some(MAX_FACET_VALUES),
        }),
        show_performance_details: None,
    };
    multi
        .with_federation(federation)
        .execute::<MeiliDoc>()
        .await
        .map_err(engine_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_browses_with_the_raw_query_alone() {
        let strings = QueryStrings::of("   ");
        assert_eq!(strings, QueryStrings::default());
    }

    #[test]
    fn swedish_and_english_words_are_stemmed_as_the_documents_are() {
        let strings = QueryStrings::of("utbildningar");
        let terms: Vec<&str> = strings.lemmas.split(' ').collect();
        let swedish = analyzer().stems("utbildningar", true);
        assert!(
            swedish.iter().all(|s| terms.contains(&s.as_str())),
            "{terms:?} has {swedish:?}"
        );
    }

    #[test]
    fn stop_words_are_left_out_of_the_analysed_queries() {
        let strings = QueryStrings::of("ja");
        assert_eq!(strings.raw, "ja");
        assert!(strings.lemmas.is_empty());
    }
}
