//! `changes(since:)` for keeping copies in sync, and the audit log and key
//! list for administrators.

use crate::graphql::scalars::Timestamp;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{Context, Enum, InputObject, Object, ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::keys::ApiKey;
use super::mutation::admin;
use crate::graphql::context::{caller, store, visibility};
use crate::graphql::errors::{bad_input, code, coded, OrInternal};
use crate::graphql::ids::{decode_as, encode, NodeKind};
use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::graphql::query::load_node;
use crate::graphql::types::Node;
use crate::store::{ChangeEntry, ChangeQuery, DenialQuery, DeniedWrite, EntityKind};

/// A position in the change log; opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeCursor(pub i32);

impl CursorType for ChangeCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "not a cursor")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| "not a cursor")?;
        let id = text.strip_prefix("c:").ok_or("not a cursor")?;
        id.parse().map(ChangeCursor).map_err(|_| "not a cursor")
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c:{}", self.0))
    }
}

/// What kind of entity changed.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum ChangeEntity {
    Organisation,
    Location,
    Course,
    CourseInstance,
    GuidanceService,
    ApiKey,
}

/// What happened to it.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum ChangeOperation {
    Created,
    Updated,
    /// A tombstone: the entity is gone.
    Deleted,
}

fn kind(entry: &ChangeEntry) -> (ChangeEntity, NodeKind) {
    match EntityKind::parse(&entry.entity) {
        Some(EntityKind::Organisation) => (ChangeEntity::Organisation, NodeKind::Organisation),
        Some(EntityKind::Location) => (ChangeEntity::Location, NodeKind::Location),
        Some(EntityKind::Course) => (ChangeEntity::Course, NodeKind::Course),
        Some(EntityKind::CourseInstance) => {
            (ChangeEntity::CourseInstance, NodeKind::CourseInstance)
        }
        Some(EntityKind::GuidanceService) => {
            (ChangeEntity::GuidanceService, NodeKind::GuidanceService)
        }
        Some(EntityKind::ApiKey) | None => (ChangeEntity::ApiKey, NodeKind::ApiKey),
    }
}

/// One write to one entity.
#[derive(Clone, Debug)]
pub struct Change(pub ChangeEntry);

#[Object]
impl Change {
    /// When it was written.
    async fn at(&self) -> Timestamp {
        self.0.at.into()
    }
    async fn entity(&self) -> ChangeEntity {
        kind(&self.0).0
    }
    async fn operation(&self) -> ChangeOperation {
        match self.0.operation.as_str() {
            "created" => ChangeOperation::Created,
            "deleted" => ChangeOperation::Deleted,
            _ => ChangeOperation::Updated,
        }
    }
    /// The global id of the entity (also of a deleted one).
    async fn node_id(&self) -> ID {
        encode(kind(&self.0).1, self.0.entity_id)
    }
    /// The partner's id of the entity (the name, for keys).
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    /// Its version after the write.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The entity as it is now; null when deleted or no longer visible to
    /// the caller (e.g. unpublished): remove it from your copy.
    async fn node(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Node>> {
        if self.0.operation == "deleted" {
            return Ok(None);
        }
        load_node(ctx, "node", &encode(kind(&self.0).1, self.0.entity_id)).await
    }
}

/// An audit-log entry: who changed what, when.
#[derive(Clone, Debug)]
pub struct AuditEntry(pub ChangeEntry);

#[Object]
impl AuditEntry {
    async fn at(&self) -> Timestamp {
        self.0.at.into()
    }
    /// Who wrote: `key 3`, `cli`, `scheduler`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The key that wrote, when the write came through the API.
    async fn key(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ApiKey>> {
        let Some(id) = self.0.key_id else {
            return Ok(None);
        };
        Ok(store(ctx).key_by_id(id).await.or_internal()?.map(ApiKey))
    }
    async fn entity(&self) -> ChangeEntity {
        kind(&self.0).0
    }
    async fn operation(&self) -> ChangeOperation {
        match self.0.operation.as_str() {
            "created" => ChangeOperation::Created,
            "deleted" => ChangeOperation::Deleted,
            _ => ChangeOperation::Updated,
        }
    }
    async fn node_id(&self) -> ID {
        encode(kind(&self.0).1, self.0.entity_id)
    }
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The fields the write changed (all that were set, for a creation).
    async fn changed_fields(&self) -> Vec<String> {
        serde_json::from_str(&self.0.changed_fields).unwrap_or_default()
    }
}

/// A write the API refused for access: another organisation's record, a
/// record that does not exist, or an operation for administrators.
#[derive(Clone, Debug)]
pub struct DeniedWriteEntry(pub DeniedWrite);

#[Object]
impl DeniedWriteEntry {
    /// When it was refused.
    async fn at(&self) -> Timestamp {
        self.0.at.into()
    }
    /// Who tried: `key 3`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The key that tried; null when it has since been deleted.
    async fn key(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ApiKey>> {
        let Some(id) = self.0.key_id else {
            return Ok(None);
        };
        Ok(store(ctx).key_by_id(id).await.or_internal()?.map(ApiKey))
    }
    /// The operation: `publishCourse`, `upsertCourses`, `auditLog`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The id or external id the caller named, as given (clipped to 500
    /// characters); null when it named none.
    async fn target(&self) -> Option<&str> {
        self.0.target.as_deref()
    }
    /// The code the caller was given: `NOT_FOUND` or `FORBIDDEN`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The message the caller was given.
    async fn message(&self) -> &str {
        &self.0.message
    }
}

/// Narrows the trail of refused writes.
#[derive(InputObject, Debug, Clone, Default)]
pub struct DeniedWriteFilter {
    /// Refusals of this key (global id).
    pub key: Option<ID>,
    /// Refusals with this code: `NOT_FOUND` or `FORBIDDEN`.
    pub code: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// Narrows the audit log.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<ChangeEntity>,
    pub operation: Option<ChangeOperation>,
    /// Writes with this key (global id).
    pub key: Option<ID>,
    /// Writes to this organisation's records (global id).
    pub organisation: Option<ID>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

type ChangePage<T> = Connection<ChangeCursor, T, EmptyFields>;

fn window(first: Option<i32>, after: &Option<String>) -> async_graphql::Result<(u64, Option<i32>)> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(0..=MAX_PAGE_SIZE).contains(&first) {
        return Err(bad_input(
            "first",
            format!("between 0 and {MAX_PAGE_SIZE}, got {first}"),
        ));
    }
    let after = after
        .as_deref()
        .map(|a| {
            ChangeCursor::decode_cursor(a).map(|c| c.0).map_err(|_| {
                coded(
                    code::INVALID_CURSOR,
                    "after",
                    format!("{a:?} is not a cursor of this list"),
                )
            })
        })
        .transpose()?;
    Ok((first as u64, after))
}

async fn page<T: async_graphql::OutputType>(
    ctx: &Context<'_>,
    mut query: ChangeQuery,
    wrap: fn(ChangeEntry) -> T,
) -> async_graphql::Result<ChangePage<T>> {
    let limit = query.limit;
    query.limit = limit + 1;
    let mut rows = store(ctx).changes(&query).await.or_internal()?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let mut out = Connection::new(query.after_id.is_some(), more);
    out.edges.extend(
        rows.into_iter()
            .map(|r| Edge::new(ChangeCursor(r.id), wrap(r))),
    );
    Ok(out)
}

fn entity_code(e: ChangeEntity) -> &'static str {
    match e {
        ChangeEntity::Organisation => "organisation",
        ChangeEntity::Location => "location",
        ChangeEntity::Course => "course",
        ChangeEntity::CourseInstance => "course_instance",
        ChangeEntity::GuidanceService => "guidance_service",
        ChangeEntity::ApiKey => "api_key",
    }
}

/// The change feed, the audit log and the key list.
#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// Every write since a moment, oldest first: creations, updates and
    /// deletions (tombstones) of organisations, locations, courses, instances
    /// and guidance services. Page on with `after` until `hasNextPage` is
    /// false, then keep the last cursor for next time. Anonymous callers see
    /// changes to public content; a partner key also its own organisation's.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        since: Timestamp,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ChangePage<Change>> {
        let (limit, after_id) = window(first, &after)?;
        let mut query = ChangeQuery::new(visibility(ctx), limit);
        query.since = Some(since.0);
        query.after_id = after_id;
        page(ctx, query, Change).await
    }

    /// Who changed what and when (administrators only), oldest first.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditFilter>,
    ) -> async_graphql::Result<ChangePage<AuditEntry>> {
        admin(ctx)?;
        let (limit, after_id) = window(first, &after)?;
        let f = filter.unwrap_or_default();
        let mut query = ChangeQuery::new(caller(ctx).visibility(), limit);
        query.after_id = after_id;
        query.include_keys = true;
        query.since = f.since.map(|t| t.0);
        query.until = f.until.map(|t| t.0);
        query.entity = f.entity.map(|e| entity_code(e).to_string());
        query.operation = f.operation.map(|o| match o {
            ChangeOperation::Created => "created".to_string(),
            ChangeOperation::Updated => "updated".to_string(),
            ChangeOperation::Deleted => "deleted".to_string(),
        });
        query.key_id = f
            .key
            .map(|k| decode_as("filter.key", &k, NodeKind::ApiKey))
            .transpose()?;
        query.organisation_id = f
            .organisation
            .map(|o| decode_as("filter.organisation", &o, NodeKind::Organisation))
            .transpose()?;
        page(ctx, query, AuditEntry).await
    }

    /// Writes the API refused a key for access, oldest first (administrators
    /// only): what it named, and the `NOT_FOUND` or `FORBIDDEN` it was given.
    /// A key probing other organisations' records shows here. Entries are
    /// kept for `TARJOTIN_DENIED_RETENTION_DAYS` (90 by default).
    async fn denied_writes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<DeniedWriteFilter>,
    ) -> async_graphql::Result<Connection<ChangeCursor, DeniedWriteEntry, EmptyFields>> {
        admin(ctx)?;
        let (limit, after_id) = window(first, &after)?;
        let f = filter.unwrap_or_default();
        let query = DenialQuery {
            key_id: f
                .key
                .map(|k| decode_as("filter.key", &k, NodeKind::ApiKey))
                .transpose()?,
            code: f.code.map(|c| c.trim().to_ascii_uppercase()),
            since: f.since.map(|t| t.0),
            until: f.until.map(|t| t.0),
            after_id,
            limit: limit + 1,
        };
        let mut rows = store(ctx).denials(&query).await.or_internal()?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let mut out = Connection::new(after_id.is_some(), more);
        out.edges.extend(
            rows.into_iter()
                .map(|r| Edge::new(ChangeCursor(r.id), DeniedWriteEntry(r))),
        );
        Ok(out)
    }

    /// Every API key, newest first (administrators only); never the keys themselves.
    async fn api_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiKey>> {
        admin(ctx)?;
        Ok(store(ctx)
            .list_keys()
            .await
            .or_internal()?
            .into_iter()
            .map(ApiKey)
            .collect())
    }
}
