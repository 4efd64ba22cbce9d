//! Changes the search engine keeps refusing: each outbox row gets a time
//! before which it is not tried again (backoff), and after too many
//! attempts it moves to `search_dead_letter`, where administrators read it
//! and send it back, so that one bad document never blocks the others.

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
                    .add_column(timestamp_with_time_zone_null("next_attempt_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("search_dead_letter")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("course_id"))
                    .col(integer("change_id"))
                    .col(integer("attempts"))
                    .col(text("error"))
                    .col(timestamp_with_time_zone("first_failed_at"))
                    .col(timestamp_with_time_zone("dead_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table("search_dead_letter")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("search_outbox")
                    .drop_column("next_attempt_at")
                    .to_owned(),
            )
            .await
    }
}
