//! Everyday words -> catalogue terms, from `api/search/synonyms.txt`.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::finnish::fold;

static SYNONYMS: LazyLock<HashMap<String, Vec<String>>> =
    LazyLock::new(|| parse(include_str!("../../search/synonyms.txt")));

fn parse(text: &str) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let Some((word, alternatives)) = line.split_once('=') else {
            continue;
        };
        let entry = out.entry(fold(word.trim())).or_default();
        entry.extend(
            alternatives
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
        );
    }
    out
}

/// The alternatives of a word or phrase, if the thesaurus has it.
pub fn alternatives(word: &str) -> Option<&'static [String]> {
    SYNONYMS.get(&fold(word.trim())).map(Vec::as_slice)
}

/// Every entry, for engines that take the whole list (Meilisearch).
pub fn all() -> &'static HashMap<String, Vec<String>> {
    &SYNONYMS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn informal_words_have_alternatives_ignoring_case_and_diacritics() {
        assert!(alternatives("Amis")
            .unwrap()
            .iter()
            .any(|a| a == "perustutkinto"));
        assert!(alternatives("lahihoitaja").is_none());
        assert!(alternatives("it-ala").is_some());
    }
}
