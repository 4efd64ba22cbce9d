//! A change to searchable content: pending until the search engine confirms
//! it, then kept for a while so that a rebuild can replay it.

use sea_orm::entity::prelude::*;

/// A row of `search_outbox`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub course_id: i32,
    pub created_at: DateTimeUtc,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// When the engine confirmed the change; None while it is pending.
    pub applied_at: Option<DateTimeUtc>,
    /// The process that applied it (`host:pid:tag`).
    pub applied_by: Option<String>,
    /// Not tried again before this, after a refusal.
    pub next_attempt_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
