//! Reading the change log: the change feed (in order, with tombstones) and
//! the audit log (who changed which fields).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Store, StoreError};
use crate::domain::Visibility;
use entity::change_log;

/// A change-log row.
pub type ChangeEntry = change_log::Model;

/// Which entries to read, oldest first.
#[derive(Debug, Clone)]
pub struct ChangeQuery {
    /// Entries at or after this moment.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this moment.
    pub until: Option<DateTime<Utc>>,
    /// Entries after this one (the cursor).
    pub after_id: Option<i32>,
    /// At most this many.
    pub limit: u64,
    /// Whose entries the reader may see.
    pub visibility: Visibility,
    /// Include writes to API keys (the audit log does, the change feed does not).
    pub include_keys: bool,
    /// Only entries about this kind of entity (stored name).
    pub entity: Option<String>,
    /// Only entries written with this key.
    pub key_id: Option<i32>,
    /// Only entries about this organisation's records.
    pub organisation_id: Option<i32>,
    /// Only this operation (stored name).
    pub operation: Option<String>,
}

impl ChangeQuery {
    /// Every entry the reader may see, from the start.
    pub fn new(visibility: Visibility, limit: u64) -> ChangeQuery {
        ChangeQuery {
            since: None,
            until: None,
            after_id: None,
            limit,
            visibility,
            include_keys: false,
            entity: None,
            key_id: None,
            organisation_id: None,
            operation: None,
        }
    }
}

fn condition(q: &ChangeQuery) -> Condition {
    let mut cond = Condition::all();
    let public = Condition::any()
        .add(change_log::Column::PublicAfter.eq(true))
        .add(change_log::Column::PublicBefore.eq(true));
    match q.visibility {
        Visibility::PublishedOnly => cond = cond.add(public),
        Visibility::PublishedAndOwn(own) => {
            cond = cond.add(public.add(change_log::Column::OrganisationId.eq(own)))
        }
        Visibility::Everything => {}
    }
    if !q.include_keys {
        cond = cond.add(change_log::Column::Entity.ne("api_key"));
    }
    if let Some(since) = q.since {
        cond = cond.add(change_log::Column::At.gte(since));
    }
    if let Some(until) = q.until {
        cond = cond.add(change_log::Column::At.lt(until));
    }
    if let Some(after) = q.after_id {
        cond = cond.add(change_log::Column::Id.gt(after));
    }
    if let Some(entity) = &q.entity {
        cond = cond.add(change_log::Column::Entity.eq(entity.clone()));
    }
    if let Some(key) = q.key_id {
        cond = cond.add(change_log::Column::KeyId.eq(key));
    }
    if let Some(org) = q.organisation_id {
        cond = cond.add(change_log::Column::OrganisationId.eq(org));
    }
    if let Some(op) = &q.operation {
        cond = cond.add(change_log::Column::Operation.eq(op.clone()));
    }
    cond
}

impl Store {
    /// Entries in the order they were written.
    #[tracing::instrument(skip_all, fields(limit = q.limit))]
    pub async fn changes(&self, q: &ChangeQuery) -> Result<Vec<ChangeEntry>, StoreError> {
        Ok(change_log::Entity::find()
            .filter(condition(q))
            .order_by_asc(change_log::Column::Id)
            .limit(q.limit)
            .all(self.db())
            .await?)
    }
}
