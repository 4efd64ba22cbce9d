//! Database migrations of the Tarjotin catalogue, one file per change. The
//! same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_catalogue;
mod m20261123_000002_search_outbox;
mod m20261201_000003_search_rebuilds;
mod m20261202_000004_partner_api;
mod m20261202_000005_key_rate_limit;
mod m20261202_000006_course_type_index;
mod m20261203_000007_outbox_applied_by;
mod m20261203_000008_search_dead_letters;
mod m20261204_000009_denied_writes;

/// Every migration, in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_catalogue::Migration),
            Box::new(m20261123_000002_search_outbox::Migration),
            Box::new(m20261201_000003_search_rebuilds::Migration),
            Box::new(m20261202_000004_partner_api::Migration),
            Box::new(m20261202_000005_key_rate_limit::Migration),
            Box::new(m20261202_000006_course_type_index::Migration),
            Box::new(m20261203_000007_outbox_applied_by::Migration),
            Box::new(m20261203_000008_search_dead_letters::Migration),
            Box::new(m20261204_000009_denied_writes::Migration),
        ]
    }
}
