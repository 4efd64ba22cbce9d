//! The parameters of a GraphQL-over-HTTP request, from a JSON body or a GET
//! query string, each checked for its type.

use serde_json::{Map, Value};

/// What a request asks for.
#[derive(Debug, Default)]
pub struct Params {
    pub query: Option<String>,
    pub variables: Option<Map<String, Value>>,
    pub operation_name: Option<String>,
    pub extensions: Option<Map<String, Value>>,
}

/// A parameter of the wrong shape: the field and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> BadParam {
    BadParam {
        field,
        message: message.into(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string(field: &'static str, value: Option<Value>) -> Result<Option<String>, BadParam> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(bad(
            field,
            format!("`{field}` must be a string, not {}", kind(&other)),
        )),
    }
}

fn object(
    field: &'static str,
    value: Option<Value>,
) -> Result<Option<Map<String, Value>>, BadParam> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(bad(
            field,
            format!("`{field}` must be a JSON object, not {}", kind(&other)),
        )),
    }
}

impl Params {
    /// From a POST body.
    pub fn from_body(bytes: &[u8]) -> Result<Params, BadParam> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(bad(
                "body",
                "the request body is empty; send {\"query\": \"...\"}",
            ));
        }
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| bad("body", format!("the body is not JSON: {e}")))?;
        match value {
            Value::Object(map) => Params::from_map(map),
            Value::Array(_) => Err(bad(
                "body",
                "batched requests (a JSON array) are not supported; send one operation per request",
            )),
            other => Err(bad(
                "body",
                format!("the body must be a JSON object, not {}", kind(&other)),
            )),
        }
    }

    fn from_map(mut map: Map<String, Value>) -> Result<Params, BadParam> {
        Ok(Params {
            query: string("query", map.remove("query"))?,
            variables: object("variables", map.remove("variables"))?,
            operation_name: string("operationName", map.remove("operationName"))?,
            extensions: object("extensions", map.remove("extensions"))?,
        })
    }

    /// From a GET query string; `variables` and `extensions` are JSON texts.
    pub fn from_query_string(text: &str) -> Result<Params, BadParam> {
        let mut map = Map::new();
        for (key, value) in url::form_urlencoded::parse(text.as_bytes()) {
            let field: &'static str = match key.as_ref() {
                "query" => "query",
                "operationName" => "operationName",
                "variables" => "variables",
                "extensions" => "extensions",
                _ => continue,
            };
            let value = match field {
                "variables" | "extensions" if value.trim().is_empty() => Value::Null,
                "variables" | "extensions" => serde_json::from_str(&value)
                    .map_err(|e| bad(field, format!("`{field}` is not JSON: {e}")))?,
                _ => Value::String(value.into_owned()),
            };
            map.insert(field.to_string(), value);
        }
        Params::from_map(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_must_have_its_type() {
        for body in [
            r#"{"query": 1}"#,
            r#"{"query": "{ a }", "variables": "x"}"#,
            r#"{"query": "{ a }", "variables": [1]}"#,
            r#"{"query": "{ a }", "operationName": false}"#,
            r#"{"query": "{ a }", "extensions": 0}"#,
            r#"[{"query": "{ a }"}]"#,
            r#""{ a }""#,
            "",
            "{\"query\": ",
        ] {
            assert!(Params::from_body(body.as_bytes()).is_err(), "{body}");
        }
        let ok = Params::from_body(
            br#"{"query": "{ a }", "variables": null, "operationName": null, "extensions": null}"#,
        )
        .unwrap();
        assert_eq!(ok.query.as_deref(), Some("{ a }"));
    }

    #[test]
    fn get_parameters_carry_json_variables() {
        let p = Params::from_query_string(
            "query=%7B+a+%7D&variables=%7B%22n%22%3A1%7D&operationName=A",
        )
        .unwrap();
        assert_eq!(p.query.as_deref(), Some("{ a }"));
        assert_eq!(p.variables.unwrap()["n"], 1);
        let e = Params::from_query_string("query=x&variables=nope").unwrap_err();
        assert_eq!(e.field, "variables");
    }

    #[test]
    fn invalid_utf8_is_not_json() {
        assert_eq!(
            Params::from_body(&[0xff, 0xfe, 0x00]).unwrap_err().field,
            "body"
        );
    }
}
