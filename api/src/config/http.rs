//! Settings of the public endpoint: query limits, rate limits, proxies, CORS,
//! persisted queries, body size and timeouts.

use std::net::IpAddr;
use std::time::Duration;

use super::limits::{QueryLimits, RateConfig};
use super::{redact, ConfigError, Secret};

/// An address block such as `10.0.0.0/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `192.0.2.1`, `10.0.0.0/8` or `2001:db8::/32`.
    pub fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    /// Whether `ip` is in the block (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Which web origins may read the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin, without credentials.
    Any,
    /// Only these origins (`https://example.fi`).
    List(Vec<String>),
}

/// Every setting of the public endpoint.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub limits: QueryLimits,
    /// None when rate limiting is off.
    pub rate_limit: Option<RateConfig>,
    /// Shares rate-limit buckets between replicas.
    pub redis_url: Option<Secret>,
    pub trusted_proxies: Vec<IpNet>,
    pub cors_origins: CorsOrigins,
    /// Entries in the persisted-query store; 0 turns persisted queries off.
    pub apq_cache_size: usize,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
    /// `/readyz` fails when the oldest unindexed change is older than this.
    pub ready_max_outbox_lag: Option<Duration>,
    /// How long refused writes are kept for administrators.
    pub denied_retention: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            limits: QueryLimits::default(),
            rate_limit: Some(RateConfig::default()),
            redis_url: None,
            trusted_proxies: Vec::new(),
            cors_origins: CorsOrigins::Any,
            apq_cache_size: 1000,
            max_body_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
            ready_max_outbox_lag: Some(Duration::from_secs(900)),
            denied_retention: Duration::from_secs(90 * 86_400),
        }
    }
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    get: &dyn Fn(&str) -> Option<String>,
    key: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError> {
    let Some(text) = get(key) else {
        return Ok(default);
    };
    text.parse::<T>()
        .ok()
        .filter(|n| *n >= min && *n <= max)
        .ok_or_else(|| ConfigError::Invalid {
            key,
            value: text.clone(),
            expected: format!("a whole number from {min} to {max}"),
        })
}

/// Reads the endpoint settings with `get`.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> Result<HttpSettings, ConfigError> {
    let d = HttpSettings::default();
    let limits = QueryLimits {
        max_cost: number(
            get,
            "TARJOTIN_MAX_QUERY_COST",
            d.limits.max_cost,
            1,
            10_000_000,
        )?,
        max_depth: number(get, "TARJOTIN_MAX_QUERY_DEPTH", d.limits.max_depth, 2, 64)?,
        max_aliases: number(get, "TARJOTIN_MAX_ALIASES", d.limits.max_aliases, 0, 10_000)?,
        max_fields: number(
            get,
            "TARJOTIN_MAX_FIELDS",
            d.limits.max_fields,
            1,
            1_000_000,
        )?,
    };
    let enabled = match get("TARJOTIN_RATE_LIMIT").as_deref() {
        None | Some("on") => true,
        Some("off") => false,
        Some(other) => {
            return Err(ConfigError::Invalid {
                key: "TARJOTIN_RATE_LIMIT",
                value: other.into(),
                expected: "on or off".into(),
            })
        }
    };
    let defaults = RateConfig::default();
    let rate = RateConfig {
        capacity: number(
            get,
            "TARJOTIN_RATE_LIMIT_CAPACITY",
            defaults.capacity,
            1,
            100_000_000,
        )?,
        restore_rate: number(
            get,
            "TARJOTIN_RATE_LIMIT_RESTORE_RATE",
            defaults.restore_rate,
            1,
            100_000_000,
        )?,
    };
    if enabled && u64::from(rate.capacity) < limits.max_cost {
        return Err(ConfigError::Invalid {
            key: "TARJOTIN_RATE_LIMIT_CAPACITY",
            value: rate.capacity.to_string(),
            expected: format!(
                "at least TARJOTIN_MAX_QUERY_COST ({}), or no query of the maximum cost could ever run",
                limits.max_cost
            ),
        });
    }
    let redis_url = get("REDIS_URL")
        .map(|text| {
            url::Url::parse(&text)
                .ok()
                .filter(|u| matches!(u.scheme(), "redis" | "rediss" | "redis+unix" | "unix"))
                .map(|_| Secret::new(text.clone()))
                .ok_or(ConfigError::Invalid {
                    key: "REDIS_URL",
                    value: redact(&text),
                    expected: "a redis:// or rediss:// URL such as redis://127.0.0.1:6379".into(),
                })
        })
        .transpose()?;
    let trusted_proxies = get("TARJOTIN_TRUSTED_PROXIES")
        .map(|text| {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    IpNet::parse(s).ok_or_else(|| ConfigError::Invalid {
                        key: "TARJOTIN_TRUSTED_PROXIES",
                        value: s.to_string(),
                        expected: "comma-separated addresses or blocks such as 10.0.0.0/8, 192.0.2.1, fd00::/8".into(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let cors_origins = match get("TARJOTIN_CORS_ORIGINS") {
        None => CorsOrigins::Any,
        Some(text) if text == "*" => CorsOrigins::Any,
        Some(text) => CorsOrigins::List(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    origin(s).ok_or_else(|| ConfigError::Invalid {
                        key: "TARJOTIN_CORS_ORIGINS",
                        value: s.to_string(),
                        expected: "* or comma-separated origins such as https://kurssit.example.fi (scheme, host and optional port, no path)".into(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let lag = number(
        get,
        "TARJOTIN_READY_MAX_OUTBOX_LAG_SECS",
        900u64,
        0,
        31_536_000,
    )?;
    Ok(HttpSettings {
        limits,
        rate_limit: enabled.then_some(rate),
        redis_url,
        trusted_proxies,
        cors_origins,
        apq_cache_size: number(
            get,
            "TARJOTIN_APQ_CACHE_SIZE",
            d.apq_cache_size,
            0,
            1_000_000,
        )?,
        max_body_bytes: number(
            get,
            "TARJOTIN_MAX_BODY_BYTES",
            d.max_body_bytes,
            1024,
            64 * 1024 * 1024,
        )?,
        request_timeout: Duration::from_secs(number(
            get,
            "TARJOTIN_REQUEST_TIMEOUT_SECS",
            30,
            1,
            3600,
        )?),
        shutdown_timeout: Duration::from_secs(number(
            get,
            "TARJOTIN_SHUTDOWN_TIMEOUT_SECS",
            30,
            1,
            3600,
        )?),
        ready_max_outbox_lag: (lag > 0).then(|| Duration::from_secs(lag)),
        denied_retention: Duration::from_secs(
            86_400 * number(get, "TARJOTIN_DENIED_RETENTION_DAYS", 90u64, 1, 3650)?,
        ),
    })
}

/// `scheme://host[:port]`, lower-cased, when `text` is an origin.
fn origin(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    let ok = matches!(url.scheme(), "http" | "https") && url.host_str().is_some() && bare;
    ok.then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_blocks_contain_their_addresses() {
        let net = IpNet::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one = IpNet::parse("2001:db8::1").unwrap();
        assert!(one.contains("2001:db8::1".parse().unwrap()));
        assert!(!one.contains("2001:db8::2".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("192.0.2.1".parse().unwrap()));
        assert!(IpNet::parse("10.0.0.0/33").is_none());
        assert!(IpNet::parse("example.fi").is_none());
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            origin("https://Kurssit.Example.fi").as_deref(),
            Some("https://kurssit.example.fi")
        );
        assert_eq!(
            origin("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert!(origin("https://example.fi/path").is_none());
        assert!(origin("ftp://example.fi").is_none());
        assert!(origin("example.fi").is_none());
    }
}
