//! Autocomplete through Meilisearch: a prefix search over names, keywords,
//! providers and places (typo tolerant, the last word a prefix), turned into
//! suggestions of those kinds.

use meilisearch_sdk::search::{SearchQuery, Selectors};

use super::document::MeiliDoc;
use super::query::display_fields;
use super::{engine_error, MeiliEngine};
use crate::domain::Lang;
use crate::finnish::fold;
use crate::search::{SearchError, Suggestion, SuggestionKind};

/// Courses looked at per suggestion asked for.
const SPREAD: usize = 3;

/// True when a word of `text` starts with `wanted` (folded).
fn starts(text: &str, wanted: &str) -> bool {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.starts_with(wanted))
}

/// Suggestions for `prefix`: places, keywords and providers that start with
/// it, and the names of the courses that match, best first.
pub async fn suggest(
    engine: &MeiliEngine,
    prefix: &str,
    lang: Lang,
    limit: usize,
) -> Result<Vec<Suggestion>, SearchError> {
    let prefix = prefix.trim();
    if prefix.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let index = engine.index();
    let (names, _) = display_fields(lang);
    let fields: Vec<&str> = names
        .iter()
        .copied()
        .chain(["keywords", "provider_name", "places"])
        .collect();
    let retrieve: Vec<&str> = [
        "id",
        "name_fi",
        "name_sv",
        "name_en",
        "keywords",
        "provider_name",
        "places",
    ]
    .to_vec();
    let mut query = SearchQuery::new(&index);
    query
        .with_query(prefix)
        .with_attributes_to_search_on(&fields)
        .with_attributes_to_retrieve(Selectors::Some(&retrieve))
        .with_limit(limit * SPREAD);
    let found = index
        .execute_query::<MeiliDoc>(&query)
        .await
        .map_err(engine_error)?;
    let last = fold(prefix);
    let last = last.rsplit(' ').next().unwrap_or_default().to_string();
    let mut ranked: Vec<(u8, Suggestion)> = Vec::new();
    let mut push = |rank: u8, text: String, kind: SuggestionKind, course_id: Option<i32>| {
        if !ranked
            .iter()
            .any(|(_, s)| s.kind == kind && fold(&s.text) == fold(&text))
        {
            ranked.push((
                rank,
                Suggestion {
                    text,
                    kind,
                    course_id,
                },
            ));
        }
    };
    for hit in &found.hits {
        let doc = &hit.result;
        let name = match lang {
            Lang::Fi => doc.name_fi.clone(),
            Lang::Sv => doc.name_sv.clone().or(doc.name_fi.clone()),
            Lang::En => doc.name_en.clone().or(doc.name_fi.clone()),
        };
        if let Some(name) = name {
            push(0, name, SuggestionKind::Course, Some(doc.id));
        }
        for keyword in doc.keywords.iter().filter(|k| starts(k, &last)) {
            push(1, keyword.clone(), SuggestionKind::Keyword, None);
        }
        if let Some(provider) = doc.provider_name.clone().filter(|p| starts(p, &last)) {
            push(2, provider, SuggestionKind::Provider, None);
        }
        for place in doc.places.iter().filter(|p| starts(p, &last)) {
            push(3, place.clone(), SuggestionKind::Municipality, None);
        }
    }
    // Courses in the engine's order first, then the other kinds.
    ranked.sort_by_key(|(rank, _)| *rank);
    Ok(ranked.into_iter().take(limit).map(|(_, s)| s).collect())
}
