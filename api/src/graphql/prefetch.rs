//! Loads, in one statement per relation, what a page's selection nests, and
//! feeds it to the request's loader. Batching by timing alone can split a
//! batch when resolving siblings is slow; this cannot.

use std::collections::HashMap;

use async_graphql::{Context, Lookahead};

use super::context::{loader, store};
use super::errors::OrInternal;
use super::loaders::{CourseId, InstancesOf, LocationId, LocationsOf, OrganisationId};
use crate::store::CourseRow;

/// The selection on the items of a connection (`nodes` or `edges.node`).
fn items<'a>(connection: &Lookahead<'a>) -> Vec<Lookahead<'a>> {
    [
        connection.field("nodes"),
        connection.field("edges").field("node"),
    ]
    .into_iter()
    .filter(Lookahead::exists)
    .collect()
}

fn any(selections: &[Lookahead<'_>], field: &str) -> bool {
    selections.iter().any(|s| s.field(field).exists())
}

/// Prefetches what a page of courses nests: providers and funders (with their
/// locations when asked), instances and their locations.
pub async fn courses(ctx: &Context<'_>, rows: &[CourseRow]) -> async_graphql::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let courses = items(&ctx.look_ahead());
    let (store, loader) = (store(ctx), loader(ctx));
    let mut organisations: Vec<i32> = Vec::new();
    if any(&courses, "provider") || any(&courses, "funder") {
        organisations.extend(rows.iter().map(|r| r.provider_id));
        organisations.extend(rows.iter().filter_map(|r| r.funder_id));
        organisations.sort_unstable();
        organisations.dedup();
        let found = store
            .organisations_by_ids(&organisations)
            .await
            .or_internal()?;
        loader
            .feed_many(found.into_iter().map(|(id, row)| (OrganisationId(id), row)))
            .await;
    }
    let providers: Vec<Lookahead<'_>> = courses.iter().map(|c| c.field("provider")).collect();
    if any(&providers, "locations") {
        let found = store
            .locations_of_organisations(&organisations)
            .await
            .or_internal()?;
        let all = organisations
            .iter()
            .map(|id| (LocationsOf(*id), found.get(id).cloned().unwrap_or_default()));
        loader.feed_many(all).await;
    }
    let instance_selections: Vec<Lookahead<'_>> = courses
        .iter()
        .flat_map(|c| items(&c.field("instances")))
        .collect();
    if any(&courses, "instances") {
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let mut found = store.instances_of_courses(&ids).await.or_internal()?;
        let location_ids: Vec<i32> = found
            .values()
            .flatten()
            .filter_map(|i| i.location_id)
            .collect();
        loader
            .feed_many(
                ids.iter()
                    .map(|id| (InstancesOf(*id), found.remove(id).unwrap_or_default())),
            )
            .await;
        if any(&instance_selections, "course") {
            loader
                .feed_many(rows.iter().map(|r| (CourseId(r.id), r.clone())))
                .await;
        }
        if any(&instance_selections, "location") && !location_ids.is_empty() {
            let found: HashMap<_, _> = store.locations_by_ids(&location_ids).await.or_internal()?;
            let locations: Vec<Lookahead<'_>> = instance_selections
                .iter()
                .map(|i| i.field("location"))
                .collect();
            if any(&locations, "organisation") {
                let mut owners: Vec<i32> = found.values().map(|l| l.organisation_id).collect();
                owners.sort_unstable();
                owners.dedup();
                let orgs = store.organisations_by_ids(&owners).await.or_internal()?;
                loader
                    .feed_many(orgs.into_iter().map(|(id, row)| (OrganisationId(id), row)))
                    .await;
            }
            loader
                .feed_many(found.into_iter().map(|(id, row)| (LocationId(id), row)))
                .await;
        }
    }
    Ok(())
}

/// Prefetches the locations of a page of organisations when asked.
pub async fn organisations(ctx: &Context<'_>, ids: &[i32]) -> async_graphql::Result<()> {
    if ids.is_empty() || !any(&items(&ctx.look_ahead()), "locations") {
        return Ok(());
    }
    let found = store(ctx)
        .locations_of_organisations(ids)
        .await
        .or_internal()?;
    let all = ids
        .iter()
        .map(|id| (LocationsOf(*id), found.get(id).cloned().unwrap_or_default()));
    loader(ctx).feed_many(all).await;
    Ok(())
}

/// Prefetches the providers of a page of guidance services when asked.
pub async fn providers(ctx: &Context<'_>, ids: &[i32]) -> async_graphql::Result<()> {
    if ids.is_empty() || !any(&items(&ctx.look_ahead()), "provider") {
        return Ok(());
    }
    let found = store(ctx).organisations_by_ids(ids).await.or_internal()?;
    loader(ctx)
        .feed_many(found.into_iter().map(|(id, row)| (OrganisationId(id), row)))
        .await;
    Ok(())
}
