//! The GraphQL schema. It knows nothing of HTTP; `crate::http` adapts it.

mod context;
mod enums;
mod errors;
mod filters;
mod ids;
mod loaders;
mod pagination;
mod prefetch;
mod query;
mod scalars;
mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Request, Response, Schema};

pub use context::Clock;
pub use errors::label_errors;

use crate::store::Store;

/// The schema type.
pub type AppSchema = Schema<query::QueryRoot, EmptyMutation, EmptySubscription>;

/// The deepest selection a document may nest; GraphiQL's introspection needs 13.
const MAX_DEPTH: usize = 16;

/// Builds the schema once; clone it into every worker.
pub fn build_schema(store: Store, clock: Clock) -> AppSchema {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .data(store)
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
    let schema = Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription).finish();
    schema.sdl()
}
