//! Meilisearch filter expressions, built in one place with every value
//! quoted and escaped, so that no input can change the expression's meaning.

use std::fmt::Write;

/// Quotes a value for a Meilisearch filter: double quotes, with `\` and `"`
/// escaped. Control characters are replaced by spaces.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An attribute name; only the store's own identifiers are accepted.
fn attribute(name: &str) -> &str {
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
        "attribute names are ours, never input: {name:?}"
    );
    name
}

/// A conjunction of conditions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FilterBuilder {
    parts: Vec<String>,
}

impl FilterBuilder {
    /// An empty filter (matches everything).
    pub fn new() -> FilterBuilder {
        FilterBuilder::default()
    }

    /// `attr IN ["a", "b"]`; nothing when `values` is empty.
    pub fn any_of<S: AsRef<str>>(mut self, attr: &str, values: &[S]) -> Self {
        if !values.is_empty() {
            let list: Vec<String> = values.iter().map(|v| quote(v.as_ref())).collect();
            self.parts
                .push(format!("{} IN [{}]", attribute(attr), list.join(", ")));
        }
        self
    }

    /// `attr = "value"`.
    pub fn equals(mut self, attr: &str, value: &str) -> Self {
        self.parts
            .push(format!("{} = {}", attribute(attr), quote(value)));
        self
    }

    /// `attr = true|false`.
    pub fn flag(mut self, attr: &str, value: bool) -> Self {
        self.parts.push(format!("{} = {value}", attribute(attr)));
        self
    }

    /// `attr <op> number` for op in `<`, `<=`, `>`, `>=`.
    pub fn compare(mut self, attr: &str, op: &str, value: i64) -> Self {
        assert!(
            matches!(op, "<" | "<=" | ">" | ">="),
            "comparison operators are ours: {op:?}"
        );
        self.parts.push(format!("{} {op} {value}", attribute(attr)));
        self
    }

    /// `attr low TO high` (both ends included).
    pub fn range(mut self, attr: &str, low: i64, high: i64) -> Self {
        self.parts
            .push(format!("{} {low} TO {high}", attribute(attr)));
        self
    }

    /// `(a OR b OR ...)` of the alternatives that are not empty; nothing when
    /// all are (an empty alternative would match everything, so the caller
    /// decides what that means).
    pub fn any(mut self, alternatives: impl IntoIterator<Item = FilterBuilder>) -> Self {
        let built: Vec<String> = alternatives
            .into_iter()
            .filter_map(FilterBuilder::build)
            .map(|a| format!("({a})"))
            .collect();
        match built.len() {
            0 => {}
            1 => self.parts.push(built[0].clone()),
            _ => self.parts.push(format!("({})", built.join(" OR "))),
        }
        self
    }

    /// The expression, or None for no filter.
    pub fn build(self) -> Option<String> {
        if self.parts.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_str(" AND ");
            }
            let _ = write!(out, "{part}");
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_escaped() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("line\nbreak"), "\"line break\"");
    }

    #[test]
    fn hostile_values_stay_inside_their_quotes() {
        for hostile in [
            r#"285" OR municipality = "286"#,
            "x OR 1 = 1",
            "a TO b",
            r"\",
            "\"\"\"",
            "NOT municipality EXISTS",
            "]",
            "\n) OR (",
        ] {
            let filter = FilterBuilder::new()
                .any_of("municipality", &[hostile])
                .build()
                .unwrap();
            let inner = filter
                .trim_start_matches("municipality IN [")
                .trim_end_matches(']');
            assert!(inner.starts_with('"') && inner.ends_with('"'), "{filter}");
            let body = &inner[1..inner.len() - 1];
            let mut escaped = false;
            for c in body.chars() {
                assert!(escaped || c != '"', "an unescaped quote in {filter}");
                escaped = !escaped && c == '\\';
            }
            assert!(!escaped, "a dangling backslash in {filter}");
        }
    }

    #[test]
    fn long_values_are_kept_whole() {
        let long = "ä".repeat(10_000);
        let filter = FilterBuilder::new().equals("name", &long).build().unwrap();
        assert_eq!(filter.len(), "name = ".len() + long.len() + 2);
    }

    #[test]
    fn conditions_are_joined_with_and_and_empty_lists_are_left_out() {
        let filter = FilterBuilder::new()
            .any_of("region", &["08"])
            .any_of::<&str>("mode", &[])
            .flag("free", true)
            .compare("start", ">=", 20000)
            .build();
        assert_eq!(
            filter.as_deref(),
            Some(r#"region IN ["08"] AND free = true AND start >= 20000"#)
        );
        assert_eq!(FilterBuilder::new().build(), None);
    }

    #[test]
    fn alternatives_are_ored_and_empty_ones_dropped() {
        let filter = FilterBuilder::new()
            .any([
                FilterBuilder::new().any_of("municipalities", &["285"]),
                FilterBuilder::new().any_of::<&str>("regions", &[]),
            ])
            .build();
        assert_eq!(filter.as_deref(), Some(r#"(municipalities IN ["285"])"#));
        let filter = FilterBuilder::new()
            .any([
                FilterBuilder::new().range("start_days", 10, 20),
                FilterBuilder::new().flag("flexible_start", true),
            ])
            .build();
        assert_eq!(
            filter.as_deref(),
            Some("((start_days 10 TO 20) OR (flexible_start = true))")
        );
        assert_eq!(FilterBuilder::new().any([]).build(), None);
    }

    #[test]
    #[should_panic(expected = "attribute names are ours")]
    fn attribute_names_from_input_are_refused() {
        let _ = FilterBuilder::new().equals("a = 1 OR b", "x");
    }
}
