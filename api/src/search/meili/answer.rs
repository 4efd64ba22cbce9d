//! One search through Meilisearch: a page of hits with highlights, the total
//! and the facets. When the engine's filter or order is not exact (see
//! `plan`), the candidates are fetched and checked here instance by instance.

use std::collections::HashMap;

use meilisearch_sdk::search::SearchResult as MeiliHit;

use super::document::MeiliDoc;
use super::plan::{filter_expression, is_exact, order_is_exact};
use super::query::{display_fields, federated, Fetch, QueryStrings, CLOSE_MARK, OPEN_MARK};
use super::{facets, MeiliEngine, MAX_TOTAL_HITS};
use crate::domain::CourseFilter;
use crate::search::filter::matching_instances;
use crate::search::filter_string::FilterBuilder;
use crate::search::{Hit, SearchError, SearchOrder, SearchRequest, SearchResult};

/// How many candidates a search checked here looks at (more when the page
/// asked for lies further). Past this the total is an estimate.
pub const WINDOW: usize = 2000;
/// The attributes a check needs.
pub const FACTS: &[&str] = &[
    "id",
    "provider_id",
    "fields",
    "education_type",
    "audiences",
    "instances",
    "name_sort",
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Meilisearch's `_formatted` text of `field` with our marks, the rest
/// HTML-escaped.
fn formatted(hit: &MeiliHit<MeiliDoc>, field: &str) -> Option<String> {
    let text = hit.formatted_result.as_ref()?.get(field)?.as_str()?;
    Some(
        escape(text)
            .replace(OPEN_MARK, "<mark>")
            .replace(CLOSE_MARK, "</mark>"),
    )
}

fn score(hit: &MeiliHit<MeiliDoc>) -> f64 {
    hit.federation
        .as_ref()
        .map(|f| f64::from(f.weighted_ranking_score))
        .or(hit.ranking_score)
        .unwrap_or(0.0)
}

/// The order the engine sorts by, if any.
fn sort(order: SearchOrder) -> Option<&'static [&'static str]> {
    match order {
        SearchOrder::Relevance => None,
        SearchOrder::Name => Some(&["name_sort:asc"]),
        SearchOrder::StartDate => Some(&["first_start_day:asc", "name_sort:asc"]),
    }
}

/// The attributes a page of hits shows: the highlighted texts, and the
/// instances when a filter picks some (else their ids are all it needs).
/// Meilisearch repeats every retrieved attribute in `_formatted`, so each
/// one left out is saved twice.
fn page_attributes(request: &SearchRequest) -> Vec<&'static str> {
    let (names, descriptions) = display_fields(request.lang);
    let mut out: Vec<&str> = if request.filter.has_instance_filters() {
        FACTS.to_vec()
    } else {
        vec!["id", "instance_ids"]
    };
    out.extend(names);
    out.extend(descriptions);
    out
}

fn to_hit(
    hit: &MeiliHit<MeiliDoc>,
    instance_ids: Vec<i32>,
    highlighted: Option<&MeiliHit<MeiliDoc>>,
    request: &SearchRequest,
) -> Hit {
    let (names, descriptions) = display_fields(request.lang);
    let shown = highlighted.unwrap_or(hit);
    Hit {
        course_id: hit.result.id,
        score: score(hit),
        instance_ids,
        name_highlight: names.iter().find_map(|n| formatted(shown, n)),
        description_snippet: descriptions.iter().find_map(|d| formatted(shown, d)),
    }
}

/// The instances of `doc` that match `filter` (all when none picks instances).
fn matched(doc: &MeiliDoc, filter: &CourseFilter, request: &SearchRequest) -> Option<Vec<i32>> {
    matching_instances(doc, filter, request.today)
}

/// A page the engine answers exactly.
async fn engine_page(
    engine: &MeiliEngine,
    strings: &QueryStrings,
    filter: Option<&str>,
    order: SearchOrder,
    request: &SearchRequest,
) -> Result<(Vec<Hit>, u64), SearchError> {
    let retrieve = page_attributes(request);
    let response = federated(
        &engine.client(),
        &engine.index(),
        strings,
        &Fetch {
            filter,
            sort: sort(order),
            offset: request.offset,
            limit: request.limit,
            retrieve: Some(&retrieve),
            highlight: Some(request.lang),
            facets: &[],
        },
    )
    .await?;
    let hits = response
        .hits
        .iter()
        .map(|hit| {
            // Without instance filters the engine's filter was exact and
            // every instance matches: their ids were retrieved, not them.
            let ids = if request.filter.has_instance_filters() {
                matched(&hit.result, &request.filter, request).unwrap_or_default()
            } else {
                hit.result.instance_ids.clone()
            };
            to_hit(hit, ids, None, request)
        })
        .collect();
    Ok((hits, response.estimated_total_hits as u64))
}

/// The candidates of `filter`, at most `window` of them, and whether there
/// were more.
pub async fn candidates(
    engine: &MeiliEngine,
    strings: &QueryStrings,
    filter: Option<&str>,
    order: SearchOrder,
    window: usize,
) -> Result<(Vec<MeiliHit<MeiliDoc>>, bool), SearchError> {
    let response = federated(
        &engine.client(),
        &engine.index(),
        strings,
        &Fetch {
            filter,
            sort: sort(order),
            offset: 0,
            limit: window,
            retrieve: Some(FACTS),
            highlight: None,
            facets: &[],
        },
    )
    .await?;
    let more = response.estimated_total_hits > response.hits.len();
    Ok((response.hits, more))
}

/// The earliest start among `ids`' instances, for the start-date order.
fn first_start(doc: &MeiliDoc, ids: &[i32]) -> Option<chrono::NaiveDate> {
    doc.instances
        .iter()
        .filter(|i| ids.contains(&i.id))
        .filter_map(|i| i.start_date)
        .min()
}

/// A page made here from the engine's candidates. Returns the hits, the
/// total and whether the total is an estimate.
async fn checked_page(
    engine: &MeiliEngine,
    strings: &QueryStrings,
    filter: Option<&str>,
    order: SearchOrder,
    request: &SearchRequest,
) -> Result<(Vec<Hit>, u64, bool), SearchError> {
    let window = WINDOW
        .max(request.offset.saturating_add(request.limit))
        .min(MAX_TOTAL_HITS);
    let (found, more) = candidates(engine, strings, filter, order, window).await?;
    let mut kept: Vec<(MeiliHit<MeiliDoc>, Vec<i32>)> = found
        .into_iter()
        .filter_map(|hit| matched(&hit.result, &request.filter, request).map(|ids| (hit, ids)))
        .collect();
    if order == SearchOrder::StartDate {
        // Stable: the engine's name order breaks ties.
        kept.sort_by(|(a, ai), (b, bi)| {
            match (first_start(&a.result, ai), first_start(&b.result, bi)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
    }
    let total = kept.len() as u64;
    let page: Vec<(MeiliHit<MeiliDoc>, Vec<i32>)> = kept
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .collect();
    let shown = highlighted(engine, strings, &page, request).await?;
    let hits = page
        .iter()
        .map(|(hit, ids)| to_hit(hit, ids.clone(), shown.get(&hit.result.id), request))
        .collect();
    Ok((hits, total, more))
}

/// The highlighted texts of a page's courses, by course id.
async fn highlighted(
    engine: &MeiliEngine,
    strings: &QueryStrings,
    page: &[(MeiliHit<MeiliDoc>, Vec<i32>)],
    request: &SearchRequest,
) -> Result<HashMap<i32, MeiliHit<MeiliDoc>>, SearchError> {
    if page.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = page.iter().map(|(h, _)| h.result.id.to_string()).collect();
    let only = FilterBuilder::new().any_of("id", &ids).build();
    let (names, descriptions) = display_fields(request.lang);
    let mut retrieve: Vec<&str> = vec!["id"];
    retrieve.extend(names);
    retrieve.extend(descriptions);
    let response = federated(
        &engine.client(),
        &engine.index(),
        strings,
        &Fetch {
            filter: only.as_deref(),
            sort: None,
            offset: 0,
            limit: page.len(),
            retrieve: Some(&retrieve),
            highlight: Some(request.lang),
            facets: &[],
        },
    )
    .await?;
    Ok(response
        .hits
        .into_iter()
        .map(|h| (h.result.id, h))
        .collect())
}

/// Answers `request`.
pub async fn search(
    engine: &MeiliEngine,
    request: &SearchRequest,
) -> Result<SearchResult, SearchError> {
    let strings = QueryStrings::of(request.query.as_deref().unwrap_or_default());
    let order = match (request.order, strings.raw.is_empty()) {
        (SearchOrder::Relevance, true) => SearchOrder::Name,
        (order, _) => order,
    };
    let filter = filter_expression(&request.filter, request.today);
    let (hits, total, checked_estimate) =
        if is_exact(&request.filter) && order_is_exact(&request.filter, order) {
            let (hits, total) =
                engine_page(engine, &strings, filter.as_deref(), order, request).await?;
            (hits, total, true)
        } else {
            checked_page(engine, &strings, filter.as_deref(), order, request).await?
        };
    let facets = facets::count(engine, &strings, request).await?;
    Ok(SearchResult {
        hits,
        total,
        // The engine's own totals are estimates; a checked total is exact
        // unless there were more candidates than were looked at.
        estimated: checked_estimate,
        facets,
    })
}
