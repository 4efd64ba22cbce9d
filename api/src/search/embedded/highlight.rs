//! Highlights: the name with matched words in `<mark>`, and a passage of the
//! description around the first match.

use std::collections::HashSet;

use super::index::Layer;
use super::query::QueryWord;
use crate::domain::Lang;
use crate::finnish::{analyzer, fold, tokenize};
use crate::search::SearchDocument;

/// Words of context shown before and after the first match of a snippet.
const BEFORE: usize = 8;
const AFTER: usize = 22;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Terms {
    raw: HashSet<String>,
    analysed: HashSet<String>,
}

fn terms(words: &[QueryWord]) -> Terms {
    let mut raw = HashSet::new();
    let mut analysed = HashSet::new();
    for word in words {
        for alt in &word.alternatives {
            match alt.layer {
                Layer::Raw => raw.insert(alt.term.clone()),
                Layer::Analysed => analysed.insert(alt.term.clone()),
            };
        }
    }
    Terms { raw, analysed }
}

fn hit(token: &str, terms: &Terms) -> bool {
    let folded = fold(token);
    terms.raw.contains(&folded)
        || analyzer()
            .word(token)
            .lemmas
            .iter()
            .any(|l| terms.analysed.contains(&fold(l)))
}

/// Marks matches in `text`; returns the text and the index of the first
/// marked word, if any.
fn mark(text: &str, terms: &Terms) -> (String, Option<usize>, Vec<(usize, usize, bool)>) {
    let tokens = tokenize(text);
    let mut out = String::new();
    let mut at = 0;
    let mut first = None;
    let mut spans = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        out.push_str(&escape(&text[at..token.start]));
        let matched = hit(&token.text, terms);
        if matched {
            first.get_or_insert(i);
            out.push_str(&format!("<mark>{}</mark>", escape(&token.text)));
        } else {
            out.push_str(&escape(&token.text));
        }
        spans.push((token.start, token.end, matched));
        at = token.end;
    }
    out.push_str(&escape(&text[at..]));
    (out, first, spans)
}

/// The highlighted name and description snippet of `doc` in `lang`.
pub fn highlight(
    doc: &SearchDocument,
    words: &[QueryWord],
    lang: Lang,
) -> (Option<String>, Option<String>) {
    let terms = terms(words);
    let name = doc.name.get(lang).map(|n| mark(n, &terms).0);
    let snippet = doc.description.get(lang).map(|text| {
        let (_, first, spans) = mark(text, &terms);
        let first = first.unwrap_or(0);
        let from = first.saturating_sub(BEFORE);
        let to = (first + AFTER).min(spans.len());
        if spans.is_empty() {
            return escape(text);
        }
        let start = spans[from].0;
        let end = spans[to - 1].1;
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        let mut at = start;
        for (s, e, matched) in &spans[from..to] {
            out.push_str(&escape(&text[at..*s]));
            if *matched {
                out.push_str(&format!("<mark>{}</mark>", escape(&text[*s..*e])));
            } else {
                out.push_str(&escape(&text[*s..*e]));
            }
            at = *e;
        }
        if end < text.len() {
            out.push('…');
        }
        out
    });
    (name, snippet)
}
