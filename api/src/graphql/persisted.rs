//! Automatic persisted queries (Apollo's protocol): a client sends the
//! SHA-256 of a query instead of the query; the first time it sends both, and
//! the query is kept in a bounded store (least recently used goes first),
//! once it has run without request errors. The store is bounded by entries
//! and by bytes, and a query larger than `MAX_ENTRY_BYTES` runs but is not
//! kept, so that padded queries cannot fill memory.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use sha2::{Digest, Sha256};

/// Why a persisted-query request cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersistedError {
    #[error("PersistedQueryNotFound")]
    NotFound,
    #[error("PersistedQueryNotSupported")]
    Disabled,
    #[error("extensions.persistedQuery.sha256Hash: {given} is not the SHA-256 of the query sent with it ({actual})")]
    HashMismatch { given: String, actual: String },
    #[error("extensions.persistedQuery.{field}: {problem}")]
    Malformed {
        field: &'static str,
        problem: String,
    },
}

impl PersistedError {
    /// The `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            PersistedError::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            PersistedError::Disabled => "PERSISTED_QUERY_NOT_SUPPORTED",
            PersistedError::HashMismatch { .. } => "PERSISTED_QUERY_HASH_MISMATCH",
            PersistedError::Malformed { .. } => "BAD_REQUEST",
        }
    }

    /// The `extensions.field`.
    pub fn field(&self) -> &'static str {
        match self {
            PersistedError::Malformed {
                field: "version", ..
            } => "extensions.persistedQuery.version",
            PersistedError::Malformed { .. } | PersistedError::Disabled => {
                "extensions.persistedQuery"
            }
            _ => "extensions.persistedQuery.sha256Hash",
        }
    }
}

/// The query to run, and the hash to remember it under once it has passed
/// the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub query: Arc<str>,
    pub register: Option<String>,
}

/// The largest query kept (GraphiQL's introspection query is about 3 kB).
pub const MAX_ENTRY_BYTES: usize = 32 * 1024;
/// The most bytes of queries kept in all.
pub const MAX_TOTAL_BYTES: usize = 8 * 1024 * 1024;

/// The kept queries and their bytes.
struct Kept {
    queries: LruCache<String, Arc<str>>,
    bytes: usize,
}

/// The bounded store.
pub struct PersistedQueries {
    cache: Option<Mutex<Kept>>,
}

impl PersistedQueries {
    /// A store of at most `size` queries; 0 turns persisted queries off.
    pub fn new(size: usize) -> PersistedQueries {
        PersistedQueries {
            cache: NonZeroUsize::new(size).map(|n| {
                Mutex::new(Kept {
                    queries: LruCache::new(n),
                    bytes: 0,
                })
            }),
        }
    }

    /// The query a request runs. `extension` is `extensions.persistedQuery`;
    /// `None` for a request without one (it runs `query` as sent).
    pub fn resolve(
        &self,
        query: Option<String>,
        extension: Option<&serde_json::Value>,
    ) -> Result<Option<Resolved>, PersistedError> {
        let Some(extension) = extension.filter(|e| !e.is_null()) else {
            return Ok(query.map(|q| Resolved {
                query: q.into(),
                register: None,
            }));
        };
        let malformed = |field, problem: &str| PersistedError::Malformed {
            field,
            problem: problem.to_string(),
        };
        let object = extension.as_object().ok_or_else(|| {
            malformed(
                "persistedQuery",
                "must be an object { version, sha256Hash }",
            )
        })?;
        match object.get("version").and_then(|v| v.as_i64()) {
            Some(1) => {}
            Some(v) => {
                return Err(malformed(
                    "version",
                    &format!("version {v} is not supported; use 1"),
                ))
            }
            None => return Err(malformed("version", "must be the number 1")),
        }
        let hash = object
            .get("sha256Hash")
            .and_then(|h| h.as_str())
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| malformed("sha256Hash", "must be 64 hexadecimal digits"))?
            .to_ascii_lowercase();
        let cache = self.cache.as_ref().ok_or(PersistedError::Disabled)?;
        match query {
            Some(query) => {
                let actual = hex(&Sha256::digest(query.as_bytes()));
                if actual != hash {
                    return Err(PersistedError::HashMismatch {
                        given: hash,
                        actual,
                    });
                }
                Ok(Some(Resolved {
                    query: query.into(),
                    register: Some(hash),
                }))
            }
            None => {
                let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
                let query = cache
                    .queries
                    .get(&hash)
                    .cloned()
                    .ok_or(PersistedError::NotFound)?;
                Ok(Some(Resolved {
                    query,
                    register: None,
                }))
            }
        }
    }

    /// Remembers a query that ran without request errors, unless it is
    /// larger than `MAX_ENTRY_BYTES`; the least recently used go first
    /// while the store holds too many queries or bytes.
    pub fn register(&self, hash: String, query: Arc<str>) {
        let Some(cache) = &self.cache else {
            return;
        };
        if query.len() > MAX_ENTRY_BYTES {
            return;
        }
        let mut kept = cache.lock().unwrap_or_else(|e| e.into_inner());
        kept.bytes += query.len();
        if let Some((_, old)) = kept.queries.push(hash, query) {
            kept.bytes -= old.len();
        }
        while kept.bytes > MAX_TOTAL_BYTES {
            match kept.queries.pop_lru() {
                Some((_, old)) => kept.bytes -= old.len(),
                None => break,
            }
        }
    }

    /// How many queries are kept.
    pub fn len(&self) -> usize {
        self.cache
            .as_ref()
            .map_or(0, |c| c.lock().map(|c| c.queries.len()).unwrap_or(0))
    }

    /// How many bytes of queries are kept.
    pub fn bytes(&self) -> usize {
        self.cache
            .as_ref()
            .map_or(0, |c| c.lock().map(|c| c.bytes).unwrap_or(0))
    }

    /// Whether none are kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const QUERY: &str = "{ __typename }";

    fn hash_of(q: &str) -> String {
        hex(&Sha256::digest(q.as_bytes()))
    }

    fn ext(hash: &str) -> serde_json::Value {
        json!({ "version": 1, "sha256Hash": hash })
    }

    #[test]
    fn a_hash_alone_is_unknown_until_the_query_is_sent_with_it() {
        let store = PersistedQueries::new(10);
        let e = ext(&hash_of(QUERY));
        assert_eq!(store.resolve(None, Some(&e)), Err(PersistedError::NotFound));
        let first = store
            .resolve(Some(QUERY.into()), Some(&e))
            .unwrap()
            .unwrap();
        store.register(first.register.unwrap(), first.query);
        let again = store.resolve(None, Some(&e)).unwrap().unwrap();
        assert_eq!(&*again.query, QUERY);
    }

    #[test]
    fn a_hash_that_is_not_the_querys_is_refused() {
        let store = PersistedQueries::new(10);
        let e = ext(&"0".repeat(64));
        let error = store.resolve(Some(QUERY.into()), Some(&e)).unwrap_err();
        assert_eq!(error.code(), "PERSISTED_QUERY_HASH_MISMATCH");
    }

    #[test]
    fn the_store_is_bounded_and_forgets_the_least_recently_used() {
        let store = PersistedQueries::new(2);
        for q in ["{ a }", "{ b }", "{ c }"] {
            store.register(hash_of(q), q.into());
        }
        assert_eq!(store.len(), 2);
        let e = ext(&hash_of("{ a }"));
        assert_eq!(store.resolve(None, Some(&e)), Err(PersistedError::NotFound));
    }

    #[test]
    fn padded_queries_are_not_kept_and_the_bytes_stay_bounded() {
        let store = PersistedQueries::new(100_000);
        let padded = format!("{{ __typename }} #{}", "x".repeat(256 * 1024));
        store.register(hash_of(&padded), padded.as_str().into());
        assert_eq!(store.len(), 0, "larger than an entry may be");
        for i in 0..1000 {
            let q = format!("{{ __typename }} #{i:05}{}", "x".repeat(30 * 1024));
            store.register(hash_of(&q), q.as_str().into());
        }
        assert!(store.bytes() <= MAX_TOTAL_BYTES, "{}", store.bytes());
        assert!(store.len() < 1000);
        let q = "{ __typename }";
        store.register(hash_of(q), q.into());
        store.register(hash_of(q), q.into());
        assert!(store.bytes() <= MAX_TOTAL_BYTES);
    }

    #[test]
    fn malformed_extensions_name_the_field() {
        let store = PersistedQueries::new(2);
        let bad = json!({ "version": 2, "sha256Hash": hash_of(QUERY) });
        let e = store.resolve(None, Some(&bad)).unwrap_err();
        assert_eq!(e.field(), "extensions.persistedQuery.version");
        let bad = json!({ "version": 1, "sha256Hash": "xyz" });
        assert_eq!(
            store.resolve(None, Some(&bad)).unwrap_err().code(),
            "BAD_REQUEST"
        );
        let off = PersistedQueries::new(0);
        assert_eq!(
            off.resolve(None, Some(&ext(&hash_of(QUERY)))).unwrap_err(),
            PersistedError::Disabled
        );
    }
}
