//! The embedded engine, used when no MEILI_URL is set: an in-memory index
//! rebuilt from the database at start and kept current through the outbox.

mod bits;
mod highlight;
mod index;
mod query;
mod select;
mod suggest;

use std::collections::BTreeMap;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use futures_util::future::BoxFuture;

use self::bits::Bits;
use self::index::Index;
use super::filter;
use super::*;

pub use index::{edit_distance, COMPACT_MIN_DEAD};

/// The in-memory engine.
#[derive(Default)]
pub struct EmbeddedEngine {
    index: Arc<RwLock<Arc<RwLock<Index>>>>,
    down: AtomicBool,
    /// Courses whose documents a batch is refused for (for tests).
    refused: std::sync::Mutex<Vec<i32>>,
}

/// A fresh index built off the async threads, a batch at a time; the old
/// index serves until the swap.
struct Build {
    serving: Arc<RwLock<Arc<RwLock<Index>>>>,
    fresh: Option<Index>,
}

fn build_failed(e: tokio::task::JoinError) -> SearchError {
    SearchError::Unavailable(format!("index build failed: {e}"))
}

impl IndexBuild for Build {
    fn add(&mut self, docs: Vec<SearchDocument>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            let mut fresh = self.fresh.take().unwrap_or_default();
            fresh = tokio::task::spawn_blocking(move || {
                for doc in docs {
                    fresh.upsert(doc);
                }
                fresh
            })
            .await
            .map_err(build_failed)?;
            self.fresh = Some(fresh);
            Ok(())
        })
    }

    fn finish(self: Box<Self>) -> BoxFuture<'static, Result<(), SearchError>> {
        Box::pin(async move {
            let Build { serving, fresh } = *self;
            let mut fresh = fresh.unwrap_or_default();
            // The order by name is made before the index serves.
            fresh = tokio::task::spawn_blocking(move || {
                fresh.name_ranks();
                fresh
            })
            .await
            .map_err(build_failed)?;
            *serving.write().expect("index lock") = Arc::new(RwLock::new(fresh));
            Ok(())
        })
    }
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

    /// Refuses every batch that upserts one of `courses`, as a remote
    /// engine refuses a batch holding a document it cannot take (for tests
    /// of the outbox's dead letters). An empty list takes everything again.
    pub fn refuse_courses(&self, courses: &[i32]) {
        *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = courses.to_vec();
    }

    /// Rebuilds `current` from its live documents beside it, while it goes
    /// on serving searches, and swaps the compacted index in, unless the
    /// index changed or was replaced meanwhile (then the next write that
    /// finds it wanting compaction tries again).
    async fn compact(&self, current: Arc<RwLock<Index>>) {
        let (docs, writes, dead) = {
            let index = current.read().expect("index lock");
            (index.live_documents(), index.writes, index.dead())
        };
        let live = docs.len();
        let started = std::time::Instant::now();
        let Ok(mut fresh) = tokio::task::spawn_blocking(move || Index::of_documents(docs)).await
        else {
            tracing::warn!("compacting the embedded index failed; it keeps serving as it is");
            return;
        };
        let mut serving = self.index.write().expect("index lock");
        let unchanged =
            Arc::ptr_eq(&serving, &current) && current.read().expect("index lock").writes == writes;
        if unchanged {
            fresh.writes = writes;
            *serving = Arc::new(RwLock::new(fresh));
            tracing::debug!(
                live,
                dead,
                took_ms = started.elapsed().as_millis() as u64,
                "compacted the embedded index"
            );
        }
    }

    /// Slots the current index holds, and how many of them are dead (for
    /// tests and benchmarks of compaction).
    pub fn slots(&self) -> (usize, usize) {
        let current = self.current();
        let index = current.read().expect("index lock");
        (index.docs.len(), index.dead())
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
        // The courses the query finds, then those the filter keeps: sets of
        // slots, checked against the instances only where the sets cannot
        // tell.
        let found = match text {
            Some(_) => query::matches(&index, &words),
            None => index.live_slots.clone(),
        };
        let matcher = filter::Matcher::new(&request.filter, request.today);
        let (mut selected, exact) = select::candidates(&index, &request.filter, &found);
        if !exact {
            selected.retain(|slot| index.doc(slot).is_some_and(|d| matcher.matches(d)));
        }
        let total = selected.len() as u64;
        let order = match (request.order, text) {
            (SearchOrder::Relevance, None) => SearchOrder::Name,
            (order, _) => order,
        };
        let window = request.offset.saturating_add(request.limit);
        let hits = match (order, text) {
            (SearchOrder::Name, None) => by_name(&index, &selected, window)
                .into_iter()
                .map(|slot| (slot, 0, 0.0))
                .collect(),
            _ => ranked(&index, &words, &selected, &matcher, order, text, window),
        };
        let facets = request
            .facets
            .iter()
            .map(|facet| FacetCounts {
                facet: *facet,
                values: facet_counts(&index, request, *facet, &found, &selected),
            })
            .collect();
        let page = hits
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .filter_map(|(slot, matched, score)| {
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
        let course_id = |slot: u32| index.doc(slot).map(|d| d.course_id);
        index.suggestions.complete(prefix, lang, limit, course_id)
    }
}

impl SearchEngine for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            self.check()?;
            {
                let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(id) = changes.iter().find_map(|c| match c {
                    IndexChange::Upsert(doc) if refused.contains(&doc.course_id) => {
                        Some(doc.course_id)
                    }
                    _ => None,
                }) {
                    return Err(SearchError::Rejected(format!(
                        "the batch holds a document the engine refuses (course {id})"
                    )));
                }
            }
            let current = self.current();
            let compact = {
                let mut index = current.write().expect("index lock");
                for change in changes {
                    match change {
                        IndexChange::Upsert(doc) => index.upsert(*doc),
                        IndexChange::Delete(id) => index.remove(id),
                    }
                }
                // The writer, not the next search, renumbers the order by name.
                index.name_ranks();
                index.wants_compaction()
            };
            if compact {
                self.compact(current).await;
            }
            Ok(())
        })
    }

    fn begin_rebuild(&self) -> BoxFuture<'_, Result<Box<dyn IndexBuild>, SearchError>> {
        Box::pin(async move {
            self.check()?;
            let build: Box<dyn IndexBuild> = Box::new(Build {
                serving: self.index.clone(),
                fresh: Some(Index::default()),
            });
            Ok(build)
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

/// The first `window` of `selected` by name: the index's order by name
/// taken until enough match, or, when few match, those sorted.
fn by_name(index: &Index, selected: &Bits, window: usize) -> Vec<u32> {
    let total = selected.len();
    if window == 0 || total == 0 {
        return Vec::new();
    }
    // Walking the order meets a match every slots/total entries.
    if total.saturating_mul(total) >= window.saturating_mul(index.live.max(1)) {
        return index
            .by_name()
            .iter()
            .copied()
            .filter(|slot| selected.contains(*slot))
            .take(window)
            .collect();
    }
    let rank = index.name_ranks();
    let compare = |a: &u32, b: &u32| rank[*a as usize].cmp(&rank[*b as usize]);
    let mut slots: Vec<u32> = selected.iter().collect();
    if window < slots.len() {
        slots.select_nth_unstable_by(window - 1, compare);
        slots.truncate(window);
    }
    slots.sort_by(compare);
    slots
}

/// The first `window` of `selected` by relevance or start date, with how
/// many query words each matched and its score.
fn ranked(
    index: &Index,
    words: &[query::QueryWord],
    selected: &Bits,
    matcher: &filter::Matcher<'_>,
    order: SearchOrder,
    text: Option<&str>,
    window: usize,
) -> Vec<(u32, usize, f64)> {
    let scored: Vec<(u32, usize, f64)> = match text {
        Some(_) => query::score(index, words, selected),
        None => selected.iter().map(|slot| (slot, 0, 0.0)).collect(),
    };
    // The sort key of each hit is computed once, its name as the slot's
    // place in the order by name; only the requested window is fully sorted.
    let rank = index.name_ranks();
    let mut hits: Vec<(u32, usize, f64, Option<chrono::NaiveDate>, u32)> = scored
        .into_iter()
        .filter_map(|(slot, matched, score)| {
            let start = match order {
                SearchOrder::StartDate => index
                    .doc(slot)?
                    .instances
                    .iter()
                    .filter(|i| matcher.instance(i))
                    .filter_map(|i| i.start_date)
                    .min(),
                _ => None,
            };
            Some((slot, matched, score, start, rank[slot as usize]))
        })
        .collect();
    let compare = |a: &(u32, usize, f64, Option<chrono::NaiveDate>, u32),
                   b: &(u32, usize, f64, Option<chrono::NaiveDate>, u32)| {
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
        .then(a.4.cmp(&b.4))
    };
    let window = window.min(hits.len());
    if window == 0 {
        hits.clear();
    } else if window < hits.len() {
        hits.select_nth_unstable_by(window - 1, compare);
        hits.truncate(window);
    }
    hits.sort_by(compare);
    hits.into_iter()
        .map(|(slot, matched, score, _, _)| (slot, matched, score))
        .collect()
}

/// How many courses per value of `facet` match every filter but the
/// facet's own among those the query `found`: from the sets of values when
/// the candidates are exact and every instance of theirs counts, else by
/// looking at each candidate's instances. `selected` holds the courses that
/// match the whole filter.
fn facet_counts(
    index: &Index,
    request: &SearchRequest,
    facet: Facet,
    found: &Bits,
    selected: &Bits,
) -> Vec<(String, u64)> {
    let relaxed = filter::without(&request.filter, facet);
    let own;
    let (pool, exact) = if relaxed == request.filter {
        (selected, true)
    } else {
        own = select::candidates(index, &relaxed, found);
        (&own.0, own.1)
    };
    let by_sets = exact
        && facet != Facet::ApplicationOpen
        && (!filter::is_instance_facet(facet) || !relaxed.has_instance_filters());
    let size = pool.len();
    let everything = size == index.live;
    let set_cost: usize = if everything {
        0
    } else {
        index
            .facet_entries(facet)
            .map(|(_, v)| v.slots.cost())
            .sum()
    };
    // A candidate's instances take about a hundred times a set's step.
    if by_sets && set_cost <= size.saturating_mul(100) {
        let mut counts: BTreeMap<String, u64> = index
            .facet_entries(facet)
            .map(|(value, v)| {
                let n = if everything {
                    v.docs
                } else {
                    v.slots.intersection_len(pool)
                };
                (value.to_string(), n as u64)
            })
            .collect();
        filter::complete(&mut counts, &request.filter, facet);
        return counts.into_iter().collect();
    }
    filter::count(
        index.facet_values(facet),
        pool.iter().filter_map(|slot| index.doc(slot)),
        &request.filter,
        facet,
        request.today,
    )
}
