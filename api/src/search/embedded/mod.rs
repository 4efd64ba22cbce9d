//! The embedded engine, used when no MEILI_URL is set: an in-memory index
//! rebuilt from the database at start and kept current through the outbox.

mod highlight;
mod index;
mod query;
mod suggest;

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
        } else {
            (0..index.docs.len() as u32)
                .filter(|slot| index.alive[*slot as usize])
                .map(|slot| (slot, 0, 0.0))
                .collect()
        };
        let matcher = filter::Matcher::new(&request.filter, request.today);
        let order = match (request.order, text) {
            (SearchOrder::Relevance, None) => SearchOrder::Name,
            (order, _) => order,
        };
        // The sort key of each hit is computed once; only the requested
        // window is fully sorted.
        let mut hits: Vec<(u32, usize, f64, Option<chrono::NaiveDate>)> = scored
            .iter()
            .filter_map(|(slot, matched, score)| {
                let doc = index.doc(*slot)?;
                if !matcher.matches(doc) {
                    return None;
                }
                let start = match order {
                    SearchOrder::StartDate => doc
                        .instances
                        .iter()
                        .filter(|i| matcher.instance(i))
                        .filter_map(|i| i.start_date)
                        .min(),
                    _ => None,
                };
                Some((*slot, *matched, *score, start))
            })
            .collect();
        let name = |slot: u32| {
            index
                .doc(slot)
                .map(|d| d.name_sort.as_str())
                .unwrap_or_default()
        };
        let compare = |a: &(u32, usize, f64, Option<chrono::NaiveDate>),
                       b: &(u32, usize, f64, Option<chrono::NaiveDate>)| {
            match order {
                SearchOrder::Relevance => b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)),
                SearchOrder::Name => std::cmp::Ordering::Equal,
                SearchOrder::StartDate => match (a.3, b.3) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                },
            }
            .then_with(|| name(a.0).cmp(name(b.0)))
            .then(a.0.cmp(&b.0))
        };
        let total = hits.len() as u64;
        // A facet that the filter does not restrict counts over the courses
        // that match the whole filter; only the others need every candidate.
        let matching: Vec<&SearchDocument> = hits
            .iter()
            .filter_map(|(slot, ..)| index.doc(*slot))
            .collect();
        let window = request.offset.saturating_add(request.limit).min(hits.len());
        if window == 0 {
            hits.clear();
        } else if window < hits.len() {
            hits.select_nth_unstable_by(window - 1, compare);
            hits.truncate(window);
        }
        hits.sort_by(compare);
        let facets = request
            .facets
            .iter()
            .map(|facet| FacetCounts {
                facet: *facet,
                values: if filter::without(&request.filter, *facet) == request.filter {
                    filter::count(
                        index.facet_values(*facet),
                        matching.iter().copied(),
                        &request.filter,
                        *facet,
                        request.today,
                    )
                } else {
                    filter::count(
                        index.facet_values(*facet),
                        scored.iter().filter_map(|(slot, _, _)| index.doc(*slot)),
                        &request.filter,
                        *facet,
                        request.today,
                    )
                },
            })
            .collect();
        let page = hits
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .filter_map(|(slot, matched, score, _)| {
                let doc = index.doc(slot)?;
                let instance_ids = matcher.matching_instances(doc)?;
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
        let carries = |slot: u32, kind: SuggestionKind, folded: &str| {
            let Some(doc) = index.doc(slot) else {
                return false;
            };
            match kind {
                SuggestionKind::Course => fold(&doc.display_name(lang)) == folded,
                SuggestionKind::Provider => {
                    fold(doc.provider_name.get(lang).unwrap_or_default()) == folded
                }
                SuggestionKind::Keyword | SuggestionKind::Municipality => true,
            }
        };
        index
            .suggestions
            .complete(prefix, lang, limit, carries)
            .into_iter()
            .map(|mut s| {
                s.course_id = s
                    .course_id
                    .and_then(|slot| index.doc(slot as u32))
                    .map(|d| d.course_id);
                s
            })
            .collect()
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
