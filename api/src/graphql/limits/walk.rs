//! One pass over the selected operation. Fragments are summarised once each
//! and reused, so a document that spreads fragments exponentially costs
//! linear time to analyse; a fragment that spreads itself is refused.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Variables};
use async_graphql_value::{ConstValue, Value};

use super::sizes::ListSizes;
use super::types::{is_introspection, FieldInfo, TypeMap};
use super::LimitError;
use async_graphql::connection::CursorType as _;

use crate::graphql::pagination::{Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// Items a cursor skips per point of cost: the deepest page costs 100 more.
const SKIPPED_PER_POINT: u64 = 100;

/// What a selection set adds up to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Cost that does not depend on the page size of an enclosing connection.
    pub fixed: u64,
    /// Cost of one item of the page, on a connection type.
    pub per_item: u64,
    /// Deepest field nesting below.
    pub depth: usize,
    /// Fields selected, fragments expanded.
    pub fields: u64,
    /// Deepest nesting of introspection lists below.
    pub introspection: usize,
}

impl Summary {
    fn add(&mut self, other: Summary) {
        self.fixed = self.fixed.saturating_add(other.fixed);
        self.per_item = self.per_item.saturating_add(other.per_item);
        self.depth = self.depth.max(other.depth);
        self.fields = self.fields.saturating_add(other.fields);
        self.introspection = self.introspection.max(other.introspection);
    }
}

/// Walks one operation of a document.
pub struct Walker<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: HashMap<&'a str, &'a ConstValue>,
    types: &'a TypeMap,
    sizes: &'a ListSizes,
    memo: HashMap<Name, Summary>,
    stack: Vec<Name>,
    /// Lengths of the list arguments of the field being walked: a child list
    /// of the same name holds one item per value (`search(facets: [A, B])`
    /// returns two `facets`). Not used inside fragments, whose summaries are
    /// shared by every place they are spread.
    asked: Vec<(String, u64)>,
}

impl<'a> Walker<'a> {
    /// A walker over `operation` of `doc`.
    pub fn new(
        doc: &'a ExecutableDocument,
        operation: &'a OperationDefinition,
        variables: &'a Variables,
        types: &'a TypeMap,
        sizes: &'a ListSizes,
    ) -> Walker<'a> {
        let defaults = operation
            .variable_definitions
            .iter()
            .filter_map(|v| {
                v.node
                    .default_value
                    .as_ref()
                    .map(|d| (v.node.name.node.as_str(), &d.node))
            })
            .collect();
        Walker {
            doc,
            variables,
            defaults,
            types,
            sizes,
            memo: HashMap::new(),
            stack: Vec::new(),
            asked: Vec::new(),
        }
    }

    /// The summary of `set` selected on the type `on`.
    pub fn selection_set(&mut self, on: &str, set: &SelectionSet) -> Result<Summary, LimitError> {
        let mut total = Summary::default();
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(field) => self.field(on, &field.node)?,
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let ty = inline
                        .type_condition
                        .as_ref()
                        .map_or(on.to_string(), |c| c.node.on.node.to_string());
                    self.selection_set(&ty, &inline.selection_set.node)?
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node)?
                }
            };
            total.add(part);
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &Name) -> Result<Summary, LimitError> {
        if let Some(known) = self.memo.get(name) {
            return Ok(*known);
        }
        if let Some(start) = self.stack.iter().position(|n| n == name) {
            let mut path: Vec<&str> = self.stack[start..].iter().map(|n| n.as_str()).collect();
            path.push(name.as_str());
            return Err(LimitError::FragmentCycle {
                name: name.to_string(),
                path: path.join(" → "),
            });
        }
        // An unknown fragment is validation's to report.
        let Some(definition) = self.doc.fragments.get(name) else {
            return Ok(Summary::default());
        };
        let definition = &definition.node;
        self.stack.push(name.clone());
        let on = definition.type_condition.node.on.node.to_string();
        let asked = std::mem::take(&mut self.asked);
        let summary = self.selection_set(&on, &definition.selection_set.node);
        self.asked = asked;
        self.stack.pop();
        let summary = summary?;
        self.memo.insert(name.clone(), summary);
        Ok(summary)
    }

    fn field(&mut self, on: &str, field: &Field) -> Result<Summary, LimitError> {
        let name = field.name.node.as_str();
        let info = self.types.get(on).and_then(|t| t.fields.get(name)).cloned();
        // `__typename`, and fields validation will refuse, cost nothing here.
        let Some(info) = info else {
            let below = self.selection_set("", &field.selection_set.node)?;
            return Ok(Summary {
                depth: below.depth + 1,
                fields: below.fields.saturating_add(1),
                ..Summary::default()
            });
        };
        let asked: Vec<(String, u64)> = field
            .arguments
            .iter()
            .filter_map(|(arg, value)| match self.resolve(&value.node) {
                Some(ConstValue::List(items)) => Some((arg.node.to_string(), items.len() as u64)),
                _ => None,
            })
            .collect();
        let outer = std::mem::replace(&mut self.asked, asked);
        let below = self.selection_set(&info.type_name, &field.selection_set.node);
        self.asked = outer;
        let below = below?;
        let target = self.types.get(&info.type_name);
        let leaf = target.is_none_or(|t| t.leaf);
        let connection = target.is_some_and(|t| t.connection);
        let on_connection = self.types.get(on).is_some_and(|t| t.connection);
        let introspective = is_introspection(on) || is_introspection(&info.type_name);
        let mut summary = Summary {
            depth: below.depth + 1,
            fields: below.fields.saturating_add(1),
            introspection: below.introspection
                + usize::from(
                    on == "__Type"
                        && matches!(
                            name,
                            "fields" | "inputFields" | "interfaces" | "possibleTypes"
                        ),
                ),
            ..Summary::default()
        };
        let one = if leaf {
            0
        } else {
            1u64.saturating_add(below.fixed)
        };
        if connection {
            let n = self.page_size(field, &info);
            summary.fixed = 1u64
                .saturating_add(below.fixed)
                .saturating_add(n.saturating_mul(below.per_item))
                .saturating_add(self.depth_charge(field, &info))
                .saturating_add(self.facet_charge(field, &info));
        } else if on_connection && info.list && matches!(name, "edges" | "nodes") {
            summary.per_item = one;
        } else if info.list {
            let n = if introspective {
                1
            } else {
                self.list_size(on, name, field, &info)
            };
            summary.fixed = n.saturating_mul(one);
        } else {
            summary.fixed = one;
        }
        if name == "importFeed" {
            summary.fixed = summary.fixed.saturating_add(self.feed_charge(field, &info));
        }
        Ok(summary)
    }

    /// What a deep page costs beyond its items: a point per
    /// `SKIPPED_PER_POINT` items its cursor skips, since the engines rank or
    /// sort every item before it.
    fn depth_charge(&self, field: &Field, info: &FieldInfo) -> u64 {
        ["after", "before"]
            .iter()
            .filter_map(|arg| match self.argument(field, info, arg) {
                Some(ConstValue::String(s)) => Cursor::decode_cursor(&s).ok(),
                _ => None,
            })
            .map(|c| c.0 / SKIPPED_PER_POINT)
            .max()
            .unwrap_or(0)
    }

    /// What the facets a search asks for cost: for each, its result and
    /// every value it has in the index now. The engine computes them whether
    /// or not they are selected, so the charge is made here, once.
    fn facet_charge(&self, field: &Field, info: &FieldInfo) -> u64 {
        if info.type_name != "SearchConnection" {
            return 0;
        }
        let Some(ConstValue::List(asked)) = self.argument(field, info, "facets") else {
            return 0;
        };
        let mut names: Vec<String> = asked
            .iter()
            .filter_map(|v| match v {
                ConstValue::Enum(name) => Some(name.to_string()),
                ConstValue::String(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
            .iter()
            .map(|n| 1u64.saturating_add(self.sizes.facet(n)))
            .fold(0u64, u64::saturating_add)
    }

    /// What importing a feed costs: a point per `RECORDS_PER_POINT` lines
    /// (records, or rows of a sheet) of its `data`.
    fn feed_charge(&self, field: &Field, info: &FieldInfo) -> u64 {
        match self.argument(field, info, "data") {
            Some(ConstValue::String(data)) => {
                let lines = data.lines().filter(|l| !l.trim().is_empty()).count() as u64;
                lines / crate::graphql::cost::RECORDS_PER_POINT
            }
            _ => 0,
        }
    }

    /// `first` or `last`, or the default page; never more than a page can hold.
    fn page_size(&self, field: &Field, info: &FieldInfo) -> u64 {
        let asked = ["first", "last"]
            .iter()
            .filter_map(|arg| self.argument(field, info, arg))
            .filter_map(|v| match v {
                ConstValue::Number(n) => n.as_i64(),
                _ => None,
            })
            .max();
        asked
            .unwrap_or(i64::from(DEFAULT_PAGE_SIZE))
            .clamp(0, i64::from(MAX_PAGE_SIZE)) as u64
    }

    fn list_size(&self, on: &str, name: &str, field: &Field, info: &FieldInfo) -> u64 {
        if info.paged {
            return self.page_size(field, info);
        }
        if let Some(ConstValue::List(ids)) = self.argument(field, info, "ids") {
            return ids.len() as u64;
        }
        // A search's facets are charged at the search (`facet_charge`).
        if on == "SearchConnection" && name == "facets" {
            return 0;
        }
        if let Some((_, n)) = self.asked.iter().find(|(arg, _)| arg == name) {
            return *n;
        }
        self.sizes.of(on, name)
    }

    /// The value of an argument: literal, from a variable, or the default.
    fn argument(&self, field: &Field, info: &FieldInfo, arg: &str) -> Option<ConstValue> {
        let given = field
            .arguments
            .iter()
            .find(|(name, _)| name.node == arg)
            .map(|(_, v)| &v.node);
        match given {
            Some(value) => self.resolve(value),
            None => info.defaults.get(arg).cloned(),
        }
    }

    fn resolve(&self, value: &Value) -> Option<ConstValue> {
        match value {
            Value::Variable(name) => self
                .variables
                .get(name)
                .cloned()
                .or_else(|| self.defaults.get(name.as_str()).map(|v| (*v).clone())),
            Value::List(items) => Some(ConstValue::List(
                items
                    .iter()
                    .map(|v| self.resolve(v).unwrap_or(ConstValue::Null))
                    .collect(),
            )),
            other => other.clone().into_const(),
        }
    }
}

/// Aliases anywhere in the document.
pub fn count_aliases(doc: &ExecutableDocument) -> usize {
    let mut n = 0;
    each_field(doc, &mut |f| n += usize::from(f.alias.is_some()));
    n
}

/// Directives anywhere in the document.
pub fn count_directives(doc: &ExecutableDocument) -> usize {
    let mut n = 0;
    for (_, op) in doc.operations.iter() {
        n += op.node.directives.len();
    }
    for fragment in doc.fragments.values() {
        n += fragment.node.directives.len();
    }
    each_selection(doc, &mut |s| {
        n += match s {
            Selection::Field(f) => f.node.directives.len(),
            Selection::FragmentSpread(s) => s.node.directives.len(),
            Selection::InlineFragment(i) => i.node.directives.len(),
        }
    });
    n
}

fn each_field(doc: &ExecutableDocument, visit: &mut impl FnMut(&Field)) {
    each_selection(doc, &mut |s| {
        if let Selection::Field(f) = s {
            visit(&f.node)
        }
    });
}

/// Visits every selection of the document once, without recursion.
fn each_selection(doc: &ExecutableDocument, visit: &mut impl FnMut(&Selection)) {
    let mut pending: Vec<&SelectionSet> = doc
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(doc.fragments.values().map(|f| &f.node.selection_set.node))
        .collect();
    while let Some(set) = pending.pop() {
        for item in &set.items {
            visit(&item.node);
            match &item.node {
                Selection::Field(f) => pending.push(&f.node.selection_set.node),
                Selection::InlineFragment(i) => pending.push(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}
