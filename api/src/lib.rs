//! Tarjotin: a regional adult-education catalogue behind a public GraphQL API.

pub mod app;
pub mod cli;
pub mod codes;
pub mod config;
pub mod crash;
pub mod domain;
pub mod finnish;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod importer;
pub mod ingest;
pub mod keys_cli;
pub mod metrics;
pub mod ratelimit;
pub mod redact;
pub mod search;
pub mod store;
pub mod telemetry;
