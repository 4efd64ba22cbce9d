//! How many rows every table holds, and the sum of course versions: two
//! censuses that differ mean something was written in between.

use sea_orm::{EntityTrait, PaginatorTrait, QuerySelect};

use super::{Store, StoreError};
use entity::{
    course, course_instance, course_tag, enrolment_period, guidance_service, instance_tag,
    location, organisation, search_outbox, service_tag,
};

/// Row counts by table, and the sum of every course's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    pub rows: Vec<(&'static str, u64)>,
    pub course_versions: i64,
}

impl Store {
    /// Counts every table.
    pub async fn census(&self) -> Result<Census, StoreError> {
        let db = self.db();
        let rows = vec![
            (
                "organisation",
                organisation::Entity::find().count(db).await?,
            ),
            ("location", location::Entity::find().count(db).await?),
            ("course", course::Entity::find().count(db).await?),
            ("course_tag", course_tag::Entity::find().count(db).await?),
            (
                "course_instance",
                course_instance::Entity::find().count(db).await?,
            ),
            (
                "instance_tag",
                instance_tag::Entity::find().count(db).await?,
            ),
            (
                "enrolment_period",
                enrolment_period::Entity::find().count(db).await?,
            ),
            (
                "guidance_service",
                guidance_service::Entity::find().count(db).await?,
            ),
            ("service_tag", service_tag::Entity::find().count(db).await?),
            (
                "search_outbox",
                search_outbox::Entity::find().count(db).await?,
            ),
        ];
        let versions: Vec<i32> = course::Entity::find()
            .select_only()
            .column(course::Column::Version)
            .into_tuple()
            .all(db)
            .await?;
        Ok(Census {
            rows,
            course_versions: versions.into_iter().map(i64::from).sum(),
        })
    }
}
