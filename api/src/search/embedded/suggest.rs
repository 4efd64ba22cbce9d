//! The autocomplete dictionary of the embedded engine: every distinct course
//! name, keyword, provider name and municipality of the index once, with the
//! documents that carry it, and its words in a sorted map, so that a prefix
//! looks at the entries that can match instead of at every document.

use std::collections::{BTreeMap, HashMap};

use super::index::edit_distance;
use crate::domain::Lang;
use crate::finnish::fold;
use crate::search::{SearchDocument, Suggestion, SuggestionKind};

/// One suggestion text and who carries it.
struct Entry {
    text: String,
    folded: String,
    kind: SuggestionKind,
    /// Which display languages show this text (bits of `lang_bit`).
    langs: u8,
    /// Documents that carry it, in slot order.
    slots: Vec<u32>,
}

/// Every suggestion text of the index.
#[derive(Default)]
pub struct Suggestions {
    entries: Vec<Entry>,
    by_key: HashMap<(String, u8), u32>,
    /// Folded word -> entries whose text has it.
    words: BTreeMap<String, Vec<u32>>,
    /// Folded full text -> entries.
    texts: BTreeMap<String, Vec<u32>>,
}

fn kind_rank(kind: SuggestionKind) -> u8 {
    match kind {
        SuggestionKind::Course => 0,
        SuggestionKind::Keyword => 1,
        SuggestionKind::Provider => 2,
        SuggestionKind::Municipality => 3,
    }
}

fn lang_bit(lang: Lang) -> u8 {
    match lang {
        Lang::Fi => 1,
        Lang::Sv => 2,
        Lang::En => 4,
    }
}

const ALL_LANGS: u8 = 7;

fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

impl Suggestions {
    fn add(&mut self, text: &str, kind: SuggestionKind, langs: u8, slot: u32) {
        if text.is_empty() {
            return;
        }
        let folded = fold(text);
        let key = (folded.clone(), kind_rank(kind));
        let next = self.entries.len() as u32;
        let at = *self.by_key.entry(key).or_insert(next);
        if at == next {
            for word in words(&folded) {
                let list = self.words.entry(word.to_string()).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
            self.texts.entry(folded.clone()).or_default().push(at);
            self.entries.push(Entry {
                text: text.to_string(),
                folded,
                kind,
                langs: 0,
                slots: Vec::new(),
            });
        }
        let entry = &mut self.entries[at as usize];
        entry.langs |= langs;
        if entry.slots.last() != Some(&slot) {
            entry.slots.push(slot);
        }
    }

    /// Adds the texts of the document in `slot`.
    pub fn insert(&mut self, doc: &SearchDocument, slot: u32) {
        for lang in [Lang::Fi, Lang::Sv, Lang::En] {
            self.add(
                &doc.display_name(lang),
                SuggestionKind::Course,
                lang_bit(lang),
                slot,
            );
            let provider = doc.provider_name.get(lang).unwrap_or_default();
            self.add(provider, SuggestionKind::Provider, lang_bit(lang), slot);
        }
        for keyword in &doc.keywords {
            self.add(keyword, SuggestionKind::Keyword, ALL_LANGS, slot);
        }
        for place in &doc.places {
            self.add(place, SuggestionKind::Municipality, ALL_LANGS, slot);
        }
    }

    /// At most `limit` suggestions for `prefix` in `lang`: texts that start
    /// with it first, then texts with a word that does, then (for five
    /// letters or more) words one typo away; courses before keywords,
    /// providers and municipalities; shorter texts first. `carries` tells
    /// whether the live document in a slot shows the text in `lang`.
    pub fn complete(
        &self,
        prefix: &str,
        lang: Lang,
        limit: usize,
        carries: impl Fn(u32, SuggestionKind, &str) -> bool,
    ) -> Vec<Suggestion> {
        let wanted = fold(prefix.trim());
        if wanted.is_empty() {
            return Vec::new();
        }
        let last_word = wanted.rsplit(' ').next().unwrap_or(&wanted).to_string();
        let n = last_word.chars().count();
        let typos = usize::from(n >= 5);
        let near = |w: &str| {
            let head: String = w.chars().take(n).collect();
            edit_distance(&head, &last_word, typos) <= typos
        };
        let rank = |folded: &str| -> Option<u8> {
            if folded.starts_with(&wanted) {
                return Some(0);
            }
            if words(folded).any(|w| w.starts_with(&wanted))
                || folded.contains(&format!(" {wanted}"))
            {
                return Some(1);
            }
            (typos > 0 && words(folded).any(near)).then_some(2)
        };
        let mut candidates: Vec<u32> = Vec::new();
        for (_, list) in self
            .texts
            .range(wanted.clone()..)
            .take_while(|(t, _)| t.starts_with(&wanted))
        {
            candidates.extend(list);
        }
        match words(&wanted).next() {
            Some(first) => {
                for (_, list) in self
                    .words
                    .range(first.to_string()..)
                    .take_while(|(w, _)| w.starts_with(first))
                {
                    candidates.extend(list);
                }
            }
            None => candidates.extend(0..self.entries.len() as u32),
        }
        if typos > 0 {
            for (_, list) in self.words.iter().filter(|(w, _)| near(w)) {
                candidates.extend(list);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let bit = lang_bit(lang);
        let mut found: Vec<(u8, u8, &Entry, i32)> = candidates
            .into_iter()
            .filter_map(|at| {
                let e = &self.entries[at as usize];
                if e.langs & bit == 0 {
                    return None;
                }
                let r = rank(&e.folded)?;
                let slot = e.slots.iter().find(|s| carries(**s, e.kind, &e.folded))?;
                Some((r, kind_rank(e.kind), e, *slot as i32))
            })
            .collect();
        found.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.cmp(&b.1))
                .then_with(|| a.2.text.len().cmp(&b.2.text.len()))
                .then_with(|| a.2.text.cmp(&b.2.text))
        });
        found
            .into_iter()
            .take(limit)
            .map(|(_, _, e, slot)| Suggestion {
                text: e.text.clone(),
                kind: e.kind,
                course_id: (e.kind == SuggestionKind::Course).then_some(slot),
            })
            .collect()
    }
}
