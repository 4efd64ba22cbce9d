//! Keeps the engine in step with the database: a full rebuild at start when
//! the index does not outlive the process (or is out of date), and on
//! `tarjotin reindex`; then the outbox, applied in batches with retry and
//! backoff; rows are marked applied only after the engine confirms.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::{IndexChange, RebuildProgress, SearchDocument, SearchEngine, SearchError, Unwatched};
use crate::store::{Store, StoreError};

/// Changes applied per batch.
const BATCH: u64 = 500;
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
}

impl IndexStatus {
    /// The oldest pending change's wait in whole seconds, as reported.
    pub fn oldest_pending_seconds(&self) -> Option<i64> {
        self.oldest_pending.map(|age| age.num_seconds())
    }
}

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
}

fn documents(bundles: Vec<crate::store::CourseBundle>) -> Result<Vec<SearchDocument>, StoreError> {
    bundles
        .iter()
        .map(|(course, instances, provider)| SearchDocument::from_rows(course, instances, provider))
        .collect()
}

impl SearchService {
    /// A service over `engine`.
    pub fn new(engine: Arc<dyn SearchEngine>, store: Store) -> Arc<SearchService> {
        Arc::new(SearchService {
            engine,
            store,
            wake: Notify::new(),
            last_error: Mutex::new(None),
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
        self.engine.search(request).await
    }

    /// Autocompletes a prefix.
    pub async fn suggest(
        &self,
        prefix: &str,
        lang: crate::domain::Lang,
        limit: usize,
    ) -> Result<Vec<super::Suggestion>, SearchError> {
        self.engine.suggest(prefix, lang, limit).await
    }

    /// Rebuilds the whole index from the database and swaps it in. Changes
    /// the snapshot saw are marked applied; later ones are replayed on the
    /// fresh index, since a worker may have applied them to the old one only.
    /// Returns the document count.
    #[tracing::instrument(skip_all)]
    pub async fn rebuild(&self, progress: &dyn RebuildProgress) -> Result<usize, IndexError> {
        let seen = self.store.last_change_id().await?;
        let docs = documents(self.store.course_bundles(None).await?)?;
        let n = docs.len();
        self.engine.rebuild(docs, progress).await?;
        if let Some(id) = seen {
            self.store.confirm_changes_up_to(id).await?;
        }
        let replayed = self.store.replay_changes_after(seen).await?;
        tracing::info!(
            documents = n,
            replayed,
            engine = self.engine.name(),
            "search index rebuilt"
        );
        self.kick();
        Ok(n)
    }

    /// Brings the index up to date at start: rebuilt when it does not
    /// outlive the process or was built by another version, else caught up
    /// from the outbox. Rebuild requests made while no server ran are served.
    pub async fn start(&self) -> Result<(), IndexError> {
        if self.engine.is_current().await? {
            let applied = self.drain().await?;
            tracing::info!(
                applied,
                engine = self.engine.name(),
                "the search index is current; applied the pending changes"
            );
        } else {
            self.rebuild(&Unwatched).await?;
        }
        if let Some(id) = self.store.open_rebuild_request().await? {
            let documents = self.engine.count().await? as usize;
            self.store
                .finish_rebuild_requests(id, Ok(documents))
                .await?;
        }
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
        let pending = self.store.pending_changes(BATCH).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let mut course_ids: Vec<i32> = pending.iter().map(|p| p.course_id).collect();
        course_ids.sort_unstable();
        course_ids.dedup();
        let docs = documents(self.store.course_bundles(Some(&course_ids)).await?)?;
        let mut changes: Vec<IndexChange> = Vec::with_capacity(course_ids.len());
        for id in &course_ids {
            match docs.iter().find(|d| d.course_id == *id) {
                Some(doc) => changes.push(IndexChange::Upsert(Box::new(doc.clone()))),
                None => changes.push(IndexChange::Delete(*id)),
            }
        }
        let ids: Vec<i32> = pending.iter().map(|p| p.id).collect();
        match self.engine.apply(changes).await {
            Ok(()) => {
                self.store.confirm_changes(&ids).await?;
                *self.last_error.lock().expect("lock") = None;
                Ok(ids.len())
            }
            Err(e) => {
                let message = e.to_string();
                self.store.note_failure(&ids, &message).await?;
                *self.last_error.lock().expect("lock") = Some(message);
                Err(e.into())
            }
        }
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
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut backoff = Duration::from_millis(250);
            while !*stopped.borrow() {
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
        Ok(IndexStatus {
            engine: self.engine.name(),
            documents: self.engine.count().await.ok(),
            pending,
            oldest_pending: oldest,
            last_error,
        })
    }
}
