//! The GraphQL schema. It knows nothing of HTTP; `crate::http` adapts it.
//!
//! Cache hints: catalogue objects may be cached for 60 s and code sets for an
//! hour; `indexStatus` never. A response's hint is the smallest of what it
//! selects, and becomes Cache-Control on public GET queries.

mod context;
pub mod cost;
mod enums;
mod errors;
mod filters;
pub mod fuzzing;
pub mod gate;
mod ids;
pub mod limits;
mod loaders;
pub(crate) mod pagination;
mod partner;
pub mod persisted;
mod prefetch;
pub(crate) mod query;
mod scalars;
mod search;
mod types;

use std::sync::Arc;

use async_graphql::{EmptySubscription, MergedObject, Request, Response, Schema};

pub use context::Clock;
pub use errors::label_errors;

use crate::search::service::SearchService;
use crate::store::Store;

/// Every read of the public API.
#[derive(MergedObject, Default)]
pub struct Query(query::QueryRoot, search::SearchQuery, partner::PartnerQuery);

/// Every write of the partner API.
#[derive(MergedObject, Default)]
pub struct Mutation(partner::PartnerMutation, search::SearchMutation);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// A backstop for documents run without the gate (in-process callers); over
/// HTTP the gate applies the configured depth first, with its own code.
const MAX_DEPTH: usize = 64;

/// Builds the schema once; clone it into every worker.
pub fn build_schema(store: Store, search: Arc<SearchService>, clock: Clock) -> AppSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(store)
        .data(search)
        .data(clock)
        .limit_depth(MAX_DEPTH)
        .finish()
}

/// Runs one request with a loader of its own, with every error coded.
pub async fn execute(schema: &AppSchema, store: &Store, request: impl Into<Request>) -> Response {
    execute_metered(schema, store, request).await.0
}

/// Runs one request as `execute` does; also the work it did, in points
/// (`cost::Work`).
pub async fn execute_metered(
    schema: &AppSchema,
    store: &Store,
    request: impl Into<Request>,
) -> (Response, u64) {
    let denials = partner::Denials::default();
    let work = cost::Work::default();
    let request: Request = request.into();
    let query = request.query.clone();
    let request = request
        .data(loaders::loader(store.clone()))
        .data(denials.clone())
        .data(work.clone());
    let response = errors::label_errors_of(schema.execute(request).await, &query);
    denials.flush(store).await;
    (response, work.points())
}

/// Runs a request whose document the gate has already parsed and checked.
pub async fn execute_checked(
    schema: &AppSchema,
    store: &Store,
    mut request: Request,
    document: async_graphql::parser::types::ExecutableDocument,
) -> (Response, u64) {
    request.set_parsed_query(document);
    execute_metered(schema, store, request).await
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    let schema = Schema::build(Query::default(), Mutation::default(), EmptySubscription).finish();
    schema.sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
