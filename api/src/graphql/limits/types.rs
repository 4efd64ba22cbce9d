//! What the static analysis knows of the schema: every object's fields with
//! their return type, list-ness and argument defaults, read from the SDL (and
//! the standard introspection types) once when the gate is built.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
use async_graphql::parser::{parse_schema, Positioned};
use async_graphql_value::ConstValue;

/// The introspection types every schema has; the SDL export leaves them out.
const INTROSPECTION_SDL: &str = r#"
type __Schema { description: String types: [__Type!]! queryType: __Type! mutationType: __Type
  subscriptionType: __Type directives: [__Directive!]! }
type __Type { kind: __TypeKind! name: String description: String specifiedByURL: String
  fields(includeDeprecated: Boolean = false): [__Field!] interfaces: [__Type!] possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!] inputFields(includeDeprecated: Boolean = false): [__InputValue!]
  ofType: __Type isOneOf: Boolean }
type __Field { name: String! description: String args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type! isDeprecated: Boolean! deprecationReason: String }
type __InputValue { name: String! description: String type: __Type! defaultValue: String
  isDeprecated: Boolean! deprecationReason: String }
type __EnumValue { name: String! description: String isDeprecated: Boolean! deprecationReason: String }
type __Directive { name: String! description: String locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]! isRepeatable: Boolean! }
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
enum __DirectiveLocation { QUERY MUTATION SUBSCRIPTION FIELD }
"#;

/// One field of an object or interface.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// The named type under any list and non-null wrappers.
    pub type_name: String,
    /// Whether the field returns a list.
    pub list: bool,
    /// Default values of arguments that have one.
    pub defaults: HashMap<String, ConstValue>,
    /// Whether the field takes `first`.
    pub paged: bool,
}

/// One type of the schema.
#[derive(Debug, Clone, Default)]
pub struct TypeInfo {
    /// Objects and interfaces have fields; leaves and unions have none.
    pub fields: HashMap<String, FieldInfo>,
    /// Scalars and enums cost nothing.
    pub leaf: bool,
    /// A Relay connection: its `edges` and `nodes` are the page.
    pub connection: bool,
}

/// The types by name, and the names of the root types.
#[derive(Debug, Clone, Default)]
pub struct TypeMap {
    types: HashMap<String, TypeInfo>,
    /// The root type of queries.
    pub query: String,
    /// The root type of mutations, when the schema has one.
    pub mutation: Option<String>,
}

impl TypeMap {
    /// Reads the SDL of a schema. Built-in scalars are leaves even when the
    /// SDL does not declare them.
    pub fn from_sdl(sdl: &str) -> Result<TypeMap, String> {
        let mut map = TypeMap {
            query: "Query".into(),
            ..TypeMap::default()
        };
        for name in ["String", "Int", "Float", "Boolean", "ID"] {
            map.types.insert(
                name.into(),
                TypeInfo {
                    leaf: true,
                    ..TypeInfo::default()
                },
            );
        }
        for text in [sdl, INTROSPECTION_SDL] {
            let doc = parse_schema(text).map_err(|e| e.to_string())?;
            for definition in doc.definitions {
                match definition {
                    TypeSystemDefinition::Type(t) => {
                        let t = t.node;
                        let info = match t.kind {
                            TypeKind::Object(o) => object(o.fields),
                            TypeKind::Interface(i) => object(i.fields),
                            TypeKind::Scalar | TypeKind::Enum(_) => TypeInfo {
                                leaf: true,
                                ..TypeInfo::default()
                            },
                            TypeKind::Union(_) | TypeKind::InputObject(_) => TypeInfo::default(),
                        };
                        map.types.insert(t.name.node.to_string(), info);
                    }
                    TypeSystemDefinition::Schema(s) => {
                        if let Some(q) = s.node.query {
                            map.query = q.node.to_string();
                        }
                        map.mutation = s.node.mutation.map(|m| m.node.to_string());
                    }
                    TypeSystemDefinition::Directive(_) => {}
                }
            }
        }
        if let Some(root) = map.types.get_mut(&map.query) {
            root.fields
                .insert("__schema".into(), plain("__Schema", false));
            root.fields.insert("__type".into(), plain("__Type", false));
        }
        Ok(map)
    }

    /// A type by name.
    pub fn get(&self, name: &str) -> Option<&TypeInfo> {
        self.types.get(name)
    }
}

fn plain(type_name: &str, list: bool) -> FieldInfo {
    FieldInfo {
        type_name: type_name.into(),
        list,
        defaults: HashMap::new(),
        paged: false,
    }
}

fn object(fields: Vec<Positioned<async_graphql::parser::types::FieldDefinition>>) -> TypeInfo {
    let mut info = TypeInfo::default();
    for field in fields {
        let field = field.node;
        let mut ty = &field.ty.node;
        let mut list = false;
        let type_name = loop {
            match &ty.base {
                BaseType::Named(name) => break name.to_string(),
                BaseType::List(inner) => {
                    list = true;
                    ty = inner;
                }
            }
        };
        let defaults = field
            .arguments
            .iter()
            .filter_map(|a| {
                let a = &a.node;
                a.default_value
                    .as_ref()
                    .map(|v| (a.name.node.to_string(), v.node.clone()))
            })
            .collect();
        let paged = field.arguments.iter().any(|a| a.node.name.node == "first");
        info.fields.insert(
            field.name.node.to_string(),
            FieldInfo {
                type_name,
                list,
                defaults,
                paged,
            },
        );
    }
    info.connection = info.fields.contains_key("edges") && info.fields.contains_key("pageInfo");
    info
}

/// Whether a type is one of the introspection types.
pub fn is_introspection(type_name: &str) -> bool {
    type_name.starts_with("__")
}
