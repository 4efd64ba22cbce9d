//! Courses and their instances.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::journal::{self, changed, EntityKind, Entry, Operation};
use super::place::upsert_location;
use super::{
    begin, check_version, forbidden, hash, id_out_of_scope, insert_tags, invalid, json,
    organisation_by_external_id, out_of_scope, Outcome, WriteError, WriteOptions,
};
use crate::codes::code_sets;
use crate::domain::error_codes::*;
use crate::domain::{validate, CourseRecord, InstanceRecord, PublicationState};
use crate::store::sort_name;
use entity::{course, course_instance, course_tag, enrolment_period, instance_tag};

fn is_published(state: &str) -> bool {
    state == PublicationState::Published.code()
}

/// Creates or updates a course with its instances; instances the record no
/// longer lists are deleted. Returns the outcome and the course's row id.
#[tracing::instrument(skip_all, fields(course.external_id = %record.external_id))]
pub(crate) async fn upsert_course<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    record: &CourseRecord,
    options: &WriteOptions,
) -> Result<(Outcome, i32), WriteError> {
    let tx = begin(conn).await?;
    let existing = course::Entity::find()
        .filter(course::Column::ExternalId.eq(&record.external_id))
        .one(&tx)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|old| !options.scope.covers(old.provider_id))
    {
        return Err(foreign_course(record));
    }
    let provider =
        organisation_by_external_id(&tx, &record.provider_external_id, "provider").await?;
    if !options.scope.covers(provider.id) {
        return Err(foreign_provider());
    }
    let content_hash = hash(record);
    if let Some(old) = existing.as_ref().filter(|c| c.content_hash == content_hash) {
        return Ok((Outcome::Unchanged, old.id));
    }
    check_version(
        options.expected_version,
        existing.as_ref().map(|c| c.version),
    )?;
    if let Some(old) = &existing {
        let from = PublicationState::parse(&old.state).unwrap_or(PublicationState::Draft);
        validate::transition(from, record.state).map_err(|e| WriteError::Invalid(vec![e]))?;
    }
    let errors = validate::course(record);
    if !errors.is_empty() {
        return Err(WriteError::Invalid(errors));
    }
    let funder_id = match &record.funder_external_id {
        Some(funder) => Some(organisation_by_external_id(&tx, funder, "funder").await?.id),
        None => None,
    };
    let now = Utc::now();
    let mut model = course_model(record, provider.id, funder_id, content_hash, now);
    let fields = changed::<course::Entity>(existing.as_ref(), &model);
    let (id, version, outcome) = match &existing {
        Some(old) => {
            model.version = Set(old.version + 1);
            // The version in the condition makes a concurrent writer that
            // read the same version lose instead of overwriting.
            let done = course::Entity::update_many()
                .set(model)
                .filter(course::Column::Id.eq(old.id))
                .filter(course::Column::Version.eq(old.version))
                .exec(&tx)
                .await?;
            if done.rows_affected != 1 {
                return Err(invalid(
                    "expectedVersion",
                    STALE_VERSION,
                    "the course changed while this write was under way; read it again and retry",
                ));
            }
            (old.id, old.version + 1, Outcome::Updated)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            (model.insert(&tx).await?.id, 1, Outcome::Created)
        }
    };
    let was_public = existing.as_ref().is_some_and(|c| is_published(&c.state));
    let public = record.state == PublicationState::Published;
    journal::record(
        &tx,
        &options.actor,
        Entry {
            entity: EntityKind::Course,
            entity_id: id,
            external_id: &record.external_id,
            organisation_id: Some(provider.id),
            operation: Operation::of(outcome),
            version,
            changed_fields: fields,
            public_before: was_public,
            public_after: public,
        },
    )
    .await?;
    replace_tags(&tx, id, course_tags(id, record)).await?;
    let visibility = (was_public, public);
    write_instances(&tx, id, provider.id, record, options, visibility).await?;
    crate::store::outbox::enqueue(&tx, id).await?;
    tx.commit().await?;
    Ok((outcome, id))
}

/// The course row of a record; the caller sets the id, version and creation time.
pub(super) fn course_model(
    record: &CourseRecord,
    provider_id: i32,
    funder_id: Option<i32>,
    content_hash: String,
    now: DateTime<Utc>,
) -> course::ActiveModel {
    course::ActiveModel {
        external_id: Set(record.external_id.clone()),
        identifier: Set(record.identifier.clone()),
        provider_id: Set(provider_id),
        funder_id: Set(funder_id),
        name_fi: Set(record.name.fi.clone()),
        name_sv: Set(record.name.sv.clone()),
        name_en: Set(record.name.en.clone()),
        description_fi: Set(record.description.fi.clone()),
        description_sv: Set(record.description.sv.clone()),
        description_en: Set(record.description.en.clone()),
        credential_fi: Set(record.credential.fi.clone()),
        credential_sv: Set(record.credential.sv.clone()),
        credential_en: Set(record.credential.en.clone()),
        url: Set(record.url.clone()),
        education_type: Set(record.education_type.map(|t| t.code().to_string())),
        credits_value: Set(record.credits.map(|c| c.value)),
        credits_unit: Set(record.credits.map(|c| c.unit.code().to_string())),
        duration: Set(record.duration.clone()),
        fields: Set(json(&record.fields_of_education)),
        keywords: Set(json(&record.keywords)),
        audiences: Set(json(&record.audiences)),
        languages: Set(json(&record.languages)),
        state: Set(record.state.code().to_string()),
        name_sort: Set(sort_name(&record.name)),
        publish_at: Set(record.publish_at),
        archive_at: Set(record.archive_at),
        content_hash: Set(content_hash),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The refusal of a course that belongs to an organisation out of scope.
pub(super) fn foreign_course(record: &CourseRecord) -> WriteError {
    id_out_of_scope("@id", "course", &record.external_id)
}

/// The refusal of a provider out of scope.
pub(super) fn foreign_provider() -> WriteError {
    forbidden(
        "provider",
        "this key writes only its own organisation's courses",
    )
}

/// Deletes a course, its instances and their tags; tombstones for each.
pub(crate) async fn delete_course<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    id: i32,
    options: &WriteOptions,
) -> Result<(), WriteError> {
    let tx = begin(conn).await?;
    let Some(old) = course::Entity::find_by_id(id).one(&tx).await? else {
        return Err(out_of_scope("id", "course"));
    };
    if !options.scope.covers(old.provider_id) {
        return Err(out_of_scope("id", "course"));
    }
    check_version(options.expected_version, Some(old.version))?;
    let public = is_published(&old.state);
    let instances = course_instance::Entity::find()
        .filter(course_instance::Column::CourseId.eq(id))
        .order_by_asc(course_instance::Column::Position)
        .all(&tx)
        .await?;
    for i in &instances {
        journal::record(
            &tx,
            &options.actor,
            tombstone(
                EntityKind::CourseInstance,
                i.id,
                &i.external_id,
                old.provider_id,
                i.version,
                public,
            ),
        )
        .await?;
    }
    journal::record(
        &tx,
        &options.actor,
        tombstone(
            EntityKind::Course,
            id,
            &old.external_id,
            old.provider_id,
            old.version,
            public,
        ),
    )
    .await?;
    course_instance::Entity::delete_many()
        .filter(course_instance::Column::CourseId.eq(id))
        .exec(&tx)
        .await?;
    course_tag::Entity::delete_many()
        .filter(course_tag::Column::CourseId.eq(id))
        .exec(&tx)
        .await?;
    course::Entity::delete_by_id(id).exec(&tx).await?;
    crate::store::outbox::enqueue(&tx, id).await?;
    tx.commit().await?;
    Ok(())
}

fn tombstone(
    entity: EntityKind,
    id: i32,
    external_id: &str,
    organisation_id: i32,
    version: i32,
    public: bool,
) -> Entry<'_> {
    Entry {
        entity,
        entity_id: id,
        external_id,
        organisation_id: Some(organisation_id),
        operation: Operation::Deleted,
        version,
        changed_fields: Vec::new(),
        public_before: public,
        public_after: false,
    }
}

pub(super) fn course_tags(id: i32, record: &CourseRecord) -> Vec<course_tag::ActiveModel> {
    let mut tags: Vec<(&str, String)> = Vec::new();
    for code in &record.fields_of_education {
        tags.push(("field", code.clone()));
        if let Some(parent) = code_sets().field(code).and_then(|f| f.parent.clone()) {
            tags.push(("field", parent));
        }
    }
    for audience in &record.audiences {
        tags.push(("audience", audience.code().to_string()));
    }
    if let Some(t) = record.education_type {
        tags.push(("education_type", t.code().to_string()));
    }
    tags.into_iter()
        .map(|(kind, value)| course_tag::ActiveModel {
            course_id: Set(id),
            kind: Set(kind.to_string()),
            value: Set(value),
        })
        .collect()
}

async fn replace_tags(
    tx: &DatabaseTransaction,
    course_id: i32,
    tags: Vec<course_tag::ActiveModel>,
) -> Result<(), WriteError> {
    course_tag::Entity::delete_many()
        .filter(course_tag::Column::CourseId.eq(course_id))
        .exec(tx)
        .await?;
    insert_tags::<course_tag::Entity, _>(tx, tags).await
}

/// Brings a course's instances in line with the record.
async fn write_instances(
    tx: &DatabaseTransaction,
    course_id: i32,
    provider_id: i32,
    record: &CourseRecord,
    options: &WriteOptions,
    (was_public, public): (bool, bool),
) -> Result<(), WriteError> {
    let ids: Vec<&str> = record
        .instances
        .iter()
        .map(|i| i.external_id.as_str())
        .collect();
    // Two lookups by index: one condition joining both with OR made the
    // planner scan the whole table, once per course.
    let mut existing = course_instance::Entity::find()
        .filter(course_instance::Column::CourseId.eq(course_id))
        .all(tx)
        .await?;
    if !ids.is_empty() {
        existing.extend(
            course_instance::Entity::find()
                .filter(course_instance::Column::ExternalId.is_in(ids.clone()))
                .filter(course_instance::Column::CourseId.ne(course_id))
                .all(tx)
                .await?,
        );
    }
    for old in &existing {
        if old.course_id != course_id {
            let index = ids
                .iter()
                .position(|id| *id == old.external_id)
                .unwrap_or(0);
            return Err(invalid(
                &format!("hasCourseInstance[{index}].@id"),
                INSTANCE_OF_ANOTHER_COURSE,
                format!(
                    "the instance {:?} belongs to another course",
                    old.external_id
                ),
            ));
        }
    }
    let stale: Vec<&course_instance::Model> = existing
        .iter()
        .filter(|old| !ids.contains(&old.external_id.as_str()))
        .collect();
    for old in &stale {
        journal::record(
            tx,
            &options.actor,
            tombstone(
                EntityKind::CourseInstance,
                old.id,
                &old.external_id,
                provider_id,
                old.version,
                was_public,
            ),
        )
        .await?;
    }
    if !stale.is_empty() {
        course_instance::Entity::delete_many()
            .filter(course_instance::Column::Id.is_in(stale.iter().map(|o| o.id)))
            .exec(tx)
            .await?;
    }
    let now = Utc::now();
    for (position, instance) in record.instances.iter().enumerate() {
        let path = format!("hasCourseInstance[{position}]");
        let content_hash = hash(&(position, instance));
        let old = existing
            .iter()
            .find(|o| o.external_id == instance.external_id);
        if old.is_some_and(|o| o.content_hash == content_hash) {
            if was_public != public {
                // Its content is the same, but who may see it changed.
                let o = old.expect("checked above");
                journal::record(
                    tx,
                    &options.actor,
                    Entry {
                        entity: EntityKind::CourseInstance,
                        entity_id: o.id,
                        external_id: &o.external_id,
                        organisation_id: Some(provider_id),
                        operation: Operation::Updated,
                        version: o.version,
                        changed_fields: vec!["course.state".into()],
                        public_before: was_public,
                        public_after: public,
                    },
                )
                .await?;
            }
            continue;
        }
        let location_id = match &instance.location {
            Some(place) => Some(
                upsert_location(tx, provider_id, place, &format!("{path}.location"), options)
                    .await?,
            ),
            None => None,
        };
        let mut model = instance_model(
            instance,
            position,
            course_id,
            location_id,
            content_hash,
            now,
        );
        let fields = changed::<course_instance::Entity>(old, &model);
        let (id, version, operation) = match old {
            Some(old) => {
                model.id = Set(old.id);
                model.version = Set(old.version + 1);
                model.update(tx).await?;
                instance_tag::Entity::delete_many()
                    .filter(instance_tag::Column::InstanceId.eq(old.id))
                    .exec(tx)
                    .await?;
                enrolment_period::Entity::delete_many()
                    .filter(enrolment_period::Column::InstanceId.eq(old.id))
                    .exec(tx)
                    .await?;
                (old.id, old.version + 1, Operation::Updated)
            }
            None => {
                model.version = Set(1);
                model.created_at = Set(now);
                (model.insert(tx).await?.id, 1, Operation::Created)
            }
        };
        journal::record(
            tx,
            &options.actor,
            Entry {
                entity: EntityKind::CourseInstance,
                entity_id: id,
                external_id: &instance.external_id,
                organisation_id: Some(provider_id),
                operation,
                version,
                changed_fields: fields,
                public_before: was_public && old.is_some(),
                public_after: public,
            },
        )
        .await?;
        let tags = instance_tags(id, instance);
        insert_tags::<instance_tag::Entity, _>(tx, tags).await?;
        let periods = instance_periods(id, instance);
        if !periods.is_empty() {
            enrolment_period::Entity::insert_many(periods)
                .exec_without_returning(tx)
                .await?;
        }
    }
    Ok(())
}

/// The row of the instance at `position` of a course; the caller sets the
/// id, version and creation time.
pub(super) fn instance_model(
    instance: &InstanceRecord,
    position: usize,
    course_id: i32,
    location_id: Option<i32>,
    content_hash: String,
    now: DateTime<Utc>,
) -> course_instance::ActiveModel {
    course_instance::ActiveModel {
        external_id: Set(instance.external_id.clone()),
        course_id: Set(course_id),
        position: Set(position as i32),
        location_id: Set(location_id),
        municipality_code: Set(instance.municipality_code.clone()),
        online: Set(instance.online),
        online_url: Set(instance.online_url.clone()),
        modes: Set(json(&instance.modes)),
        languages: Set(json(&instance.languages)),
        start_date: Set(instance.start_date),
        end_date: Set(instance.end_date),
        flexible_start: Set(instance.flexible_start),
        schedule: Set(instance.schedule.as_ref().map(json)),
        times_of_day: Set(json(&instance.times_of_day())),
        price_cents: Set(instance.price_cents),
        funding: Set(instance.funding.map(|f| f.code().to_string())),
        enrolment_periods: Set(json(&instance.enrolment_periods)),
        enrolment_url: Set(instance.enrolment_url.clone()),
        capacity: Set(instance.capacity),
        content_hash: Set(content_hash),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The tag rows of an instance.
pub(super) fn instance_tags(id: i32, instance: &InstanceRecord) -> Vec<instance_tag::ActiveModel> {
    let mut tags: Vec<(&str, String)> = Vec::new();
    tags.extend(
        instance
            .modes
            .iter()
            .map(|m| ("mode", m.code().to_string())),
    );
    tags.extend(instance.languages.iter().map(|l| ("language", l.clone())));
    tags.extend(
        instance
            .times_of_day()
            .iter()
            .map(|t| ("time_of_day", t.code().to_string())),
    );
    tags.into_iter()
        .map(|(kind, value)| instance_tag::ActiveModel {
            instance_id: Set(id),
            kind: Set(kind.to_string()),
            value: Set(value),
        })
        .collect()
}

/// The enrolment period rows of an instance.
pub(super) fn instance_periods(
    id: i32,
    instance: &InstanceRecord,
) -> Vec<enrolment_period::ActiveModel> {
    instance
        .enrolment_periods
        .iter()
        .map(|p| enrolment_period::ActiveModel {
            instance_id: Set(id),
            starts_on: Set(p.starts),
            ends_on: Set(p.ends),
            ..Default::default()
        })
        .collect()
}
