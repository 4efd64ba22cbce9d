//! Upserts keyed by external id. A record whose content is unchanged writes
//! nothing and keeps its version; a changed one is updated and versioned.
//! Every write checks the writer's scope, runs the shared rules, and records
//! itself in the change log (and the search outbox for courses) in the same
//! transaction.

mod batch;
mod bulk;
mod course;
mod dry;
mod guidance;
pub(crate) mod journal;
mod place;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::{Store, StoreError};
use crate::domain::error_codes::*;
use crate::domain::*;
use entity::organisation;

pub use batch::{Batch, BATCH_RECORDS};
pub(crate) use bulk::insert_all;
pub use dry::DryRun;
pub use journal::{changed_field_name, EntityKind, Operation};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The record breaks a rule, is out of the writer's scope, is stale or
    /// missing: every problem with its path and code.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WriteError {
    /// The code of the first problem, for callers that treat some specially.
    pub fn code(&self) -> Option<&str> {
        match self {
            WriteError::Invalid(errors) => errors.first().map(|e| e.code.as_str()),
            WriteError::Store(_) => None,
        }
    }
}

impl From<sea_orm::DbErr> for WriteError {
    fn from(e: sea_orm::DbErr) -> Self {
        WriteError::Store(StoreError::Db(e))
    }
}

pub(crate) fn invalid(path: &str, code: &str, message: impl Into<String>) -> WriteError {
    WriteError::Invalid(vec![FieldError::new(path, code, message)])
}

pub(crate) fn forbidden(path: &str, message: impl Into<String>) -> WriteError {
    invalid(path, FORBIDDEN, message)
}

/// The refusal of a record out of the writer's scope: the very NOT_FOUND a
/// record that does not exist gets, so that a key cannot learn whether
/// another organisation's record exists, nor its version or state.
pub(crate) fn out_of_scope(path: &str, what: &str) -> WriteError {
    invalid(path, NOT_FOUND, format!("no {what} has this id"))
}

/// The refusal of a create or update whose external id is taken by a record
/// out of the writer's scope. External ids are unique across the catalogue,
/// so the id cannot be used; the answer names neither the owner nor the
/// record's state.
pub(crate) fn id_out_of_scope(path: &str, what: &str, id: &str) -> WriteError {
    invalid(
        path,
        NOT_FOUND,
        format!("no {what} {id:?} is this key's to write; choose another id"),
    )
}

/// Who writes, within what scope, expecting which version.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub actor: Actor,
    pub scope: Scope,
    /// The version the writer last read; the write fails with STALE_VERSION
    /// when the stored one differs (0: the record must not exist yet).
    pub expected_version: Option<i32>,
}

impl WriteOptions {
    /// The command line: everything, as `cli`.
    pub fn cli() -> WriteOptions {
        WriteOptions {
            actor: Actor::cli(),
            scope: Scope::Everything,
            expected_version: None,
        }
    }

    /// The same options expecting `version`.
    pub fn expecting(&self, version: Option<i32>) -> WriteOptions {
        WriteOptions {
            expected_version: version,
            ..self.clone()
        }
    }
}

/// Checks `expected` against the stored version (0 when there is none).
pub(crate) fn check_version(expected: Option<i32>, current: Option<i32>) -> Result<(), WriteError> {
    match expected {
        Some(v) if v != current.unwrap_or(0) => Err(invalid(
            "expectedVersion",
            STALE_VERSION,
            match current {
                Some(c) => format!("the stored version is {c}, not {v}; read it again and retry"),
                None => format!("the record does not exist, so it has no version {v}"),
            },
        )),
        _ => Ok(()),
    }
}

pub(crate) fn hash<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).expect("records serialise to JSON");
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise to JSON")
}

/// Begins a write: on PostgreSQL writers queue on a transaction lock, so
/// that change-log ids commit in the order they were given (a reader of the
/// change feed never sees a later id before an earlier one commits).
/// A write transaction. On SQLite it takes the write lock at `BEGIN`
/// (IMMEDIATE), so a concurrent writer waits for it (busy timeout) instead
/// of failing when its read snapshot turns stale; on PostgreSQL writes
/// serialise on an advisory lock.
pub(crate) const WRITE: TransactionOptions = TransactionOptions {
    isolation_level: None,
    access_mode: None,
    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
};

pub(crate) async fn begin<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
) -> Result<DatabaseTransaction, WriteError> {
    let tx = conn.begin_with_options(WRITE).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SELECT pg_advisory_xact_lock(7318640)")
            .await?;
    }
    Ok(tx)
}

pub(crate) async fn organisation_by_external_id(
    tx: &DatabaseTransaction,
    external_id: &str,
    path: &str,
) -> Result<organisation::Model, WriteError> {
    organisation::Entity::find()
        .filter(organisation::Column::ExternalId.eq(external_id))
        .one(tx)
        .await?
        .ok_or_else(|| unknown_organisation(path, external_id))
}

/// The refusal of a reference to an organisation that does not exist.
pub(crate) fn unknown_organisation(path: &str, external_id: &str) -> WriteError {
    invalid(
        path,
        UNKNOWN_ORGANISATION,
        format!("no organisation has the id {external_id:?}; create the organisation first"),
    )
}

/// Inserts tag rows, ignoring duplicates.
pub(crate) async fn insert_tags<E, A>(
    tx: &DatabaseTransaction,
    tags: Vec<A>,
) -> Result<(), WriteError>
where
    E: EntityTrait<ActiveModel = A>,
    A: ActiveModelTrait<Entity = E> + Send,
{
    if tags.is_empty() {
        return Ok(());
    }
    let columns: Vec<E::Column> = <E::PrimaryKey as sea_orm::Iterable>::iter()
        .map(sea_orm::PrimaryKeyToColumn::into_column)
        .collect();
    E::insert_many(tags)
        .on_conflict(OnConflict::columns(columns).do_nothing().to_owned())
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// Inserts tag rows of many owners, ignoring duplicates, in as few
/// statements as the parameter limit allows.
pub(crate) async fn insert_tags_many<E, A>(
    tx: &DatabaseTransaction,
    tags: Vec<A>,
) -> Result<(), sea_orm::DbErr>
where
    E: EntityTrait<ActiveModel = A>,
    A: ActiveModelTrait<Entity = E> + Send,
{
    let columns: Vec<E::Column> = <E::PrimaryKey as sea_orm::Iterable>::iter()
        .map(sea_orm::PrimaryKeyToColumn::into_column)
        .collect();
    let per = bulk::rows_per_statement::<E>();
    let mut tags = tags.into_iter().peekable();
    while tags.peek().is_some() {
        let chunk: Vec<A> = tags.by_ref().take(per).collect();
        E::insert_many(chunk)
            .on_conflict(OnConflict::columns(columns.clone()).do_nothing().to_owned())
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// Where upserts go: the database itself, or a transaction that a dry run
/// rolls back; each with the options of its writer.
pub trait CatalogueWriter {
    /// Creates or updates an organisation and its locations.
    fn upsert_organisation(
        &self,
        record: &OrganisationRecord,
    ) -> impl std::future::Future<Output = Result<Outcome, WriteError>> + Send;
    /// Creates or updates a course with its instances.
    fn upsert_course(
        &self,
        record: &CourseRecord,
    ) -> impl std::future::Future<Output = Result<Outcome, WriteError>> + Send;
    /// Creates or updates a guidance service.
    fn upsert_guidance_service(
        &self,
        record: &GuidanceServiceRecord,
    ) -> impl std::future::Future<Output = Result<Outcome, WriteError>> + Send;
    /// Creates or updates courses: each record's outcome, in order, as if
    /// written one after the other. Only a store failure ends the call.
    fn upsert_courses(
        &self,
        records: &[&CourseRecord],
    ) -> impl std::future::Future<Output = Result<Vec<Result<Outcome, WriteError>>, StoreError>> + Send;
}

/// Writes courses one after the other through `writer`.
async fn one_by_one<W: CatalogueWriter + Sync>(
    writer: &W,
    records: &[&CourseRecord],
) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
    let mut outcomes = Vec::with_capacity(records.len());
    for record in records {
        match writer.upsert_course(record).await {
            Err(WriteError::Store(e)) => return Err(e),
            outcome => outcomes.push(outcome),
        }
    }
    Ok(outcomes)
}

/// The store, writing with some options (an API caller's scope and key).
pub struct ScopedWriter<'a> {
    store: &'a Store,
    options: WriteOptions,
}

impl Store {
    /// A writer with `options`.
    pub fn writer(&self, options: WriteOptions) -> ScopedWriter<'_> {
        ScopedWriter {
            store: self,
            options,
        }
    }
}

macro_rules! writer_impl {
    ($ty:ty, $self_:ident => $c:expr, $o:expr) => {
        impl CatalogueWriter for $ty {
            async fn upsert_organisation(
                &self,
                record: &OrganisationRecord,
            ) -> Result<Outcome, WriteError> {
                let $self_ = self;
                place::upsert_organisation($c, record, $o).await
            }

            async fn upsert_course(&self, record: &CourseRecord) -> Result<Outcome, WriteError> {
                let $self_ = self;
                course::upsert_course($c, record, $o).await.map(|(o, _)| o)
            }

            async fn upsert_guidance_service(
                &self,
                record: &GuidanceServiceRecord,
            ) -> Result<Outcome, WriteError> {
                let $self_ = self;
                guidance::upsert_guidance_service($c, record, $o)
                    .await
                    .map(|(o, _)| o)
            }

            async fn upsert_courses(
                &self,
                records: &[&CourseRecord],
            ) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
                one_by_one(self, records).await
            }
        }
    };
}

writer_impl!(Store, s => s.db(), &WriteOptions::cli());
writer_impl!(ScopedWriter<'_>, s => s.store.db(), &s.options);

/// The single-record writes of the API, beyond the upserts.
impl Store {
    /// Creates or updates a course; returns the outcome and the course row id.
    pub async fn put_course(
        &self,
        record: &CourseRecord,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        course::upsert_course(self.db(), record, options).await
    }

    /// Deletes a course and its instances.
    pub async fn delete_course(&self, id: i32, options: &WriteOptions) -> Result<(), WriteError> {
        course::delete_course(self.db(), id, options).await
    }

    /// Creates or updates a guidance service; returns the outcome and its row id.
    pub async fn put_guidance_service(
        &self,
        record: &GuidanceServiceRecord,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        guidance::upsert_guidance_service(self.db(), record, options).await
    }

    /// Creates or updates a location of the organisation `owner` (external id).
    pub async fn put_location(
        &self,
        owner: &str,
        record: &LocationRecord,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        place::put_location(self.db(), owner, record, options).await
    }

    /// Creates or updates an organisation; returns the outcome and its row id.
    pub async fn put_organisation(
        &self,
        record: &OrganisationRecord,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        let outcome = place::upsert_organisation(self.db(), record, options).await?;
        let id = organisation::Entity::find()
            .filter(organisation::Column::ExternalId.eq(&record.external_id))
            .one(self.db())
            .await?
            .map(|o| o.id)
            .ok_or_else(|| StoreError::Corrupt("the organisation just written is gone".into()))?;
        Ok((outcome, id))
    }
}
