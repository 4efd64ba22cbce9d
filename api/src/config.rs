//! Typed settings, loaded once in `main` from the environment. Nothing else
//! reads environment variables. Unknown `TARJOTIN_*`/`MEILI_*` keys and bad
//! values stop the start with a message that names the setting.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub mod http;
pub mod limits;

pub use http::{CorsOrigins, HttpSettings, IpNet};
pub use limits::{QueryLimits, RateConfig};

/// Every setting: its name and what it is for. Adding a setting is one line here.
pub const KNOWN: &[(&str, &str)] = &[
    ("DATABASE_URL", "sqlite: or postgres: URL of the database"),
    (
        "TARJOTIN_DATA_DIR",
        "directory for the SQLite file and local state",
    ),
    ("TARJOTIN_BIND", "address to serve on, e.g. 127.0.0.1:8080"),
    (
        "TARJOTIN_OPS_ADDR",
        "address of the operations listener (/metrics, detailed /readyz), e.g. 127.0.0.1:9090",
    ),
    (
        "TARJOTIN_LOG",
        "log filter, e.g. info or tarjotin_api=debug",
    ),
    ("TARJOTIN_LOG_FORMAT", "pretty or json"),
    (
        "TARJOTIN_ANALYZER",
        "Finnish analysis: auto, voikko, snowball or none",
    ),
    (
        "MEILI_URL",
        "Meilisearch URL; unset for the embedded search engine",
    ),
    (
        "MEILI_MASTER_KEY",
        "Meilisearch master key; the server makes a key limited to its indexes from it",
    ),
    (
        "TARJOTIN_MEILI_INDEX",
        "the Meilisearch index that serves searches (its builds and metadata share the name)",
    ),
    (
        "MEILI_API_KEY",
        "a Meilisearch key for the server's indexes (instead of one made from the master key)",
    ),
    (
        "TARJOTIN_MAX_QUERY_COST",
        "the highest static cost one request may have",
    ),
    ("TARJOTIN_MAX_QUERY_DEPTH", "the deepest field nesting"),
    ("TARJOTIN_MAX_ALIASES", "the most aliases in one document"),
    (
        "TARJOTIN_MAX_FIELDS",
        "the most fields one request selects, fragments expanded",
    ),
    ("TARJOTIN_RATE_LIMIT", "on or off"),
    (
        "TARJOTIN_RATE_LIMIT_CAPACITY",
        "cost points a full bucket holds",
    ),
    (
        "TARJOTIN_RATE_LIMIT_RESTORE_RATE",
        "cost points restored per second",
    ),
    (
        "REDIS_URL",
        "Redis URL for rate-limit buckets shared by every replica",
    ),
    (
        "TARJOTIN_TRUSTED_PROXIES",
        "proxies whose X-Forwarded-For is believed",
    ),
    (
        "TARJOTIN_CORS_ORIGINS",
        "* or the origins browsers may read the API from",
    ),
    (
        "TARJOTIN_APQ_CACHE_SIZE",
        "persisted queries kept; 0 turns them off",
    ),
    ("TARJOTIN_MAX_BODY_BYTES", "the largest request body"),
    (
        "TARJOTIN_REQUEST_TIMEOUT_SECS",
        "the longest a request may run",
    ),
    (
        "TARJOTIN_SHUTDOWN_TIMEOUT_SECS",
        "how long in-flight requests get to finish at shutdown",
    ),
    (
        "TARJOTIN_READY_MAX_OUTBOX_LAG_SECS",
        "/readyz fails when indexing lags more; 0 never",
    ),
    (
        "TARJOTIN_CRASH_AT",
        "for the crash test only: SIGKILL at a named point (import-batch, outbox-applied, rebuild-page, scheduler-step)",
    ),
    (
        "TARJOTIN_DENIED_RETENTION_DAYS",
        "how many days refused writes are kept (deniedWrites)",
    ),
];

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown setting {key}{suggestion} (known: {known})")]
    UnknownKey {
        key: String,
        suggestion: String,
        known: String,
    },
    #[error("{key}={value:?} is not valid: {expected}")]
    Invalid {
        key: &'static str,
        value: String,
        expected: String,
    },
    #[error("{key} is set but {needs} is not; set both or neither")]
    Incomplete {
        key: &'static str,
        needs: &'static str,
    },
    #[error("TARJOTIN_DATA_DIR={path:?} cannot be created: {reason}")]
    DataDir { path: PathBuf, reason: String },
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// A database URL whose password never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    fn parse(value: &str) -> Result<DatabaseUrl, ConfigError> {
        let invalid = |expected: &str| ConfigError::Invalid {
            key: "DATABASE_URL",
            value: redact(value),
            expected: expected.to_string(),
        };
        let scheme = value.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(DatabaseUrl(value.to_string())),
            "postgres" | "postgresql" => {
                let url =
                    url::Url::parse(value).map_err(|e| invalid(&format!("not a URL ({e})")))?;
                if url.host_str().is_none_or(str::is_empty) {
                    return Err(invalid(
                        "a postgres URL needs a host: postgres://user@host:5432/db",
                    ));
                }
                Ok(DatabaseUrl(value.to_string()))
            }
            _ => Err(invalid("a sqlite: or postgres:// URL")),
        }
    }

    /// The URL itself, for connecting.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// SQLite or PostgreSQL.
    pub fn kind(&self) -> DatabaseKind {
        if self.0.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else {
            DatabaseKind::Postgres
        }
    }
}

/// Replaces the password of a URL with `***`.
pub(crate) fn redact(value: &str) -> String {
    crate::redact::url(value)
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Pretty on a terminal, JSON elsewhere.
    Auto,
    Pretty,
    Json,
}

pub use crate::domain::AnalyzerMode;

/// Every setting of the service.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    /// The operations listener, when there is one.
    pub ops_addr: Option<SocketAddr>,
    pub log: String,
    pub log_format: LogFormat,
    pub analyzer: AnalyzerMode,
    pub meili_url: Option<url::Url>,
    pub meili_master_key: Option<Secret>,
    pub meili_api_key: Option<Secret>,
    /// The serving Meilisearch index's name.
    pub meili_index: String,
    /// The public endpoint: limits, rate limits, CORS, timeouts.
    pub http: HttpSettings,
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

impl Settings {
    /// From the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_vars(std::env::vars())
    }

    /// From any list of (key, value) pairs, for tests.
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<Settings, ConfigError> {
        let mut values: Vec<(String, String)> = Vec::new();
        for (key, value) in vars {
            let ours = key.starts_with("TARJOTIN_") || key.starts_with("MEILI_");
            let known = KNOWN.iter().any(|(k, _)| *k == key);
            if ours && !known {
                let closest = KNOWN
                    .iter()
                    .map(|(k, _)| (edit_distance(&key, k), *k))
                    .min()
                    .filter(|(d, _)| *d <= 2);
                return Err(ConfigError::UnknownKey {
                    suggestion: closest
                        .map(|(_, k)| format!("; did you mean {k}?"))
                        .unwrap_or_default(),
                    key,
                    known: KNOWN.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
                });
            }
            if known && !value.trim().is_empty() {
                values.push((key, value.trim().to_string()));
            }
        }
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };

        let data_dir = PathBuf::from(get("TARJOTIN_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl(default_sqlite_url(&data_dir)),
        };
        let bind_text = get("TARJOTIN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text.parse().map_err(|_| ConfigError::Invalid {
            key: "TARJOTIN_BIND",
            value: bind_text.clone(),
            expected: "a socket address such as 127.0.0.1:8080 or 0.0.0.0:8080".into(),
        })?;
        let ops_addr = get("TARJOTIN_OPS_ADDR")
            .map(|text| {
                text.parse().map_err(|_| ConfigError::Invalid {
                    key: "TARJOTIN_OPS_ADDR",
                    value: text.clone(),
                    expected: "a socket address such as 127.0.0.1:9090".into(),
                })
            })
            .transpose()?;
        if ops_addr.is_some() && ops_addr == Some(bind) {
            return Err(ConfigError::Invalid {
                key: "TARJOTIN_OPS_ADDR",
                value: bind_text,
                expected: "another address than TARJOTIN_BIND's".into(),
            });
        }
        let log = get("TARJOTIN_LOG").unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log).is_err() {
            return Err(ConfigError::Invalid {
                key: "TARJOTIN_LOG",
                value: log,
                expected: "a log filter such as info or tarjotin_api=debug,info".into(),
            });
        }
        let log_format = match get("TARJOTIN_LOG_FORMAT").as_deref() {
            None => LogFormat::Auto,
            Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "TARJOTIN_LOG_FORMAT",
                    value: other.into(),
                    expected: "pretty or json".into(),
                })
            }
        };
        if let Some(value) = get(crate::crash::SETTING) {
            crate::crash::parse(&value).map_err(|expected| ConfigError::Invalid {
                key: crate::crash::SETTING,
                value,
                expected,
            })?;
        }
        let analyzer = match get("TARJOTIN_ANALYZER").as_deref() {
            None | Some("auto") => AnalyzerMode::Auto,
            Some("voikko") => AnalyzerMode::Voikko,
            Some("snowball") => AnalyzerMode::Snowball,
            Some("none") => AnalyzerMode::None,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "TARJOTIN_ANALYZER",
                    value: other.into(),
                    expected: "auto, voikko, snowball or none".into(),
                })
            }
        };
        let meili_url = get("MEILI_URL")
            .map(|text| {
                url::Url::parse(&text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                    .ok_or(ConfigError::Invalid {
                        key: "MEILI_URL",
                        value: redact(&text),
                        expected: "an http(s) URL such as http://127.0.0.1:7700".into(),
                    })
            })
            .transpose()?;
        let meili_master_key = get("MEILI_MASTER_KEY").map(Secret);
        if meili_master_key.is_some() && meili_url.is_none() {
            return Err(ConfigError::Incomplete {
                key: "MEILI_MASTER_KEY",
                needs: "MEILI_URL",
            });
        }
        let meili_api_key = get("MEILI_API_KEY").map(Secret);
        if meili_api_key.is_some() && meili_url.is_none() {
            return Err(ConfigError::Incomplete {
                key: "MEILI_API_KEY",
                needs: "MEILI_URL",
            });
        }
        let meili_index = get("TARJOTIN_MEILI_INDEX").unwrap_or_else(|| "tarjotin_courses".into());
        let index_ok = meili_index.len() <= 60
            && meili_index
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !index_ok {
            return Err(ConfigError::Invalid {
                key: "TARJOTIN_MEILI_INDEX",
                value: meili_index,
                expected: "at most 60 letters a-z, A-Z, digits, - and _".into(),
            });
        }
        let http = http::parse(&get)?;
        Ok(Settings {
            meili_api_key,
            meili_index,
            http,
            database_url,
            data_dir,
            bind,
            ops_addr,
            log,
            log_format,
            analyzer,
            meili_url,
            meili_master_key,
        })
    }

    /// Registers every configured secret with the redaction path, so that
    /// no log line or error shows one.
    pub fn register_secrets(&self) {
        crate::redact::register_url(&self.database_url.0);
        if let Some(url) = &self.meili_url {
            crate::redact::register_url(url.as_str());
        }
        for key in [&self.meili_master_key, &self.meili_api_key]
            .into_iter()
            .flatten()
        {
            crate::redact::register(key.expose());
        }
        if let Some(url) = &self.http.redis_url {
            crate::redact::register_url(url.expose());
        }
    }

    /// Creates the data directory when missing.
    pub fn prepare_data_dir(&self) -> Result<(), ConfigError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| ConfigError::DataDir {
            path: self.data_dir.clone(),
            reason: e.to_string(),
        })
    }
}

fn default_sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("tarjotin.sqlite").display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn defaults_give_an_sqlite_file_in_the_data_dir_and_the_local_port() {
        let s = settings(&[("HOME", "/root")]).unwrap();
        assert_eq!(s.database_url.kind(), DatabaseKind::Sqlite);
        assert_eq!(
            s.database_url.as_str(),
            "sqlite://./data/tarjotin.sqlite?mode=rwc"
        );
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.meili_url.is_none());
    }

    #[test]
    fn an_unknown_key_is_refused_with_a_suggestion() {
        let e = settings(&[("TARJOTIN_BINDD", "x")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("TARJOTIN_BINDD") && e.contains("did you mean TARJOTIN_BIND"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_their_setting() {
        for (key, value) in [
            ("TARJOTIN_BIND", "localhost"),
            ("DATABASE_URL", "mysql://x/y"),
            ("MEILI_URL", "ftp://x"),
            ("TARJOTIN_LOG_FORMAT", "xml"),
        ] {
            let e = settings(&[(key, value)]).unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
        let e = settings(&[("MEILI_MASTER_KEY", "k")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("MEILI_URL"), "{e}");
    }

    #[test]
    fn passwords_and_secrets_never_print() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://u:hunter2@db:5432/t"),
            ("MEILI_URL", "http://m:7700"),
            ("MEILI_MASTER_KEY", "masterkey123"),
        ])
        .unwrap();
        let shown = format!("{s:?} {}", s.database_url);
        assert!(
            !shown.contains("hunter2") && !shown.contains("masterkey123"),
            "{shown}"
        );
        assert_eq!(s.meili_master_key.unwrap().expose(), "masterkey123");
    }

    #[test]
    fn endpoint_settings_have_production_defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.http.limits.max_cost, 1000);
        assert_eq!(s.http.rate_limit.unwrap().capacity, 1000);
        assert_eq!(s.http.cors_origins, CorsOrigins::Any);
        assert!(s.http.redis_url.is_none());
        assert_eq!(s.http.max_body_bytes, 256 * 1024);
    }

    #[test]
    fn endpoint_settings_are_read_and_checked() {
        let s = settings(&[
            ("TARJOTIN_MAX_QUERY_COST", "500"),
            ("TARJOTIN_RATE_LIMIT_CAPACITY", "600"),
            ("TARJOTIN_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1"),
            (
                "TARJOTIN_CORS_ORIGINS",
                "https://a.example.fi, http://localhost:3000",
            ),
            ("REDIS_URL", "redis://:pw@127.0.0.1:6379"),
            ("TARJOTIN_RATE_LIMIT", "on"),
        ])
        .unwrap();
        assert_eq!(s.http.limits.max_cost, 500);
        assert_eq!(s.http.trusted_proxies.len(), 2);
        assert_eq!(
            s.http.cors_origins,
            CorsOrigins::List(vec![
                "https://a.example.fi".into(),
                "http://localhost:3000".into()
            ])
        );
        assert!(!format!("{s:?}").contains(":pw@"));
        assert!(settings(&[("TARJOTIN_RATE_LIMIT", "off")])
            .unwrap()
            .http
            .rate_limit
            .is_none());
        for (key, value) in [
            ("TARJOTIN_MAX_QUERY_COST", "lots"),
            ("TARJOTIN_MAX_QUERY_DEPTH", "1"),
            ("TARJOTIN_RATE_LIMIT", "maybe"),
            ("TARJOTIN_RATE_LIMIT_CAPACITY", "10"),
            ("TARJOTIN_TRUSTED_PROXIES", "10.0.0.0/40"),
            ("TARJOTIN_CORS_ORIGINS", "https://a.example.fi/path"),
            ("REDIS_URL", "http://127.0.0.1:6379"),
            ("TARJOTIN_MAX_BODY_BYTES", "10"),
            ("TARJOTIN_REQUEST_TIMEOUT_SECS", "0"),
        ] {
            let e = settings(&[(key, value)]).unwrap_err().to_string();
            assert!(e.contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn empty_values_count_as_unset() {
        let s = settings(&[("DATABASE_URL", " "), ("MEILI_URL", "")]).unwrap();
        assert_eq!(s.database_url.kind(), DatabaseKind::Sqlite);
        assert!(s.meili_url.is_none());
    }
}
