//! Upserts keyed by external id. A record whose content is unchanged writes
//! nothing and keeps its version; a changed one is updated and versioned.

use chrono::Utc;
use sea_orm::sea_query::{ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::{sort_name, Store, StoreError};
use crate::codes::code_sets;
use crate::domain::*;
use entity::{
    course, course_instance, course_tag, enrolment_period, guidance_service, instance_tag,
    location, organisation, service_tag,
};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Why an upsert was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for WriteError {
    fn from(e: sea_orm::DbErr) -> Self {
        WriteError::Store(StoreError::Db(e))
    }
}

fn invalid(path: &str, code: &str, message: String) -> WriteError {
    WriteError::Invalid(vec![FieldError::new(path, code, message)])
}

fn hash<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).expect("records serialise to JSON");
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise to JSON")
}

async fn organisation_id(
    tx: &DatabaseTransaction,
    external_id: &str,
    path: &str,
) -> Result<i32, WriteError> {
    organisation::Entity::find()
        .filter(organisation::Column::ExternalId.eq(external_id))
        .one(tx)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| {
            invalid(
                path,
                "UNKNOWN_ORGANISATION",
                format!(
                    "no organisation has the id {external_id:?}; import the organisation first"
                ),
            )
        })
}

/// Where upserts go: the database itself, or a transaction that a dry run
/// rolls back.
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
}

impl CatalogueWriter for Store {
    async fn upsert_organisation(
        &self,
        record: &OrganisationRecord,
    ) -> Result<Outcome, WriteError> {
        upsert_organisation(self.db(), record).await
    }

    async fn upsert_course(&self, record: &CourseRecord) -> Result<Outcome, WriteError> {
        upsert_course(self.db(), record).await
    }

    async fn upsert_guidance_service(
        &self,
        record: &GuidanceServiceRecord,
    ) -> Result<Outcome, WriteError> {
        upsert_guidance_service(self.db(), record).await
    }
}

/// Writes that are undone at the end: `--dry-run` sees exactly what a real
/// run would do, and leaves nothing behind.
pub struct DryRun {
    tx: DatabaseTransaction,
}

impl Store {
    /// Starts a dry run.
    pub async fn dry_run(&self) -> Result<DryRun, StoreError> {
        Ok(DryRun {
            tx: self.db().begin().await?,
        })
    }
}

impl DryRun {
    /// Undoes everything.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl CatalogueWriter for DryRun {
    async fn upsert_organisation(
        &self,
        record: &OrganisationRecord,
    ) -> Result<Outcome, WriteError> {
        upsert_organisation(&self.tx, record).await
    }

    async fn upsert_course(&self, record: &CourseRecord) -> Result<Outcome, WriteError> {
        upsert_course(&self.tx, record).await
    }

    async fn upsert_guidance_service(
        &self,
        record: &GuidanceServiceRecord,
    ) -> Result<Outcome, WriteError> {
        upsert_guidance_service(&self.tx, record).await
    }
}

/// Creates or updates an organisation and its locations.
#[tracing::instrument(skip_all, fields(organisation.external_id = %record.external_id))]
async fn upsert_organisation<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    record: &OrganisationRecord,
) -> Result<Outcome, WriteError> {
    let tx = conn.begin().await?;
    let content_hash = hash(record);
    let existing = organisation::Entity::find()
        .filter(organisation::Column::ExternalId.eq(&record.external_id))
        .one(&tx)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|o| o.content_hash == content_hash)
    {
        return Ok(Outcome::Unchanged);
    }
    let now = Utc::now();
    let address = record.address.clone().unwrap_or_default();
    let mut model = organisation::ActiveModel {
        external_id: Set(record.external_id.clone()),
        identifier: Set(record.identifier.clone()),
        kind: Set(record.kind.code().to_string()),
        name_fi: Set(record.name.fi.clone()),
        name_sv: Set(record.name.sv.clone()),
        name_en: Set(record.name.en.clone()),
        description_fi: Set(record.description.fi.clone()),
        description_sv: Set(record.description.sv.clone()),
        description_en: Set(record.description.en.clone()),
        url: Set(record.url.clone()),
        phone: Set(record.phone.clone()),
        email: Set(record.email.clone()),
        street_address: Set(address.street_address),
        postal_code: Set(address.postal_code),
        locality: Set(address.locality),
        municipality_code: Set(address.municipality_code),
        content_hash: Set(content_hash),
        updated_at: Set(now),
        ..Default::default()
    };
    let (id, outcome) = match &existing {
        Some(old) => {
            model.id = Set(old.id);
            model.version = Set(old.version + 1);
            model.update(&tx).await?;
            (old.id, Outcome::Updated)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            (model.insert(&tx).await?.id, Outcome::Created)
        }
    };
    for (i, place) in record.locations.iter().enumerate() {
        upsert_location(&tx, id, place, &format!("location[{i}]")).await?;
    }
    if outcome == Outcome::Updated {
        // Course documents carry the provider's name.
        let courses: Vec<i32> = course::Entity::find()
            .select_only()
            .column(course::Column::Id)
            .filter(course::Column::ProviderId.eq(id))
            .into_tuple()
            .all(&tx)
            .await?;
        for course_id in courses {
            super::outbox::enqueue(&tx, course_id).await?;
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Creates or updates a course with its instances; instances the record no
/// longer lists are deleted.
#[tracing::instrument(skip_all, fields(course.external_id = %record.external_id))]
async fn upsert_course<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    record: &CourseRecord,
) -> Result<Outcome, WriteError> {
    let tx = conn.begin().await?;
    let content_hash = hash(record);
    let existing = course::Entity::find()
        .filter(course::Column::ExternalId.eq(&record.external_id))
        .one(&tx)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|c| c.content_hash == content_hash)
    {
        return Ok(Outcome::Unchanged);
    }
    let provider_id = organisation_id(&tx, &record.provider_external_id, "provider").await?;
    let funder_id = match &record.funder_external_id {
        Some(funder) => Some(organisation_id(&tx, funder, "funder").await?),
        None => None,
    };
    let now = Utc::now();
    let mut model = course::ActiveModel {
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
        content_hash: Set(content_hash),
        updated_at: Set(now),
        ..Default::default()
    };
    let (id, outcome) = match &existing {
        Some(old) => {
            model.id = Set(old.id);
            model.version = Set(old.version + 1);
            model.update(&tx).await?;
            (old.id, Outcome::Updated)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            (model.insert(&tx).await?.id, Outcome::Created)
        }
    };
    replace_tags(&tx, id, course_tags(id, record)).await?;
    write_instances(&tx, id, provider_id, record).await?;
    super::outbox::enqueue(&tx, id).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Creates or updates a guidance service.
#[tracing::instrument(skip_all, fields(guidance_service.external_id = %record.external_id))]
async fn upsert_guidance_service<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    record: &GuidanceServiceRecord,
) -> Result<Outcome, WriteError> {
    let tx = conn.begin().await?;
    let content_hash = hash(record);
    let existing = guidance_service::Entity::find()
        .filter(guidance_service::Column::ExternalId.eq(&record.external_id))
        .one(&tx)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|s| s.content_hash == content_hash)
    {
        return Ok(Outcome::Unchanged);
    }
    let provider_id = organisation_id(&tx, &record.provider_external_id, "provider").await?;
    for (i, channel) in record.channels.iter().enumerate() {
        if let Some(place) = &channel.location {
            let path = format!("availableChannel[{i}].serviceLocation");
            upsert_location(&tx, provider_id, place, &path).await?;
        }
    }
    let now = Utc::now();
    let mut model = guidance_service::ActiveModel {
        external_id: Set(record.external_id.clone()),
        identifier: Set(record.identifier.clone()),
        provider_id: Set(provider_id),
        service_type: Set(record.service_type.clone()),
        name_fi: Set(record.name.fi.clone()),
        name_sv: Set(record.name.sv.clone()),
        name_en: Set(record.name.en.clone()),
        description_fi: Set(record.description.fi.clone()),
        description_sv: Set(record.description.sv.clone()),
        description_en: Set(record.description.en.clone()),
        channels: Set(json(&record.channels)),
        opening_hours: Set(json(&record.opening_hours)),
        area_served: Set(json(&record.area_served)),
        audiences: Set(json(&record.audiences)),
        state: Set(record.state.code().to_string()),
        name_sort: Set(sort_name(&record.name)),
        content_hash: Set(content_hash),
        updated_at: Set(now),
        ..Default::default()
    };
    let (id, outcome) = match &existing {
        Some(old) => {
            model.id = Set(old.id);
            model.version = Set(old.version + 1);
            model.update(&tx).await?;
            (old.id, Outcome::Updated)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            (model.insert(&tx).await?.id, Outcome::Created)
        }
    };
    service_tag::Entity::delete_many()
        .filter(service_tag::Column::ServiceId.eq(id))
        .exec(&tx)
        .await?;
    let mut tags = Vec::new();
    let mut push = |kind: &str, value: &str| {
        tags.push(service_tag::ActiveModel {
            service_id: Set(id),
            kind: Set(kind.to_string()),
            value: Set(value.to_string()),
        })
    };
    for code in &record.area_served {
        push("municipality", code);
        if let Some(m) = code_sets().municipality(code) {
            push("region", &m.region);
        }
    }
    for channel in &record.channels {
        push("channel", channel.kind.code());
        for lang in &channel.languages {
            push("language", lang);
        }
    }
    for audience in &record.audiences {
        push("audience", audience.code());
    }
    insert_tags::<service_tag::Entity, _>(&tx, tags).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Inserts tag rows, ignoring duplicates.
async fn insert_tags<E, A>(tx: &DatabaseTransaction, tags: Vec<A>) -> Result<(), WriteError>
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

fn course_tags(id: i32, record: &CourseRecord) -> Vec<course_tag::ActiveModel> {
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

/// Creates or updates a location of `organisation_id`; a location belongs to one organisation.
async fn upsert_location(
    tx: &DatabaseTransaction,
    organisation_id: i32,
    place: &LocationRecord,
    path: &str,
) -> Result<i32, WriteError> {
    let content_hash = hash(place);
    let existing = location::Entity::find()
        .filter(location::Column::ExternalId.eq(&place.external_id))
        .one(tx)
        .await?;
    if let Some(old) = &existing {
        if old.organisation_id != organisation_id {
            return Err(invalid(
                path,
                "LOCATION_OF_ANOTHER_ORGANISATION",
                format!(
                    "the location {:?} belongs to another organisation",
                    place.external_id
                ),
            ));
        }
        if old.content_hash == content_hash {
            return Ok(old.id);
        }
    }
    let now = Utc::now();
    let mut model = location::ActiveModel {
        external_id: Set(place.external_id.clone()),
        organisation_id: Set(organisation_id),
        name_fi: Set(place.name.fi.clone()),
        name_sv: Set(place.name.sv.clone()),
        name_en: Set(place.name.en.clone()),
        street_address: Set(place.address.street_address.clone()),
        postal_code: Set(place.address.postal_code.clone()),
        locality: Set(place.address.locality.clone()),
        municipality_code: Set(place.address.municipality_code.clone()),
        latitude: Set(place.coordinates.map(|c| c.latitude)),
        longitude: Set(place.coordinates.map(|c| c.longitude)),
        content_hash: Set(content_hash),
        updated_at: Set(now),
        ..Default::default()
    };
    match existing {
        Some(old) => {
            model.id = Set(old.id);
            model.version = Set(old.version + 1);
            model.update(tx).await?;
            Ok(old.id)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            Ok(model.insert(tx).await?.id)
        }
    }
}

/// Brings a course's instances in line with the record.
async fn write_instances(
    tx: &DatabaseTransaction,
    course_id: i32,
    provider_id: i32,
    record: &CourseRecord,
) -> Result<(), WriteError> {
    let ids: Vec<&str> = record
        .instances
        .iter()
        .map(|i| i.external_id.as_str())
        .collect();
    let existing = course_instance::Entity::find()
        .filter(
            course_instance::Column::CourseId
                .eq(course_id)
                .or(course_instance::Column::ExternalId.is_in(ids.clone())),
        )
        .all(tx)
        .await?;
    for old in &existing {
        if old.course_id != course_id {
            let index = ids
                .iter()
                .position(|id| *id == old.external_id)
                .unwrap_or(0);
            return Err(invalid(
                &format!("hasCourseInstance[{index}].@id"),
                "INSTANCE_OF_ANOTHER_COURSE",
                format!(
                    "the instance {:?} belongs to another course",
                    old.external_id
                ),
            ));
        }
    }
    let stale: Vec<i32> = existing
        .iter()
        .filter(|old| !ids.contains(&old.external_id.as_str()))
        .map(|old| old.id)
        .collect();
    if !stale.is_empty() {
        course_instance::Entity::delete_many()
            .filter(course_instance::Column::Id.is_in(stale))
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
            continue;
        }
        let location_id = match &instance.location {
            Some(place) => {
                Some(upsert_location(tx, provider_id, place, &format!("{path}.location")).await?)
            }
            None => None,
        };
        let mut model = course_instance::ActiveModel {
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
        };
        let id = match old {
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
                old.id
            }
            None => {
                model.version = Set(1);
                model.created_at = Set(now);
                model.insert(tx).await?.id
            }
        };
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
        let tags = tags
            .into_iter()
            .map(|(kind, value)| instance_tag::ActiveModel {
                instance_id: Set(id),
                kind: Set(kind.to_string()),
                value: Set(value),
            })
            .collect();
        insert_tags::<instance_tag::Entity, _>(tx, tags).await?;
        if !instance.enrolment_periods.is_empty() {
            let periods =
                instance
                    .enrolment_periods
                    .iter()
                    .map(|p| enrolment_period::ActiveModel {
                        instance_id: Set(id),
                        starts_on: Set(p.starts),
                        ends_on: Set(p.ends),
                        ..Default::default()
                    });
            enrolment_period::Entity::insert_many(periods)
                .exec(tx)
                .await?;
        }
    }
    Ok(())
}
