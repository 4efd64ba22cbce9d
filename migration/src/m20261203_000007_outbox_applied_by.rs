//! Which process applied a change to the search index: with several
//! replicas, one leads and applies; the column shows which one did, and that
//! no change was confirmed twice.

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
                    .add_column(text_null("applied_by"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("search_outbox")
                    .drop_column("applied_by")
                    .to_owned(),
            )
            .await
    }
}
