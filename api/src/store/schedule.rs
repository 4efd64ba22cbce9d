//! Courses whose scheduled publication or archiving is due.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Store, StoreError};
use crate::domain::PublicationState;
use entity::course;

impl Store {
    /// Drafts whose `publish_at` and published courses whose `archive_at` is at or before `now`.
    pub async fn due_schedules(&self, now: DateTime<Utc>) -> Result<Vec<i32>, StoreError> {
        let due = Condition::any()
            .add(
                Condition::all()
                    .add(course::Column::State.eq(PublicationState::Draft.code()))
                    .add(course::Column::PublishAt.lte(now)),
            )
            .add(
                Condition::all()
                    .add(course::Column::State.eq(PublicationState::Published.code()))
                    .add(course::Column::ArchiveAt.lte(now)),
            );
        Ok(course::Entity::find()
            .select_only()
            .column(course::Column::Id)
            .filter(due)
            .order_by_asc(course::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?)
    }
}
