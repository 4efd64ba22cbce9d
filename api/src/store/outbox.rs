//! The search outbox: written in the same transaction as the change, applied
//! by the indexing worker and marked applied when the engine confirms. Applied
//! rows are kept for a day, so that a rebuild that raced with the worker can
//! replay what reached only the index it replaced; then they are purged.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::{CourseRow, InstanceRow, OrganisationRow, Store, StoreError};
use entity::{course, organisation, search_dead_letter, search_outbox, search_rebuild};

/// How long applied changes are kept for replays.
const RETENTION: chrono::Duration = chrono::Duration::hours(24);
/// Ids per statement when many rows are marked at once (well under the
/// bound parameters SQLite and PostgreSQL take).
const ID_CHUNK: usize = 10_000;

/// A pending change, as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    pub id: i32,
    pub course_id: i32,
    /// Refusals so far.
    pub attempts: i32,
}

/// Refusals after which a change moves to the dead letters.
pub const MAX_ATTEMPTS: i32 = 5;

/// How long a refused change waits before it is tried again: doubling from
/// five seconds, at most ten minutes.
fn backoff(attempts: i32) -> chrono::Duration {
    let seconds = std::cmp::min(5i64.saturating_mul(1i64 << attempts.clamp(0, 20)), 600);
    chrono::Duration::seconds(seconds)
}

/// A change the engine refused too many times.
pub type DeadLetter = search_dead_letter::Model;

/// Where a rebuild request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildRequest {
    pub started: bool,
    pub finished: bool,
    pub documents: Option<usize>,
    pub error: Option<String>,
}

/// A published course with what its search document needs.
pub type CourseBundle = (CourseRow, Vec<InstanceRow>, OrganisationRow);

/// Records that a course's searchable content changed (inside the caller's transaction).
pub(crate) async fn enqueue<C: ConnectionTrait>(
    db: &C,
    course_id: i32,
) -> Result<(), sea_orm::DbErr> {
    search_outbox::Entity::insert(search_outbox::ActiveModel {
        course_id: Set(course_id),
        created_at: Set(Utc::now()),
        attempts: Set(0),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records that these courses' searchable content changed, in this order
/// (inside the caller's transaction).
pub(crate) async fn enqueue_many(
    tx: &sea_orm::DatabaseTransaction,
    course_ids: &[i32],
) -> Result<(), sea_orm::DbErr> {
    let now = Utc::now();
    let rows = course_ids
        .iter()
        .map(|&course_id| search_outbox::ActiveModel {
            course_id: Set(course_id),
            created_at: Set(now),
            attempts: Set(0),
            ..Default::default()
        });
    super::write::insert_all(tx, rows.collect()).await
}

impl Store {
    /// The oldest pending changes that are due, at most `limit` (a refused
    /// change waits out its backoff).
    pub async fn pending_changes(&self, limit: u64) -> Result<Vec<PendingChange>, StoreError> {
        let rows = search_outbox::Entity::find()
            .filter(search_outbox::Column::AppliedAt.is_null())
            .filter(
                sea_orm::Condition::any()
                    .add(search_outbox::Column::NextAttemptAt.is_null())
                    .add(search_outbox::Column::NextAttemptAt.lte(Utc::now())),
            )
            .order_by_asc(search_outbox::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PendingChange {
                id: r.id,
                course_id: r.course_id,
                attempts: r.attempts,
            })
            .collect())
    }

    /// Notes that the engine (or the document builder) refused these
    /// changes: each waits out its backoff; those refused `MAX_ATTEMPTS`
    /// times move to the dead letters. Returns how many moved.
    pub async fn note_refusal(
        &self,
        changes: &[PendingChange],
        error: &str,
    ) -> Result<usize, StoreError> {
        let error: String = error.chars().take(2000).collect();
        let now = Utc::now();
        let tx = self.db().begin().await?;
        let mut dead = 0;
        for change in changes {
            let attempts = change.attempts.saturating_add(1);
            if attempts >= MAX_ATTEMPTS {
                let first = search_outbox::Entity::find_by_id(change.id)
                    .one(&tx)
                    .await?
                    .map_or(now, |r| r.created_at);
                search_dead_letter::ActiveModel {
                    course_id: Set(change.course_id),
                    change_id: Set(change.id),
                    attempts: Set(attempts),
                    error: Set(error.clone()),
                    first_failed_at: Set(first),
                    dead_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
                search_outbox::Entity::delete_by_id(change.id)
                    .exec(&tx)
                    .await?;
                dead += 1;
            } else {
                search_outbox::Entity::update_many()
                    .col_expr(search_outbox::Column::Attempts, Expr::value(attempts))
                    .col_expr(search_outbox::Column::LastError, Expr::value(error.clone()))
                    .col_expr(
                        search_outbox::Column::NextAttemptAt,
                        Expr::value(now + backoff(attempts)),
                    )
                    .filter(search_outbox::Column::Id.eq(change.id))
                    .exec(&tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(dead)
    }

    /// Makes every refused change that waits out its backoff due now;
    /// returns how many there were.
    pub async fn retry_refused_now(&self) -> Result<u64, StoreError> {
        Ok(search_outbox::Entity::update_many()
            .col_expr(
                search_outbox::Column::NextAttemptAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(search_outbox::Column::AppliedAt.is_null())
            .filter(search_outbox::Column::NextAttemptAt.is_not_null())
            .exec(self.db())
            .await?
            .rows_affected)
    }

    /// The dead letters, newest first, at most `limit`.
    pub async fn dead_letters(&self, limit: u64) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(search_dead_letter::Entity::find()
            .order_by_desc(search_dead_letter::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// How many changes are dead letters.
    pub async fn dead_letter_count(&self) -> Result<u64, StoreError> {
        Ok(search_dead_letter::Entity::find().count(self.db()).await?)
    }

    /// Sends dead letters back to the outbox as fresh changes (all of them
    /// when `ids` is None); returns how many went back.
    pub async fn retry_dead_letters(&self, ids: Option<&[i32]>) -> Result<u64, StoreError> {
        let tx = self.db().begin().await?;
        let mut find = search_dead_letter::Entity::find();
        if let Some(ids) = ids {
            find = find.filter(search_dead_letter::Column::Id.is_in(ids.to_vec()));
        }
        let letters = find.all(&tx).await?;
        let mut courses: Vec<i32> = letters.iter().map(|l| l.course_id).collect();
        courses.sort_unstable();
        courses.dedup();
        for course_id in &courses {
            enqueue(&tx, *course_id).await?;
        }
        let gone: Vec<i32> = letters.iter().map(|l| l.id).collect();
        search_dead_letter::Entity::delete_many()
            .filter(search_dead_letter::Column::Id.is_in(gone))
            .exec(&tx)
            .await?;
        tx.commit().await?;
        Ok(letters.len() as u64)
    }

    /// The ids of every change pending now, oldest first (a rebuild
    /// confirms exactly these: a change that commits later is not in its
    /// snapshot, whatever its id).
    pub async fn pending_change_ids(&self) -> Result<Vec<i32>, StoreError> {
        Ok(search_outbox::Entity::find()
            .select_only()
            .column(search_outbox::Column::Id)
            .filter(search_outbox::Column::AppliedAt.is_null())
            .order_by_asc(search_outbox::Column::Id)
            .into_tuple::<i32>()
            .all(self.db())
            .await?)
    }

    /// Marks changes the engine has confirmed as applied by `by`, and
    /// purges those applied longer ago than the retention. A change already
    /// marked keeps its mark; returns how many were marked now.
    pub async fn confirm_changes(&self, ids: &[i32], by: &str) -> Result<u64, StoreError> {
        let now = Utc::now();
        let mut marked = 0;
        for chunk in ids.chunks(ID_CHUNK) {
            marked += search_outbox::Entity::update_many()
                .col_expr(search_outbox::Column::AppliedAt, Expr::value(now))
                .col_expr(search_outbox::Column::AppliedBy, Expr::value(by))
                .filter(search_outbox::Column::Id.is_in(chunk.to_vec()))
                .filter(search_outbox::Column::AppliedAt.is_null())
                .exec(self.db())
                .await?
                .rows_affected;
        }
        search_outbox::Entity::delete_many()
            .filter(search_outbox::Column::AppliedAt.lt(now - RETENTION))
            .exec(self.db())
            .await?;
        Ok(marked)
    }

    /// Makes every change after `id` pending again, applied or not: a rebuild
    /// whose snapshot was read after `id` may have missed them, and a worker
    /// may have applied them to the index the rebuild replaced.
    pub async fn replay_changes_after(&self, id: Option<i32>) -> Result<u64, StoreError> {
        let mut update = search_outbox::Entity::update_many()
            .col_expr(
                search_outbox::Column::AppliedAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(
                search_outbox::Column::AppliedBy,
                Expr::value(Option::<String>::None),
            )
            .filter(search_outbox::Column::AppliedAt.is_not_null());
        if let Some(id) = id {
            update = update.filter(search_outbox::Column::Id.gt(id));
        }
        Ok(update.exec(self.db()).await?.rows_affected)
    }

    /// Notes that the engine could not be reached for some changes (not
    /// their fault: they are not counted towards the dead letters).
    pub async fn note_failure(&self, ids: &[i32], error: &str) -> Result<(), StoreError> {
        for chunk in ids.chunks(ID_CHUNK) {
            search_outbox::Entity::update_many()
                .col_expr(
                    search_outbox::Column::LastError,
                    Expr::value(error.chars().take(2000).collect::<String>()),
                )
                .filter(search_outbox::Column::Id.is_in(chunk.to_vec()))
                .exec(self.db())
                .await?;
        }
        Ok(())
    }

    /// How many changes wait, how long the oldest one has waited, and the last error.
    pub async fn outbox_status(
        &self,
    ) -> Result<(u64, Option<chrono::TimeDelta>, Option<String>), StoreError> {
        let pending =
            || search_outbox::Entity::find().filter(search_outbox::Column::AppliedAt.is_null());
        let count = pending().count(self.db()).await?;
        let oldest = pending()
            .order_by_asc(search_outbox::Column::Id)
            .one(self.db())
            .await?;
        let age = oldest.as_ref().map(|o| Utc::now() - o.created_at);
        let error = pending()
            .filter(search_outbox::Column::LastError.is_not_null())
            .order_by_desc(search_outbox::Column::Id)
            .one(self.db())
            .await?
            .and_then(|r| r.last_error);
        Ok((count, age, error))
    }

    /// Every change kept, by id, with the process that applied it (None
    /// while pending).
    pub async fn outbox_applied_by(&self) -> Result<Vec<(i32, Option<String>)>, StoreError> {
        Ok(search_outbox::Entity::find()
            .select_only()
            .column(search_outbox::Column::Id)
            .column(search_outbox::Column::AppliedBy)
            .order_by_asc(search_outbox::Column::Id)
            .into_tuple::<(i32, Option<String>)>()
            .all(self.db())
            .await?)
    }

    /// The newest outbox id, if any.
    pub async fn last_change_id(&self) -> Result<Option<i32>, StoreError> {
        Ok(search_outbox::Entity::find()
            .order_by_desc(search_outbox::Column::Id)
            .one(self.db())
            .await?
            .map(|r| r.id))
    }

    /// Asks the server that holds the index to rebuild it; returns the request's id.
    pub async fn request_rebuild(&self) -> Result<i32, StoreError> {
        let row = search_rebuild::ActiveModel {
            requested_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.db())
        .await?;
        Ok(row.id)
    }

    /// The newest rebuild request nobody has finished, if any.
    pub async fn open_rebuild_request(&self) -> Result<Option<i32>, StoreError> {
        Ok(search_rebuild::Entity::find()
            .filter(search_rebuild::Column::FinishedAt.is_null())
            .order_by_desc(search_rebuild::Column::Id)
            .one(self.db())
            .await?
            .map(|r| r.id))
    }

    /// Notes that a rebuild serving the requests up to `id` has started.
    pub async fn start_rebuild_requests(&self, id: i32) -> Result<(), StoreError> {
        search_rebuild::Entity::update_many()
            .col_expr(search_rebuild::Column::StartedAt, Expr::value(Utc::now()))
            .filter(search_rebuild::Column::Id.lte(id))
            .filter(search_rebuild::Column::FinishedAt.is_null())
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Finishes every open rebuild request up to `id` with the outcome.
    pub async fn finish_rebuild_requests(
        &self,
        id: i32,
        outcome: Result<usize, String>,
    ) -> Result<(), StoreError> {
        let (documents, error) = match outcome {
            Ok(n) => (Some(i32::try_from(n).unwrap_or(i32::MAX)), None),
            Err(e) => (None, Some(e)),
        };
        search_rebuild::Entity::update_many()
            .col_expr(search_rebuild::Column::FinishedAt, Expr::value(Utc::now()))
            .col_expr(search_rebuild::Column::Documents, Expr::value(documents))
            .col_expr(search_rebuild::Column::Error, Expr::value(error))
            .filter(search_rebuild::Column::Id.lte(id))
            .filter(search_rebuild::Column::FinishedAt.is_null())
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// A rebuild request's state: (started, finished, documents, error).
    pub async fn rebuild_request(&self, id: i32) -> Result<Option<RebuildRequest>, StoreError> {
        Ok(search_rebuild::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .map(|r| RebuildRequest {
                started: r.started_at.is_some(),
                finished: r.finished_at.is_some(),
                documents: r.documents.map(|n| usize::try_from(n).unwrap_or(0)),
                error: r.error,
            }))
    }

    /// Withdraws a rebuild request nobody has started.
    pub async fn withdraw_rebuild_request(&self, id: i32) -> Result<(), StoreError> {
        search_rebuild::Entity::delete_many()
            .filter(search_rebuild::Column::Id.eq(id))
            .filter(search_rebuild::Column::StartedAt.is_null())
            .exec(self.db())
            .await?;
        Ok(())
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
            out.extend(self.bundle(chunk).await?);
        }
        Ok(out)
    }

    /// At most `limit` published courses with ids above `after`, in id order,
    /// with their instances and providers: a page of a walk over the whole
    /// catalogue in bounded memory.
    pub async fn course_bundles_after(
        &self,
        after: i32,
        limit: u64,
    ) -> Result<Vec<CourseBundle>, StoreError> {
        let courses = course::Entity::find()
            .filter(course::Column::State.eq("published"))
            .filter(course::Column::Id.gt(after))
            .order_by_asc(course::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?;
        self.bundle(&courses).await
    }

    /// How many published courses there are.
    pub async fn published_course_count(&self) -> Result<u64, StoreError> {
        Ok(course::Entity::find()
            .filter(course::Column::State.eq("published"))
            .count(self.db())
            .await?)
    }

    async fn bundle(&self, courses: &[CourseRow]) -> Result<Vec<CourseBundle>, StoreError> {
        if courses.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i32> = courses.iter().map(|c| c.id).collect();
        let mut instances = self.instances_of_courses(&ids).await?;
        let mut provider_ids: Vec<i32> = courses.iter().map(|c| c.provider_id).collect();
        provider_ids.sort_unstable();
        provider_ids.dedup();
        let providers = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(provider_ids))
            .all(self.db())
            .await?;
        courses
            .iter()
            .map(|c| {
                let provider = providers
                    .iter()
                    .find(|p| p.id == c.provider_id)
                    .cloned()
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("course {} has no provider", c.id))
                    })?;
                Ok((
                    c.clone(),
                    instances.remove(&c.id).unwrap_or_default(),
                    provider,
                ))
            })
            .collect()
    }
}
