//! A change the search engine refused too many times; administrators read
//! it and send it back to the outbox.

use sea_orm::entity::prelude::*;

/// A row of `search_dead_letter`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_dead_letter")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub course_id: i32,
    /// The outbox row it was.
    pub change_id: i32,
    pub attempts: i32,
    /// The engine's (or the document builder's) last refusal.
    pub error: String,
    pub first_failed_at: DateTimeUtc,
    pub dead_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
