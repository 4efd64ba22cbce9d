//! Keeps the engine in step with the database: a full rebuild at start when
//! the index does not outlive the process (or is out of date), and on
//! `tarjotin reindex`; then the outbox, applied in batches with retry and
//! backoff; rows are marked applied only after the engine confirms. A
//! rebuild walks the catalogue a page at a time, so that memory does not
//! grow with its size, and swaps the fresh index in at the end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::{
    IndexChange, IndexCheck, RebuildProgress, SearchDocument, SearchEngine, SearchError, Unwatched,
};
use crate::store::{PendingChange, Store, StoreError};

/// Changes applied per batch.
const BATCH: u64 = 1000;
/// Courses read from the database per page of a rebuild.
const PAGE: u64 = 500;
/// The longest wait between retries after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How often the worker looks at the outbox even when nobody kicks it.
const POLL: Duration = Duration::from_secs(2);

/// Why indexing failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Engine(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The state of the index, for `indexStatus` and readiness.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexStatus {
    pub engine: &'static str,
    pub documents: Option<u64>,
    pub pending: u64,
    /// How long the oldest pending change has waited, exactly.
    pub oldest_pending: Option<chrono::TimeDelta>,
    pub last_error: Option<String>,
    /// Changes the engine refused too many times (see `Store::dead_letters`).
    pub dead_letters: u64,
    /// An index answers searches (false while the first one is built).
    pub serving: bool,
    /// The start's catch-up has finished.
    pub caught_up: bool,
    /// What the start is doing, while it is not caught up.
    pub progress: Option<StartProgress>,
}

/// How far the start has come: what it does, and how much of it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartProgress {
    pub step: String,
    pub done: u64,
    pub total: u64,
}

impl IndexStatus {
    /// The oldest pending change's wait in whole seconds, as reported.
    pub fn oldest_pending_seconds(&self) -> Option<i64> {
        self.oldest_pending.map(|age| age.num_seconds())
    }
}

/// The lead a worker checks before each round.
pub type Fence = Arc<tokio::sync::Mutex<crate::store::Lead>>;

/// The running outbox worker.
pub struct Worker {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Asks the worker to stop after the batch in hand and waits for it, at
    /// most `grace`.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, self.task).await.is_err() {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "indexing worker did not stop in time"
            );
        }
    }

    /// Whether the worker has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

/// The engine, the store and the worker between them.
pub struct SearchService {
    engine: Arc<dyn SearchEngine>,
    store: Store,
    wake: Notify,
    last_error: Mutex<Option<String>>,
    state: Mutex<State>,
    /// This process, as the outbox records who applied a change.
    instance: String,
    /// How many values each facet has in the index, for the cost estimate.
    facet_sizes: super::FacetSizes,
    /// When `facet_sizes` was last counted.
    facets_counted: Mutex<Option<std::time::Instant>>,
}

/// How stale the facet counts may get before a search counts them again.
const FACETS_STALE: Duration = Duration::from_secs(60);

/// `host:pid:tag`: which process this is, in the outbox and the logs.
fn instance_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    let mut tag = [0u8; 3];
    let _ = getrandom::fill(&mut tag);
    let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("{host}:{}:{tag}", std::process::id())
}

/// Where this process's index stands.
#[derive(Debug, Clone)]
struct State {
    serving: bool,
    caught_up: bool,
    progress: StartProgress,
}

/// Reports a rebuild's progress into the service's state, and on to a watcher.
struct Reporting<'a> {
    service: &'a SearchService,
    step: &'static str,
    watcher: &'a dyn RebuildProgress,
}

impl RebuildProgress for Reporting<'_> {
    fn indexed(&self, done: usize, total: usize) {
        self.service
            .set_progress(self.step, done as u64, total as u64);
        self.watcher.indexed(done, total);
    }
}

fn documents(bundles: Vec<crate::store::CourseBundle>) -> Result<Vec<SearchDocument>, StoreError> {
    bundles
        .iter()
        .map(|(course, instances, provider)| SearchDocument::from_rows(course, instances, provider))
        .collect()
}

impl SearchService {
    /// A service over `engine` whose index serves at once (tests, tools).
    pub fn new(engine: Arc<dyn SearchEngine>, store: Store) -> Arc<SearchService> {
        SearchService::with_state(engine, store, true)
    }

    /// A service for a server that is starting: searches are refused with
    /// `SearchError::NotReady` until `start` has an index that answers.
    pub fn starting(engine: Arc<dyn SearchEngine>, store: Store) -> Arc<SearchService> {
        SearchService::with_state(engine, store, false)
    }

    fn with_state(engine: Arc<dyn SearchEngine>, store: Store, ready: bool) -> Arc<SearchService> {
        Arc::new(SearchService {
            engine,
            store,
            wake: Notify::new(),
            last_error: Mutex::new(None),
            instance: instance_name(),
            facet_sizes: super::FacetSizes::default(),
            facets_counted: Mutex::new(None),
            state: Mutex::new(State {
                serving: ready,
                caught_up: ready,
                progress: StartProgress {
                    step: "waiting for the database".into(),
                    done: 0,
                    total: 0,
                },
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("state lock")
    }

    /// Notes what the start is doing.
    pub fn set_progress(&self, step: &str, done: u64, total: u64) {
        let mut state = self.state();
        state.progress = StartProgress {
            step: step.to_string(),
            done,
            total,
        };
    }

    /// Notes that an index answers searches.
    pub fn set_serving(&self) {
        self.state().serving = true;
    }

    /// In a process that does not lead: serves what the engine has, once
    /// it has an index, and leaves indexing to the leading process. True
    /// once serving.
    pub async fn follow(&self) -> Result<bool, SearchError> {
        match self.engine.inspect().await? {
            IndexCheck::Missing => {
                self.set_progress(
                    "waiting for the leading process to build the search index",
                    0,
                    0,
                );
                Ok(false)
            }
            _ => {
                let mut state = self.state();
                state.serving = true;
                state.caught_up = true;
                Ok(true)
            }
        }
    }

    fn not_ready(&self) -> Option<SearchError> {
        let state = self.state();
        (!state.serving).then(|| {
            let p = &state.progress;
            SearchError::NotReady(if p.total > 0 {
                format!("{} ({} of {} courses)", p.step, p.done, p.total)
            } else {
                p.step.clone()
            })
        })
    }

    /// The engine.
    pub fn engine(&self) -> &dyn SearchEngine {
        self.engine.as_ref()
    }

    /// Searches the index.
    #[tracing::instrument(skip_all, fields(search.engine = self.engine.name()))]
    pub async fn search(
        &self,
        request: &super::SearchRequest,
    ) -> Result<super::SearchResult, SearchError> {
        if let Some(e) = self.not_ready() {
            return Err(e);
        }
        let stale = self
            .facets_counted
            .lock()
            .expect("lock")
            .is_none_or(|at| at.elapsed() > FACETS_STALE);
        if stale {
            self.count_facets().await;
        }
        self.engine.search(request).await
    }

    /// The facet counts the query-cost estimate reads.
    pub fn facet_sizes(&self) -> super::FacetSizes {
        self.facet_sizes.clone()
    }

    /// Counts the values of every facet among the published courses in the
    /// index: one search for nothing, with every facet. A failure keeps the
    /// counts as they were.
    pub async fn count_facets(&self) {
        *self.facets_counted.lock().expect("lock") = Some(std::time::Instant::now());
        let request = super::SearchRequest {
            query: None,
            filter: crate::domain::CourseFilter::default(),
            facets: super::Facet::ALL.to_vec(),
            order: super::SearchOrder::Relevance,
            offset: 0,
            limit: 0,
            lang: crate::domain::Lang::Fi,
            today: chrono::Utc::now().date_naive(),
        };
        match self.engine.search(&request).await {
            Ok(result) => {
                for facet in result.facets {
                    self.facet_sizes.set(facet.facet, facet.values.len() as u64);
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "counting the facets failed; the cost estimate keeps its counts")
            }
        }
    }

    /// Autocompletes a prefix. Course suggestions are checked against the
    /// database, so that a course unpublished since it was indexed is not
    /// suggested while the outbox has yet to apply the change (or cannot).
    pub async fn suggest(
        &self,
        prefix: &str,
        lang: crate::domain::Lang,
        limit: usize,
        visibility: crate::domain::Visibility,
    ) -> Result<Vec<super::Suggestion>, IndexError> {
        if let Some(e) = self.not_ready() {
            return Err(e.into());
        }
        // A few more than asked, for those that turn out not to be visible.
        let mut found = self
            .engine
            .suggest(prefix, lang, limit + limit / 2 + 2)
            .await?;
        let ids: Vec<i32> = found.iter().filter_map(|s| s.course_id).collect();
        if !ids.is_empty() {
            let rows = self.store.courses_by_ids(&ids).await?;
            found.retain(|s| match s.course_id {
                Some(id) => rows
                    .get(&id)
                    .is_some_and(|r| visibility.allows(&r.state, r.provider_id)),
                None => true,
            });
        }
        found.truncate(limit);
        Ok(found)
    }

    /// Rebuilds the whole index from the database, a page of courses at a
    /// time, and swaps it in. The changes pending when it began are marked
    /// applied (the pages read after that saw them); later ones stay
    /// pending, and those applied meanwhile (to the index it replaced) are
    /// replayed on the fresh one. Returns the document count.
    #[tracing::instrument(skip_all)]
    pub async fn rebuild(&self, progress: &dyn RebuildProgress) -> Result<usize, IndexError> {
        let confirmable = self.store.pending_change_ids().await?;
        let seen = self.store.last_change_id().await?;
        let total = self.store.published_course_count().await? as usize;
        let mut build = self.engine.begin_rebuild().await?;
        // The next page is read while the engine takes the one in hand.
        let mut page = self.store.course_bundles_after(0, PAGE).await?;
        let mut done = 0;
        while let Some((last, _, _)) = page.last() {
            let after = last.id;
            let docs = documents(page)?;
            done += docs.len();
            let (added, next) = tokio::join!(
                build.add(docs),
                self.store.course_bundles_after(after, PAGE)
            );
            added?;
            crate::crash::point("rebuild-page");
            page = next?;
            progress.indexed(done, total.max(done));
        }
        build.finish().await?;
        self.store
            .confirm_changes(&confirmable, &self.instance)
            .await?;
        let replayed = self.store.replay_changes_after(seen).await?;
        tracing::info!(
            documents = done,
            replayed,
            engine = self.engine.name(),
            "search index rebuilt"
        );
        self.kick();
        Ok(done)
    }

    /// Brings the index up to date at start: rebuilt when there is none or
    /// this release builds another format (beside the old one, which serves
    /// meanwhile), else caught up from the outbox. An index that a later
    /// release built is served as it is. Rebuild requests made while no
    /// server ran are served. The progress shows in `status`.
    pub async fn start(&self) -> Result<(), IndexError> {
        self.set_progress("looking at the search index", 0, 0);
        let check = self.engine.inspect().await?;
        match &check {
            IndexCheck::Current | IndexCheck::Newer(_) => {
                self.set_serving();
                if let IndexCheck::Newer(why) = &check {
                    tracing::warn!(reason = %why, "the search index was built by a later release; serving it as it is");
                }
                let pending = self.store.outbox_status().await?.0;
                self.set_progress("applying the pending changes", 0, pending);
                let applied = self.drain().await?;
                tracing::info!(
                    applied,
                    engine = self.engine.name(),
                    "the search index is current; applied the pending changes"
                );
            }
            IndexCheck::Missing | IndexCheck::Outdated(_) => {
                if let IndexCheck::Outdated(why) = &check {
                    // The old index answers while the new one is built.
                    self.set_serving();
                    tracing::info!(reason = %why, "building a fresh search index beside the serving one");
                }
                let reporting = Reporting {
                    service: self,
                    step: "building the search index",
                    watcher: &Unwatched,
                };
                self.rebuild(&reporting).await?;
                self.set_serving();
            }
        }
        if let Some(id) = self.store.open_rebuild_request().await? {
            let documents = self.engine.count().await? as usize;
            self.store
                .finish_rebuild_requests(id, Ok(documents))
                .await?;
        }
        self.state().caught_up = true;
        Ok(())
    }

    /// Serves the newest open rebuild request, if there is one.
    async fn serve_rebuild_request(&self) -> Result<(), IndexError> {
        let Some(id) = self.store.open_rebuild_request().await? else {
            return Ok(());
        };
        self.store.start_rebuild_requests(id).await?;
        let outcome = self.rebuild(&Unwatched).await;
        let report = match &outcome {
            Ok(n) => Ok(*n),
            Err(e) => Err(e.to_string()),
        };
        self.store.finish_rebuild_requests(id, report).await?;
        outcome.map(|_| ())
    }

    /// Applies one batch of the outbox; returns how many changes it applied.
    pub async fn apply_pending(&self) -> Result<usize, IndexError> {
        let applied = self.apply_batch().await?;
        if applied > 0 {
            {
                let mut state = self.state();
                if !state.caught_up {
                    state.progress.done += applied as u64;
                }
            }
            let due = self
                .facets_counted
                .lock()
                .expect("lock")
                .is_none_or(|at| at.elapsed() > Duration::from_secs(5));
            if due {
                self.count_facets().await;
            }
        }
        Ok(applied)
    }

    /// One batch: the documents of the pending changes' courses, applied
    /// together. A course whose document cannot be built, or that the
    /// engine refuses, is set apart (the batch is split until the refused
    /// ones are alone) and waits out its backoff, and after `MAX_ATTEMPTS`
    /// becomes a dead letter; the others are applied. An engine that cannot
    /// be reached fails the whole batch, to be retried as it is.
    async fn apply_batch(&self) -> Result<usize, IndexError> {
        let pending = self.store.pending_changes(BATCH).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let mut course_ids: Vec<i32> = pending.iter().map(|p| p.course_id).collect();
        course_ids.sort_unstable();
        course_ids.dedup();
        let mut refused: Vec<(i32, String)> = Vec::new();
        let mut docs: HashMap<i32, SearchDocument> = HashMap::new();
        for (course, instances, provider) in self.store.course_bundles(Some(&course_ids)).await? {
            match SearchDocument::from_rows(&course, &instances, &provider) {
                Ok(doc) => {
                    docs.insert(course.id, doc);
                }
                Err(e) => refused.push((
                    course.id,
                    format!("the course's document cannot be built: {e}"),
                )),
            }
        }
        let changes: Vec<IndexChange> = course_ids
            .iter()
            .filter(|id| !refused.iter().any(|(r, _)| r == *id))
            .map(|id| match docs.remove(id) {
                Some(doc) => IndexChange::Upsert(Box::new(doc)),
                None => IndexChange::Delete(*id),
            })
            .collect();
        let ids: Vec<i32> = pending.iter().map(|p| p.id).collect();
        match self.apply_isolating(changes, &mut refused).await {
            Ok(()) => {}
            Err(e) => {
                let message = e.to_string();
                self.store.note_failure(&ids, &message).await?;
                *self.last_error.lock().expect("lock") = Some(message);
                return Err(e.into());
            }
        }
        let (failed, applied): (Vec<&PendingChange>, Vec<&PendingChange>) = pending
            .iter()
            .partition(|p| refused.iter().any(|(r, _)| *r == p.course_id));
        let applied: Vec<i32> = applied.iter().map(|p| p.id).collect();
        crate::crash::point("outbox-applied");
        let marked = self.store.confirm_changes(&applied, &self.instance).await?;
        if marked < applied.len() as u64 {
            // Another process applied them first: it should not, while this
            // one leads.
            tracing::warn!(
                changes = applied.len(),
                marked,
                "some changes were already marked applied"
            );
        }
        for (course, error) in &refused {
            let of_course: Vec<PendingChange> = failed
                .iter()
                .filter(|p| p.course_id == *course)
                .map(|p| (*p).clone())
                .collect();
            let dead = self.store.note_refusal(&of_course, error).await?;
            if dead > 0 {
                tracing::error!(course.id = course, %error, "the search engine keeps refusing a course; it is a dead letter now (see searchDeadLetters)");
            } else {
                tracing::warn!(course.id = course, %error, "the search engine refused a course; it is tried again later");
            }
        }
        *self.last_error.lock().expect("lock") = refused
            .last()
            .map(|(course, error)| format!("course {course}: {error}"));
        Ok(pending.len())
    }

    /// Applies `changes`, splitting them while the engine refuses some, so
    /// that each refused change ends up alone in `refused` and the rest are
    /// applied. Fails only when the engine cannot be reached.
    fn apply_isolating<'a>(
        &'a self,
        changes: Vec<IndexChange>,
        refused: &'a mut Vec<(i32, String)>,
    ) -> futures_util::future::BoxFuture<'a, Result<(), SearchError>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Ok(());
            }
            let course_of = |c: &IndexChange| match c {
                IndexChange::Upsert(doc) => doc.course_id,
                IndexChange::Delete(id) => *id,
            };
            let single = (changes.len() == 1).then(|| course_of(&changes[0]));
            let mut rest = changes.clone();
            match self.engine.apply(changes).await {
                Ok(()) => Ok(()),
                Err(SearchError::Rejected(why)) => match single {
                    Some(course) => {
                        refused.push((course, why));
                        Ok(())
                    }
                    None => {
                        let second = rest.split_off(rest.len() / 2);
                        self.apply_isolating(rest, refused).await?;
                        self.apply_isolating(second, refused).await
                    }
                },
                Err(e) => Err(e),
            }
        })
    }

    /// Applies the outbox until it is empty.
    pub async fn drain(&self) -> Result<usize, IndexError> {
        let mut total = 0;
        loop {
            let n = self.apply_pending().await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// The changes the engine refused too many times, newest first.
    pub async fn dead_letters(
        &self,
        limit: u64,
    ) -> Result<Vec<crate::store::DeadLetter>, IndexError> {
        Ok(self.store.dead_letters(limit).await?)
    }

    /// Sends dead letters back to the outbox (every one when `ids` is None)
    /// and wakes the worker; returns how many went back.
    pub async fn retry_dead_letters(&self, ids: Option<&[i32]>) -> Result<u64, IndexError> {
        let retried = self.store.retry_dead_letters(ids).await?;
        self.kick();
        Ok(retried)
    }

    /// Wakes the worker after a write.
    pub fn kick(&self) {
        self.wake.notify_one();
    }

    /// Runs the worker until told to stop: serves rebuild requests, drains
    /// the outbox whenever kicked or every few seconds, backing off while the
    /// engine fails. Stopping lets the batch in hand finish; nothing is lost
    /// either way, since a change counts as applied only once the engine has
    /// confirmed it.
    pub fn spawn_worker(self: Arc<Self>) -> Worker {
        self.spawn_fenced_worker(None)
    }

    /// The worker of the process that leads: before each round it checks
    /// that it still holds the lead, and ends when it does not, so that a
    /// process that lost the lead never writes to the index after another
    /// took it over.
    pub fn spawn_fenced_worker(self: Arc<Self>, lead: Option<Fence>) -> Worker {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut backoff = Duration::from_millis(250);
            while !*stopped.borrow() {
                if let Some(lead) = &lead {
                    if let Err(e) = lead.lock().await.check().await {
                        tracing::warn!(error = %e, "lost the lead; the indexing worker stops");
                        break;
                    }
                }
                let round = async {
                    self.serve_rebuild_request().await?;
                    self.apply_pending().await
                };
                let wait = match round.await {
                    Ok(0) => {
                        backoff = Duration::from_millis(250);
                        POLL
                    }
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "indexing failed; will retry");
                        let wait = backoff;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        wait
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.wake.notified() => {}
                    _ = stopped.changed() => {}
                }
            }
            tracing::info!("indexing worker stopped");
        });
        Worker { stop, task }
    }

    /// The state of the index.
    pub async fn status(&self) -> Result<IndexStatus, StoreError> {
        let (pending, oldest, stored_error) = self.store.outbox_status().await?;
        let last_error = self
            .last_error
            .lock()
            .expect("lock")
            .clone()
            .or(stored_error);
        let dead_letters = self.store.dead_letter_count().await?;
        let state = self.state().clone();
        Ok(IndexStatus {
            dead_letters,
            engine: self.engine.name(),
            documents: self.engine.count().await.ok(),
            pending,
            oldest_pending: oldest,
            last_error,
            serving: state.serving,
            caught_up: state.caught_up,
            progress: (!state.caught_up).then_some(state.progress),
        })
    }
}
