//! Prometheus metrics of the service. Operation names are chosen by clients,
//! so only the first few hundred distinct well-formed names get a series of
//! their own; the rest share `other`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::search::service::IndexStatus;
use crate::store::PoolStats;

/// Distinct operation names that get series of their own.
const MAX_OPERATIONS: usize = 200;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SubjectLabels {
    subject: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn cost_histogram() -> Histogram {
    Histogram::new(exponential_buckets(1.0, 2.0, 15))
}

/// Every metric, and the registry that encodes them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<OperationLabels, Histogram, fn() -> Histogram>,
    cost: Family<KindLabels, Histogram, fn() -> Histogram>,
    refused: Family<CodeLabels, Counter>,
    rate_limited: Family<SubjectLabels, Counter>,
    outbox_pending: Gauge,
    outbox_oldest: Gauge,
    pool: Family<StateLabels, Gauge>,
    operations: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// All metrics at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("tarjotin");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        let cost = Family::new_with_constructor(cost_histogram as fn() -> Histogram);
        let refused = Family::<CodeLabels, Counter>::default();
        let rate_limited = Family::<SubjectLabels, Counter>::default();
        let outbox_pending = Gauge::default();
        let outbox_oldest = Gauge::default();
        let pool = Family::<StateLabels, Gauge>::default();
        registry.register(
            "graphql_requests",
            "GraphQL requests by operation name and HTTP status",
            requests.clone(),
        );
        registry.register(
            "graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name",
            latency.clone(),
        );
        registry.register(
            "graphql_query_cost",
            "Static (requested) and actual cost of GraphQL requests",
            cost.clone(),
        );
        registry.register(
            "graphql_refused",
            "Requests refused before execution, by error code",
            refused.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused because the caller's bucket was empty, by subject kind",
            rate_limited.clone(),
        );
        registry.register(
            "outbox_pending_changes",
            "Changes written to the database and not yet applied to the search index",
            outbox_pending.clone(),
        );
        registry.register(
            "outbox_lag_seconds",
            "Age of the oldest change not yet applied to the search index",
            outbox_oldest.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database pool connections: open, idle and max",
            pool.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            cost,
            refused,
            rate_limited,
            outbox_pending,
            outbox_oldest,
            pool,
            operations: Mutex::new(HashSet::new()),
        }
    }

    /// The label for a client-chosen operation name.
    /// An empty name stands for one that is not to be named (`other`).
    pub fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".into();
        };
        if name.is_empty() {
            return "other".into();
        }
        let well_formed = name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return "invalid".into();
        }
        let mut seen = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        if seen.contains(name) {
            return name.into();
        }
        if seen.len() < MAX_OPERATIONS {
            seen.insert(name.to_string());
            return name.into();
        }
        "other".into()
    }

    /// One answered GraphQL request.
    pub fn request(&self, operation: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                operation: operation.into(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&OperationLabels {
                operation: operation.into(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// The costs of one executed request.
    pub fn cost(&self, requested: u64, actual: u64) {
        for (kind, value) in [("requested", requested), ("actual", actual)] {
            self.cost
                .get_or_create(&KindLabels { kind: kind.into() })
                .observe(value as f64);
        }
    }

    /// A request refused before execution with `code`.
    pub fn refused(&self, code: &str) {
        self.refused
            .get_or_create(&CodeLabels { code: code.into() })
            .inc();
    }

    /// A request refused for an empty bucket.
    pub fn rate_limited(&self, subject: &'static str) {
        self.rate_limited
            .get_or_create(&SubjectLabels {
                subject: subject.into(),
            })
            .inc();
    }

    /// The metrics in Prometheus text format, with the index and pool state
    /// read at scrape time.
    pub fn render(&self, index: Option<&IndexStatus>, pool: PoolStats) -> String {
        if let Some(status) = index {
            self.outbox_pending.set(status.pending as i64);
            self.outbox_oldest
                .set(status.oldest_pending_seconds().unwrap_or(0));
        }
        for (state, value) in [("open", pool.open), ("idle", pool.idle), ("max", pool.max)] {
            self.pool
                .get_or_create(&StateLabels {
                    state: state.into(),
                })
                .set(i64::from(value));
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            tracing::error!("metrics could not be encoded");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_have_a_bounded_number_of_series() {
        let metrics = Metrics::new();
        assert_eq!(metrics.operation_label(None), "anonymous");
        assert_eq!(metrics.operation_label(Some("x y")), "invalid");
        for i in 0..MAX_OPERATIONS {
            assert_eq!(
                metrics.operation_label(Some(&format!("Op{i}"))),
                format!("Op{i}")
            );
        }
        assert_eq!(metrics.operation_label(Some("OneTooMany")), "other");
        assert_eq!(metrics.operation_label(Some("Op0")), "Op0");
    }

    #[test]
    fn the_text_format_has_every_family() {
        let metrics = Metrics::new();
        metrics.request("Courses", 200, Duration::from_millis(12));
        metrics.cost(21, 11);
        metrics.rate_limited("ip");
        let text = metrics.render(
            None,
            PoolStats {
                open: 2,
                idle: 1,
                max: 8,
            },
        );
        for name in [
            "tarjotin_graphql_requests_total{operation=\"Courses\",status=\"200\"} 1",
            "tarjotin_graphql_request_duration_seconds_bucket",
            "tarjotin_graphql_query_cost_sum{kind=\"requested\"} 21",
            "tarjotin_rate_limited_total{subject=\"ip\"} 1",
            "tarjotin_outbox_lag_seconds",
            "tarjotin_db_pool_connections{state=\"max\"} 8",
        ] {
            assert!(text.contains(name), "{name} missing from\n{text}");
        }
    }
}
