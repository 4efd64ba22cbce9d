//! Courses by state and type of education, in name order: the regional
//! listing's commonest filter (`courses(filter: {educationTypes: [..]})`)
//! reads its page in order and counts its matches from this index instead
//! of scanning and sorting every published course.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_course_state_type_name";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table("course")
                    .col("state")
                    .col("education_type")
                    .col("name_sort")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table("course").to_owned())
            .await
    }
}
