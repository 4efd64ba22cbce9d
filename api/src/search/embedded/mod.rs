//! The embedded engine, used when no MEILI_URL is set: an in-memory index
//! rebuilt from the database at start and kept current through the outbox.

mod highlight;
mod index;
mod query;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use futures_util::future::BoxFuture;

use self::index::Index;
use super::filter;
use super::*;
use crate::finnish::fold;

pub use index::edit_distance;

/// Documents indexed between progress reports during a rebuild.
const BUILD_CHUNK: usize = 1000;

/// The in-memory engine.
#[derive(Default)]
pub struct EmbeddedEngine {
    index: RwLock<Arc<RwLock<Index>>>,
    down: AtomicBool,
}

impl EmbeddedEngine {
    /// An empty engine.
    pub fn new() -> EmbeddedEngine {
        EmbeddedEngine::default()
    }

    /// Makes every write fail until called with `true` again, as an outage
    /// of a remote engine would (for tests of the outbox).
    pub fn set_available(&self, available: bool) {
        self.down.store(!available, Ordering::SeqCst);
    }

    fn current(&self) -> Arc<RwLock<Index>> {
        self.index.read().expect("index lock").clone()
    }

    fn check(&self) -> Result<(), SearchError> {
        if self.down.load(Ordering::SeqCst) {
            Err(SearchError::Unavailable(
                "the embedded engine is switched off".into(),
            ))
        } else {
            Ok(())
        }
    }

    fn run(&self, request: &SearchRequest) -> SearchResult {
        let current = self.current();
        let index = current.read().expect("index lock");
        let text = request
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty());
        let words = text.map(|q| query::analyse(&index, q)).unwrap_or_default();
        let scored: Vec<(u32, usize, f64)> = if text.is_some() {
            query::score(&index, &words)
                .into_iter()
                .map(|(slot, (m, s))| (slot, m, s))
                .collect()
        } else {
            index
                .docs
                .iter()
                .enumerate()
                .filter(|(_, d)| d.is_some())
                .map(|(slot, _)| (slot as u32, 0, 0.0))
                .collect()
        };
        let mut hits: Vec<(u32, usize, f64, Vec<i32>)> = scored
            .iter()
            .filter_map(|(slot, matched, score)| {
                let doc = index.doc(*slot)?;
                filter::matching_instances(doc, &request.filter, request.today)
                    .map(|ids| (*slot, *matched, *score, ids))
            })
            .collect();
        let order = match (request.order, text) {
            (SearchOrder::Relevance, None) => SearchOrder::Name,
            (order, _) => order,
        };
        let name = |slot: u32| {
            index
                .doc(slot)
                .map(|d| d.name_sort.as_str())
                .unwrap_or_default()
        };
        let start = |slot: u32, ids: &[i32]| {
            index.doc(slot).and_then(|d| {
                d.instances
                    .iter()
                    .filter(|i| ids.is_empty() || ids.contains(&i.id))
                    .filter_map(|i| i.start_date)
                    .min()
            })
        };
        match order {
            SearchOrder::Relevance => hits.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then(b.2.total_cmp(&a.2))
                    .then_with(|| name(a.0).cmp(name(b.0)))
            }),
            SearchOrder::Name => hits.sort_by(|a, b| name(a.0).cmp(name(b.0)).then(a.0.cmp(&b.0))),
            SearchOrder::StartDate => hits.sort_by(|a, b| {
                let (sa, sb) = (start(a.0, &a.3), start(b.0, &b.3));
                match (sa, sb) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
                .then_with(|| name(a.0).cmp(name(b.0)))
            }),
        }
        let candidates: HashSet<u32> = scored.iter().map(|(slot, _, _)| *slot).collect();
        let facets = request
            .facets
            .iter()
            .map(|facet| FacetCounts {
                facet: *facet,
                values: filter::count(
                    index.docs.iter().flatten(),
                    candidates.iter().filter_map(|slot| index.doc(*slot)),
                    &request.filter,
                    *facet,
                    request.today,
                ),
            })
            .collect();
        let total = hits.len() as u64;
        let page = hits
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .filter_map(|(slot, matched, score, instance_ids)| {
                let doc = index.doc(slot)?;
                let (name_highlight, description_snippet) =
                    highlight::highlight(doc, &words, request.lang);
                Some(Hit {
                    course_id: doc.course_id,
                    score: if text.is_some() {
                        matched as f64 * 1000.0 + score
                    } else {
                        0.0
                    },
                    instance_ids,
                    name_highlight,
                    description_snippet,
                })
            })
            .collect();
        SearchResult {
            hits: page,
            total,
            estimated: false,
            facets,
        }
    }

    fn complete(&self, prefix: &str, lang: Lang, limit: usize) -> Vec<Suggestion> {
        let current = self.current();
        let index = current.read().expect("index lock");
        let wanted = fold(prefix.trim());
        if wanted.is_empty() {
            return Vec::new();
        }
        let last_word = wanted.rsplit(' ').next().unwrap_or(&wanted).to_string();
        let typos = if last_word.chars().count() >= 5 { 1 } else { 0 };
        let matches = |text: &str| -> Option<u8> {
            let folded = fold(text);
            if folded.starts_with(&wanted) {
                return Some(0);
            }
            if folded
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.starts_with(&wanted))
                || folded.contains(&format!(" {wanted}"))
            {
                return Some(1);
            }
            if typos > 0 {
                let n = last_word.chars().count();
                let near = folded.split(|c: char| !c.is_alphanumeric()).any(|w| {
                    let head: String = w.chars().take(n).collect();
                    edit_distance(&head, &last_word, typos) <= typos
                });
                if near {
                    return Some(2);
                }
            }
            None
        };
        let mut found: Vec<(u8, u8, Suggestion)> = Vec::new();
        let mut seen: HashSet<(String, u8)> = HashSet::new();
        let mut add = |rank: u8,
                       kind_rank: u8,
                       text: String,
                       kind: SuggestionKind,
                       course_id: Option<i32>| {
            if seen.insert((fold(&text), kind_rank)) {
                found.push((
                    rank,
                    kind_rank,
                    Suggestion {
                        text,
                        kind,
                        course_id,
                    },
                ));
            }
        };
        for doc in index.docs.iter().flatten() {
            let name = doc.display_name(lang);
            if let Some(rank) = matches(&name) {
                add(rank, 0, name, SuggestionKind::Course, Some(doc.course_id));
            }
            for keyword in &doc.keywords {
                if let Some(rank) = matches(keyword) {
                    add(rank, 1, keyword.clone(), SuggestionKind::Keyword, None);
                }
            }
            let provider = doc.provider_name.get(lang).unwrap_or_default().to_string();
            if let Some(rank) = matches(&provider) {
                add(rank, 2, provider, SuggestionKind::Provider, None);
            }
            for place in &doc.places {
                if let Some(rank) = matches(place) {
                    add(rank, 3, place.clone(), SuggestionKind::Municipality, None);
                }
            }
        }
        found.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.cmp(&b.1))
                .then_with(|| a.2.text.len().cmp(&b.2.text.len()))
                .then_with(|| a.2.text.cmp(&b.2.text))
        });
        found.into_iter().take(limit).map(|(_, _, s)| s).collect()
    }
}

impl SearchEngine for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            self.check()?;
            let current = self.current();
            let mut index = current.write().expect("index lock");
            for change in changes {
                match change {
                    IndexChange::Upsert(doc) => index.upsert(*doc),
                    IndexChange::Delete(id) => index.remove(id),
                }
            }
            Ok(())
        })
    }

    fn rebuild<'a>(
        &'a self,
        docs: Vec<SearchDocument>,
        progress: &'a dyn RebuildProgress,
    ) -> BoxFuture<'a, Result<(), SearchError>> {
        Box::pin(async move {
            self.check()?;
            // Built off the async threads, a chunk at a time so that the
            // progress shows; the old index serves until the swap.
            let total = docs.len();
            let mut fresh = Index::default();
            let mut rest = docs.into_iter();
            let mut done = 0;
            loop {
                let chunk: Vec<SearchDocument> = rest.by_ref().take(BUILD_CHUNK).collect();
                if chunk.is_empty() {
                    break;
                }
                done += chunk.len();
                fresh = tokio::task::spawn_blocking(move || {
                    for doc in chunk {
                        fresh.upsert(doc);
                    }
                    fresh
                })
                .await
                .map_err(|e| SearchError::Unavailable(format!("index build failed: {e}")))?;
                progress.indexed(done, total);
            }
            *self.index.write().expect("index lock") = Arc::new(RwLock::new(fresh));
            Ok(())
        })
    }

    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Result<SearchResult, SearchError>> {
        Box::pin(async move { Ok(self.run(request)) })
    }

    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        lang: Lang,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Suggestion>, SearchError>> {
        Box::pin(async move { Ok(self.complete(prefix, lang, limit)) })
    }

    fn count(&self) -> BoxFuture<'_, Result<u64, SearchError>> {
        Box::pin(async move { Ok(self.current().read().expect("index lock").live as u64) })
    }
}
