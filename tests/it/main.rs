//! Integration tests: the catalogue end to end, on SQLite and (with
//! TEST_DATABASE_URL) on PostgreSQL.

mod caller_limits;
mod conformance;
mod crash;
mod filters;
mod harness;
mod hostile;
mod http;
mod http_caching;
mod http_limits;
mod http_protocol;
mod import;
mod meili;
mod meili_lifecycle;
mod ops;
mod oracle;
mod outage;
mod pagination;
mod partner;
mod process;
mod read_api;
mod redis_limits;
mod reindex;
mod replicas;
mod schema_drift;
mod search;
mod server;
mod shutdown;
mod start;
mod statements;
