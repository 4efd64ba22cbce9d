//! A fresh Meilisearch index built beside the serving one: created with
//! this release's settings, filled in batches that the engine indexes while
//! the next are read and analysed here (the server holds one batch at a
//! time, so its memory stays bounded), then swapped in atomically with
//! swap-indexes.

use std::collections::VecDeque;

use chrono::Utc;
use futures_util::future::BoxFuture;
use meilisearch_sdk::client::SwapIndexes;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::task_info::TaskInfo;

use super::document::MeiliDoc;
use super::http::MeiliClient;
use super::{engine_error, settings, today, wait, MeiliEngine};
use crate::search::{IndexBuild, SearchDocument, SearchError};

/// How long a swap may take to show.
const SWAP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Document batches the engine may hold unindexed while more are sent. The
/// engine keeps what it has not indexed on its disk, and indexes many
/// enqueued batches as one, which is much cheaper than one at a time; the
/// server holds only the batch it is sending.
const IN_FLIGHT: usize = 256;

/// A build index that a rebuild which stopped this long ago left is removed.
const STALE_BUILD: chrono::Duration = chrono::Duration::hours(24);

/// An index being built.
pub struct Build {
    client: MeiliClient,
    live: String,
    fresh: String,
    meta: String,
    pending: VecDeque<TaskInfo>,
}

impl MeiliEngine {
    /// Removes build indexes that rebuilds stopped without cleaning up.
    async fn remove_stale_builds(&self, client: &MeiliClient) -> Result<(), SearchError> {
        let prefix = format!("{}_build_", self.uid);
        let mut query = meilisearch_sdk::indexes::IndexesQuery::new(client);
        query.with_limit(1000);
        let indexes = client
            .list_all_indexes_with(&query)
            .await
            .map_err(engine_error)?;
        let cutoff = (Utc::now() - STALE_BUILD).timestamp_millis();
        for index in indexes.results {
            let started = index
                .uid
                .strip_prefix(&prefix)
                .and_then(|ms| ms.parse::<i64>().ok());
            if started.is_some_and(|ms| ms < cutoff) {
                tracing::info!(index = %index.uid, "removing a build index a stopped rebuild left");
                let task = client
                    .delete_index(&index.uid)
                    .await
                    .map_err(engine_error)?;
                wait(client, task).await?;
            }
        }
        Ok(())
    }

    /// Creates an empty build index with this release's settings.
    pub(super) async fn start_build(&self) -> Result<Build, SearchError> {
        let client = self.client();
        self.remove_stale_builds(&client).await?;
        let fresh = format!("{}_build_{}", self.uid, Utc::now().timestamp_millis());
        let task = client
            .create_index(&fresh, Some("id"))
            .await
            .map_err(engine_error)?;
        wait(&client, task).await?;
        let task = client
            .index(&fresh)
            .set_settings(&settings::settings())
            .await
            .map_err(engine_error)?;
        wait(&client, task).await?;
        Ok(Build {
            client,
            live: self.uid.clone(),
            fresh,
            meta: self.meta_uid(),
            pending: VecDeque::new(),
        })
    }
}

impl Build {
    /// When an index was created; its documents and this go together
    /// through a swap.
    async fn created_at(&self, uid: &str) -> Result<Option<i128>, SearchError> {
        match self.client.get_index(uid).await {
            Ok(index) => Ok(index.created_at.map(|t| t.unix_timestamp_nanos())),
            Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => Ok(None),
            Err(e) => Err(engine_error(e)),
        }
    }

    /// Waits for the swap. A key limited to some indexes cannot see a task
    /// that concerns several (Meilisearch hides them), so when the task
    /// cannot be read, the swap is seen done once the serving name holds
    /// the index that was built.
    async fn wait_swapped(&self, task: TaskInfo, built: Option<i128>) -> Result<(), SearchError> {
        match wait(&self.client, task).await {
            Err(SearchError::Rejected(m)) if m.contains("task_not_found") => {}
            other => return other,
        }
        let started = std::time::Instant::now();
        loop {
            if built.is_some() && self.created_at(&self.live).await? == built {
                return Ok(());
            }
            if started.elapsed() > SWAP_TIMEOUT {
                return Err(SearchError::Unavailable(format!(
                    "the swap of {} and {} did not happen within {} s",
                    self.live,
                    self.fresh,
                    SWAP_TIMEOUT.as_secs()
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn index_exists(&self, uid: &str) -> Result<bool, SearchError> {
        match self.client.get_index(uid).await {
            Ok(_) => Ok(true),
            Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {
                Ok(false)
            }
            Err(e) => Err(engine_error(e)),
        }
    }

    async fn swap_in(&mut self) -> Result<(), SearchError> {
        while let Some(task) = self.pending.pop_front() {
            wait(&self.client, task).await?;
        }
        let had_live = self.index_exists(&self.live).await?;
        let built = self.created_at(&self.fresh).await?;
        let swap = if had_live {
            SwapIndexes {
                indexes: (self.live.clone(), self.fresh.clone()),
                rename: None,
            }
        } else {
            // No serving index yet: the build takes its name.
            SwapIndexes {
                indexes: (self.fresh.clone(), self.live.clone()),
                rename: Some(true),
            }
        };
        let task = self
            .client
            .swap_indexes([&swap])
            .await
            .map_err(engine_error)?;
        self.wait_swapped(task, built).await?;
        if had_live {
            // After the swap the build's name holds the old documents.
            let task = self
                .client
                .delete_index(&self.fresh)
                .await
                .map_err(engine_error)?;
            wait(&self.client, task).await?;
        }
        super::write_format(&self.client, &self.meta).await
    }
}

impl IndexBuild for Build {
    fn add(&mut self, docs: Vec<SearchDocument>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            // Analysis is the costly part here: off the async threads.
            let day = today();
            let batch = tokio::task::spawn_blocking(move || {
                docs.iter()
                    .map(|d| MeiliDoc::from_document(d, day))
                    .collect::<Vec<MeiliDoc>>()
            })
            .await
            .map_err(|e| SearchError::Unavailable(format!("building documents failed: {e}")))?;
            if batch.is_empty() {
                return Ok(());
            }
            while self.pending.len() >= IN_FLIGHT {
                let task = self.pending.pop_front().expect("not empty");
                wait(&self.client, task).await?;
            }
            let task = self
                .client
                .index(&self.fresh)
                .add_or_replace(&batch, Some("id"))
                .await
                .map_err(engine_error)?;
            self.pending.push_back(task);
            Ok(())
        })
    }

    fn finish(mut self: Box<Self>) -> BoxFuture<'static, Result<(), SearchError>> {
        Box::pin(async move {
            let outcome = self.swap_in().await;
            if outcome.is_err() {
                // The next rebuild removes it once it is stale; try now.
                if let Ok(task) = self.client.delete_index(&self.fresh).await {
                    let _ = wait(&self.client, task).await;
                }
            }
            outcome
        })
    }
}
