//! The autocomplete dictionary of the embedded engine: every distinct course
//! name, keyword, provider name and municipality of the index once, with the
//! documents that carry it, and its words in a sorted map, so that a prefix
//! looks at the entries that can match instead of at every document.

use std::collections::{BTreeMap, HashMap};

use crate::domain::Lang;
use crate::finnish::fold;
use crate::search::suggest::{kind_rank, lang_bit, words, Ranked, Typed, ALL_LANGS};
use crate::search::{SearchDocument, Suggestion, SuggestionKind};

/// One suggestion text and who carries it.
struct Entry {
    text: String,
    kind: SuggestionKind,
    /// Which display languages show this text (bits of `lang_bit`).
    langs: u8,
    /// Documents that carry it, in slot order, with the languages each
    /// shows it in (a slot's document never changes: an update takes a new
    /// slot, so a live slot still shows what it showed when added).
    slots: Vec<(u32, u8)>,
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
                kind,
                langs: 0,
                slots: Vec::new(),
            });
        }
        let entry = &mut self.entries[at as usize];
        entry.langs |= langs;
        match entry.slots.last_mut() {
            Some((last, bits)) if *last == slot => *bits |= langs,
            _ => entry.slots.push((slot, langs)),
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

    /// At most `limit` suggestions for `prefix` in `lang`, ranked as on
    /// every engine (`search::suggest`). `course_id` names the course in a
    /// slot, None when the slot's document was removed or replaced.
    pub fn complete(
        &self,
        prefix: &str,
        lang: Lang,
        limit: usize,
        course_id: impl Fn(u32) -> Option<i32>,
    ) -> Vec<Suggestion> {
        let Some(typed) = Typed::new(prefix) else {
            return Vec::new();
        };
        let wanted = &typed.wanted;
        let mut candidates: Vec<u32> = Vec::new();
        for (_, list) in self
            .texts
            .range(wanted.clone()..)
            .take_while(|(t, _)| t.starts_with(wanted.as_str()))
        {
            candidates.extend(list);
        }
        match words(wanted).next() {
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
        if typed.typos > 0 {
            for (_, list) in self.words.iter().filter(|(w, _)| typed.near(w)) {
                candidates.extend(list);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let bit = lang_bit(lang);
        let mut ranked = Ranked::default();
        for at in candidates {
            let e = &self.entries[at as usize];
            if e.langs & bit == 0 {
                continue;
            }
            let mut carriers = e
                .slots
                .iter()
                .filter(|(_, langs)| langs & bit != 0)
                .filter_map(|(slot, _)| course_id(*slot));
            let course = match e.kind {
                // Names are shared by few courses: the lowest id of them.
                SuggestionKind::Course => match carriers.min() {
                    Some(id) => Some(id),
                    None => continue,
                },
                // A keyword or place may be carried by thousands: one will do.
                _ => match carriers.next() {
                    Some(_) => None,
                    None => continue,
                },
            };
            ranked.offer(
                &typed,
                Suggestion {
                    text: e.text.clone(),
                    kind: e.kind,
                    course_id: course,
                },
            );
        }
        ranked.best(limit)
    }
}
