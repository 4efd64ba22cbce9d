//! Autocomplete through Meilisearch's facet search. Every document carries
//! its suggestion texts (course names, keywords, provider, places) in the
//! hidden facet `suggest`, once per word the text has, so that the engine's
//! prefix search over facet values (typo tolerant) finds a text by any of
//! its words. The candidates are then ranked as on every engine
//! (`search::suggest`).

use futures_util::future::try_join_all;

use super::{engine_error, MeiliEngine};
use crate::domain::Lang;
use crate::finnish::fold;
use crate::search::suggest::{lang_bit, words, Ranked, Typed, ALL_LANGS};
use crate::search::{SearchDocument, SearchError, Suggestion, SuggestionKind};

/// The facet attribute of suggestion texts.
pub const ATTRIBUTE: &str = "suggest";
/// Separates the parts of a suggestion value; never a character of texts,
/// which refuse control characters.
const SEP: char = '\u{1f}';

fn kind_code(kind: SuggestionKind) -> char {
    match kind {
        SuggestionKind::Course => 'c',
        SuggestionKind::Keyword => 'k',
        SuggestionKind::Provider => 'p',
        SuggestionKind::Municipality => 'm',
    }
}

fn kind_of(code: char) -> Option<SuggestionKind> {
    match code {
        'c' => Some(SuggestionKind::Course),
        'k' => Some(SuggestionKind::Keyword),
        'p' => Some(SuggestionKind::Provider),
        'm' => Some(SuggestionKind::Municipality),
        _ => None,
    }
}

/// One suggestion text of a document, and the languages that show it.
#[derive(Debug, PartialEq)]
struct Entry {
    text: String,
    kind: SuggestionKind,
    langs: u8,
}

fn add(out: &mut Vec<Entry>, text: &str, kind: SuggestionKind, langs: u8) {
    if text.trim().is_empty() {
        return;
    }
    match out.iter_mut().find(|e| e.kind == kind && e.text == text) {
        Some(e) => e.langs |= langs,
        None => out.push(Entry {
            text: text.to_string(),
            kind,
            langs,
        }),
    }
}

/// The texts a document can be suggested by, as the embedded engine's
/// dictionary has them: names and providers per display language,
/// keywords and places in every language.
fn entries(doc: &SearchDocument) -> Vec<Entry> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        add(
            &mut out,
            &doc.display_name(lang),
            SuggestionKind::Course,
            lang_bit(lang),
        );
        let provider = doc.provider_name.get(lang).unwrap_or_default();
        add(&mut out, provider, SuggestionKind::Provider, lang_bit(lang));
    }
    for keyword in &doc.keywords {
        add(&mut out, keyword, SuggestionKind::Keyword, ALL_LANGS);
    }
    for place in &doc.places {
        add(&mut out, place, SuggestionKind::Municipality, ALL_LANGS);
    }
    out
}

/// The facet values of a document's suggestion texts: for each text, one
/// value per word it has, starting at that word, followed by the kind, the
/// languages, the course (for names) and the text itself.
pub fn values(doc: &SearchDocument) -> Vec<String> {
    let mut out = Vec::new();
    for entry in entries(doc) {
        let folded = fold(&entry.text);
        let course = match entry.kind {
            SuggestionKind::Course => doc.course_id.to_string(),
            _ => String::new(),
        };
        let tail = format!(
            "{SEP}{}{}{SEP}{course}{SEP}{}",
            kind_code(entry.kind),
            entry.langs,
            entry.text
        );
        let mut starts: Vec<usize> = Vec::new();
        for word in words(&folded) {
            // Word starts in the folded text: its words are slices of it.
            let at = word.as_ptr() as usize - folded.as_ptr() as usize;
            starts.push(at);
        }
        for at in starts {
            let value = format!("{}{tail}", &folded[at..]);
            if !out.contains(&value) {
                out.push(value);
            }
        }
    }
    out
}

/// A suggestion decoded from a facet value, with its languages.
fn decode(value: &str) -> Option<(Suggestion, u8)> {
    let mut parts = value.splitn(4, SEP);
    let _suffix = parts.next()?;
    let mut code = parts.next()?.chars();
    let kind = kind_of(code.next()?)?;
    let langs: u8 = code.as_str().parse().ok()?;
    let course = parts.next()?;
    let text = parts.next()?.to_string();
    let course_id = match kind {
        SuggestionKind::Course => Some(course.parse().ok()?),
        _ => None,
    };
    Some((
        Suggestion {
            text,
            kind,
            course_id,
        },
        langs,
    ))
}

/// Suggestions for `prefix`: the texts whose words start with it (or are a
/// typo away), ranked as on every engine.
pub async fn suggest(
    engine: &MeiliEngine,
    prefix: &str,
    lang: Lang,
    limit: usize,
) -> Result<Vec<Suggestion>, SearchError> {
    let Some(typed) = Typed::new(prefix) else {
        return Ok(Vec::new());
    };
    if limit == 0 {
        return Ok(Vec::new());
    }
    let index = engine.index();
    // The whole prefix finds texts with those words in a row; its last word
    // alone finds texts with a word a typo away from it.
    let mut queries = vec![typed.wanted.clone()];
    if typed.last_word != typed.wanted && typed.typos > 0 {
        queries.push(typed.last_word.clone());
    }
    let answers = try_join_all(queries.iter().map(|q| {
        let index = &index;
        async move {
            index
                .facet_search(ATTRIBUTE)
                .with_facet_query(q)
                .execute()
                .await
                .map_err(engine_error)
        }
    }))
    .await?;
    let bit = lang_bit(lang);
    let mut ranked = Ranked::default();
    for hit in answers.iter().flat_map(|a| &a.facet_hits) {
        let Some((suggestion, langs)) = decode(&hit.value) else {
            continue;
        };
        if langs & bit != 0 {
            ranked.offer(&typed, suggestion);
        }
    }
    Ok(ranked.best(limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Localized;

    fn doc() -> SearchDocument {
        SearchDocument {
            course_id: 7,
            external_id: "x".into(),
            provider_id: 1,
            provider_name: Localized::fi("Kotkan aikuisopisto"),
            name: Localized::fi("Lähihoitajan koulutus").with(Lang::Sv, "Närvårdare"),
            description: Localized::default(),
            credential: Localized::default(),
            keywords: vec!["hoiva".into()],
            fields: vec![],
            education_type: None,
            audiences: vec![],
            name_sort: String::new(),
            places: vec!["Kotka".into()],
            times: vec![],
            instances: vec![],
        }
    }

    #[test]
    fn every_word_of_a_text_starts_a_value_that_decodes_to_the_text() {
        let values = values(&doc());
        let of_name: Vec<&String> = values
            .iter()
            .filter(|v| v.contains("Lähihoitajan koulutus"))
            .collect();
        assert_eq!(of_name.len(), 2, "{values:?}");
        assert!(of_name[0].starts_with("lahihoitajan koulutus\u{1f}"));
        assert!(of_name[1].starts_with("koulutus\u{1f}"));
        let (s, langs) = decode(of_name[1]).unwrap();
        assert_eq!(s.text, "Lähihoitajan koulutus");
        assert_eq!(s.kind, SuggestionKind::Course);
        assert_eq!(s.course_id, Some(7));
        assert_eq!(langs, lang_bit(Lang::Fi) | lang_bit(Lang::En));
        let provider = values
            .iter()
            .find(|v| v.starts_with("aikuisopisto"))
            .unwrap();
        assert_eq!(decode(provider).unwrap().0.kind, SuggestionKind::Provider);
        let place = values
            .iter()
            .find(|v| v.starts_with("kotka\u{1f}m"))
            .unwrap();
        assert_eq!(decode(place).unwrap().1, ALL_LANGS);
        assert!(decode("no separators").is_none());
    }
}
