//! How autocomplete suggestions rank, the same on every engine: an engine
//! finds candidate texts (course names, keywords, providers, places) that
//! may match what was typed, and this module keeps those that do and orders
//! them. Texts that start with the prefix come first, then texts with a word
//! that does, then (five letters or more) texts with a word one typo away;
//! within a rank courses before keywords, providers and municipalities, then
//! shorter texts first.

use crate::domain::Lang;
use crate::finnish::fold;
use crate::search::{Suggestion, SuggestionKind};

/// The letters typed before the last word may have one typo.
const TYPO_FROM_LETTERS: usize = 5;

/// The order of kinds within a rank.
pub fn kind_rank(kind: SuggestionKind) -> u8 {
    match kind {
        SuggestionKind::Course => 0,
        SuggestionKind::Keyword => 1,
        SuggestionKind::Provider => 2,
        SuggestionKind::Municipality => 3,
    }
}

/// A bit per display language, for texts shown in several.
pub fn lang_bit(lang: Lang) -> u8 {
    match lang {
        Lang::Fi => 1,
        Lang::Sv => 2,
        Lang::En => 4,
    }
}

/// Every display language's bit.
pub const ALL_LANGS: u8 = 7;

/// The words of a folded text.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// What was typed, folded, with the last word apart.
#[derive(Debug, Clone)]
pub struct Typed {
    /// The whole prefix, folded.
    pub wanted: String,
    /// Its last word, folded.
    pub last_word: String,
    /// Typos allowed in a word's head (0 or 1).
    pub typos: usize,
}

impl Typed {
    /// None for a blank prefix.
    pub fn new(prefix: &str) -> Option<Typed> {
        let wanted = fold(prefix.trim());
        if wanted.is_empty() {
            return None;
        }
        let last_word = wanted.rsplit(' ').next().unwrap_or(&wanted).to_string();
        let typos = usize::from(last_word.chars().count() >= TYPO_FROM_LETTERS);
        Some(Typed {
            wanted,
            last_word,
            typos,
        })
    }

    /// True when a word's first letters are within the typo budget of the
    /// last word typed.
    pub fn near(&self, word: &str) -> bool {
        let n = self.last_word.chars().count();
        let head: String = word.chars().take(n).collect();
        crate::search::embedded::edit_distance(&head, &self.last_word, self.typos) <= self.typos
    }

    /// How well a folded text matches: 0 starts with the prefix, 1 has a
    /// word that does, 2 has a word one typo away; None no match.
    pub fn rank(&self, folded: &str) -> Option<u8> {
        if folded.starts_with(&self.wanted) {
            return Some(0);
        }
        if words(folded).any(|w| w.starts_with(&self.wanted))
            || folded.contains(&format!(" {}", self.wanted))
        {
            return Some(1);
        }
        (self.typos > 0 && words(folded).any(|w| self.near(w))).then_some(2)
    }
}

/// Candidate suggestions, deduplicated by kind and folded text, ranked.
#[derive(Default)]
pub struct Ranked {
    found: Vec<(u8, Suggestion)>,
    seen: std::collections::HashMap<(u8, String), usize>,
}

impl Ranked {
    /// Offers a candidate; one that does not match `typed` is left out, and
    /// a text already offered of the same kind keeps its first course.
    pub fn offer(&mut self, typed: &Typed, suggestion: Suggestion) {
        let folded = fold(&suggestion.text);
        let Some(rank) = typed.rank(&folded) else {
            return;
        };
        match self.seen.entry((kind_rank(suggestion.kind), folded)) {
            std::collections::hash_map::Entry::Occupied(at) => {
                let existing = &mut self.found[*at.get()].1;
                // The lowest course id, so that every engine names the same one.
                if let (Some(a), Some(b)) = (existing.course_id, suggestion.course_id) {
                    existing.course_id = Some(a.min(b));
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(self.found.len());
                self.found.push((rank, suggestion));
            }
        }
    }

    /// The best `limit`, best first.
    pub fn best(mut self, limit: usize) -> Vec<Suggestion> {
        let order = |(ra, a): &(u8, Suggestion), (rb, b): &(u8, Suggestion)| {
            ra.cmp(rb)
                .then(kind_rank(a.kind).cmp(&kind_rank(b.kind)))
                .then_with(|| a.text.len().cmp(&b.text.len()))
                .then_with(|| a.text.cmp(&b.text))
        };
        if limit < self.found.len() && limit > 0 {
            self.found.select_nth_unstable_by(limit - 1, order);
            self.found.truncate(limit);
        }
        self.found.sort_by(order);
        self.found.into_iter().take(limit).map(|(_, s)| s).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(text: &str, id: i32) -> Suggestion {
        Suggestion {
            text: text.into(),
            kind: SuggestionKind::Course,
            course_id: Some(id),
        }
    }

    #[test]
    fn texts_that_start_with_the_prefix_rank_before_inner_words_and_typos() {
        let typed = Typed::new("Lähih").unwrap();
        assert_eq!(typed.rank("lahihoitaja"), Some(0));
        assert_eq!(typed.rank("ammattitutkinto lahihoitajille"), Some(1));
        assert_eq!(typed.rank("lahohoitaja"), Some(2));
        assert_eq!(typed.rank("kokki"), None);
        assert!(Typed::new("   ").is_none());
        assert_eq!(Typed::new("kok").unwrap().typos, 0);
    }

    #[test]
    fn candidates_are_deduplicated_and_ordered_by_rank_kind_and_length() {
        let typed = Typed::new("kou").unwrap();
        let mut ranked = Ranked::default();
        ranked.offer(
            &typed,
            Suggestion {
                text: "Kouvola".into(),
                kind: SuggestionKind::Municipality,
                course_id: None,
            },
        );
        ranked.offer(&typed, course("Kouluttajakoulutus", 9));
        ranked.offer(&typed, course("kouluttajakoulutus", 4));
        ranked.offer(&typed, course("Ammatillinen koulutus", 2));
        ranked.offer(&typed, course("Kokki", 1));
        let best = ranked.best(10);
        let texts: Vec<&str> = best.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Kouluttajakoulutus", "Kouvola", "Ammatillinen koulutus"]
        );
        assert_eq!(best[0].course_id, Some(4), "the lowest course id");
    }
}
