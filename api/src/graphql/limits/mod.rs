//! Static limits checked before anything executes: bracket nesting, field
//! depth, aliases, directives, the number of fields after fragments are
//! expanded, and the cost, computed the way GitHub and Shopify compute it: a
//! connection costs its `first`/`last` times the cost of what is selected
//! under it, every object costs 1 and scalars nothing. The cost is an upper
//! bound from the document and the schema alone.

mod lexical;
mod sizes;
mod types;
mod walk;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::Variables;

pub use lexical::{bracket_depth, scan};
pub use sizes::{ListSizes, DEFAULT_LIST_SIZE};
pub use types::TypeMap;

/// At most this many directives in one document.
pub const MAX_DIRECTIVES: usize = 50;
/// `fields`, `inputFields`, `interfaces` and `possibleTypes` of introspection
/// nest at most this deep (GraphiQL and other tools need 1).
pub const MAX_INTROSPECTION_NESTING: usize = 2;

pub use crate::config::QueryLimits;

/// What kind of operation a request runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

/// What the analysis found in an acceptable document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analysis {
    /// The operation that will run.
    pub kind: OperationKind,
    /// The static cost.
    pub cost: u64,
    /// The deepest field nesting.
    pub depth: usize,
    /// Fields selected once fragments are expanded.
    pub fields: u64,
    /// Aliases in the document.
    pub aliases: usize,
}

/// A document refused before execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("the query costs {cost}, more than the maximum of {max}; ask for smaller pages (`first`/`last`) or fewer nested connections")]
    TooComplex { cost: u64, max: u64 },
    #[error("the query nests fields {depth} deep; at most {max} levels are allowed")]
    TooDeep { depth: usize, max: usize },
    #[error("the document nests brackets {depth} deep; at most {max} are allowed")]
    TooDeeplyBracketed { depth: usize, max: usize },
    #[error("introspection lists (fields, inputFields, interfaces, possibleTypes) nest {depth} deep; at most {max} are allowed")]
    IntrospectionTooDeep { depth: usize, max: usize },
    #[error("the document has {count} aliases; at most {max} are allowed")]
    TooManyAliases { count: usize, max: usize },
    #[error("the document has {count} directives; at most {max} are allowed")]
    TooManyDirectives { count: usize, max: usize },
    #[error(
        "the query selects {count} fields once fragments are expanded; at most {max} are allowed"
    )]
    TooManyFields { count: u64, max: u64 },
    #[error("fragment `{name}` spreads itself (through {path})")]
    FragmentCycle { name: String, path: String },
}

impl LimitError {
    /// The `extensions.code` of the error.
    pub fn code(&self) -> &'static str {
        match self {
            LimitError::TooComplex { .. } => "QUERY_TOO_COMPLEX",
            LimitError::TooDeep { .. }
            | LimitError::TooDeeplyBracketed { .. }
            | LimitError::IntrospectionTooDeep { .. } => "QUERY_TOO_DEEP",
            LimitError::TooManyAliases { .. } => "TOO_MANY_ALIASES",
            LimitError::TooManyDirectives { .. } => "TOO_MANY_DIRECTIVES",
            LimitError::TooManyFields { .. } => "TOO_MANY_FIELDS",
            LimitError::FragmentCycle { .. } => "GRAPHQL_VALIDATION_FAILED",
        }
    }

    /// The measured value and its limit, for `extensions`.
    pub fn measure(&self) -> Option<(&'static str, u64, u64)> {
        Some(match self {
            LimitError::TooComplex { cost, max } => ("cost", *cost, *max),
            LimitError::TooDeep { depth, max }
            | LimitError::TooDeeplyBracketed { depth, max }
            | LimitError::IntrospectionTooDeep { depth, max } => {
                ("depth", *depth as u64, *max as u64)
            }
            LimitError::TooManyAliases { count, max }
            | LimitError::TooManyDirectives { count, max } => ("count", *count as u64, *max as u64),
            LimitError::TooManyFields { count, max } => ("count", *count, *max),
            LimitError::FragmentCycle { .. } => return None,
        })
    }
}

/// Analyses the operation `operation_name` selects in `doc`. `None` when the
/// document names no such operation: validation then says so.
pub fn analyze(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    types: &TypeMap,
    sizes: &ListSizes,
    limits: &QueryLimits,
) -> Result<Option<Analysis>, LimitError> {
    let aliases = walk::count_aliases(doc);
    if aliases > limits.max_aliases {
        return Err(LimitError::TooManyAliases {
            count: aliases,
            max: limits.max_aliases,
        });
    }
    let directives = walk::count_directives(doc);
    if directives > MAX_DIRECTIVES {
        return Err(LimitError::TooManyDirectives {
            count: directives,
            max: MAX_DIRECTIVES,
        });
    }
    let Some(operation) = select(doc, operation_name) else {
        return Ok(None);
    };
    let (kind, root) = match operation.ty {
        OperationType::Query => (OperationKind::Query, Some(types.query.as_str())),
        OperationType::Mutation => (OperationKind::Mutation, types.mutation.as_deref()),
        OperationType::Subscription => (OperationKind::Subscription, None),
    };
    let mut walker = walk::Walker::new(doc, operation, variables, types, sizes);
    let summary = walker.selection_set(root.unwrap_or(""), &operation.selection_set.node)?;
    if summary.depth > limits.max_depth {
        return Err(LimitError::TooDeep {
            depth: summary.depth,
            max: limits.max_depth,
        });
    }
    if summary.introspection > MAX_INTROSPECTION_NESTING {
        return Err(LimitError::IntrospectionTooDeep {
            depth: summary.introspection,
            max: MAX_INTROSPECTION_NESTING,
        });
    }
    if summary.fields > limits.max_fields {
        return Err(LimitError::TooManyFields {
            count: summary.fields,
            max: limits.max_fields,
        });
    }
    let cost = summary.fixed;
    if cost > limits.max_cost {
        return Err(LimitError::TooComplex {
            cost,
            max: limits.max_cost,
        });
    }
    Ok(Some(Analysis {
        kind,
        cost,
        depth: summary.depth,
        fields: summary.fields,
        aliases,
    }))
}

fn select<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a async_graphql::parser::types::OperationDefinition> {
    use async_graphql::parser::types::DocumentOperations;
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

#[cfg(test)]
mod tests;
