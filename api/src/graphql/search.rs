//! `search`, `suggest` and `indexStatus`: full-text search over the engine,
//! with the same filters as `courses`, disjunctive facets and highlights.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::{Connection, ConnectionNameType, EdgeNameType};
use async_graphql::{Context, Enum, Object, OutputType, SimpleObject, ID};

use super::context::{store, today, visibility};
use super::enums::Lang;
use super::errors::{bad_input, index_failed, search_failed, OrInternal};
use super::filters::CourseFilter;
use super::ids::{encode, NodeKind};
use super::loaders::InstanceId;
use super::pagination::{Cursor, PageArgs, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use super::types::{Course, CourseInstance};
use crate::codes::code_sets;
use crate::domain::{self, Lang as DomainLang};
use crate::finnish::{analyzer, Backend};
use crate::search::service::SearchService;
use crate::search::{
    Facet, SearchOrder, SearchRequest, SuggestionKind as EngineKind, MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
};

/// What `search` can count.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "crate::search::Facet")]
pub enum CourseFacet {
    Municipality,
    Region,
    FieldOfEducation,
    EducationType,
    TeachingMode,
    Language,
    Provider,
    FundingCategory,
    TimeOfDay,
    /// Whether an instance is free: values `true` and `false`.
    Free,
    /// Whether an application period is open today: values `true` and `false`.
    ApplicationOpen,
    Audience,
}

/// The order of search hits.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum SearchOrderField {
    /// Best match first (the default when there is a query).
    Relevance,
    /// Earliest start among the matching instances first.
    StartDate,
    /// By name (the default without a query).
    Name,
}

/// One value of a facet.
#[derive(SimpleObject, Clone, Debug)]
pub struct FacetValue {
    /// The value to filter by, as the matching filter takes it: an enum
    /// value (`ONLINE`), a code (`286`, `fi`), a global id, or `true`/`false`.
    pub value: String,
    /// The value's name in the asked language.
    pub label: String,
    /// How many courses have it, under every active filter but this facet's own.
    pub count: u64,
}

/// The counts of one facet.
#[derive(SimpleObject, Clone, Debug)]
pub struct FacetResult {
    pub facet: CourseFacet,
    pub values: Vec<FacetValue>,
}

/// Highlighted texts of a hit; matches are wrapped in `<mark>`, the rest is HTML-escaped.
#[derive(SimpleObject, Clone, Debug)]
pub struct Highlights {
    pub name: Option<String>,
    /// A passage of the description around the first match.
    pub description: Option<String>,
}

/// What a search hit adds to its course.
#[derive(Clone, Debug)]
pub struct HitFields {
    score: f64,
    instance_ids: Vec<i32>,
    highlights: Highlights,
}

#[Object]
impl HitFields {
    /// The relevance score; comparable within one result only.
    async fn score(&self) -> f64 {
        self.score
    }

    /// The instances that match the filter.
    async fn matched_instances(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CourseInstance>> {
        let keys: Vec<InstanceId> = self.instance_ids.iter().map(|i| InstanceId(*i)).collect();
        let found = super::context::loader(ctx)
            .load_many(keys.clone())
            .await
            .or_internal()?;
        Ok(keys
            .iter()
            .filter_map(|k| found.get(k).cloned())
            .map(CourseInstance)
            .collect())
    }

    /// The name and a description passage with the matches marked.
    async fn highlights(&self) -> &Highlights {
        &self.highlights
    }
}

/// Totals and facets of a search.
#[derive(SimpleObject, Clone, Debug)]
pub struct SearchTotals {
    /// How many courses match.
    pub total_count: u64,
    /// True when `totalCount` is the engine's estimate rather than exact.
    pub total_count_is_estimate: bool,
    /// The facets asked for.
    pub facets: Vec<FacetResult>,
}

/// Names the connection type `SearchConnection`.
pub struct SearchConnectionName;
impl ConnectionNameType for SearchConnectionName {
    fn type_name<T: OutputType>() -> String {
        "SearchConnection".into()
    }
}

/// Names the edge type `SearchHit`.
pub struct SearchHitName;
impl EdgeNameType for SearchHitName {
    fn type_name<T: OutputType>() -> String {
        "SearchHit".into()
    }
}

type SearchPage =
    Connection<Cursor, Course, SearchTotals, HitFields, SearchConnectionName, SearchHitName>;

/// An autocomplete suggestion.
#[derive(SimpleObject, Clone, Debug)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    /// The course, for course suggestions.
    pub course_id: Option<ID>,
}

/// What a suggestion names.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum SuggestionKind {
    Course,
    Keyword,
    Provider,
    Municipality,
}

/// A change the search engine refused too many times: its course is not
/// in the index as it is in the database until it is sent back.
#[derive(SimpleObject, Clone, Debug)]
pub struct SearchDeadLetter {
    /// The dead letter's number, for `retrySearchDeadLetters`.
    pub id: i32,
    /// The course whose change it was.
    pub course_id: ID,
    /// How many times it was tried.
    pub attempts: i32,
    /// The last refusal, from the engine or the document builder.
    pub error: String,
    /// When the change was first written.
    pub first_failed_at: chrono::DateTime<chrono::Utc>,
    /// When it was given up.
    pub dead_at: chrono::DateTime<chrono::Utc>,
}

/// The dead letters sent back.
#[derive(SimpleObject, Clone, Debug)]
pub struct RetrySearchDeadLettersPayload {
    /// How many went back to the outbox as fresh changes.
    pub retried: u64,
}

/// The search index's administration.
#[derive(Default)]
pub struct SearchMutation;

#[Object]
impl SearchMutation {
    /// Sends dead letters back to the outbox as fresh changes (every one
    /// when `ids` is not given). Administrators only.
    async fn retry_search_dead_letters(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<i32>>,
    ) -> async_graphql::Result<RetrySearchDeadLettersPayload> {
        super::partner::admin(ctx)?;
        if ids.as_ref().is_some_and(|ids| ids.len() > 1000) {
            return Err(bad_input("ids", "at most 1000 at a time"));
        }
        let retried = service(ctx)
            .retry_dead_letters(ids.as_deref())
            .await
            .map_err(index_failed)?;
        Ok(RetrySearchDeadLettersPayload { retried })
    }
}

/// The state of the search index.
#[derive(SimpleObject, Clone, Debug)]
pub struct IndexStatus {
    /// `embedded` or `meilisearch`.
    pub engine: String,
    pub documents: Option<u64>,
    /// Changes written to the database and not yet confirmed by the engine.
    pub pending_changes: u64,
    pub oldest_pending_seconds: Option<i64>,
    /// The engine's last refusal; for administrators only (null otherwise).
    pub last_error: Option<String>,
    /// Changes the engine refused too many times; `searchDeadLetters` lists them.
    pub dead_letters: u64,
    /// `voikko`, or `snowball` when Voikko is missing.
    pub finnish_analyzer: String,
    pub analyzer_warning: Option<String>,
}

fn service<'a>(ctx: &Context<'a>) -> &'a Arc<SearchService> {
    ctx.data_unchecked::<Arc<SearchService>>()
}

fn label_of(set: &str, code: &str, lang: DomainLang) -> String {
    code_sets()
        .label(set, code)
        .map(|l| l.get(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn facet_label(
    facet: Facet,
    value: &str,
    lang: DomainLang,
    providers: &HashMap<i32, String>,
) -> String {
    let sets = code_sets();
    match facet {
        Facet::Municipality => sets
            .municipality(value)
            .map(|m| m.name.get(lang).to_string()),
        Facet::Region => sets.region(value).map(|r| r.name.get(lang).to_string()),
        Facet::FieldOfEducation => sets.field(value).map(|f| f.name.get(lang).to_string()),
        Facet::Language => sets.language(value).map(|l| l.name.get(lang).to_string()),
        Facet::EducationType => Some(label_of(domain::EducationType::SET, value, lang)),
        Facet::TeachingMode => Some(label_of(domain::TeachingMode::SET, value, lang)),
        Facet::FundingCategory => Some(label_of(domain::FundingCategory::SET, value, lang)),
        Facet::TimeOfDay => Some(label_of(domain::TimeOfDay::SET, value, lang)),
        Facet::Audience => Some(label_of(domain::Audience::SET, value, lang)),
        Facet::Provider => value
            .parse()
            .ok()
            .and_then(|id: i32| providers.get(&id).cloned()),
        Facet::Free => Some(label_of("free", value, lang)),
        Facet::ApplicationOpen => Some(label_of("application_open", value, lang)),
    }
    .unwrap_or_else(|| value.to_string())
}

/// A facet value as the matching filter takes it back: the enum value of
/// an enum-typed filter (`ONLINE`), the global id of a provider, the code
/// of a code set, `true` or `false`.
fn facet_value(facet: Facet, value: &str) -> String {
    match facet {
        Facet::Provider => value
            .parse()
            .map(|id| encode(NodeKind::Organisation, id).to_string())
            .unwrap_or_default(),
        Facet::EducationType
        | Facet::TeachingMode
        | Facet::FundingCategory
        | Facet::TimeOfDay
        | Facet::Audience => value.to_ascii_uppercase(),
        Facet::Municipality
        | Facet::Region
        | Facet::FieldOfEducation
        | Facet::Language
        | Facet::Free
        | Facet::ApplicationOpen => value.to_string(),
    }
}

/// Checks the query's size.
fn checked_query(query: Option<String>) -> async_graphql::Result<Option<String>> {
    let Some(query) = query
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty())
    else {
        return Ok(None);
    };
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(bad_input(
            "query",
            format!("at most {MAX_QUERY_CHARS} characters, got {chars}"),
        ));
    }
    let words = crate::finnish::tokenize(&query).len();
    if words > MAX_QUERY_WORDS {
        return Err(bad_input(
            "query",
            format!("at most {MAX_QUERY_WORDS} words, got {words}"),
        ));
    }
    Ok(Some(query))
}

/// The search fields of the query root.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search of published courses, Finnish-aware (inflected forms,
    /// compound parts, typos, synonyms), with the same filters as `courses`.
    /// An empty query browses everything under the filter.
    #[allow(clippy::too_many_arguments)]
    #[graphql(cache_control(max_age = 60))]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        filter: Option<CourseFilter>,
        facets: Option<Vec<CourseFacet>>,
        order_by: Option<SearchOrderField>,
        first: Option<i32>,
        after: Option<String>,
        lang: Option<Lang>,
    ) -> async_graphql::Result<SearchPage> {
        let query = checked_query(query)?;
        let filter = filter.unwrap_or_default().parse(ctx, "filter").await?;
        let args = PageArgs {
            first,
            after,
            last: None,
            before: None,
        };
        let start = args.window(u64::MAX)?.offset as usize;
        let limit = first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(0, MAX_PAGE_SIZE) as usize;
        let lang: DomainLang = lang.unwrap_or_default().into();
        let mut facet_list: Vec<Facet> = facets
            .unwrap_or_default()
            .into_iter()
            .map(Facet::from)
            .collect();
        facet_list.dedup();
        let order = match order_by {
            Some(SearchOrderField::StartDate) => SearchOrder::StartDate,
            Some(SearchOrderField::Name) => SearchOrder::Name,
            Some(SearchOrderField::Relevance) | None => SearchOrder::Relevance,
        };
        let request = SearchRequest {
            query,
            filter,
            facets: facet_list,
            order,
            offset: start,
            limit,
            lang,
            today: today(ctx),
        };
        let result = service(ctx).search(&request).await.map_err(search_failed)?;
        // The engine's search and every facet value it computed.
        let values: usize = result.facets.iter().map(|f| 1 + f.values.len()).sum();
        crate::graphql::cost::worked(ctx, 1 + values as u64);
        let ids: Vec<i32> = result.hits.iter().map(|h| h.course_id).collect();
        let rows = store(ctx).courses_by_ids(&ids).await.or_internal()?;
        let provider_ids: Vec<i32> = result
            .facets
            .iter()
            .filter(|f| f.facet == Facet::Provider)
            .flat_map(|f| f.values.iter().filter_map(|(v, _)| v.parse().ok()))
            .collect();
        let providers: HashMap<i32, String> = if provider_ids.is_empty() {
            HashMap::new()
        } else {
            store(ctx)
                .organisations_by_ids(&provider_ids)
                .await
                .or_internal()?
                .into_iter()
                .map(|(id, o)| {
                    (
                        id,
                        o.name_fi.or(o.name_sv).or(o.name_en).unwrap_or_default(),
                    )
                })
                .collect()
        };
        let facets = result
            .facets
            .iter()
            .map(|f| FacetResult {
                facet: f.facet.into(),
                values: f
                    .values
                    .iter()
                    .map(|(value, count)| FacetValue {
                        label: facet_label(f.facet, value, lang, &providers),
                        value: facet_value(f.facet, value),
                        count: *count,
                    })
                    .collect(),
            })
            .collect();
        let end = start + result.hits.len();
        let mut page = SearchPage::with_additional_fields(
            start > 0,
            (end as u64) < result.total,
            SearchTotals {
                total_count: result.total,
                total_count_is_estimate: result.estimated,
                facets,
            },
        );
        // A course unpublished since it was indexed waits for the outbox;
        // it is not shown meanwhile.
        let seen = visibility(ctx);
        let hit_rows: Vec<_> = result
            .hits
            .into_iter()
            .filter_map(|h| rows.get(&h.course_id).cloned().map(|r| (h, r)))
            .filter(|(_, r)| seen.allows(&r.state, r.provider_id))
            .collect();
        super::prefetch::courses(
            ctx,
            &hit_rows.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
        )
        .await?;
        for (i, (hit, row)) in hit_rows.into_iter().enumerate() {
            page.edges
                .push(async_graphql::connection::Edge::with_additional_fields(
                    Cursor((start + i) as u64),
                    Course(row),
                    HitFields {
                        score: hit.score,
                        instance_ids: hit.instance_ids,
                        highlights: Highlights {
                            name: hit.name_highlight,
                            description: hit.description_snippet,
                        },
                    },
                ));
        }
        Ok(page)
    }

    /// Autocomplete for search-as-you-type: course names, keywords, providers
    /// and municipalities that start with (or nearly start with) `prefix`.
    #[graphql(cache_control(max_age = 60))]
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        lang: Option<Lang>,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<Suggestion>> {
        if prefix.chars().count() > 100 {
            return Err(bad_input("prefix", "at most 100 characters"));
        }
        if !(1..=50).contains(&first) {
            return Err(bad_input("first", format!("between 1 and 50, got {first}")));
        }
        let lang: DomainLang = lang.unwrap_or_default().into();
        let found = service(ctx)
            .suggest(&prefix, lang, first as usize, visibility(ctx))
            .await
            .map_err(index_failed)?;
        Ok(found
            .into_iter()
            .map(|s| Suggestion {
                text: s.text,
                kind: match s.kind {
                    EngineKind::Course => SuggestionKind::Course,
                    EngineKind::Keyword => SuggestionKind::Keyword,
                    EngineKind::Provider => SuggestionKind::Provider,
                    EngineKind::Municipality => SuggestionKind::Municipality,
                },
                course_id: s.course_id.map(|id| encode(NodeKind::Course, id)),
            })
            .collect())
    }

    /// Changes the search engine refused too many times, newest first, at
    /// most `first` (up to 100). Administrators only.
    #[graphql(cache_control(no_cache))]
    async fn search_dead_letters(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<SearchDeadLetter>> {
        super::partner::admin(ctx)?;
        if !(1..=MAX_PAGE_SIZE).contains(&first) {
            return Err(bad_input(
                "first",
                format!("between 1 and {MAX_PAGE_SIZE}, got {first}"),
            ));
        }
        let letters = service(ctx)
            .dead_letters(first as u64)
            .await
            .map_err(index_failed)?;
        Ok(letters
            .into_iter()
            .map(|l| SearchDeadLetter {
                id: l.id,
                course_id: encode(NodeKind::Course, l.course_id),
                attempts: l.attempts,
                error: l.error,
                first_failed_at: l.first_failed_at,
                dead_at: l.dead_at,
            })
            .collect())
    }

    /// The state of the search index: engine, documents, pending changes,
    /// dead letters, and the last error (administrators only).
    #[graphql(cache_control(no_cache))]
    async fn index_status(&self, ctx: &Context<'_>) -> async_graphql::Result<IndexStatus> {
        let status = service(ctx).status().await.or_internal()?;
        let analyzer = analyzer();
        Ok(IndexStatus {
            engine: status.engine.to_string(),
            documents: status.documents,
            pending_changes: status.pending,
            oldest_pending_seconds: status.oldest_pending_seconds(),
            last_error: status
                .last_error
                .filter(|_| super::context::caller(ctx).is_admin()),
            dead_letters: status.dead_letters,
            finnish_analyzer: match analyzer.backend() {
                Backend::Voikko => "voikko".into(),
                Backend::Snowball => "snowball".into(),
                Backend::Off => "none".into(),
            },
            analyzer_warning: analyzer.warning().map(str::to_string),
        })
    }
}
