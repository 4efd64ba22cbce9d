//! What is taught, independent of when and where.

use sea_orm::entity::prelude::*;

/// A row of `course`. List-valued fields are JSON arrays in text columns.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "course")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub external_id: String,
    pub identifier: Option<String>,
    pub provider_id: i32,
    pub funder_id: Option<i32>,
    pub name_fi: Option<String>,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub credential_fi: Option<String>,
    pub credential_sv: Option<String>,
    pub credential_en: Option<String>,
    pub url: Option<String>,
    pub education_type: Option<String>,
    pub credits_value: Option<f64>,
    pub credits_unit: Option<String>,
    pub duration: Option<String>,
    pub fields: String,
    pub keywords: String,
    pub audiences: String,
    pub languages: String,
    pub state: String,
    /// The name lowercased in fallback order, for sorting by name.
    pub name_sort: String,
    /// When a draft is to be published by the scheduler.
    pub publish_at: Option<DateTimeUtc>,
    /// When a published course is to be archived by the scheduler.
    pub archive_at: Option<DateTimeUtc>,
    pub content_hash: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
