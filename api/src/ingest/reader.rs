//! Reading JSON-LD values into typed values while collecting every problem
//! with its field path, so that one record reports all of its errors at once.

use chrono::{NaiveDate, NaiveTime};
use serde_json::Value;

use super::errors::*;
use crate::domain::{FieldError, Lang, Localized};

use crate::domain::validate::{
    forbidden_character, forbidden_character_message, is_email, is_http_url, is_phone,
};
pub use crate::domain::validate::{MAX_DESCRIPTION, MAX_ID, MAX_NAME, MAX_SHORT, MAX_URL};

/// Collects the errors of one record.
#[derive(Default)]
pub struct Reader {
    pub errors: Vec<FieldError>,
}

/// `path.key`, or `key` at the top.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value shown in an error message, shortened.
pub fn shown(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}

/// An object or an array of them, as a list with indexes (none for null).
pub fn each(value: &Value) -> Vec<(Option<usize>, &Value)> {
    match value {
        Value::Null => vec![],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Some(i), v))
            .collect(),
        other => vec![(None, other)],
    }
}

/// The path of one item of `each`.
pub fn item_path(path: &str, i: Option<usize>) -> String {
    match i {
        Some(i) => index(path, i),
        None => path.to_string(),
    }
}

impl Reader {
    /// Records a problem.
    pub fn error(&mut self, path: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(path, code, message));
    }

    fn wrong_type(&mut self, path: &str, value: &Value, expected: &str) {
        self.error(
            path,
            INVALID_TYPE,
            format!("expected {expected}, got {}", type_name(value)),
        );
    }

    /// A trimmed non-empty string; null or blank is None.
    pub fn string(&mut self, value: &Value, path: &str, max: usize) -> Option<String> {
        match value {
            Value::Null => None,
            Value::String(s) => {
                let s = s.trim();
                if s.is_empty() {
                    None
                } else if let Some(c) = forbidden_character(s) {
                    self.error(path, INVALID_CHARACTER, forbidden_character_message(c));
                    None
                } else if s.chars().count() > max {
                    self.error(
                        path,
                        TOO_LONG,
                        format!("at most {max} characters, got {}", s.chars().count()),
                    );
                    None
                } else {
                    Some(s.to_string())
                }
            }
            other => {
                self.wrong_type(path, other, "a string");
                None
            }
        }
    }

    /// Like `string`, but missing is an error.
    pub fn required_string(&mut self, value: &Value, path: &str, max: usize) -> Option<String> {
        let out = self.string(value, path, max);
        if out.is_none()
            && matches!(value, Value::Null | Value::String(_))
            && !self.has_error_at(path)
        {
            self.error(path, REQUIRED, "is required");
        }
        out
    }

    fn has_error_at(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.path == path)
    }

    /// `{"@id": "..."}` or a plain id string.
    pub fn reference(&mut self, value: &Value, path: &str) -> Option<String> {
        match value {
            Value::Object(map) => self.required_string(
                map.get("@id").unwrap_or(&Value::Null),
                &join(path, "@id"),
                MAX_ID,
            ),
            Value::String(_) => self.string(value, path, MAX_ID),
            Value::Null => None,
            other => {
                self.wrong_type(path, other, "a reference {\"@id\": ...}");
                None
            }
        }
    }

    /// A multilingual text: a plain string (Finnish), `{"@language","@value"}`
    /// objects (one or an array), or a language map `{"fi": ..}`.
    pub fn text(&mut self, value: &Value, path: &str, max: usize) -> Localized {
        let mut out = Localized::default();
        let mut put = |reader: &mut Reader, tag: &str, text: &Value, at: &str| {
            let Some(lang) = Lang::parse(tag) else {
                reader.error(
                    at,
                    UNSUPPORTED_LANGUAGE,
                    format!("texts may be in fi, sv or en, not {}", shown(tag)),
                );
                return;
            };
            if let Some(text) = reader.string(text, at, max) {
                out.set(lang, text);
            }
        };
        match value {
            Value::Null => {}
            Value::String(_) => put(self, "fi", value, path),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let at = index(path, i);
                    match item {
                        Value::Object(map) => {
                            let tag = map.get("@language").and_then(Value::as_str).unwrap_or("fi");
                            put(self, tag, map.get("@value").unwrap_or(&Value::Null), &at);
                        }
                        Value::String(_) => put(self, "fi", item, &at),
                        other => {
                            self.wrong_type(&at, other, "a string or {\"@language\", \"@value\"}")
                        }
                    }
                }
            }
            Value::Object(map) if map.contains_key("@value") => {
                let tag = map.get("@language").and_then(Value::as_str).unwrap_or("fi");
                put(self, tag, &map["@value"], path);
            }
            Value::Object(map) => {
                for (tag, text) in map {
                    put(self, tag, text, &join(path, tag));
                }
            }
            other => self.wrong_type(path, other, "a text"),
        }
        out
    }

    /// A string or an array of strings.
    pub fn strings(&mut self, value: &Value, path: &str, max: usize) -> Vec<String> {
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| self.string(v, &index(path, i), max))
                .collect(),
            other => self.string(other, path, max).into_iter().collect(),
        }
    }

    /// Values of a code set, each parsed with `parse`.
    pub fn codes<T: PartialEq>(
        &mut self,
        value: &Value,
        path: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Vec<T> {
        let mut out = Vec::new();
        let items: Vec<(String, String)> = match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    self.string(v, &index(path, i), MAX_SHORT)
                        .map(|s| (s, index(path, i)))
                })
                .collect(),
            other => self
                .string(other, path, MAX_SHORT)
                .map(|s| (s, path.to_string()))
                .into_iter()
                .collect(),
        };
        for (text, at) in items {
            match parse(&text) {
                Some(code) if !out.contains(&code) => out.push(code),
                Some(_) => {}
                None => self.error(
                    &at,
                    UNKNOWN_CODE,
                    format!(
                        "unknown {what} {}; expected one of {expected}",
                        shown(&text)
                    ),
                ),
            }
        }
        out
    }

    /// An http(s) URL.
    pub fn url(&mut self, value: &Value, path: &str) -> Option<String> {
        let text = self.string(value, path, MAX_URL)?;
        match is_http_url(&text) {
            true => Some(text),
            false => {
                self.error(
                    path,
                    INVALID_URL,
                    format!("{} is not an http(s) URL", shown(&text)),
                );
                None
            }
        }
    }

    /// An e-mail address.
    pub fn email(&mut self, value: &Value, path: &str) -> Option<String> {
        let text = self.string(value, path, 320)?;
        if is_email(&text) {
            Some(text)
        } else {
            self.error(
                path,
                INVALID_EMAIL,
                format!("{} is not an e-mail address", shown(&text)),
            );
            None
        }
    }

    /// A telephone number: digits, spaces, + - ( ), 5 to 20 digits.
    pub fn phone(&mut self, value: &Value, path: &str) -> Option<String> {
        let text = self.string(value, path, 64)?;
        if is_phone(&text) {
            Some(text)
        } else {
            self.error(
                path,
                INVALID_PHONE,
                format!("{} is not a telephone number", shown(&text)),
            );
            None
        }
    }

    /// An ISO 8601 date, or the date of a date-time.
    pub fn date(&mut self, value: &Value, path: &str) -> Option<NaiveDate> {
        let text = self.string(value, path, 40)?;
        let day = text.get(..10).unwrap_or(&text);
        let rest_ok = text.len() == 10
            || text
                .as_bytes()
                .get(10)
                .is_some_and(|b| *b == b'T' || *b == b' ');
        match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) if rest_ok => Some(d),
            _ => {
                self.error(
                    path,
                    INVALID_DATE,
                    format!("{} is not a date (YYYY-MM-DD)", shown(&text)),
                );
                None
            }
        }
    }

    /// A time of day, `HH:MM` or `HH:MM:SS`.
    pub fn time(&mut self, value: &Value, path: &str) -> Option<NaiveTime> {
        let text = self.string(value, path, 20)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
            .map_err(|_| {
                self.error(
                    path,
                    INVALID_TIME,
                    format!("{} is not a time (HH:MM)", shown(&text)),
                )
            })
            .ok()
    }

    /// A number (a numeric string is accepted too).
    pub fn number(&mut self, value: &Value, path: &str) -> Option<f64> {
        match value {
            Value::Null => None,
            Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
            Value::String(s) => match s.trim().replace(',', ".").parse::<f64>() {
                Ok(f) if f.is_finite() => Some(f),
                _ => {
                    self.error(
                        path,
                        INVALID_TYPE,
                        format!("expected a number, got {}", shown(s)),
                    );
                    None
                }
            },
            other => {
                self.wrong_type(path, other, "a number");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_are_read_from_strings_tagged_arrays_and_language_maps() {
        let mut r = Reader::default();
        assert_eq!(
            r.text(&json!("Kurssi"), "name", 100).fi.as_deref(),
            Some("Kurssi")
        );
        let t = r.text(
            &json!([{"@language": "fi", "@value": "A"}, {"@language": "en", "@value": "B"}]),
            "name",
            100,
        );
        assert_eq!((t.fi.as_deref(), t.en.as_deref()), (Some("A"), Some("B")));
        let t = r.text(&json!({"sv": "C"}), "name", 100);
        assert_eq!(t.sv.as_deref(), Some("C"));
        assert!(r.errors.is_empty());
        r.text(&json!([{"@language": "de", "@value": "D"}]), "name", 100);
        assert_eq!(r.errors[0].code, UNSUPPORTED_LANGUAGE);
        assert_eq!(r.errors[0].path, "name[0]");
    }

    #[test]
    fn urls_emails_and_phones_are_checked() {
        let mut r = Reader::default();
        assert!(r.url(&json!("https://a.example.fi/x"), "url").is_some());
        assert!(r.url(&json!("ftp://a.example.fi/x"), "url").is_none());
        assert!(r.email(&json!("a@example.fi"), "email").is_some());
        assert!(r.email(&json!("not an email"), "email").is_none());
        assert!(r.phone(&json!("+358 5 000 1100"), "telephone").is_some());
        assert!(r.phone(&json!("call me"), "telephone").is_none());
        let codes: Vec<&str> = r.errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, [INVALID_URL, INVALID_EMAIL, INVALID_PHONE]);
    }

    #[test]
    fn wrong_types_are_errors_not_panics() {
        let mut r = Reader::default();
        assert!(r.string(&json!(5), "name", 10).is_none());
        assert!(r.date(&json!("2026-13-01"), "startDate").is_none());
        assert!(r.number(&json!({"a": 1}), "price").is_none());
        assert_eq!(r.errors.len(), 3);
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_are_kept() {
        let mut r = Reader::default();
        assert!(r.string(&json!("Hitsaus\u{0}"), "name", 100).is_none());
        assert!(r.string(&json!("a\u{7}b"), "name", 100).is_none());
        assert_eq!(
            r.string(&json!("rivi 1\nrivi 2\tx"), "description", 100)
                .as_deref(),
            Some("rivi 1\nrivi 2\tx")
        );
        let codes: Vec<(&str, &str)> = r
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            [("name", INVALID_CHARACTER), ("name", INVALID_CHARACTER)]
        );
        assert!(
            r.errors[0].message.contains("U+0000"),
            "{}",
            r.errors[0].message
        );
    }
}
