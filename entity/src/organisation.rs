//! A provider of courses or guidance services.

use sea_orm::entity::prelude::*;

/// A row of `organisation`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub external_id: String,
    pub identifier: Option<String>,
    pub kind: String,
    pub name_fi: Option<String>,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub url: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    pub municipality_code: Option<String>,
    pub content_hash: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
