//! The GraphQL schema. It knows nothing of HTTP; `crate::http` adapts it.

mod context;
mod enums;
mod errors;
mod filters;
mod ids;
mod loaders;
mod pagination;
mod partner;
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
pub struct Mutation(partner::PartnerMutation);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// The deepest selection a document may nest; GraphiQL's introspection needs 13.
const MAX_DEPTH: usize = 16;

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
    let request = request.into().data(loaders::loader(store.clone()));
    label_errors(schema.execute(request).await)
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    let schema = Schema::build(Query::default(), Mutation::default(), EmptySubscription).finish();
    schema.sdl()
}
