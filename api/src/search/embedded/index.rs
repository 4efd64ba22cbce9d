//! The in-memory inverted index of the embedded engine: raw folded words and
//! analysed terms (Voikko lemmas and compound parts, or stems) per field.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use super::bits::{Bits, SlotSet};
use super::suggest::Suggestions;
use crate::domain::Localized;
use crate::finnish::{analyzer, fold, tokenize};
use crate::search::filter::all_values;
use crate::search::{Facet, SearchDocument};

/// The facets whose values the index keeps with the documents that carry
/// them (`ApplicationOpen` depends on the day, so it is not among them).
const VALUED_FACETS: [Facet; 11] = [
    Facet::Municipality,
    Facet::Region,
    Facet::FieldOfEducation,
    Facet::EducationType,
    Facet::TeachingMode,
    Facet::Language,
    Facet::Provider,
    Facet::FundingCategory,
    Facet::TimeOfDay,
    Facet::Audience,
    Facet::Free,
];

/// One value of a facet: how many live documents carry it, and their slots
/// (with removed ones, which the live set masks).
#[derive(Default)]
pub struct Value {
    pub docs: usize,
    pub slots: SlotSet,
}

/// The values of a facet a document has, over all its instances; `Free` as
/// `true` and `false`, whether some instance costs nothing or something.
fn values_of(doc: &SearchDocument, facet: Facet) -> Vec<String> {
    if facet == Facet::Free {
        let mut out: Vec<String> = doc
            .instances
            .iter()
            .map(|i| (i.price_cents == Some(0)).to_string())
            .collect();
        out.sort_unstable();
        out.dedup();
        return out;
    }
    all_values(doc, facet)
}

/// Where in a document a term occurs; each has its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Keywords,
    Credential,
    Provider,
    Place,
    Time,
    Description,
}

impl Field {
    /// How much a match in this field counts.
    pub fn weight(self) -> f64 {
        match self {
            Field::Name => 10.0,
            Field::Keywords => 6.0,
            Field::Credential => 5.0,
            Field::Place => 4.0,
            Field::Time => 4.0,
            Field::Provider => 2.5,
            Field::Description => 1.5,
        }
    }
}

/// Raw (as written, folded) or analysed (lemma, compound part, stem).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Raw,
    Analysed,
}

/// One occurrence of a term in a document field.
#[derive(Debug, Clone, Copy)]
pub struct Posting {
    pub slot: u32,
    pub field: Field,
}

/// The index: documents in slots (a removed one leaves an empty slot until
/// the next rebuild) and postings per (layer, term).
#[derive(Default)]
pub struct Index {
    pub docs: Vec<Option<SearchDocument>>,
    /// Whether each slot holds a live document (compact, for scoring loops).
    pub alive: Vec<bool>,
    /// The live slots as a set, for filters.
    pub live_slots: Bits,
    /// Live slots by name (`name_sort`, then slot), made when first asked for.
    by_name: OnceLock<Vec<u32>>,
    /// Each slot's place in `by_name` (`u32::MAX` for empty slots), so that
    /// ranking breaks ties on two integers rather than two names; dropped by
    /// every write and made again when next asked for.
    name_rank: OnceLock<Vec<u32>>,
    pub slots: HashMap<i32, u32>,
    raw: HashMap<String, Vec<Posting>>,
    analysed: HashMap<String, Vec<Posting>>,
    /// Every value of each facet among the live documents, with how many
    /// carry it and which.
    values: HashMap<Facet, BTreeMap<String, Value>>,
    /// Autocomplete entries.
    pub suggestions: Suggestions,
    raw_terms: BTreeSet<String>,
    /// Folded surface word -> folded lemmas, so queries typed without ä/ö
    /// can be lemmatised.
    pub folded_lemmas: HashMap<String, Vec<String>>,
    pub live: usize,
    /// Upserts and removals so far, so that a compaction built beside the
    /// index can tell whether the index changed meanwhile.
    pub writes: u64,
}

/// Dead slots an index holds before compaction is considered at all.
pub const COMPACT_MIN_DEAD: usize = 2_048;

fn texts(text: &Localized) -> [(Option<&str>, u8); 3] {
    [
        (text.fi.as_deref(), 0),
        (text.sv.as_deref(), 1),
        (text.en.as_deref(), 2),
    ]
}

impl Index {
    /// Slots whose documents were replaced or removed: their postings,
    /// terms, facet slots and suggestion entries stay until compaction.
    pub fn dead(&self) -> usize {
        self.docs.len() - self.live
    }

    /// Whether the dead slots are many enough to compact: more than the
    /// live ones (and past a floor), so that compaction's cost, which is
    /// that of indexing the live documents once, is paid at most once per
    /// as many updates: amortised, a constant per update.
    pub fn wants_compaction(&self) -> bool {
        let dead = self.dead();
        dead >= COMPACT_MIN_DEAD && dead > self.live
    }

    /// The live documents, for a compacted index to be built from.
    pub fn live_documents(&self) -> Vec<SearchDocument> {
        self.docs.iter().flatten().cloned().collect()
    }

    /// An index of `docs` alone, in slots from 0, with nothing of what was
    /// removed before: the compacted form of the index they came from.
    pub fn of_documents(docs: Vec<SearchDocument>) -> Index {
        let mut fresh = Index::default();
        for doc in docs {
            fresh.upsert(doc);
        }
        fresh.name_ranks();
        fresh
    }

    /// Adds or replaces a document.
    pub fn upsert(&mut self, doc: SearchDocument) {
        self.remove(doc.course_id);
        self.writes += 1;
        self.name_rank.take();
        let slot = self.docs.len() as u32;
        let add = |index: &mut Index, layer: Layer, term: String, field: Field| {
            if term.is_empty() {
                return;
            }
            if layer == Layer::Raw && !index.raw.contains_key(&term) {
                index.raw_terms.insert(term.clone());
            }
            let list = index.layer_mut(layer).entry(term).or_default();
            if !list
                .last()
                .is_some_and(|p| p.slot == slot && p.field == field)
            {
                list.push(Posting { slot, field });
            }
        };
        let mut finnish = |index: &mut Index, text: &str, field: Field| {
            for token in tokenize(text) {
                let raw = fold(&token.text);
                for piece in raw
                    .split('-')
                    .filter(|p| !p.is_empty() && p.len() < raw.len())
                {
                    add(index, Layer::Raw, piece.to_string(), field);
                }
                add(index, Layer::Raw, raw, field);
            }
            for term in analyzer().finnish_terms(text) {
                add(index, Layer::Analysed, fold(&term), field);
            }
        };
        let localized = |index: &mut Index,
                         text: &Localized,
                         field: Field,
                         finnish: &mut dyn FnMut(&mut Index, &str, Field)| {
            for (value, lang) in texts(text) {
                let Some(value) = value else { continue };
                if lang == 0 {
                    finnish(index, value, field);
                    continue;
                }
                for token in tokenize(value) {
                    let raw = fold(&token.text);
                    if !index.raw.contains_key(&raw) {
                        index.raw_terms.insert(raw.clone());
                    }
                    index
                        .raw
                        .entry(raw)
                        .or_default()
                        .push(Posting { slot, field });
                }
                for stem in analyzer().stems(value, lang == 1) {
                    index
                        .analysed
                        .entry(fold(&stem))
                        .or_default()
                        .push(Posting { slot, field });
                }
            }
        };
        localized(self, &doc.name, Field::Name, &mut finnish);
        localized(self, &doc.credential, Field::Credential, &mut finnish);
        localized(self, &doc.description, Field::Description, &mut finnish);
        localized(self, &doc.provider_name, Field::Provider, &mut finnish);
        for keyword in &doc.keywords {
            finnish(self, keyword, Field::Keywords);
        }
        for place in &doc.places {
            finnish(self, place, Field::Place);
        }
        for word in &doc.times {
            finnish(self, word, Field::Time);
        }
        self.remember_surfaces(&doc);
        self.add_values(&doc, slot);
        self.suggestions.insert(&doc, slot);
        self.slots.insert(doc.course_id, slot);
        if let Some(order) = self.by_name.get_mut() {
            let at = order.partition_point(|s| {
                (
                    self.docs[*s as usize]
                        .as_ref()
                        .map(|d| d.name_sort.as_str()),
                    *s,
                ) < (Some(doc.name_sort.as_str()), slot)
            });
            order.insert(at, slot);
        }
        self.docs.push(Some(doc));
        self.alive.push(true);
        self.live_slots.insert(slot);
        self.live += 1;
    }

    fn remember_surfaces(&mut self, doc: &SearchDocument) {
        let texts = [
            doc.name.fi.as_deref(),
            doc.description.fi.as_deref(),
            doc.credential.fi.as_deref(),
        ];
        for text in texts
            .into_iter()
            .flatten()
            .chain(doc.keywords.iter().map(String::as_str))
        {
            for token in tokenize(text) {
                let folded = fold(&token.text);
                if folded == token.text.to_lowercase() || self.folded_lemmas.contains_key(&folded) {
                    continue;
                }
                let lemmas: Vec<String> = analyzer()
                    .word(&token.text)
                    .lemmas
                    .iter()
                    .map(|l| fold(l))
                    .collect();
                self.folded_lemmas.insert(folded, lemmas);
            }
        }
    }

    fn layer_mut(&mut self, layer: Layer) -> &mut HashMap<String, Vec<Posting>> {
        match layer {
            Layer::Raw => &mut self.raw,
            Layer::Analysed => &mut self.analysed,
        }
    }

    /// Adds a document's facet values, in `slot`.
    fn add_values(&mut self, doc: &SearchDocument, slot: u32) {
        for facet in VALUED_FACETS {
            let values = self.values.entry(facet).or_default();
            for value in values_of(doc, facet) {
                let entry = values.entry(value).or_default();
                entry.docs += 1;
                entry.slots.push(slot);
            }
        }
    }

    /// Takes away a removed document's facet values.
    fn drop_values(&mut self, doc: &SearchDocument) {
        for facet in VALUED_FACETS {
            let values = self.values.entry(facet).or_default();
            for value in values_of(doc, facet) {
                if let Some(entry) = values.get_mut(&value) {
                    entry.docs = entry.docs.saturating_sub(1);
                    if entry.docs == 0 {
                        values.remove(&value);
                    }
                }
            }
        }
    }

    /// Every value of `facet` among the live documents (`Free` has them too,
    /// though its counts always show both).
    pub fn facet_values(&self, facet: Facet) -> impl Iterator<Item = &str> {
        self.values
            .get(&facet)
            .into_iter()
            .flat_map(|values| values.keys().map(String::as_str))
    }

    /// Every value of `facet` among the live documents with what carries it.
    pub fn facet_entries(&self, facet: Facet) -> impl Iterator<Item = (&str, &Value)> {
        self.values
            .get(&facet)
            .into_iter()
            .flat_map(|values| values.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// The documents that carry `value` of `facet` (on some instance, for
    /// the facets of instances).
    pub fn carrying(&self, facet: Facet, value: &str) -> Option<&SlotSet> {
        self.values
            .get(&facet)
            .and_then(|values| values.get(value))
            .map(|v| &v.slots)
    }

    /// The live slots by name (`name_sort`, then slot).
    pub fn by_name(&self) -> &[u32] {
        self.by_name.get_or_init(|| {
            let mut order: Vec<u32> = self.live_slots.iter().collect();
            order.sort_unstable_by(|a, b| {
                let name = |s: &u32| {
                    self.docs[*s as usize]
                        .as_ref()
                        .map(|d| d.name_sort.as_str())
                };
                name(a).cmp(&name(b)).then(a.cmp(b))
            });
            order
        })
    }

    /// Each slot's place in the order by name: comparing two slots' places
    /// is comparing their names, then the slots.
    pub fn name_ranks(&self) -> &[u32] {
        self.name_rank.get_or_init(|| {
            let mut rank = vec![u32::MAX; self.docs.len()];
            for (place, slot) in self.by_name().iter().enumerate() {
                rank[*slot as usize] = place as u32;
            }
            rank
        })
    }

    /// Removes a document; its postings are skipped from now on.
    pub fn remove(&mut self, course_id: i32) {
        if let Some(slot) = self.slots.remove(&course_id) {
            self.writes += 1;
            self.name_rank.take();
            if let (Some(order), Some(doc)) =
                (self.by_name.get_mut(), self.docs[slot as usize].as_ref())
            {
                let docs = &self.docs;
                let key = |s: u32| (docs[s as usize].as_ref().map(|d| d.name_sort.as_str()), s);
                let at = order.partition_point(|s| key(*s) < (Some(doc.name_sort.as_str()), slot));
                if order.get(at) == Some(&slot) {
                    order.remove(at);
                } else {
                    order.retain(|s| *s != slot);
                }
            }
            self.alive[slot as usize] = false;
            self.live_slots.remove(slot);
            if let Some(doc) = self.docs[slot as usize].take() {
                self.drop_values(&doc);
            }
            self.live -= 1;
        }
    }

    /// The live document in `slot`.
    pub fn doc(&self, slot: u32) -> Option<&SearchDocument> {
        self.docs.get(slot as usize).and_then(Option::as_ref)
    }

    /// The postings of a term.
    pub fn postings(&self, layer: Layer, term: &str) -> &[Posting] {
        match layer {
            Layer::Raw => self.raw.get(term),
            Layer::Analysed => self.analysed.get(term),
        }
        .map(Vec::as_slice)
        .unwrap_or_default()
    }

    /// Raw terms that start with `prefix`, at most `limit`.
    pub fn raw_with_prefix(&self, prefix: &str, limit: usize) -> Vec<&str> {
        self.raw_terms
            .range(prefix.to_string()..)
            .take_while(|t| t.starts_with(prefix))
            .take(limit)
            .map(String::as_str)
            .collect()
    }

    /// Raw terms within `typos` edits of `word` that share its first letter.
    pub fn raw_near(&self, word: &str, typos: usize) -> Vec<&str> {
        let Some(first) = word.chars().next() else {
            return Vec::new();
        };
        let len = word.chars().count();
        let start = first.to_string();
        self.raw_terms
            .range(start.clone()..)
            .take_while(|t| t.starts_with(&start))
            .filter(|t| t.chars().count().abs_diff(len) <= typos && *t != word)
            .filter(|t| edit_distance(word, t, typos) <= typos)
            .map(String::as_str)
            .collect()
    }

    /// How many live documents hold a term (for its rarity).
    pub fn document_frequency(&self, layer: Layer, term: &str) -> usize {
        let mut last = u32::MAX;
        let mut n = 0;
        for p in self.postings(layer, term) {
            if p.slot != last && self.alive[p.slot as usize] {
                n += 1;
            }
            last = p.slot;
        }
        n
    }
}

/// Damerau-Levenshtein distance (adjacent transpositions), giving up past `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut best = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            best = best.min(cur[j]);
        }
        if best > limit {
            return limit + 1;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpositions_and_missing_letters_are_one_edit() {
        assert_eq!(edit_distance("englnti", "englanti", 2), 1);
        assert_eq!(edit_distance("lähihoitja", "lähihoitaja", 2), 1);
        assert_eq!(edit_distance("oppisopmus", "oppisopimus", 2), 1);
        assert_eq!(edit_distance("ab", "ba", 2), 1);
        assert!(edit_distance("kissa", "koira", 1) > 1);
    }
}
