//! An adult-education guidance and counselling service.

use sea_orm::entity::prelude::*;

/// A row of `guidance_service`. Channels, hours, area and audiences are JSON.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guidance_service")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub external_id: String,
    pub identifier: Option<String>,
    pub provider_id: i32,
    pub service_type: Option<String>,
    pub name_fi: Option<String>,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub channels: String,
    pub opening_hours: String,
    pub area_served: String,
    pub audiences: String,
    pub state: String,
    pub name_sort: String,
    pub content_hash: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
