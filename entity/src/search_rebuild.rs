//! A request that the server holding the search index rebuild it.

use sea_orm::entity::prelude::*;

/// A row of `search_rebuild`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_rebuild")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub requested_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// Documents in the rebuilt index.
    pub documents: Option<i32>,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
