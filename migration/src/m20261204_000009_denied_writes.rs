//! Writes the API refused for access: a key that names another
//! organisation's record, a record that does not exist, an operation that
//! needs an administrator. Administrators read them to see probing; rows
//! older than the retention are pruned.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("denied_write")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(text("actor"))
                    .col(integer_null("key_id"))
                    .col(text("action"))
                    .col(text_null("target"))
                    .col(text("code"))
                    .col(text("message"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("denied_write_at")
                    .table("denied_write")
                    .col("at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("denied_write_key")
                    .table("denied_write")
                    .col("key_id")
                    .col("id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("denied_write").if_exists().to_owned())
            .await
    }
}
