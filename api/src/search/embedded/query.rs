//! Query analysis and scoring: the raw words (exact, prefix for the last
//! word, typo tolerant) at full weight, their lemmas a little lower, compound
//! splits and synonyms lower still; a course must match the first word and
//! ranks by how many words it matches, then by score (Meilisearch's
//! `matchingStrategy: last`).

use std::collections::HashMap;

use super::bits::Bits;
use super::index::{Index, Layer};
use crate::finnish::{analyzer, fold, is_stop_word, tokenize};
use crate::search::synonyms;

/// One way a query word can match.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub layer: Layer,
    pub term: String,
    pub factor: f64,
    /// Comes from the thesaurus: several such terms in one course add up.
    pub synonym: bool,
}

/// A query word and its alternatives.
#[derive(Debug, Clone)]
pub struct QueryWord {
    pub alternatives: Vec<Alternative>,
}

const EXACT: f64 = 1.0;
const PREFIX: f64 = 0.8;
const LEMMA: f64 = 0.9;
const STEM: f64 = 0.75;
const TYPO: f64 = 0.55;
const SYNONYM: f64 = 0.6;
const SPLIT: f64 = 0.45;

fn typo_budget(word: &str) -> usize {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn push(list: &mut Vec<Alternative>, layer: Layer, term: String, factor: f64) {
    add(list, layer, term, factor, false);
}

fn add(list: &mut Vec<Alternative>, layer: Layer, term: String, factor: f64, synonym: bool) {
    if term.is_empty() {
        return;
    }
    match list.iter_mut().find(|a| a.layer == layer && a.term == term) {
        Some(existing) => {
            existing.factor = existing.factor.max(factor);
            existing.synonym &= synonym;
        }
        None => list.push(Alternative {
            layer,
            term,
            factor,
            synonym,
        }),
    }
}

/// The analysed terms of a word: lemmas and compound parts, or, for words
/// typed without ä/ö, the lemmas of the folded form the index has seen.
fn analysed(index: &Index, word: &str) -> (Vec<String>, Vec<String>) {
    let forms = analyzer().word(word);
    let folded = fold(word);
    let known = forms.lemmas.iter().any(|l| fold(l) != folded) || !forms.parts.is_empty();
    let mut lemmas: Vec<String> = forms.lemmas.iter().map(|l| fold(l)).collect();
    if !known {
        if let Some(seen) = index.folded_lemmas.get(&folded) {
            lemmas.extend(seen.iter().cloned());
        }
    }
    (lemmas, forms.split.iter().map(|s| fold(s)).collect())
}

fn alternatives(index: &Index, word: &str, last: bool) -> Vec<Alternative> {
    let mut out = Vec::new();
    let raw = fold(word);
    push(&mut out, Layer::Raw, raw.clone(), EXACT);
    if last && raw.chars().count() >= 2 {
        for term in index.raw_with_prefix(&raw, 50) {
            push(&mut out, Layer::Raw, term.to_string(), PREFIX);
        }
    }
    let typos = typo_budget(&raw);
    if typos > 0 {
        for term in index.raw_near(&raw, typos) {
            push(&mut out, Layer::Raw, term.to_string(), TYPO);
        }
    }
    let (lemmas, split) = analysed(index, word);
    for lemma in &lemmas {
        push(&mut out, Layer::Analysed, lemma.clone(), LEMMA);
    }
    for stem in analyzer()
        .stems(word, false)
        .into_iter()
        .chain(analyzer().stems(word, true))
    {
        push(&mut out, Layer::Analysed, fold(&stem), STEM);
    }
    for part in split {
        push(&mut out, Layer::Analysed, part, SPLIT);
    }
    let mut thesaurus: Vec<&String> = Vec::new();
    for key in std::iter::once(&raw).chain(lemmas.iter()) {
        if let Some(alts) = synonyms::alternatives(key) {
            thesaurus.extend(alts);
        }
    }
    for phrase in thesaurus {
        for token in tokenize(phrase) {
            let (lemmas, _) = analysed(index, &token.text);
            add(&mut out, Layer::Raw, fold(&token.text), SYNONYM, true);
            for lemma in lemmas {
                add(&mut out, Layer::Analysed, lemma, SYNONYM, true);
            }
        }
    }
    out
}

/// Analyses a query into words with alternatives. Phrases the thesaurus knows
/// (`first aid`) stay one word; stop words are dropped unless nothing else is left.
pub fn analyse(index: &Index, query: &str) -> Vec<QueryWord> {
    let tokens: Vec<String> = tokenize(query).into_iter().map(|t| t.text).collect();
    let content: Vec<String> = tokens
        .iter()
        .filter(|t| !is_stop_word(t))
        .cloned()
        .collect();
    let words = if content.is_empty() { tokens } else { content };
    let mut grouped: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if i + 1 < words.len() {
            let pair = format!("{} {}", words[i], words[i + 1]);
            if synonyms::alternatives(&pair).is_some() {
                grouped.push(pair);
                i += 2;
                continue;
            }
        }
        grouped.push(words[i].clone());
        i += 1;
    }
    let n = grouped.len();
    grouped
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let mut alternatives = if text.contains(' ') {
                let mut alts = Vec::new();
                for part in text.split(' ') {
                    for a in self::alternatives(index, part, false) {
                        push(&mut alts, a.layer, a.term, a.factor * 0.7);
                    }
                }
                alts
            } else {
                self::alternatives(index, &text, i + 1 == n)
            };
            if text.contains(' ') {
                if let Some(alts) = synonyms::alternatives(&text) {
                    for phrase in alts {
                        for token in tokenize(phrase) {
                            let (lemmas, _) = analysed(index, &token.text);
                            for lemma in lemmas {
                                add(&mut alternatives, Layer::Analysed, lemma, EXACT, true);
                            }
                        }
                    }
                }
            }
            QueryWord { alternatives }
        })
        .collect()
}

/// How much each further thesaurus term a course matches adds.
const SYNONYM_EXTRA: f64 = 0.5;

/// The live slots that match the first word (every course a query finds).
pub fn matches(index: &Index, words: &[QueryWord]) -> Bits {
    let mut found = Bits::empty(index.docs.len());
    if let Some(first) = words.first() {
        for alt in &first.alternatives {
            for p in index.postings(alt.layer, &alt.term) {
                if index.alive[p.slot as usize] {
                    found.insert(p.slot);
                }
            }
        }
    }
    found
}

/// Per matching slot among `keep` (live slots), in the order first met: how
/// many words matched and the score. Scores accumulate in dense rows, one
/// per course that matches the first word, rather than in maps keyed by slot.
pub fn score(index: &Index, words: &[QueryWord], keep: &Bits) -> Vec<(u32, usize, f64)> {
    let live = index.live.max(1) as f64;
    let stride = words.len().max(1);
    let mut row_of: Vec<u32> = vec![u32::MAX; index.docs.len()];
    let mut slots: Vec<u32> = Vec::new();
    let mut scores: Vec<f64> = Vec::new();
    let mut thesaurus: HashMap<(u32, usize), HashMap<&str, f64>> = HashMap::new();
    for (w, word) in words.iter().enumerate() {
        for alt in &word.alternatives {
            let postings = index.postings(alt.layer, &alt.term);
            if postings.is_empty() {
                continue;
            }
            let df = index.document_frequency(alt.layer, &alt.term).max(1) as f64;
            let idf = (1.0 + live / df).ln();
            for p in postings {
                if !keep.contains(p.slot) {
                    continue;
                }
                let mut row = row_of[p.slot as usize];
                if row == u32::MAX {
                    if w > 0 {
                        continue;
                    }
                    row = slots.len() as u32;
                    row_of[p.slot as usize] = row;
                    slots.push(p.slot);
                    scores.extend(std::iter::repeat_n(0.0, stride));
                }
                let value = alt.factor * p.field.weight() * idf;
                if alt.synonym {
                    let best = thesaurus
                        .entry((row, w))
                        .or_default()
                        .entry(alt.term.as_str())
                        .or_insert(0.0);
                    *best = best.max(value);
                } else {
                    let cell = &mut scores[row as usize * stride + w];
                    if value > *cell {
                        *cell = value;
                    }
                }
            }
        }
    }
    for ((row, w), terms) in &thesaurus {
        let best = terms.values().cloned().fold(0.0, f64::max);
        let sum: f64 = terms.values().sum();
        let cell = &mut scores[*row as usize * stride + w];
        *cell = cell.max(best) + SYNONYM_EXTRA * (sum - best);
    }
    slots
        .iter()
        .enumerate()
        .filter_map(|(row, slot)| {
            let row = &scores[row * stride..(row + 1) * stride];
            (row[0] > 0.0).then(|| {
                (
                    *slot,
                    row.iter().filter(|s| **s > 0.0).count(),
                    row.iter().sum(),
                )
            })
        })
        .collect()
}
