//! The change log: one row per write to one entity, in the writer's
//! transaction. The change feed reads it as created/updated/deleted entries,
//! the audit log as who changed which fields.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, Iden, Iterable,
    ModelTrait, Set,
};

use crate::domain::Actor;
use entity::change_log;

/// Columns that change on every write and say nothing about the content.
const BOOKKEEPING: &[&str] = &[
    "id",
    "content_hash",
    "version",
    "created_at",
    "updated_at",
    "name_sort",
    "position",
];

/// The API name of a column: `name_fi` → `name.fi`, `start_date` → `startDate`.
pub fn changed_field_name(column: &str) -> String {
    for lang in ["fi", "sv", "en"] {
        if let Some(base) = column.strip_suffix(&format!("_{lang}")) {
            return format!("{}.{lang}", changed_field_name(base));
        }
    }
    let mut out = String::new();
    let mut upper = false;
    for c in column.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The fields `new` sets differently from `old` (every set field when there is no `old`).
pub(crate) fn changed<E>(old: Option<&E::Model>, new: &E::ActiveModel) -> Vec<String>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E>,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mut out = Vec::new();
    for column in E::Column::iter() {
        let name = column.to_string();
        if BOOKKEEPING.contains(&name.as_str()) {
            continue;
        }
        let Some(value) = new.get(column).into_value() else {
            continue;
        };
        let differs = match old {
            Some(old) => old.get(column) != value,
            None => !is_null(&value),
        };
        if differs {
            out.push(changed_field_name(&name));
        }
    }
    out
}

fn is_null(value: &sea_orm::Value) -> bool {
    *value == value.as_null()
}

/// What kind of entity a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Organisation,
    Location,
    Course,
    CourseInstance,
    GuidanceService,
    ApiKey,
}

impl EntityKind {
    /// The stored name.
    pub fn code(self) -> &'static str {
        match self {
            EntityKind::Organisation => "organisation",
            EntityKind::Location => "location",
            EntityKind::Course => "course",
            EntityKind::CourseInstance => "course_instance",
            EntityKind::GuidanceService => "guidance_service",
            EntityKind::ApiKey => "api_key",
        }
    }

    /// Parses a stored name.
    pub fn parse(code: &str) -> Option<EntityKind> {
        [
            EntityKind::Organisation,
            EntityKind::Location,
            EntityKind::Course,
            EntityKind::CourseInstance,
            EntityKind::GuidanceService,
            EntityKind::ApiKey,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Created,
    Updated,
    Deleted,
}

impl Operation {
    /// The operation a write of `outcome` journals (an unchanged record is
    /// not written, so it never reaches the journal).
    pub fn of(outcome: super::Outcome) -> Operation {
        match outcome {
            super::Outcome::Created => Operation::Created,
            super::Outcome::Updated | super::Outcome::Unchanged => Operation::Updated,
        }
    }

    /// The stored name.
    pub fn code(self) -> &'static str {
        match self {
            Operation::Created => "created",
            Operation::Updated => "updated",
            Operation::Deleted => "deleted",
        }
    }
}

/// One entry to write.
pub(crate) struct Entry<'a> {
    pub entity: EntityKind,
    pub entity_id: i32,
    pub external_id: &'a str,
    pub organisation_id: Option<i32>,
    pub operation: Operation,
    pub version: i32,
    pub changed_fields: Vec<String>,
    pub public_before: bool,
    pub public_after: bool,
}

fn row(actor: &Actor, entry: Entry<'_>) -> change_log::ActiveModel {
    change_log::ActiveModel {
        at: Set(Utc::now()),
        entity: Set(entry.entity.code().to_string()),
        entity_id: Set(entry.entity_id),
        external_id: Set(entry.external_id.chars().take(700).collect()),
        organisation_id: Set(entry.organisation_id),
        operation: Set(entry.operation.code().to_string()),
        version: Set(entry.version),
        changed_fields: Set(serde_json::to_string(&entry.changed_fields).unwrap_or_default()),
        public_after: Set(entry.public_after),
        public_before: Set(entry.public_before),
        key_id: Set(actor.key_id),
        actor: Set(actor.label.chars().take(200).collect()),
        ..Default::default()
    }
}

/// Writes one entry in the caller's transaction.
pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    entry: Entry<'_>,
) -> Result<(), sea_orm::DbErr> {
    change_log::Entity::insert(row(actor, entry))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes entries in the caller's transaction, their ids in the given order.
pub(crate) async fn record_many(
    tx: &DatabaseTransaction,
    actor: &Actor,
    entries: Vec<Entry<'_>>,
) -> Result<(), sea_orm::DbErr> {
    let rows: Vec<change_log::ActiveModel> = entries.into_iter().map(|e| row(actor, e)).collect();
    super::bulk::insert_all(tx, rows).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_the_api_names_fields() {
        assert_eq!(changed_field_name("name_fi"), "name.fi");
        assert_eq!(changed_field_name("start_date"), "startDate");
        assert_eq!(changed_field_name("credential_en"), "credential.en");
        assert_eq!(changed_field_name("state"), "state");
    }
}
