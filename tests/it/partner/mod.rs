//! The partner write API: keys, scopes, mutations, rules, workflow, feeds,
//! the change feed and the audit log.

mod changes;
mod fixture;
mod keys;
mod matrix;
mod mutations;
mod rules;
mod sheets;
mod workflow;
