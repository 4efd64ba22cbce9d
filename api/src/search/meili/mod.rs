//! The Meilisearch engine (v1.x) through meilisearch-sdk: one document per
//! course with the analysed terms in hidden fields; a federated multi-search
//! combines the raw query, the lemmatised query and the compound split with
//! weights; facets are counted per course by one federated search per facet
//! with that facet's own filter left out.

mod document;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use futures_util::future::BoxFuture;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{
    FederationOptions, MatchingStrategies, MergeFacets, SearchQuery, SearchResult as MeiliHit,
};
use meilisearch_sdk::settings::{
    FacetingSettings, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;

pub use document::{day_number, MeiliDoc};

use super::filter::{instance_matches, without};
use super::filter_string::FilterBuilder;
use super::*;
use crate::finnish::{analyzer, is_stop_word, tokenize, STOP_WORDS};

/// The index that serves searches.
const INDEX: &str = "tarjotin_courses";
/// How long to wait for Meilisearch to finish a task.
const TASK_TIMEOUT: Duration = Duration::from_secs(300);
/// Fields searched by the raw query, most important first.
const RAW_FIELDS: &[&str] = &[
    "name_fi",
    "name_sv",
    "name_en",
    "keywords",
    "credential_fi",
    "credential_sv",
    "credential_en",
    "places",
    "times",
    "provider_name",
    "description_fi",
    "description_sv",
    "description_en",
];
/// Fields of analysed terms, searched by the lemmatised query.
const LEMMA_FIELDS: &[&str] = &["lemmas", "lemmas_description"];
/// Weights of the three queries of a search.
const RAW_WEIGHT: f32 = 1.0;
const LEMMA_WEIGHT: f32 = 0.9;
const SPLIT_WEIGHT: f32 = 0.5;

/// Meilisearch as a search engine.
pub struct MeiliEngine {
    client: Client,
}

fn unavailable(e: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(e.to_string())
}

fn attribute(facet: Facet) -> &'static str {
    match facet {
        Facet::Municipality => "municipalities",
        Facet::Region => "regions",
        Facet::FieldOfEducation => "fields",
        Facet::EducationType => "education_type",
        Facet::TeachingMode => "modes",
        Facet::Language => "languages",
        Facet::Provider => "provider_id",
        Facet::FundingCategory => "funding",
        Facet::TimeOfDay => "times_of_day",
        Facet::Free => "free",
        Facet::ApplicationOpen => "enrol_days",
        Facet::Audience => "audiences",
    }
}

/// The engine filter of a domain filter. Course-level conditions are exact;
/// instance conditions are checked per attribute here and for one and the
/// same instance afterwards (`instance_matches`).
pub fn filter_expression(f: &CourseFilter, today: NaiveDate) -> Option<String> {
    let codes = |v: Vec<&'static str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let mut b = FilterBuilder::new()
        .any_of("municipalities", &f.municipalities)
        .any_of("regions", &f.regions)
        .any_of("fields", &f.fields_of_education)
        .any_of(
            "education_type",
            &codes(f.education_types.iter().map(|t| t.code()).collect()),
        )
        .any_of(
            "modes",
            &codes(f.teaching_modes.iter().map(|m| m.code()).collect()),
        )
        .any_of("languages", &f.languages)
        .any_of(
            "provider_id",
            &f.providers
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
        )
        .any_of(
            "funding",
            &codes(f.funding_categories.iter().map(|c| c.code()).collect()),
        )
        .any_of(
            "times_of_day",
            &codes(f.times_of_day.iter().map(|t| t.code()).collect()),
        )
        .any_of(
            "audiences",
            &codes(f.audiences.iter().map(|a| a.code()).collect()),
        );
    if f.free_only {
        b = b.flag("free", true);
    }
    if let Some(day) = f.starts_after {
        b = b.either(
            FilterBuilder::new().compare("start_days", ">=", day_number(day)),
            FilterBuilder::new().flag("flexible_start", true),
        );
    }
    if let Some(day) = f.starts_before {
        b = b.either(
            FilterBuilder::new().compare("start_days", "<=", day_number(day)),
            FilterBuilder::new().flag("flexible_start", true),
        );
    }
    if f.application_open == Some(true) {
        b = b.any_of("enrol_days", &[day_number(today).to_string()]);
    }
    match f.upcoming {
        Some(true) => b = b.compare("end_days", ">=", day_number(today)),
        Some(false) => b = b.compare("end_days", "<", day_number(today)),
        None => {}
    }
    b.build()
}

impl MeiliEngine {
    /// Connects and applies the index settings (idempotently).
    pub async fn connect(url: &str, key: Option<&str>) -> Result<MeiliEngine, SearchError> {
        let client = Client::new(url, key).map_err(unavailable)?;
        client.health().await.map_err(unavailable)?;
        let engine = MeiliEngine { client };
        engine.ensure_index(INDEX).await?;
        Ok(engine)
    }

    fn settings() -> Settings {
        let synonyms: HashMap<String, Vec<String>> = synonyms::all().clone();
        Settings::new()
            .with_searchable_attributes(RAW_FIELDS.iter().chain(LEMMA_FIELDS))
            .with_filterable_attributes([
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
            ])
            .with_sortable_attributes(["name_sort", "first_start_day"])
            .with_stop_words(STOP_WORDS)
            .with_synonyms(synonyms)
            .with_typo_tolerance(TypoToleranceSettings {
                disable_on_attributes: Some(LEMMA_FIELDS.iter().map(|s| s.to_string()).collect()),
                ..TypoToleranceSettings::default()
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: 1000,
                sort_facet_values_by: None,
            })
            .with_pagination(PaginationSetting {
                max_total_hits: 100_000,
            })
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(50)),
                Some(TASK_TIMEOUT),
            )
            .await
            .map_err(unavailable)?;
        if task.is_failure() {
            return Err(SearchError::Rejected(task.unwrap_failure().to_string()));
        }
        Ok(())
    }

    async fn ensure_index(&self, uid: &str) -> Result<Index, SearchError> {
        if self.client.get_index(uid).await.is_err() {
            let task = self
                .client
                .create_index(uid, Some("id"))
                .await
                .map_err(unavailable)?;
            self.wait(task).await?;
        }
        let index = self.client.index(uid);
        let task = index
            .set_settings(&Self::settings())
            .await
            .map_err(unavailable)?;
        self.wait(task).await?;
        Ok(index)
    }

    fn today() -> NaiveDate {
        Utc::now()
            .with_timezone(&chrono_tz::Europe::Helsinki)
            .date_naive()
    }

    async fn push(&self, index: &Index, docs: &[SearchDocument]) -> Result<(), SearchError> {
        let today = Self::today();
        for chunk in docs.chunks(1000) {
            let batch: Vec<MeiliDoc> = chunk
                .iter()
                .map(|d| MeiliDoc::from_document(d, today))
                .collect();
            let task = index
                .add_or_replace(&batch, Some("id"))
                .await
                .map_err(unavailable)?;
            self.wait(task).await?;
        }
        Ok(())
    }
}

/// The strings of the three queries of a search.
struct QueryStrings {
    raw: String,
    lemmas: String,
    split: String,
}

fn query_strings(query: &str) -> QueryStrings {
    let a = analyzer();
    let mut lemmas = Vec::new();
    let mut split = Vec::new();
    for token in tokenize(query) {
        if is_stop_word(&token.text) {
            continue;
        }
        let forms = a.word(&token.text);
        lemmas.extend(forms.lemmas.into_iter().take(3));
        split.extend(forms.split);
    }
    QueryStrings {
        raw: query.to_string(),
        lemmas: lemmas.join(" "),
        split: split.join(" "),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Meilisearch's `_formatted` text with our marks, the rest HTML-escaped.
fn formatted(hit: &MeiliHit<MeiliDoc>, field: &str) -> Option<String> {
    let text = hit.formatted_result.as_ref()?.get(field)?.as_str()?;
    const OPEN: &str = "\u{1}mark\u{1}";
    const CLOSE: &str = "\u{1}/mark\u{1}";
    Some(
        escape(text)
            .replace(OPEN, "<mark>")
            .replace(CLOSE, "</mark>"),
    )
}

type Query<'a> = SearchQuery<'a, meilisearch_sdk::DefaultHttpClient>;

/// Names of the fields highlighted and cropped, per language.
fn display_fields(
    lang: Lang,
) -> (
    &'static [&'static str],
    &'static [(&'static str, Option<usize>)],
) {
    match lang {
        Lang::Fi => (&["name_fi"], &[("description_fi", None)]),
        Lang::Sv => (
            &["name_sv", "name_fi"],
            &[("description_sv", None), ("description_fi", None)],
        ),
        Lang::En => (
            &["name_en", "name_fi"],
            &[("description_en", None), ("description_fi", None)],
        ),
    }
}

/// The raw, lemmatised and split queries of a search, with their weights.
fn queries<'a>(
    index: &'a Index,
    strings: &'a QueryStrings,
    filter: Option<&'a str>,
    lang: Lang,
    sort: Option<&'a [&'a str]>,
) -> Vec<(Query<'a>, f32)> {
    let (highlight, crop) = display_fields(lang);
    let parts: [(&'a str, &'static [&'static str], f32); 3] = [
        (strings.raw.as_str(), RAW_FIELDS, RAW_WEIGHT),
        (strings.lemmas.as_str(), LEMMA_FIELDS, LEMMA_WEIGHT),
        (strings.split.as_str(), LEMMA_FIELDS, SPLIT_WEIGHT),
    ];
    let mut out = Vec::new();
    for (i, (q, fields, weight)) in parts.into_iter().enumerate() {
        if i > 0 && q.trim().is_empty() {
            continue;
        }
        let mut query = SearchQuery::new(index);
        query
            .with_query(q)
            .with_attributes_to_search_on(fields)
            .with_matching_strategy(MatchingStrategies::LAST)
            .with_attributes_to_highlight(meilisearch_sdk::search::Selectors::Some(highlight))
            .with_attributes_to_crop(meilisearch_sdk::search::Selectors::Some(crop))
            .with_crop_length(30)
            .with_highlight_pre_tag("\u{1}mark\u{1}")
            .with_highlight_post_tag("\u{1}/mark\u{1}");
        if let Some(filter) = filter {
            query.with_filter(filter);
        }
        if let Some(sort) = sort {
            query.with_sort(sort);
        }
        out.push((query, weight));
    }
    out
}

impl MeiliEngine {
    /// Runs the federated search of `strings` under `filter`.
    #[allow(clippy::too_many_arguments)]
    async fn federated(
        &self,
        strings: &QueryStrings,
        filter: Option<&str>,
        lang: Lang,
        sort: Option<&[&str]>,
        offset: usize,
        limit: usize,
        facet: Option<&str>,
    ) -> Result<meilisearch_sdk::search::FederatedMultiSearchResponse<MeiliDoc>, SearchError> {
        let index = self.client.index(INDEX);
        let mut multi = self.client.multi_search();
        for (query, weight) in queries(&index, strings, filter, lang, sort) {
            multi.with_search_query_and_weight(query, weight);
        }
        let federation = FederationOptions {
            offset: Some(offset),
            limit: Some(limit),
            facets_by_index: facet
                .map(|f| HashMap::from([(INDEX.to_string(), vec![f.to_string()])])),
            merge_facets: facet.map(|_| MergeFacets {
                max_values_per_facet: Some(1000),
            }),
            show_performance_details: None,
        };
        multi
            .with_federation(federation)
            .execute::<MeiliDoc>()
            .await
            .map_err(unavailable)
    }

    async fn facet(
        &self,
        strings: &QueryStrings,
        request: &SearchRequest,
        facet: Facet,
    ) -> Result<FacetCounts, SearchError> {
        let relaxed = without(&request.filter, facet);
        let today = request.today;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        if facet == Facet::ApplicationOpen {
            let open = CourseFilter {
                application_open: Some(true),
                ..relaxed.clone()
            };
            let all = self
                .federated(
                    strings,
                    filter_expression(&relaxed, today).as_deref(),
                    request.lang,
                    None,
                    0,
                    0,
                    None,
                )
                .await?;
            let yes = self
                .federated(
                    strings,
                    filter_expression(&open, today).as_deref(),
                    request.lang,
                    None,
                    0,
                    0,
                    None,
                )
                .await?;
            counts.insert("true".into(), yes.estimated_total_hits as u64);
            counts.insert(
                "false".into(),
                (all.estimated_total_hits - yes.estimated_total_hits) as u64,
            );
        } else {
            let attr = attribute(facet);
            let everything = QueryStrings {
                raw: String::new(),
                lemmas: String::new(),
                split: String::new(),
            };
            let known = self
                .federated(&everything, None, request.lang, None, 0, 0, Some(attr))
                .await?;
            let found = self
                .federated(
                    strings,
                    filter_expression(&relaxed, today).as_deref(),
                    request.lang,
                    None,
                    0,
                    0,
                    Some(attr),
                )
                .await?;
            for source in [known, found] {
                let first = counts.is_empty();
                if let Some(dist) = source.facet_distribution.and_then(|d| d.get(attr).cloned()) {
                    for (value, count) in dist {
                        let entry = counts.entry(value).or_insert(0);
                        if !first {
                            *entry = count as u64;
                        }
                    }
                }
                if first {
                    for v in counts.values_mut() {
                        *v = 0;
                    }
                }
            }
        }
        Ok(FacetCounts {
            facet,
            values: counts.into_iter().collect(),
        })
    }

    async fn run(&self, request: &SearchRequest) -> Result<SearchResult, SearchError> {
        let strings = query_strings(request.query.as_deref().unwrap_or_default().trim());
        let filter = filter_expression(&request.filter, request.today);
        let sort: Option<&[&str]> = match (request.order, request.query.is_some()) {
            (SearchOrder::Name, _) | (SearchOrder::Relevance, false) => Some(&["name_sort:asc"]),
            (SearchOrder::StartDate, _) => Some(&["first_start_day:asc"]),
            (SearchOrder::Relevance, true) => None,
        };
        let response = self
            .federated(
                &strings,
                filter.as_deref(),
                request.lang,
                sort,
                request.offset,
                request.limit,
                None,
            )
            .await?;
        let (names, _) = display_fields(request.lang);
        let mut hits = Vec::new();
        for (position, hit) in response.hits.iter().enumerate() {
            let ids: Vec<i32> = hit
                .result
                .instances
                .iter()
                .filter(|i| instance_matches(i, &request.filter, request.today))
                .map(|i| i.id)
                .collect();
            if request.filter.has_instance_filters() && ids.is_empty() {
                // Each instance condition held for some instance, but no one
                // instance met them all.
                continue;
            }
            let score = hit
                .federation
                .as_ref()
                .map(|f| f64::from(f.weighted_ranking_score))
                .or(hit.ranking_score)
                .unwrap_or(1.0 / (1.0 + position as f64));
            hits.push(Hit {
                course_id: hit.result.id,
                score,
                instance_ids: ids,
                name_highlight: names.iter().find_map(|n| formatted(hit, n)),
                description_snippet: ["description_fi", "description_sv", "description_en"]
                    .iter()
                    .filter(|d| d.ends_with(request.lang.code()))
                    .chain(["description_fi"].iter())
                    .find_map(|d| formatted(hit, d)),
            });
        }
        let mut facets = Vec::new();
        for facet in &request.facets {
            facets.push(self.facet(&strings, request, *facet).await?);
        }
        Ok(SearchResult {
            hits,
            total: response.estimated_total_hits as u64,
            // Meilisearch reports estimates, and instance conditions are
            // checked per instance only for the hits of the page.
            estimated: true,
            facets,
        })
    }
}

impl SearchEngine for MeiliEngine {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            let index = self.client.index(INDEX);
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
                    .map_err(unavailable)?;
                self.wait(task).await?;
            }
            self.push(&index, &upserts).await
        })
    }

    fn rebuild(&self, docs: Vec<SearchDocument>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            let fresh = format!("{INDEX}_build_{}", Utc::now().timestamp_millis());
            let index = self.ensure_index(&fresh).await?;
            self.push(&index, &docs).await?;
            self.ensure_index(INDEX).await?;
            let swap = SwapIndexes {
                indexes: (INDEX.to_string(), fresh.clone()),
                rename: None,
            };
            let task = self
                .client
                .swap_indexes([&swap])
                .await
                .map_err(unavailable)?;
            self.wait(task).await?;
            // After the swap the fresh name holds the old documents.
            let task = self
                .client
                .delete_index(&fresh)
                .await
                .map_err(unavailable)?;
            self.wait(task).await
        })
    }

    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Result<SearchResult, SearchError>> {
        Box::pin(self.run(request))
    }

    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        lang: Lang,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Suggestion>, SearchError>> {
        Box::pin(async move {
            let index = self.client.index(INDEX);
            let (names, _) = display_fields(lang);
            let fields: Vec<&str> = names
                .iter()
                .copied()
                .chain(["keywords", "provider_name", "places"])
                .collect();
            let mut query = SearchQuery::new(&index);
            query
                .with_query(prefix)
                .with_attributes_to_search_on(&fields)
                .with_limit(limit * 3);
            let found = index
                .execute_query::<MeiliDoc>(&query)
                .await
                .map_err(unavailable)?;
            let wanted = crate::finnish::fold(prefix.trim());
            let mut out: Vec<Suggestion> = Vec::new();
            let mut push = |text: String, kind: SuggestionKind, course_id: Option<i32>| {
                if !out.iter().any(|s| s.text == text && s.kind == kind) {
                    out.push(Suggestion {
                        text,
                        kind,
                        course_id,
                    });
                }
            };
            for hit in &found.hits {
                let doc = &hit.result;
                let name = match lang {
                    Lang::Fi => doc.name_fi.clone(),
                    Lang::Sv => doc.name_sv.clone().or(doc.name_fi.clone()),
                    Lang::En => doc.name_en.clone().or(doc.name_fi.clone()),
                };
                let starts = |t: &str| {
                    crate::finnish::fold(t)
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.starts_with(&wanted))
                };
                for place in doc.places.iter().filter(|p| starts(p)) {
                    push(place.clone(), SuggestionKind::Municipality, None);
                }
                for keyword in doc.keywords.iter().filter(|k| starts(k)) {
                    push(keyword.clone(), SuggestionKind::Keyword, None);
                }
                if let Some(provider) = doc.provider_name.clone().filter(|p| starts(p)) {
                    push(provider, SuggestionKind::Provider, None);
                }
                if let Some(name) = name {
                    push(name, SuggestionKind::Course, Some(doc.id));
                }
            }
            out.truncate(limit);
            Ok(out)
        })
    }

    fn count(&self) -> BoxFuture<'_, Result<u64, SearchError>> {
        Box::pin(async move {
            let stats = self
                .client
                .index(INDEX)
                .get_stats()
                .await
                .map_err(unavailable)?;
            Ok(stats.number_of_documents as u64)
        })
    }
}
