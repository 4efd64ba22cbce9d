//! The Meilisearch engine (v1.x) through meilisearch-sdk: one document per
//! course with the analysed terms in hidden fields; a federated multi-search
//! combines the raw query, the lemmatised query and the compound split with
//! weights (`query`); what the engine cannot answer exactly is checked here
//! (`plan`, `answer`); facets are disjunctive and per course (`facets`).

mod answer;
mod document;
mod facets;
mod plan;
mod query;
mod suggest;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use futures_util::future::BoxFuture;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::Error as MeiliError;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::settings::{
    FacetingSettings, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use sha2::{Digest, Sha256};

pub use document::{day_number, name_key, MeiliDoc};
pub use plan::filter_expression;

use super::*;
use crate::finnish::{analyzer, STOP_WORDS};
use query::{LEMMA_FIELDS, RAW_FIELDS};

/// The index that serves searches, unless another is named.
pub const DEFAULT_INDEX: &str = "tarjotin_courses";
/// How long to wait for Meilisearch to finish a task.
const TASK_TIMEOUT: Duration = Duration::from_secs(600);
/// Documents sent in one request.
const CHUNK: usize = 1000;
/// The most values a facet distribution returns.
pub const MAX_FACET_VALUES: usize = 5000;
/// The deepest a search can page.
pub const MAX_TOTAL_HITS: usize = 100_000;
/// A build index left behind by a rebuild that stopped this long ago is removed.
const STALE_BUILD: chrono::Duration = chrono::Duration::hours(24);
/// Attributes returned with hits: everything but the analysed terms, which
/// only the lemmatised queries search, and the suggestion texts.
const DISPLAYED: &[&str] = &[
    "id",
    "external_id",
    "name_fi",
    "name_sv",
    "name_en",
    "keywords",
    "credential_fi",
    "credential_sv",
    "credential_en",
    "provider_name",
    "places",
    "times",
    "description_fi",
    "description_sv",
    "description_en",
    "provider_id",
    "fields",
    "education_type",
    "audiences",
    "municipalities",
    "regions",
    "modes",
    "languages",
    "funding",
    "times_of_day",
    "free",
    "start_days",
    "end_days",
    "flexible_start",
    "enrol_days",
    "name_sort",
    "first_start_day",
    "instances",
];
const FILTERABLE: &[&str] = &[
    "id",
    suggest::ATTRIBUTE,
    "provider_id",
    "fields",
    "education_type",
    "audiences",
    "municipalities",
    "regions",
    "modes",
    "languages",
    "funding",
    "times_of_day",
    "free",
    "start_days",
    "end_days",
    "flexible_start",
    "enrol_days",
];
/// Sort first, so that a sorted search is in that order; a search without
/// `sort` ranks by relevance alone.
const RANKING_RULES: &[&str] = &[
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
];

/// Meilisearch as a search engine.
pub struct MeiliEngine {
    client: Client,
    uid: String,
}

/// An engine error: Meilisearch's own refusals (a bug of ours, or a server
/// that lacks a feature) apart from failures to reach it.
pub(crate) fn engine_error(e: MeiliError) -> SearchError {
    match e {
        MeiliError::Meilisearch(e) => SearchError::Rejected(e.to_string()),
        other => SearchError::Unavailable(other.to_string()),
    }
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Helsinki)
        .date_naive()
}

impl MeiliEngine {
    /// Connects and applies the index settings (idempotently).
    pub async fn connect(url: &str, key: Option<&str>) -> Result<MeiliEngine, SearchError> {
        MeiliEngine::connect_to_index(url, key, DEFAULT_INDEX).await
    }

    /// Connects, serving searches from the index `uid`.
    pub async fn connect_to_index(
        url: &str,
        key: Option<&str>,
        uid: &str,
    ) -> Result<MeiliEngine, SearchError> {
        let client = Client::new(url, key).map_err(|e| SearchError::Unavailable(e.to_string()))?;
        client.health().await.map_err(engine_error)?;
        let engine = MeiliEngine {
            client,
            uid: uid.to_string(),
        };
        engine.ensure_index(uid).await?;
        Ok(engine)
    }

    /// The serving index.
    fn index(&self) -> Index {
        self.client.index(&self.uid)
    }

    fn meta_uid(&self) -> String {
        format!("{}_meta", self.uid)
    }

    fn settings() -> Settings {
        Settings::new()
            .with_searchable_attributes(RAW_FIELDS.iter().chain(LEMMA_FIELDS))
            .with_displayed_attributes(DISPLAYED)
            .with_filterable_attributes(FILTERABLE)
            .with_sortable_attributes(["name_sort", "first_start_day"])
            .with_ranking_rules(RANKING_RULES)
            .with_stop_words(STOP_WORDS)
            .with_synonyms(synonyms::all().clone())
            .with_typo_tolerance(TypoToleranceSettings {
                // The analysed fields hold short part-words (ala, työ, oppi):
                // typos there would match almost anything.
                disable_on_attributes: Some(LEMMA_FIELDS.iter().map(|s| s.to_string()).collect()),
                ..TypoToleranceSettings::default()
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: MAX_FACET_VALUES,
                sort_facet_values_by: None,
            })
            .with_pagination(PaginationSetting {
                max_total_hits: MAX_TOTAL_HITS,
            })
    }

    /// What the documents of an index were built with: the settings and the
    /// Finnish analysis. A start with a different format rebuilds.
    fn format() -> String {
        // Through a Value, whose objects keep their keys sorted, so that the
        // synonyms' map gives the same text in every process.
        let settings = serde_json::to_value(Self::settings())
            .expect("settings serialise")
            .to_string();
        let digest = Sha256::digest(format!("{settings}|{:?}", analyzer().backend()));
        digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(50)),
                Some(TASK_TIMEOUT),
            )
            .await
            .map_err(engine_error)?;
        if task.is_failure() {
            return Err(SearchError::Rejected(task.unwrap_failure().to_string()));
        }
        Ok(())
    }

    /// Creates the index `uid` if it is missing and applies the settings.
    async fn ensure_index(&self, uid: &str) -> Result<Index, SearchError> {
        match self.client.get_index(uid).await {
            Ok(_) => {}
            Err(MeiliError::Meilisearch(e))
                if e.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
            {
                let task = self
                    .client
                    .create_index(uid, Some("id"))
                    .await
                    .map_err(engine_error)?;
                self.wait(task).await?;
            }
            Err(e) => return Err(engine_error(e)),
        }
        let index = self.client.index(uid);
        let task = index
            .set_settings(&Self::settings())
            .await
            .map_err(engine_error)?;
        self.wait(task).await?;
        Ok(index)
    }

    async fn push(
        &self,
        index: &Index,
        docs: &[SearchDocument],
        progress: &dyn RebuildProgress,
    ) -> Result<(), SearchError> {
        let today = today();
        let mut done = 0;
        for chunk in docs.chunks(CHUNK) {
            let batch: Vec<MeiliDoc> = chunk
                .iter()
                .map(|d| MeiliDoc::from_document(d, today))
                .collect();
            let task = index
                .add_or_replace(&batch, Some("id"))
                .await
                .map_err(engine_error)?;
            self.wait(task).await?;
            done += chunk.len();
            progress.indexed(done, docs.len());
        }
        Ok(())
    }

    /// Removes build indexes that rebuilds stopped without cleaning up.
    async fn remove_stale_builds(&self) -> Result<(), SearchError> {
        let prefix = format!("{}_build_", self.uid);
        let mut query = meilisearch_sdk::indexes::IndexesQuery::new(&self.client);
        query.with_limit(1000);
        let indexes = self
            .client
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
                let task = self
                    .client
                    .delete_index(&index.uid)
                    .await
                    .map_err(engine_error)?;
                self.wait(task).await?;
            }
        }
        Ok(())
    }

    async fn write_format(&self) -> Result<(), SearchError> {
        let meta = self.ensure_meta().await?;
        let doc = serde_json::json!({ "id": "format", "value": Self::format() });
        let task = meta
            .add_or_replace(&[doc], Some("id"))
            .await
            .map_err(engine_error)?;
        self.wait(task).await
    }

    async fn ensure_meta(&self) -> Result<Index, SearchError> {
        let uid = self.meta_uid();
        if let Err(MeiliError::Meilisearch(e)) = self.client.get_index(&uid).await {
            if e.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound {
                let task = self
                    .client
                    .create_index(&uid, Some("id"))
                    .await
                    .map_err(engine_error)?;
                self.wait(task).await?;
            }
        }
        Ok(self.client.index(uid))
    }

    async fn stored_format(&self) -> Result<Option<String>, SearchError> {
        #[derive(serde::Deserialize)]
        struct Format {
            value: String,
        }
        match self
            .client
            .index(self.meta_uid())
            .get_document::<Format>("format")
            .await
        {
            Ok(f) => Ok(Some(f.value)),
            Err(MeiliError::Meilisearch(e))
                if matches!(
                    e.error_code,
                    meilisearch_sdk::errors::ErrorCode::IndexNotFound
                        | meilisearch_sdk::errors::ErrorCode::DocumentNotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(engine_error(e)),
        }
    }

    /// Deletes the serving index and its companions (for tests on a shared server).
    pub async fn delete_everything(&self) -> Result<(), SearchError> {
        for uid in [self.uid.clone(), self.meta_uid()] {
            if let Ok(task) = self.client.delete_index(&uid).await {
                self.wait(task).await?;
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
                self.wait(task).await?;
            }
            self.push(&index, &upserts, &Unwatched).await
        })
    }

    fn rebuild<'a>(
        &'a self,
        docs: Vec<SearchDocument>,
        progress: &'a dyn RebuildProgress,
    ) -> BoxFuture<'a, Result<(), SearchError>> {
        Box::pin(async move {
            self.remove_stale_builds().await?;
            let fresh = format!("{}_build_{}", self.uid, Utc::now().timestamp_millis());
            let index = self.ensure_index(&fresh).await?;
            self.push(&index, &docs, progress).await?;
            self.ensure_index(&self.uid).await?;
            let swap = SwapIndexes {
                indexes: (self.uid.clone(), fresh.clone()),
                rename: None,
            };
            let task = self
                .client
                .swap_indexes([&swap])
                .await
                .map_err(engine_error)?;
            self.wait(task).await?;
            // After the swap the build name holds the old documents.
            let task = self
                .client
                .delete_index(&fresh)
                .await
                .map_err(engine_error)?;
            self.wait(task).await?;
            self.write_format().await
        })
    }

    fn is_current(&self) -> BoxFuture<'_, Result<bool, SearchError>> {
        Box::pin(async move {
            let stored = self.stored_format().await?;
            Ok(stored.as_deref() == Some(Self::format().as_str()) && self.count().await? > 0)
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
            let stats = self.index().get_stats().await.map_err(engine_error)?;
            Ok(stats.number_of_documents as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_attribute_but_the_analysed_terms_is_displayed() {
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

    #[test]
    fn the_format_is_the_same_in_every_process() {
        assert_eq!(MeiliEngine::format(), MeiliEngine::format());
        let settings = serde_json::to_value(MeiliEngine::settings()).unwrap();
        let text = settings.to_string();
        let reparsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed.to_string(), text, "keys come out sorted");
    }

    #[test]
    fn settings_name_the_attributes_in_meilisearchs_own_terms() {
        let settings = serde_json::to_value(MeiliEngine::settings()).unwrap();
        assert_eq!(settings["rankingRules"][0], "sort");
        assert_eq!(settings["searchableAttributes"][0], "name_fi");
        assert_eq!(
            settings["typoTolerance"]["disableOnAttributes"],
            serde_json::json!(["lemmas", "lemmas_description"])
        );
        assert_eq!(settings["pagination"]["maxTotalHits"], MAX_TOTAL_HITS);
        assert_eq!(settings["faceting"]["maxValuesPerFacet"], MAX_FACET_VALUES);
        assert!(settings["displayedAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a != "lemmas"));
    }
}
