//! The Meilisearch engine (v1.x) through meilisearch-sdk: one document per
//! course with the analysed terms in hidden fields; a federated multi-search
//! combines the raw query, the lemmatised query and the compound split with
//! weights (`query`); what the engine cannot answer exactly is checked here
//! (`plan`, `answer`); facets are disjunctive and per course (`facets`);
//! rebuilds fill a fresh index beside the serving one and swap (`build`).

mod answer;
mod build;
mod document;
mod facets;
pub mod http;
pub mod keys;
mod plan;
mod query;
pub mod settings;
mod suggest;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use futures_util::future::BoxFuture;
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::task_info::TaskInfo;

pub use document::{day_number, name_key, MeiliDoc};
pub use plan::filter_expression;

use super::*;
use http::MeiliClient;

/// The index that serves searches, unless another is named.
pub const DEFAULT_INDEX: &str = "tarjotin_courses";
/// How long to wait for Meilisearch to finish a task.
const TASK_TIMEOUT: Duration = Duration::from_secs(600);
/// The most values a facet distribution returns.
pub const MAX_FACET_VALUES: usize = 5000;
/// The deepest a search can page.
pub const MAX_TOTAL_HITS: usize = 100_000;

/// Meilisearch as a search engine.
pub struct MeiliEngine {
    url: String,
    /// The client with the key in use; replaced once a scoped key is made.
    client: std::sync::RwLock<MeiliClient>,
    uid: String,
    /// The serving index is of a later generation and this release has not
    /// yet noted that it writes into it.
    in_newer: std::sync::atomic::AtomicBool,
    /// Every facet value of the index, and when it was asked (`facets`).
    known_values: std::sync::Mutex<Option<KnownValues>>,
}

/// The facet values of the whole index, by attribute, as last asked.
type KnownValues = (
    std::time::Instant,
    std::sync::Arc<std::collections::HashMap<String, Vec<String>>>,
);

/// An engine error: Meilisearch's own refusals (a bug of ours, or a server
/// that lacks a feature) apart from failures to reach it.
pub(crate) fn engine_error(e: MeiliError) -> SearchError {
    match e {
        MeiliError::Meilisearch(e) => SearchError::Rejected(crate::redact::text(&e.to_string())),
        other => SearchError::Unavailable(crate::redact::text(&other.to_string())),
    }
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Helsinki)
        .date_naive()
}

/// Waits for a task and turns its failure into an error.
async fn wait(client: &MeiliClient, task: TaskInfo) -> Result<(), SearchError> {
    let task = task
        .wait_for_completion(client, Some(Duration::from_millis(50)), Some(TASK_TIMEOUT))
        .await
        .map_err(engine_error)?;
    if task.is_failure() {
        return Err(SearchError::Rejected(task.unwrap_failure().to_string()));
    }
    Ok(())
}

/// What the metadata index records of the serving index.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Meta {
    id: String,
    value: String,
    #[serde(default)]
    generation: u32,
    #[serde(default)]
    release: String,
    /// An earlier generation that wrote documents of its own into this
    /// index (while serving a later release's index during a rollback):
    /// the later release rebuilds it when it leads again.
    #[serde(default)]
    touched_by: Option<u32>,
}

/// Records that the serving index has this release's format.
async fn write_format(client: &MeiliClient, meta_uid: &str) -> Result<(), SearchError> {
    let meta = Meta {
        id: "format".into(),
        value: settings::format(),
        generation: settings::GENERATION,
        release: env!("CARGO_PKG_VERSION").into(),
        touched_by: None,
    };
    let task = client
        .index(meta_uid)
        .add_or_replace(&[meta], Some("id"))
        .await
        .map_err(engine_error)?;
    wait(client, task).await
}

impl MeiliEngine {
    /// An engine over the default index. Nothing is sent until it is used:
    /// a server starts while Meilisearch is down and catches up later.
    pub fn new(url: &str, key: Option<&str>) -> Result<MeiliEngine, SearchError> {
        MeiliEngine::over_index(url, key, DEFAULT_INDEX)
    }

    /// An engine serving searches from the index `uid` (and its builds and
    /// metadata, `uid_build_*` and `uid_meta`).
    pub fn over_index(url: &str, key: Option<&str>, uid: &str) -> Result<MeiliEngine, SearchError> {
        let client = http::client(url, key)?;
        Ok(MeiliEngine {
            url: url.to_string(),
            client: std::sync::RwLock::new(client),
            uid: uid.to_string(),
            in_newer: std::sync::atomic::AtomicBool::new(false),
            known_values: std::sync::Mutex::new(None),
        })
    }

    /// The client with the key in use.
    fn client(&self) -> MeiliClient {
        self.client.read().expect("client lock").clone()
    }

    /// Works with a key limited to this engine's indexes, made from the
    /// master key (or found, when this server made it before). True when
    /// it was made now.
    pub async fn use_scoped_key(&self, master_key: &str) -> Result<bool, SearchError> {
        let (key, created) = keys::scoped_key(&self.url, master_key, &self.uid).await?;
        crate::redact::register(&key);
        let client = http::client(&self.url, Some(&key))?;
        *self.client.write().expect("client lock") = client;
        Ok(created)
    }

    /// Connects to the index `uid`, checking that the server answers.
    pub async fn connect_to_index(
        url: &str,
        key: Option<&str>,
        uid: &str,
    ) -> Result<MeiliEngine, SearchError> {
        let engine = MeiliEngine::over_index(url, key, uid)?;
        engine.client().health().await.map_err(engine_error)?;
        Ok(engine)
    }

    /// The serving index's name.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// The serving index.
    fn index(&self) -> Index<http::Http> {
        self.client().index(&self.uid)
    }

    fn meta_uid(&self) -> String {
        format!("{}_meta", self.uid)
    }

    async fn stored_meta(&self) -> Result<Option<Meta>, SearchError> {
        match self
            .client()
            .index(self.meta_uid())
            .get_document::<Meta>("format")
            .await
        {
            Ok(meta) => Ok(Some(meta)),
            Err(MeiliError::Meilisearch(e))
                if matches!(
                    e.error_code,
                    ErrorCode::IndexNotFound | ErrorCode::DocumentNotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(engine_error(e)),
        }
    }

    /// The live index's settings as the engine gives them; None without one.
    async fn live_settings(&self) -> Result<Option<serde_json::Value>, SearchError> {
        match self.index().get_settings().await {
            Ok(s) => Ok(Some(serde_json::to_value(s).map_err(|e| {
                SearchError::Rejected(format!("unreadable index settings: {e}"))
            })?)),
            Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => Ok(None),
            Err(e) => Err(engine_error(e)),
        }
    }

    /// Records in the metadata that this (earlier) generation writes into
    /// a later one's index, before the first such write.
    async fn note_touched(&self) -> Result<(), SearchError> {
        if let Some(mut meta) = self.stored_meta().await? {
            meta.touched_by = Some(settings::GENERATION);
            let client = self.client();
            let task = client
                .index(self.meta_uid())
                .add_or_replace(&[meta], Some("id"))
                .await
                .map_err(engine_error)?;
            wait(&client, task).await?;
        }
        self.in_newer
            .store(false, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Deletes the serving index and its companions (for tests on a shared server).
    pub async fn delete_everything(&self) -> Result<(), SearchError> {
        let client = self.client();
        for uid in [self.uid.clone(), self.meta_uid()] {
            if let Ok(task) = client.delete_index(&uid).await {
                match wait(&client, task).await {
                    Err(SearchError::Rejected(m)) if m.contains("index_not_found") => {}
                    other => other?,
                }
            }
        }
        Ok(())
    }
}

impl SearchEngine for MeiliEngine {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            if self.in_newer.load(std::sync::atomic::Ordering::SeqCst) {
                self.note_touched().await?;
            }
            // The facet values may change with the documents.
            *self.known_values.lock().expect("cache lock") = None;
            let index = self.index();
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            for change in changes {
                match change {
                    IndexChange::Upsert(doc) => upserts.push(*doc),
                    IndexChange::Delete(id) => deletes.push(id),
                }
            }
            if !deletes.is_empty() {
                let task = index
                    .delete_documents(&deletes)
                    .await
                    .map_err(engine_error)?;
                wait(&index.client, task).await?;
            }
            if upserts.is_empty() {
                return Ok(());
            }
            let day = today();
            let batch = tokio::task::spawn_blocking(move || {
                upserts
                    .iter()
                    .map(|d| MeiliDoc::from_document(d, day))
                    .collect::<Vec<MeiliDoc>>()
            })
            .await
            .map_err(|e| SearchError::Unavailable(format!("building documents failed: {e}")))?;
            let task = index
                .add_or_replace(&batch, Some("id"))
                .await
                .map_err(engine_error)?;
            wait(&index.client, task).await
        })
    }

    fn begin_rebuild(&self) -> BoxFuture<'_, Result<Box<dyn IndexBuild>, SearchError>> {
        Box::pin(async move {
            *self.known_values.lock().expect("cache lock") = None;
            let build: Box<dyn IndexBuild> = Box::new(self.start_build().await?);
            Ok(build)
        })
    }

    fn inspect(&self) -> BoxFuture<'_, Result<IndexCheck, SearchError>> {
        Box::pin(async move {
            self.client().health().await.map_err(engine_error)?;
            let Some(live) = self.live_settings().await? else {
                return Ok(IndexCheck::Missing);
            };
            let Some(meta) = self.stored_meta().await? else {
                return Ok(IndexCheck::Outdated(
                    "the serving index records no format".into(),
                ));
            };
            if meta.generation > settings::GENERATION {
                self.in_newer
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                return Ok(IndexCheck::Newer(format!(
                    "the serving index is of generation {} (release {}); this release builds generation {}",
                    meta.generation,
                    meta.release,
                    settings::GENERATION
                )));
            }
            if let Some(earlier) = meta.touched_by.filter(|g| *g < settings::GENERATION) {
                return Ok(IndexCheck::Outdated(format!(
                    "a release of generation {earlier} wrote its documents into the serving index"
                )));
            }
            if meta.value != settings::format() {
                return Ok(IndexCheck::Outdated(format!(
                    "the serving index has format {} of generation {}; this release builds {}",
                    meta.value,
                    meta.generation,
                    settings::format()
                )));
            }
            if let Some(setting) = settings::differs(&live) {
                return Ok(IndexCheck::Outdated(format!(
                    "the serving index's setting {setting} is not this release's"
                )));
            }
            Ok(IndexCheck::Current)
        })
    }

    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Result<SearchResult, SearchError>> {
        Box::pin(answer::search(self, request))
    }

    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        lang: Lang,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Suggestion>, SearchError>> {
        Box::pin(suggest::suggest(self, prefix, lang, limit))
    }

    fn count(&self) -> BoxFuture<'_, Result<u64, SearchError>> {
        Box::pin(async move {
            match self.index().get_stats().await {
                Ok(stats) => Ok(stats.number_of_documents as u64),
                Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {
                    Ok(0)
                }
                Err(e) => Err(engine_error(e)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::settings::{DISPLAYED, FILTERABLE};
    use super::*;
    use query::{LEMMA_FIELDS, RAW_FIELDS};

    #[test]
    fn every_document_attribute_but_the_hidden_ones_is_displayed() {
        let doc = serde_json::to_value(MeiliDoc::default()).unwrap();
        let mut attributes: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !LEMMA_FIELDS.contains(k) && *k != suggest::ATTRIBUTE)
            .collect();
        attributes.sort();
        let mut displayed = DISPLAYED.to_vec();
        displayed.sort();
        assert_eq!(attributes, displayed);
        for attr in FILTERABLE.iter().chain(RAW_FIELDS) {
            assert!(doc.get(*attr).is_some(), "{attr} is a document attribute");
        }
    }
}
