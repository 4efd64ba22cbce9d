//! A bucket size of its own for an API key: partners that synchronise large
//! catalogues get more cost points than the default, a misbehaving script
//! fewer. Empty means the configured default.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("api_key")
                    .add_column(integer_null("rate_limit"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("api_key")
                    .drop_column("rate_limit")
                    .to_owned(),
            )
            .await
    }
}
