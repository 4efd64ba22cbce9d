//! Integration tests: the catalogue end to end, on SQLite and (with
//! TEST_DATABASE_URL) on PostgreSQL.

mod conformance;
mod filters;
mod harness;
mod http;
mod import;
mod meili;
mod oracle;
mod outage;
mod pagination;
mod partner;
mod read_api;
mod reindex;
mod schema_drift;
mod search;
mod statements;
