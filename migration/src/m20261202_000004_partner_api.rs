//! The partner write API: API keys (stored hashed), scheduled publication of
//! courses, and the change log that serves both the change feed and the
//! audit log, written in the same transaction as every write.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("api_key")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len_uniq("name", 100))
                    .col(string_len("role", 16))
                    .col(integer_null("organisation_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(string_len("token_prefix", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_key_organisation")
                            .from("api_key", "organisation_id")
                            .to("organisation", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("course")
                    .add_column(timestamp_with_time_zone_null("publish_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("course")
                    .add_column(timestamp_with_time_zone_null("archive_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("change_log")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("entity", 32))
                    .col(integer("entity_id"))
                    .col(string_len("external_id", 700))
                    .col(integer_null("organisation_id"))
                    .col(string_len("operation", 16))
                    .col(integer("version"))
                    .col(text("changed_fields"))
                    .col(boolean("public_after"))
                    .col(boolean("public_before"))
                    .col(integer_null("key_id"))
                    .col(string_len("actor", 200))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("ix_change_log_at", &["at", "id"][..]),
            ("ix_change_log_organisation", &["organisation_id", "id"][..]),
            ("ix_change_log_key", &["key_id", "id"][..]),
        ] {
            let mut index = Index::create()
                .name(name)
                .table("change_log")
                .if_not_exists()
                .to_owned();
            for c in columns {
                index.col(Alias::new(*c));
            }
            manager.create_index(index).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_course_schedule")
                    .table("course")
                    .col("state")
                    .col("publish_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["change_log", "api_key"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for column in ["publish_at", "archive_at"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("course")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
