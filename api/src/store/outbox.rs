//! The search outbox: written in the same transaction as the change, read and
//! cleared by the indexing worker.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{CourseRow, InstanceRow, OrganisationRow, Store, StoreError};
use entity::{course, organisation, search_outbox};

/// A pending change, as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    pub id: i32,
    pub course_id: i32,
}

/// A published course with what its search document needs.
pub type CourseBundle = (CourseRow, Vec<InstanceRow>, OrganisationRow);

/// Records that a course's searchable content changed (inside the caller's transaction).
pub(crate) async fn enqueue<C: ConnectionTrait>(
    db: &C,
    course_id: i32,
) -> Result<(), sea_orm::DbErr> {
    search_outbox::ActiveModel {
        course_id: Set(course_id),
        created_at: Set(Utc::now()),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Store {
    /// The oldest pending changes, at most `limit`.
    pub async fn pending_changes(&self, limit: u64) -> Result<Vec<PendingChange>, StoreError> {
        let rows = search_outbox::Entity::find()
            .order_by_asc(search_outbox::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PendingChange {
                id: r.id,
                course_id: r.course_id,
            })
            .collect())
    }

    /// Forgets changes the engine has confirmed.
    pub async fn confirm_changes(&self, ids: &[i32]) -> Result<(), StoreError> {
        search_outbox::Entity::delete_many()
            .filter(search_outbox::Column::Id.is_in(ids.to_vec()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Forgets every change up to `id` (after a full rebuild that saw them).
    pub async fn confirm_changes_up_to(&self, id: i32) -> Result<(), StoreError> {
        search_outbox::Entity::delete_many()
            .filter(search_outbox::Column::Id.lte(id))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Notes a failed attempt on some changes.
    pub async fn note_failure(&self, ids: &[i32], error: &str) -> Result<(), StoreError> {
        search_outbox::Entity::update_many()
            .col_expr(
                search_outbox::Column::Attempts,
                Expr::col(search_outbox::Column::Attempts).add(1),
            )
            .col_expr(
                search_outbox::Column::LastError,
                Expr::value(error.chars().take(2000).collect::<String>()),
            )
            .filter(search_outbox::Column::Id.is_in(ids.to_vec()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// How many changes wait, the oldest one's age in seconds, and the last error.
    pub async fn outbox_status(&self) -> Result<(u64, Option<i64>, Option<String>), StoreError> {
        let pending = search_outbox::Entity::find().count(self.db()).await?;
        let oldest = search_outbox::Entity::find()
            .order_by_asc(search_outbox::Column::Id)
            .one(self.db())
            .await?;
        let age = oldest
            .as_ref()
            .map(|o| (Utc::now() - o.created_at).num_seconds());
        let error = search_outbox::Entity::find()
            .filter(search_outbox::Column::LastError.is_not_null())
            .order_by_desc(search_outbox::Column::Id)
            .one(self.db())
            .await?
            .and_then(|r| r.last_error);
        Ok((pending, age, error))
    }

    /// The newest outbox id, if any.
    pub async fn last_change_id(&self) -> Result<Option<i32>, StoreError> {
        Ok(search_outbox::Entity::find()
            .order_by_desc(search_outbox::Column::Id)
            .one(self.db())
            .await?
            .map(|r| r.id))
    }

    /// Published courses with their instances and providers: all of them, or
    /// those of `ids` (missing ones are unpublished or deleted).
    pub async fn course_bundles(
        &self,
        ids: Option<&[i32]>,
    ) -> Result<Vec<CourseBundle>, StoreError> {
        let mut query = course::Entity::find().filter(course::Column::State.eq("published"));
        if let Some(ids) = ids {
            query = query.filter(course::Column::Id.is_in(ids.to_vec()));
        }
        let courses = query
            .order_by_asc(course::Column::Id)
            .all(self.db())
            .await?;
        let mut out = Vec::with_capacity(courses.len());
        for chunk in courses.chunks(500) {
            let ids: Vec<i32> = chunk.iter().map(|c| c.id).collect();
            let mut instances = self.instances_of_courses(&ids).await?;
            let provider_ids: Vec<i32> = chunk.iter().map(|c| c.provider_id).collect();
            let providers = organisation::Entity::find()
                .filter(organisation::Column::Id.is_in(provider_ids))
                .all(self.db())
                .await?;
            for c in chunk {
                let provider = providers
                    .iter()
                    .find(|p| p.id == c.provider_id)
                    .cloned()
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("course {} has no provider", c.id))
                    })?;
                out.push((
                    c.clone(),
                    instances.remove(&c.id).unwrap_or_default(),
                    provider,
                ));
            }
        }
        Ok(out)
    }
}
