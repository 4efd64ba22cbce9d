//! Disjunctive facets through Meilisearch: each facet's counts apply every
//! filter but its own, per course, with zero counts kept. Facets whose
//! relaxed filter the engine answers exactly are counted by the engine, in
//! one federated request per distinct relaxed filter; the others are counted
//! here from the candidates, one fetch per distinct relaxed filter.

use std::collections::{BTreeMap, HashMap};

use futures_util::future::try_join_all;
use meilisearch_sdk::search::Selectors;

use super::answer::{candidates, WINDOW};
use super::engine_error;
use super::plan::{facet_plan, filter_expression, FacetPlan};
use super::query::{federated, Fetch, QueryStrings};
use super::MeiliEngine;
use crate::search::filter::{complete, tally, without};
use crate::search::{Facet, FacetCounts, SearchError, SearchOrder, SearchRequest};

/// The document attribute a facet counts.
pub fn attribute(facet: Facet) -> &'static str {
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

/// How long the index's facet values are kept before they are asked again
/// (a change in this process forgets them at once).
const KNOWN_VALUES_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Every facet attribute whose values are listed with zero counts.
const LISTED: [Facet; 10] = [
    Facet::Municipality,
    Facet::Region,
    Facet::FieldOfEducation,
    Facet::EducationType,
    Facet::TeachingMode,
    Facet::Language,
    Facet::Provider,
    Facet::FundingCategory,
    Facet::TimeOfDay,
    Facet::Audience,
];

/// Every value of every listed facet in the whole index, so that values no
/// match has are shown with zero. They change only with the documents, so
/// they are asked once and kept a while rather than on every search.
async fn known_values(
    engine: &MeiliEngine,
) -> Result<std::sync::Arc<HashMap<String, Vec<String>>>, SearchError> {
    if let Some((at, values)) = engine.known_values.lock().expect("cache lock").as_ref() {
        if at.elapsed() < KNOWN_VALUES_FOR {
            return Ok(values.clone());
        }
    }
    let attributes: Vec<&str> = LISTED.iter().map(|f| attribute(*f)).collect();
    let index = engine.index();
    let mut query = index.search();
    query
        .with_query("")
        .with_limit(0)
        .with_facets(Selectors::Some(&attributes));
    let result = query
        .execute::<serde_json::Value>()
        .await
        .map_err(engine_error)?;
    let values: std::sync::Arc<HashMap<String, Vec<String>>> = std::sync::Arc::new(
        result
            .facet_distribution
            .unwrap_or_default()
            .into_iter()
            .map(|(attr, values)| (attr, values.into_keys().collect()))
            .collect(),
    );
    *engine.known_values.lock().expect("cache lock") =
        Some((std::time::Instant::now(), values.clone()));
    Ok(values)
}

/// The facets that share one relaxed filter, and how they are counted.
struct Group {
    plan: FacetPlan,
    filter: Option<String>,
    facets: Vec<Facet>,
}

fn groups(request: &SearchRequest) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for facet in &request.facets {
        let plan = facet_plan(&request.filter, *facet);
        let filter = filter_expression(&without(&request.filter, *facet), request.today);
        match out
            .iter_mut()
            .find(|g| g.plan == plan && g.filter == filter)
        {
            Some(group) => group.facets.push(*facet),
            None => out.push(Group {
                plan,
                filter,
                facets: vec![*facet],
            }),
        }
    }
    out
}

/// Counts of the facets of one group.
async fn count_group(
    engine: &MeiliEngine,
    strings: &QueryStrings,
    request: &SearchRequest,
    group: &Group,
) -> Result<Vec<(Facet, BTreeMap<String, u64>)>, SearchError> {
    let mut out = Vec::new();
    match group.plan {
        FacetPlan::Engine => {
            let attributes: Vec<&str> = group.facets.iter().map(|f| attribute(*f)).collect();
            let response = federated(
                &engine.client(),
                &engine.index(),
                strings,
                &Fetch::facets_only(group.filter.as_deref(), &attributes),
            )
            .await?;
            let mut distribution = response.facet_distribution.unwrap_or_default();
            for facet in &group.facets {
                let counts = distribution
                    .remove(attribute(*facet))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(value, n)| (value, n as u64))
                    .collect();
                out.push((*facet, counts));
            }
        }
        FacetPlan::Local => {
            let (found, more) = candidates(
                engine,
                strings,
                group.filter.as_deref(),
                SearchOrder::Relevance,
                WINDOW,
            )
            .await?;
            if more {
                tracing::debug!(
                    window = WINDOW,
                    "facet counts come from the first candidates only"
                );
            }
            for facet in &group.facets {
                let mut counts = BTreeMap::new();
                tally(
                    &mut counts,
                    found.iter().map(|h| &h.result),
                    &request.filter,
                    *facet,
                    request.today,
                );
                out.push((*facet, counts));
            }
        }
    }
    Ok(out)
}

/// The counts of every facet `request` asks for, in the order asked.
pub async fn count(
    engine: &MeiliEngine,
    strings: &QueryStrings,
    request: &SearchRequest,
) -> Result<Vec<FacetCounts>, SearchError> {
    if request.facets.is_empty() {
        return Ok(Vec::new());
    }
    let groups = groups(request);
    let (known, counted) = futures_util::try_join!(
        known_values(engine),
        try_join_all(
            groups
                .iter()
                .map(|g| count_group(engine, strings, request, g))
        )
    )?;
    let counted: HashMap<Facet, BTreeMap<String, u64>> = counted.into_iter().flatten().collect();
    Ok(request
        .facets
        .iter()
        .map(|facet| {
            let mut counts = counted.get(facet).cloned().unwrap_or_default();
            for value in known.get(attribute(*facet)).into_iter().flatten() {
                counts.entry(value.clone()).or_insert(0);
            }
            complete(&mut counts, &request.filter, *facet);
            FacetCounts {
                facet: *facet,
                values: counts.into_iter().collect(),
            }
        })
        .collect())
}
