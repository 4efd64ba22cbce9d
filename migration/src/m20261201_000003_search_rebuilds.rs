//! Rebuilds that race with the worker, and rebuilds asked of a running
//! server. Applied outbox rows are kept for a while (`applied_at`) so that a
//! rebuild can replay what reached only the index it replaced; a
//! `search_rebuild` row asks the server that holds the index to rebuild it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("search_outbox")
                    .add_column(timestamp_with_time_zone_null("applied_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_search_outbox_applied")
                    .table("search_outbox")
                    .col("applied_at")
                    .col("id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("search_rebuild")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone_null("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(integer_null("documents"))
                    .col(text_null("error"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("search_rebuild").if_exists().to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_search_outbox_applied")
                    .table("search_outbox")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("search_outbox")
                    .drop_column("applied_at")
                    .to_owned(),
            )
            .await
    }
}
