//! A write the API refused for access (scope, existence or role).

use sea_orm::entity::prelude::*;

/// A row of `denied_write`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "denied_write")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// Who tried: `key 3`.
    pub actor: String,
    pub key_id: Option<i32>,
    /// The operation: `publishCourse`, `upsertCourses`, `auditLog`.
    pub action: String,
    /// The id or external id the caller named, when it named one.
    pub target: Option<String>,
    /// The code the caller was given: `NOT_FOUND` or `FORBIDDEN`.
    pub code: String,
    /// The message the caller was given.
    pub message: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
