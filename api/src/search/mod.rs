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

/// A search engine.
pub trait SearchEngine: Send + Sync {
    /// A short name for logs and readiness.
    fn name(&self) -> &'static str;
    /// Applies changes; returns once the engine has confirmed them.
    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>>;
    /// Builds a fresh index of `docs` and swaps it in; the old one serves until then.
    fn rebuild<'a>(
        &'a self,
        docs: Vec<SearchDocument>,
        progress: &'a dyn RebuildProgress,
    ) -> BoxFuture<'a, Result<(), SearchError>>;
    /// True when the index outlives the process and holds documents of the
    /// current format, so that a start need not rebuild it.
    fn is_current(&self) -> BoxFuture<'_, Result<bool, SearchError>> {
        Box::pin(async { Ok(false) })
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
