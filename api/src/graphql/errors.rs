//! Every error a client sees carries `extensions.code`. Causes of internal
//! errors are logged here, once, and never returned.

use async_graphql::{ErrorExtensions, Response, ServerError};

/// Stable error codes of the API.
pub mod code {
    /// An argument or input value is wrong; `extensions.field` names it.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// A global id that is not one of ours.
    pub const INVALID_ID: &str = "INVALID_ID";
    /// A cursor that is not one of ours.
    pub const INVALID_CURSOR: &str = "INVALID_CURSOR";
    /// The document could not be parsed.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document is not valid against the schema, or exceeds a limit.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// Something failed on our side; the cause is in the server log.
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    /// The search engine cannot be reached right now; try again shortly.
    pub const SEARCH_UNAVAILABLE: &str = "SEARCH_UNAVAILABLE";
    /// The server has just started and is building its first search index.
    pub const SEARCH_NOT_READY: &str = "SEARCH_NOT_READY";
}

/// A client mistake in `field`.
pub fn bad_input(field: &str, message: impl Into<String>) -> async_graphql::Error {
    let message = message.into();
    async_graphql::Error::new(format!("{field}: {message}")).extend_with(|_, e| {
        e.set("code", code::BAD_USER_INPUT);
        e.set("field", field);
    })
}

/// An error with a code of its own.
pub fn coded(code: &'static str, field: &str, message: impl Into<String>) -> async_graphql::Error {
    let message = message.into();
    async_graphql::Error::new(format!("{field}: {message}")).extend_with(|_, e| {
        e.set("code", code);
        e.set("field", field);
    })
}

/// Logs `cause` and returns an error that says nothing about it.
pub fn internal(cause: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(error = %cause, "request failed");
    async_graphql::Error::new("internal error; it has been logged")
        .extend_with(|_, e| e.set("code", code::INTERNAL_SERVER_ERROR))
}

/// A search that failed: an engine that cannot be reached is the client's
/// to retry; anything else is ours and logged.
pub fn search_failed(e: crate::search::SearchError) -> async_graphql::Error {
    match e {
        crate::search::SearchError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "the search engine is unavailable");
            async_graphql::Error::new(
                "the search engine is unavailable right now; try again shortly",
            )
            .extend_with(|_, e| e.set("code", code::SEARCH_UNAVAILABLE))
        }
        crate::search::SearchError::NotReady(state) => async_graphql::Error::new(format!(
            "search is not ready yet: {state}; try again shortly"
        ))
        .extend_with(|_, e| e.set("code", code::SEARCH_NOT_READY)),
        other => internal(other),
    }
}

/// A search-service failure: the engine's as `search_failed`, the store's
/// internal.
pub fn index_failed(e: crate::search::service::IndexError) -> async_graphql::Error {
    match e {
        crate::search::service::IndexError::Engine(e) => search_failed(e),
        other => internal(other),
    }
}

/// Converts store failures into internal errors at the resolver boundary.
pub trait OrInternal<T> {
    /// Logs the failure and hides it from the client.
    fn or_internal(self) -> async_graphql::Result<T>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> async_graphql::Result<T> {
        self.map_err(internal)
    }
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

/// Gives a code to the errors async-graphql itself produced: parse and
/// validation errors, and argument values that did not coerce. Anything else
/// without a code is an internal error whose message must not leak.
pub fn label_errors(response: Response) -> Response {
    label_errors_of(response, "")
}

/// As `label_errors`, for a response to the document `query`: an argument
/// whose value comes from a variable that does not coerce is the caller's
/// input, `BAD_USER_INPUT`, while a literal of the wrong type makes the
/// document invalid, `GRAPHQL_VALIDATION_FAILED`.
pub fn label_errors_of(mut response: Response, query: &str) -> Response {
    let mut from_variables: Option<std::collections::HashSet<(usize, usize)>> = None;
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        let code = if error.path.is_empty() {
            if error.message.contains(" --> ") || error.message.starts_with("Parse error") {
                code::GRAPHQL_PARSE_FAILED
            } else if error.message.starts_with("Invalid value for argument")
                && error.locations.first().is_some_and(|at| {
                    from_variables
                        .get_or_insert_with(|| arguments_from_variables(query))
                        .contains(&(at.line, at.column))
                })
            {
                code::BAD_USER_INPUT
            } else {
                code::GRAPHQL_VALIDATION_FAILED
            }
        } else if error.message.starts_with("Failed to parse")
            || error.message.contains("Invalid value for argument")
        {
            code::BAD_USER_INPUT
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "uncoded resolver error");
            error.message = "internal error; it has been logged".to_string();
            code::INTERNAL_SERVER_ERROR
        };
        let mut extensions = error.extensions.take().unwrap_or_default();
        extensions.set("code", code);
        error.extensions = Some(extensions);
    }
    response
}

/// Where the arguments of `query` whose values hold a variable begin.
fn arguments_from_variables(query: &str) -> std::collections::HashSet<(usize, usize)> {
    use async_graphql::parser::types::Selection;
    use async_graphql_value::Value;
    fn holds_variable(value: &Value) -> bool {
        match value {
            Value::Variable(_) => true,
            Value::List(items) => items.iter().any(holds_variable),
            Value::Object(fields) => fields.values().any(holds_variable),
            _ => false,
        }
    }
    let mut out = std::collections::HashSet::new();
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return out;
    };
    let mut pending: Vec<&async_graphql::parser::types::SelectionSet> = doc
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(doc.fragments.values().map(|f| &f.node.selection_set.node))
        .collect();
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    for (name, value) in &f.node.arguments {
                        if holds_variable(&value.node) {
                            out.insert((name.pos.line, name.pos.column));
                        }
                    }
                    pending.push(&f.node.selection_set.node);
                }
                Selection::InlineFragment(i) => pending.push(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    out
}
