//! Media types of GraphQL over HTTP: which one a client accepts, which body
//! it sent, and what status a request error gets under each.

use actix_web::http::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use actix_web::http::StatusCode;

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: request errors get 4xx.
    GraphqlResponse,
    /// `application/json`: every well-formed request gets 200.
    Json,
}

impl Media {
    /// The Content-Type header value.
    pub fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }

    /// The status of a GraphQL request error (unparsable or invalid request).
    pub fn request_error_status(self, status: StatusCode) -> StatusCode {
        match self {
            Media::GraphqlResponse => status,
            Media::Json => StatusCode::OK,
        }
    }
}

/// The media type to answer in, from the Accept header. `None` when the
/// client accepts neither JSON type (406). No Accept header means
/// `application/json`, as the specification says for older clients.
pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let values: Vec<&str> = headers
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.iter().all(|v| v.trim().is_empty()) {
        return Some(Media::Json);
    }
    let mut best: Option<(f32, u8, Media)> = None;
    for range in values.iter().flat_map(|v| v.split(',')) {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next()
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        let (preference, media) = match essence.as_str() {
            "application/graphql-response+json" => (2, Media::GraphqlResponse),
            "application/json" => (1, Media::Json),
            "application/*" | "*/*" => (0, Media::Json),
            _ => continue,
        };
        if q <= 0.0 {
            continue;
        }
        if best.is_none_or(|(bq, bp, _)| (q, preference) > (bq, bp)) {
            best = Some((q, preference, media));
        }
    }
    best.map(|(_, _, media)| media)
}

/// Why a POST body's Content-Type is refused (415), if it is.
pub fn unsupported_body(headers: &HeaderMap) -> Option<String> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Some("the request has no Content-Type; send application/json".into());
    };
    let text = value.to_str().unwrap_or("").to_ascii_lowercase();
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim().to_string();
    if essence != "application/json" {
        return Some(format!(
            "Content-Type {essence:?} is not supported; send application/json"
        ));
    }
    let charset = parts
        .filter_map(|p| {
            p.trim()
                .strip_prefix("charset=")
                .map(|c| c.trim_matches('"').to_string())
        })
        .next();
    match charset.as_deref() {
        None | Some("utf-8") | Some("utf8") => None,
        Some(other) => Some(format!("charset {other:?} is not supported; send utf-8")),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&headers)
    }

    #[test]
    fn the_new_media_type_wins_when_the_client_prefers_it() {
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(Media::Json)
        );
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(accept("text/html, */*;q=0.8"), Some(Media::Json));
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
    }

    #[test]
    fn a_client_that_accepts_no_json_is_refused() {
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn only_utf8_json_bodies_are_accepted() {
        let mut headers = HeaderMap::new();
        assert!(unsupported_body(&headers).is_some());
        let ct = HeaderName::from_static("content-type");
        for (value, ok) in [
            ("application/json", true),
            ("application/json; charset=UTF-8", true),
            ("application/json; charset=latin1", false),
            ("text/plain", false),
            ("application/graphql", false),
        ] {
            headers.insert(ct.clone(), HeaderValue::from_static(value));
            assert_eq!(unsupported_body(&headers).is_none(), ok, "{value}");
        }
    }
}
