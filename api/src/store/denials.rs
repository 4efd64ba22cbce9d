//! The trail of refused writes: what a key tried that its scope, the
//! catalogue or its role did not allow. Kept for a retention period, so that
//! administrators can see a key probing other organisations' records.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::{Store, StoreError};
use entity::denied_write;

/// A refused write, as recorded.
pub type DeniedWrite = denied_write::Model;

/// The longest target and message kept: what a caller sent is not stored
/// whole.
const MAX_TEXT: usize = 500;

/// A refusal to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub actor: String,
    pub key_id: Option<i32>,
    pub action: String,
    pub target: Option<String>,
    pub code: String,
    pub message: String,
}

/// Narrows the trail.
#[derive(Debug, Clone, Default)]
pub struct DenialQuery {
    pub key_id: Option<i32>,
    pub code: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Entries after this id (oldest first).
    pub after_id: Option<i32>,
    pub limit: u64,
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

impl Store {
    /// Records refusals, all at `at`.
    pub async fn record_denials(
        &self,
        denials: &[Denial],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if denials.is_empty() {
            return Ok(());
        }
        let rows = denials.iter().map(|d| denied_write::ActiveModel {
            at: Set(at),
            actor: Set(clip(&d.actor)),
            key_id: Set(d.key_id),
            action: Set(clip(&d.action)),
            target: Set(d.target.as_deref().map(clip)),
            code: Set(clip(&d.code)),
            message: Set(clip(&d.message)),
            ..Default::default()
        });
        denied_write::Entity::insert_many(rows)
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// Refusals matching `query`, oldest first.
    pub async fn denials(&self, query: &DenialQuery) -> Result<Vec<DeniedWrite>, StoreError> {
        let mut find = denied_write::Entity::find().order_by_asc(denied_write::Column::Id);
        if let Some(key) = query.key_id {
            find = find.filter(denied_write::Column::KeyId.eq(key));
        }
        if let Some(code) = &query.code {
            find = find.filter(denied_write::Column::Code.eq(code.as_str()));
        }
        if let Some(since) = query.since {
            find = find.filter(denied_write::Column::At.gte(since));
        }
        if let Some(until) = query.until {
            find = find.filter(denied_write::Column::At.lt(until));
        }
        if let Some(after) = query.after_id {
            find = find.filter(denied_write::Column::Id.gt(after));
        }
        Ok(find.limit(query.limit).all(self.db()).await?)
    }

    /// Drops refusals recorded before `before`; returns how many went.
    pub async fn prune_denials(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(denied_write::Entity::delete_many()
            .filter(denied_write::Column::At.lt(before))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn long_texts_are_clipped_on_a_character_boundary() {
        let long = "ä".repeat(600);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), 501);
        assert!(clipped.ends_with('…'));
        assert_eq!(clip("lyhyt"), "lyhyt");
    }
}
