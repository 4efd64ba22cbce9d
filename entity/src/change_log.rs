//! One write to one entity: the change feed and the audit log read it.

use sea_orm::entity::prelude::*;

/// A row of `change_log`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// `course`, `course_instance`, `location`, `organisation`, `guidance_service` or `api_key`.
    pub entity: String,
    pub entity_id: i32,
    pub external_id: String,
    /// The organisation that owns the entity.
    pub organisation_id: Option<i32>,
    /// `created`, `updated` or `deleted`.
    pub operation: String,
    pub version: i32,
    /// JSON array of the fields that changed.
    pub changed_fields: String,
    /// Anyone could see the entity after this write.
    pub public_after: bool,
    /// Anyone could see the entity before this write.
    pub public_before: bool,
    /// The API key that wrote, if any.
    pub key_id: Option<i32>,
    /// Who wrote, for people: `key 3 (ekami-sync)`, `cli import`, `scheduler`.
    pub actor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
