//! HTTP caching of GET queries: Cache-Control from the schema's cache hints
//! (public data only), an ETag of the data, and 304 for a matching
//! If-None-Match. Authenticated requests, mutations, POSTs and answers with
//! errors are never stored by shared caches.

use async_graphql::CacheControl;
use sha2::{Digest, Sha256};

/// What kind of answer is being cached.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub get: bool,
    pub authenticated: bool,
    pub query: bool,
    pub errors: bool,
}

/// The Cache-Control header value.
pub fn cache_control(answer: Answer, hint: CacheControl) -> String {
    if answer.authenticated {
        return "private, no-store".into();
    }
    if !answer.get || !answer.query || answer.errors {
        return "no-store".into();
    }
    match (hint.max_age, hint.public) {
        (age, true) if age > 0 => format!("public, max-age={age}"),
        (age, false) if age > 0 => format!("private, max-age={age}"),
        _ => "no-cache".into(),
    }
}

/// Whether a Cache-Control value lets shared caches keep the answer.
pub fn is_shared(cache_control: &str) -> bool {
    cache_control
        .split(',')
        .any(|d| d.trim().eq_ignore_ascii_case("public"))
}

/// Whether the answer gets an ETag (and may be answered with 304).
pub fn validates(answer: Answer) -> bool {
    answer.get && answer.query && !answer.errors
}

/// A weak validator of the answer: the same data gets the same tag, while
/// the cost report beside it may differ.
pub fn etag(answer: &[u8]) -> String {
    let digest = Sha256::digest(answer);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// Whether an If-None-Match header matches `etag` (weak comparison, as
/// RFC 9110 asks for If-None-Match).
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| bare(t) == bare(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC_GET: Answer = Answer {
        get: true,
        authenticated: false,
        query: true,
        errors: false,
    };

    fn hint(max_age: i32, public: bool) -> CacheControl {
        CacheControl { public, max_age }
    }

    #[test]
    fn public_get_queries_carry_their_hint() {
        assert_eq!(
            cache_control(PUBLIC_GET, hint(60, true)),
            "public, max-age=60"
        );
        assert_eq!(cache_control(PUBLIC_GET, hint(0, true)), "no-cache");
        assert_eq!(cache_control(PUBLIC_GET, hint(-1, true)), "no-cache");
    }

    #[test]
    fn credentials_posts_mutations_and_errors_are_never_stored() {
        let h = hint(60, true);
        let auth = Answer {
            authenticated: true,
            ..PUBLIC_GET
        };
        assert_eq!(cache_control(auth, h), "private, no-store");
        assert_eq!(
            cache_control(
                Answer {
                    get: false,
                    ..PUBLIC_GET
                },
                h
            ),
            "no-store"
        );
        assert_eq!(
            cache_control(
                Answer {
                    query: false,
                    ..PUBLIC_GET
                },
                h
            ),
            "no-store"
        );
        assert_eq!(
            cache_control(
                Answer {
                    errors: true,
                    ..PUBLIC_GET
                },
                h
            ),
            "no-store"
        );
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_stars() {
        let tag = etag(b"{}");
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"x\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
    }
}
