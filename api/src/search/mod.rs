//! Search: one trait, two engines (Meilisearch in production, an embedded
//! engine when no MEILI_URL is set), one conformance suite.

pub mod document;
pub mod embedded;
pub mod filter;
pub mod filter_string;
pub mod meili;
pub mod service;
pub mod suggest;
pub mod synonyms;

use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use std::sync::Arc;

pub use document::{InstanceDoc, SearchDocument};

use crate::domain::{CourseFilter, Lang};

/// Facets a search can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Municipality,
    Region,
    FieldOfEducation,
    EducationType,
    TeachingMode,
    Language,
    Provider,
    FundingCategory,
    TimeOfDay,
    Free,
    ApplicationOpen,
    Audience,
}

impl Facet {
    /// Every facet.
    pub const ALL: [Facet; 12] = [
        Facet::Municipality,
        Facet::Region,
        Facet::FieldOfEducation,
        Facet::EducationType,
        Facet::TeachingMode,
        Facet::Language,
        Facet::Provider,
        Facet::FundingCategory,
        Facet::TimeOfDay,
        Facet::Free,
        Facet::ApplicationOpen,
        Facet::Audience,
    ];

    /// The facet's name in the API (`FIELD_OF_EDUCATION`).
    pub fn api_name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

/// How many values each facet has in the index now (among published
/// courses), by its API name: the query-cost estimate charges a facet for
/// the values it can return, not for a guess. Shared by the search service,
/// which keeps it current, and the gate, which reads it.
#[derive(Debug, Clone, Default)]
pub struct FacetSizes(Arc<std::sync::RwLock<std::collections::HashMap<String, u64>>>);

impl FacetSizes {
    /// The values a facet is assumed to have before the index was counted.
    pub const UNCOUNTED: u64 = 40;

    /// The values `facet` (API name) has, or [`Self::UNCOUNTED`].
    pub fn of(&self, facet: &str) -> u64 {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(facet)
            .copied()
            .unwrap_or(Self::UNCOUNTED)
    }

    /// Sets the count of `facet`.
    pub fn set(&self, facet: Facet, values: u64) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(facet.api_name(), values);
    }
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOrder {
    Relevance,
    StartDate,
    Name,
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a query may have.
pub const MAX_QUERY_WORDS: usize = 12;

/// One search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// None or blank: browse everything under the filter.
    pub query: Option<String>,
    pub filter: CourseFilter,
    pub facets: Vec<Facet>,
    pub order: SearchOrder,
    pub offset: usize,
    pub limit: usize,
    pub lang: Lang,
    pub today: NaiveDate,
}

/// One matching course.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub course_id: i32,
    pub score: f64,
    /// The instances that match the filter (all of them when none filters instances).
    pub instance_ids: Vec<i32>,
    /// The name with matches wrapped in `<mark>`.
    pub name_highlight: Option<String>,
    /// A passage of the description around the first match, highlighted.
    pub description_snippet: Option<String>,
}

/// The counts of one facet.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetCounts {
    pub facet: Facet,
    /// (value, courses), every value kept, zero counts included.
    pub values: Vec<(String, u64)>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total: u64,
    /// True when `total` is the engine's estimate.
    pub estimated: bool,
    pub facets: Vec<FacetCounts>,
}

/// What an autocomplete suggestion names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionKind {
    Course,
    Keyword,
    Provider,
    Municipality,
}

/// An autocomplete suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    /// The course, for course suggestions.
    pub course_id: Option<i32>,
}

/// A change to apply to an index.
#[derive(Debug, Clone)]
pub enum IndexChange {
    Upsert(Box<SearchDocument>),
    Delete(i32),
}

/// Why an engine failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search engine is unavailable: {0}")]
    Unavailable(String),
    #[error("the search engine refused the request: {0}")]
    Rejected(String),
    /// There is no index to answer from yet: the first build is under way.
    #[error("the search index is being built: {0}")]
    NotReady(String),
}

/// Sees how a rebuild goes.
pub trait RebuildProgress: Send + Sync {
    /// `done` of `total` documents are in the fresh index.
    fn indexed(&self, done: usize, total: usize);
}

/// A rebuild nobody watches.
pub struct Unwatched;

impl RebuildProgress for Unwatched {
    fn indexed(&self, _done: usize, _total: usize) {}
}

/// What the serving index holds when a process starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexCheck {
    /// Documents of this release's format: catching up from the outbox suffices.
    Current,
    /// No index, or one that does not outlive the process: build one.
    Missing,
    /// An index an earlier release (or other settings) built: build a
    /// fresh one beside it and swap; it serves until then.
    Outdated(String),
    /// An index a later release built: serve it as it is and leave it to
    /// that release, so that two versions during a rolling deploy do not
    /// undo each other.
    Newer(String),
}

/// A fresh index being filled; the serving index answers until `finish`
/// swaps the fresh one in. Dropped unfinished, it is abandoned.
pub trait IndexBuild: Send {
    /// Adds documents to the fresh index.
    fn add(&mut self, docs: Vec<SearchDocument>) -> BoxFuture<'_, Result<(), SearchError>>;
    /// Waits until everything added is in, then swaps the fresh index in.
    fn finish(self: Box<Self>) -> BoxFuture<'static, Result<(), SearchError>>;
}

/// A search engine.
pub trait SearchEngine: Send + Sync {
    /// A short name for logs and readiness.
    fn name(&self) -> &'static str;
    /// Applies changes; returns once the engine has confirmed them.
    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>>;
    /// Starts a fresh index beside the serving one.
    fn begin_rebuild(&self) -> BoxFuture<'_, Result<Box<dyn IndexBuild>, SearchError>>;
    /// What the serving index holds: whether a start must build one.
    fn inspect(&self) -> BoxFuture<'_, Result<IndexCheck, SearchError>> {
        Box::pin(async { Ok(IndexCheck::Missing) })
    }
    /// Searches.
    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Result<SearchResult, SearchError>>;
    /// Autocompletes `prefix`.
    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        lang: Lang,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Suggestion>, SearchError>>;
    /// How many documents the index holds.
    fn count(&self) -> BoxFuture<'_, Result<u64, SearchError>>;
}

/// Builds a fresh index of `docs` and swaps it in (for tests and tools that
/// hold every document already).
pub async fn rebuild_with(
    engine: &dyn SearchEngine,
    docs: Vec<SearchDocument>,
    progress: &dyn RebuildProgress,
) -> Result<(), SearchError> {
    let total = docs.len();
    let mut build = engine.begin_rebuild().await?;
    let mut rest = docs.into_iter();
    let mut done = 0;
    loop {
        let chunk: Vec<SearchDocument> = rest.by_ref().take(1000).collect();
        if chunk.is_empty() {
            break;
        }
        done += chunk.len();
        build.add(chunk).await?;
        progress.indexed(done, total);
    }
    build.finish().await
}
