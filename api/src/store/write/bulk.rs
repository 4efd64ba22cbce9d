//! A chunk of course records in a few statements. What the store already
//! holds for the chunk is read at once; records that are new and need only
//! inserts (the bulk of a first import) are written together with multi-row
//! statements, unchanged ones are answered from what was read, and the rest
//! (updates, new venues, ids met earlier in the chunk) take the one-record
//! path, in feed order, so that every record has the outcome it would have
//! alone.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, Iterable, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};

use super::course::{
    self, course_model, course_tags, foreign_course, foreign_provider, instance_model,
    instance_periods, instance_tags,
};
use super::journal::{self, changed, EntityKind, Entry, Operation};
use super::{check_version, hash, unknown_organisation, Outcome, WriteError, WriteOptions};
use crate::domain::{validate, CourseRecord, PublicationState};
use crate::store::StoreError;
use entity::{
    course as course_row, course_instance, course_tag, instance_tag, location, organisation,
};

/// Bind parameters per statement, below the limits of SQLite (32,766) and
/// PostgreSQL (65,535).
const PARAMETERS: usize = 30_000;

/// Ids per `IN (...)` list.
const IDS: usize = 1_000;

/// What the store holds for the ids a chunk names.
#[derive(Default)]
struct Known {
    courses: HashMap<String, course_row::Model>,
    organisations: HashMap<String, organisation::Model>,
    instances: HashSet<String>,
    locations: HashMap<String, location::Model>,
}

impl Known {
    async fn load(
        tx: &DatabaseTransaction,
        records: &[&CourseRecord],
    ) -> Result<Known, StoreError> {
        let mut known = Known::default();
        let ids: Vec<&str> = records.iter().map(|r| r.external_id.as_str()).collect();
        for ids in ids.chunks(IDS) {
            for c in course_row::Entity::find()
                .filter(course_row::Column::ExternalId.is_in(ids.iter().copied()))
                .all(tx)
                .await?
            {
                known.courses.insert(c.external_id.clone(), c);
            }
        }
        let owners: HashSet<&str> = records
            .iter()
            .flat_map(|r| {
                std::iter::once(r.provider_external_id.as_str())
                    .chain(r.funder_external_id.as_deref())
            })
            .collect();
        let owners: Vec<&str> = owners.into_iter().collect();
        for ids in owners.chunks(IDS) {
            for o in organisation::Entity::find()
                .filter(organisation::Column::ExternalId.is_in(ids.iter().copied()))
                .all(tx)
                .await?
            {
                known.organisations.insert(o.external_id.clone(), o);
            }
        }
        let instances: Vec<&str> = records
            .iter()
            .flat_map(|r| r.instances.iter().map(|i| i.external_id.as_str()))
            .collect();
        for ids in instances.chunks(IDS) {
            let found: Vec<String> = course_instance::Entity::find()
                .select_only()
                .column(course_instance::Column::ExternalId)
                .filter(course_instance::Column::ExternalId.is_in(ids.iter().copied()))
                .into_tuple()
                .all(tx)
                .await?;
            known.instances.extend(found);
        }
        let places: HashSet<&str> = records
            .iter()
            .flat_map(|r| r.instances.iter())
            .filter_map(|i| i.location.as_ref().map(|l| l.external_id.as_str()))
            .collect();
        let places: Vec<&str> = places.into_iter().collect();
        for ids in places.chunks(IDS) {
            for l in location::Entity::find()
                .filter(location::Column::ExternalId.is_in(ids.iter().copied()))
                .all(tx)
                .await?
            {
                known.locations.insert(l.external_id.clone(), l);
            }
        }
        Ok(known)
    }
}

/// A new course that needs only inserts.
struct NewCourse<'a> {
    index: usize,
    record: &'a CourseRecord,
    provider_id: i32,
    funder_id: Option<i32>,
    content_hash: String,
    location_ids: Vec<Option<i32>>,
}

/// How a record of the chunk is written.
enum Plan<'a> {
    /// Its outcome follows from what the store holds: unchanged, or refused.
    Decided(Result<Outcome, WriteError>),
    Insert(NewCourse<'a>),
    /// The one-record path.
    Alone,
}

/// The plan for `record`, given what the store held before the chunk.
fn plan<'a>(
    index: usize,
    record: &'a CourseRecord,
    known: &Known,
    options: &WriteOptions,
) -> Plan<'a> {
    // The same checks, in the same order, as the one-record path.
    let existing = known.courses.get(&record.external_id);
    if existing.is_some_and(|old| !options.scope.covers(old.provider_id)) {
        return Plan::Decided(Err(foreign_course(record)));
    }
    let Some(provider) = known.organisations.get(&record.provider_external_id) else {
        return Plan::Decided(Err(unknown_organisation(
            "provider",
            &record.provider_external_id,
        )));
    };
    if !options.scope.covers(provider.id) {
        return Plan::Decided(Err(foreign_provider()));
    }
    let content_hash = hash(record);
    if let Some(old) = existing {
        if old.content_hash == content_hash {
            return Plan::Decided(Ok(Outcome::Unchanged));
        }
        return Plan::Alone;
    }
    if check_version(options.expected_version, None).is_err() {
        return Plan::Alone;
    }
    let errors = validate::course(record);
    if !errors.is_empty() {
        return Plan::Decided(Err(WriteError::Invalid(errors)));
    }
    let funder_id = match &record.funder_external_id {
        Some(funder) => match known.organisations.get(funder) {
            Some(f) => Some(f.id),
            None => return Plan::Decided(Err(unknown_organisation("funder", funder))),
        },
        None => None,
    };
    let mut location_ids = Vec::with_capacity(record.instances.len());
    for instance in &record.instances {
        if known.instances.contains(&instance.external_id) {
            return Plan::Alone;
        }
        location_ids.push(match &instance.location {
            // A venue as the store holds it: nothing to write for it.
            Some(place) => match known.locations.get(&place.external_id) {
                Some(l) if l.organisation_id == provider.id && l.content_hash == hash(place) => {
                    Some(l.id)
                }
                _ => return Plan::Alone,
            },
            None => None,
        });
    }
    Plan::Insert(NewCourse {
        index,
        record,
        provider_id: provider.id,
        funder_id,
        content_hash,
        location_ids,
    })
}

/// The course and instance ids a record writes: two records that share one
/// are written one after the other, the later one seeing what the earlier
/// one wrote.
fn ids(record: &CourseRecord) -> impl Iterator<Item = (u8, &str)> {
    std::iter::once((0, record.external_id.as_str()))
        .chain(record.instances.iter().map(|i| (1, i.external_id.as_str())))
}

/// The venues a record names; the one-record path may write them.
fn places(record: &CourseRecord) -> impl Iterator<Item = &str> {
    record
        .instances
        .iter()
        .filter_map(|i| i.location.as_ref().map(|l| l.external_id.as_str()))
}

/// Upserts `records` in the caller's transaction; one outcome per record, in order.
#[tracing::instrument(skip_all, fields(records = records.len()))]
pub(crate) async fn upsert_courses(
    tx: &DatabaseTransaction,
    records: &[&CourseRecord],
    options: &WriteOptions,
) -> Result<Vec<Result<Outcome, WriteError>>, StoreError> {
    let known = Known::load(tx, records).await?;
    let mut outcomes: Vec<Option<Result<Outcome, WriteError>>> =
        records.iter().map(|_| None).collect();
    let mut seen: HashSet<(u8, &str)> = HashSet::new();
    // Venues that records written alone may have changed; venues only read
    // are shared by many courses.
    let mut written: HashSet<&str> = HashSet::new();
    let mut group: Vec<NewCourse> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let mut fresh = true;
        for id in ids(record) {
            fresh &= seen.insert(id);
        }
        fresh &= places(record).all(|p| !written.contains(p));
        let plan = if fresh {
            plan(index, record, &known, options)
        } else {
            Plan::Alone
        };
        match plan {
            Plan::Decided(outcome) => outcomes[index] = Some(outcome),
            Plan::Insert(new) => group.push(new),
            Plan::Alone => {
                written.extend(places(record));
                flush(tx, &mut group, &mut outcomes, options).await?;
                outcomes[index] = Some(alone(tx, record, options).await?);
            }
        }
    }
    flush(tx, &mut group, &mut outcomes, options).await?;
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every record has an outcome"))
        .collect())
}

/// One record on its own, in a savepoint; a refusal is its outcome.
async fn alone(
    tx: &DatabaseTransaction,
    record: &CourseRecord,
    options: &WriteOptions,
) -> Result<Result<Outcome, WriteError>, StoreError> {
    match course::upsert_course(tx, record, options).await {
        Ok((outcome, _)) => Ok(Ok(outcome)),
        Err(WriteError::Store(e)) => Err(e),
        Err(refused) => Ok(Err(refused)),
    }
}

/// Inserts the pending new courses together; when the database refuses
/// the statements, each record is written alone instead, so that a refusal
/// stays with the record that caused it.
async fn flush(
    tx: &DatabaseTransaction,
    group: &mut Vec<NewCourse<'_>>,
    outcomes: &mut [Option<Result<Outcome, WriteError>>],
    options: &WriteOptions,
) -> Result<(), StoreError> {
    if group.is_empty() {
        return Ok(());
    }
    let savepoint = tx.begin().await?;
    match insert(&savepoint, group, options).await {
        Ok(()) => {
            savepoint.commit().await?;
            for new in group.iter() {
                outcomes[new.index] = Some(Ok(Outcome::Created));
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, "a chunk of new courses is written record by record");
            savepoint.rollback().await?;
            for new in group.iter() {
                outcomes[new.index] = Some(alone(tx, new.record, options).await?);
            }
        }
    }
    group.clear();
    Ok(())
}

/// Inserts new courses with their tags, instances, change-log entries and
/// search outbox rows, in the order the one-record path writes them.
async fn insert(
    tx: &DatabaseTransaction,
    group: &[NewCourse<'_>],
    options: &WriteOptions,
) -> Result<(), sea_orm::DbErr> {
    let now = Utc::now();
    let mut courses = Vec::with_capacity(group.len());
    let mut course_fields = Vec::with_capacity(group.len());
    for new in group {
        let mut model = course_model(
            new.record,
            new.provider_id,
            new.funder_id,
            new.content_hash.clone(),
            now,
        );
        model.version = Set(1);
        model.created_at = Set(now);
        course_fields.push(changed::<course_row::Entity>(None, &model));
        courses.push(model);
    }
    insert_all(tx, courses).await?;
    let wanted: Vec<&str> = group
        .iter()
        .map(|n| n.record.external_id.as_str())
        .collect();
    let course_ids = ids_of::<course_row::Entity>(
        tx,
        &wanted,
        course_row::Column::Id,
        course_row::Column::ExternalId,
    )
    .await?;
    let mut tags = Vec::new();
    let mut instances = Vec::new();
    let mut instance_fields = Vec::new();
    for new in group {
        let id = id_of(&course_ids, &new.record.external_id)?;
        tags.extend(course_tags(id, new.record));
        for (position, instance) in new.record.instances.iter().enumerate() {
            let mut model = instance_model(
                instance,
                position,
                id,
                new.location_ids[position],
                hash(&(position, instance)),
                now,
            );
            model.version = Set(1);
            model.created_at = Set(now);
            instance_fields.push(changed::<course_instance::Entity>(None, &model));
            instances.push(model);
        }
    }
    super::insert_tags_many::<course_tag::Entity, _>(tx, tags).await?;
    insert_all(tx, instances).await?;
    let wanted: Vec<&str> = group
        .iter()
        .flat_map(|n| n.record.instances.iter())
        .map(|i| i.external_id.as_str())
        .collect();
    let instance_ids = ids_of::<course_instance::Entity>(
        tx,
        &wanted,
        course_instance::Column::Id,
        course_instance::Column::ExternalId,
    )
    .await?;
    let mut instance_tag_rows = Vec::new();
    let mut periods = Vec::new();
    let mut entries = Vec::new();
    let mut instance_fields = instance_fields.into_iter();
    for (new, fields) in group.iter().zip(course_fields) {
        let id = id_of(&course_ids, &new.record.external_id)?;
        let public = new.record.state == PublicationState::Published;
        entries.push(Entry {
            entity: EntityKind::Course,
            entity_id: id,
            external_id: &new.record.external_id,
            organisation_id: Some(new.provider_id),
            operation: Operation::Created,
            version: 1,
            changed_fields: fields,
            public_before: false,
            public_after: public,
        });
        for instance in &new.record.instances {
            let instance_id = id_of(&instance_ids, &instance.external_id)?;
            entries.push(Entry {
                entity: EntityKind::CourseInstance,
                entity_id: instance_id,
                external_id: &instance.external_id,
                organisation_id: Some(new.provider_id),
                operation: Operation::Created,
                version: 1,
                changed_fields: instance_fields.next().unwrap_or_default(),
                public_before: false,
                public_after: public,
            });
            instance_tag_rows.extend(instance_tags(instance_id, instance));
            periods.extend(instance_periods(instance_id, instance));
        }
    }
    super::insert_tags_many::<instance_tag::Entity, _>(tx, instance_tag_rows).await?;
    insert_all(tx, periods).await?;
    journal::record_many(tx, &options.actor, entries).await?;
    let ids: Vec<i32> = group
        .iter()
        .map(|n| id_of(&course_ids, &n.record.external_id))
        .collect::<Result<_, _>>()?;
    crate::store::outbox::enqueue_many(tx, &ids).await?;
    Ok(())
}

/// Rows of `E` per multi-row statement.
pub(crate) fn rows_per_statement<E: EntityTrait>() -> usize {
    (PARAMETERS / E::Column::iter().count().max(1)).max(1)
}

/// Inserts `models` with as few statements as the parameter limit allows.
pub(crate) async fn insert_all<A>(
    tx: &DatabaseTransaction,
    models: Vec<A>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    let per = rows_per_statement::<A::Entity>();
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<A> = models.by_ref().take(per).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// The row ids of the rows with these external ids.
async fn ids_of<E: EntityTrait>(
    tx: &DatabaseTransaction,
    wanted: &[&str],
    id: E::Column,
    external_id: E::Column,
) -> Result<HashMap<String, i32>, sea_orm::DbErr> {
    let mut out = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(IDS) {
        let rows: Vec<(i32, String)> = E::find()
            .select_only()
            .column(id)
            .column(external_id)
            .filter(external_id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(tx)
            .await?;
        for (id, external_id) in rows {
            out.insert(external_id, id);
        }
    }
    Ok(out)
}

/// The row id written for `external_id`.
fn id_of(ids: &HashMap<String, i32>, external_id: &str) -> Result<i32, sea_orm::DbErr> {
    ids.get(external_id)
        .copied()
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(external_id.to_string()))
}
