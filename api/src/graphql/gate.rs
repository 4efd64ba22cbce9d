//! What a request passes before it executes: the bracket scan, the parse and
//! the static limits. The parsed document is handed on, so nothing is parsed
//! twice.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Pos, ServerError, Variables};

use super::errors::code;
use super::limits::{analyze, scan, Analysis, LimitError, ListSizes, QueryLimits, TypeMap};
use super::AppSchema;

/// The checks, built once from the schema.
pub struct Gate {
    types: TypeMap,
    sizes: ListSizes,
    limits: QueryLimits,
}

/// A document that may run.
pub struct Checked {
    pub document: ExecutableDocument,
    /// None when the operation asked for is not in the document (validation
    /// reports that).
    pub analysis: Option<Analysis>,
}

/// A document refused before execution.
#[derive(Debug, Clone)]
pub enum Refused {
    /// Not GraphQL.
    Parse { message: String, pos: Option<Pos> },
    /// Over a limit.
    Limit(LimitError),
    /// A string with U+0000, which no database column can store.
    Nul { field: String },
}

impl Refused {
    /// The cost the refusal computed, for `extensions.cost`.
    pub fn requested_cost(&self) -> u64 {
        match self {
            Refused::Limit(LimitError::TooComplex { cost, .. }) => *cost,
            _ => 0,
        }
    }

    /// The `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::Parse { .. } => code::GRAPHQL_PARSE_FAILED,
            Refused::Limit(e) => e.code(),
            Refused::Nul { .. } => code::BAD_USER_INPUT,
        }
    }

    /// The error as GraphQL reports it.
    pub fn to_error(&self) -> ServerError {
        let (message, pos) = match self {
            Refused::Parse { message, pos } => (message.clone(), *pos),
            Refused::Limit(e) => (e.to_string(), None),
            Refused::Nul { field } => (
                format!("{field}: strings may not contain the NUL character (U+0000)"),
                None,
            ),
        };
        let mut error = ServerError::new(message, pos);
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", self.code());
        if let Refused::Nul { field } = self {
            extensions.set("field", field.as_str());
        }
        if let Refused::Limit(e) = self {
            if let Some((measure, value, max)) = e.measure() {
                extensions.set(measure, value);
                extensions.set("max", max);
            }
        }
        error.extensions = Some(extensions);
        error
    }
}

impl Gate {
    /// The checks for `schema` under `limits`.
    pub fn new(schema: &AppSchema, limits: QueryLimits) -> Gate {
        Gate::for_sdl(&schema.sdl(), limits)
    }

    /// The checks for the schema `sdl` under `limits`.
    pub fn for_sdl(sdl: &str, limits: QueryLimits) -> Gate {
        let types = TypeMap::from_sdl(sdl).expect("the schema's own SDL parses");
        Gate {
            types,
            sizes: ListSizes::measured(),
            limits,
        }
    }

    /// The same gate, charging facets for the values `facets` counts.
    pub fn with_facet_sizes(mut self, facets: crate::search::FacetSizes) -> Gate {
        self.sizes = self.sizes.with_facets(facets);
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &QueryLimits {
        &self.limits
    }

    /// Parses and analyses a document.
    pub fn check(
        &self,
        query: &str,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Result<Checked, Refused> {
        let lexical = scan(query);
        if lexical.depth > self.limits.max_brackets() {
            return Err(Refused::Limit(LimitError::TooDeeplyBracketed {
                depth: lexical.depth,
                max: self.limits.max_brackets(),
            }));
        }
        if lexical.aliases > self.limits.max_aliases {
            return Err(Refused::Limit(LimitError::TooManyAliases {
                count: lexical.aliases,
                max: self.limits.max_aliases,
            }));
        }
        if query.contains('\0') || query.to_ascii_lowercase().contains("\\u0000") {
            return Err(Refused::Nul {
                field: "query".into(),
            });
        }
        if let Some(name) = variable_with_nul(variables) {
            return Err(Refused::Nul {
                field: format!("variables.{name}"),
            });
        }
        let document = async_graphql::parser::parse_query(query).map_err(|e| {
            let pos = e.positions().next();
            Refused::Parse {
                message: format!("the document is not valid GraphQL: {e}"),
                pos,
            }
        })?;
        let analysis = analyze(
            &document,
            operation_name,
            variables,
            &self.types,
            &self.sizes,
            &self.limits,
        )
        .map_err(Refused::Limit)?;
        Ok(Checked { document, analysis })
    }
}

/// The first variable whose value holds a string with U+0000.
fn variable_with_nul(variables: &Variables) -> Option<String> {
    use async_graphql::Value;
    for (name, value) in variables.iter() {
        let mut pending: Vec<&Value> = vec![value];
        while let Some(v) = pending.pop() {
            match v {
                Value::String(s) if s.contains('\0') => return Some(name.to_string()),
                Value::List(items) => pending.extend(items.iter()),
                Value::Object(fields) => pending.extend(fields.values()),
                _ => {}
            }
        }
    }
    None
}
