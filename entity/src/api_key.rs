//! A credential of a partner or an administrator; only its hash is stored.

use sea_orm::entity::prelude::*;

/// A row of `api_key`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    /// `partner` or `admin`.
    pub role: String,
    pub organisation_id: Option<i32>,
    /// SHA-256 of the key, hex.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The first characters of the key, to recognise it in lists.
    pub token_prefix: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// Cost points of this key's rate-limit bucket; empty: the default.
    pub rate_limit: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
