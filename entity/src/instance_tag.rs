//! Filterable list values of a instance: one row per (kind, value).

use sea_orm::entity::prelude::*;

/// A row of `instance_tag`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_tag")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub instance_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
