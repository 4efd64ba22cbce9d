//! Organisations and their locations.

use chrono::Utc;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait, Set, TransactionTrait,
};

use super::journal::{self, changed, EntityKind, Entry, Operation};
use super::{
    begin, check_version, forbidden, hash, id_out_of_scope, invalid, organisation_by_external_id,
    Outcome, WriteError, WriteOptions,
};
use crate::domain::error_codes::*;
use crate::domain::{validate, LocationRecord, OrganisationRecord, Scope};
use entity::{course, course_instance, location, organisation};

/// Creates or updates an organisation and its locations (administrators only).
#[tracing::instrument(skip_all, fields(organisation.external_id = %record.external_id))]
pub(crate) async fn upsert_organisation<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    record: &OrganisationRecord,
    options: &WriteOptions,
) -> Result<Outcome, WriteError> {
    if options.scope != Scope::Everything {
        return Err(forbidden(
            "@id",
            "organisations are written with an administrator key",
        ));
    }
    let tx = begin(conn).await?;
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
    check_version(
        options.expected_version,
        existing.as_ref().map(|o| o.version),
    )?;
    let errors = validate::organisation(record);
    if !errors.is_empty() {
        return Err(WriteError::Invalid(errors));
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
    let fields = changed::<organisation::Entity>(existing.as_ref(), &model);
    let (id, version, outcome) = match &existing {
        Some(old) => {
            model.id = Set(old.id);
            model.version = Set(old.version + 1);
            model.update(&tx).await?;
            (old.id, old.version + 1, Outcome::Updated)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            (model.insert(&tx).await?.id, 1, Outcome::Created)
        }
    };
    journal::record(
        &tx,
        &options.actor,
        Entry {
            entity: EntityKind::Organisation,
            entity_id: id,
            external_id: &record.external_id,
            organisation_id: Some(id),
            operation: Operation::of(outcome),
            version,
            changed_fields: fields,
            public_before: existing.is_some(),
            public_after: true,
        },
    )
    .await?;
    for (i, place) in record.locations.iter().enumerate() {
        upsert_location(&tx, id, place, &format!("location[{i}]"), options).await?;
    }
    if outcome == Outcome::Updated {
        // Course documents carry the provider's name.
        enqueue_courses(&tx, course::Column::ProviderId.eq(id)).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

async fn enqueue_courses(
    tx: &DatabaseTransaction,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> Result<(), WriteError> {
    let courses: Vec<i32> = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(condition)
        .into_tuple()
        .all(tx)
        .await?;
    for course_id in courses {
        crate::store::outbox::enqueue(tx, course_id).await?;
    }
    Ok(())
}

/// Creates or updates a location of `organisation_id` in the caller's
/// transaction; a location belongs to one organisation.
pub(crate) async fn upsert_location(
    tx: &DatabaseTransaction,
    organisation_id: i32,
    place: &LocationRecord,
    path: &str,
    options: &WriteOptions,
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
                LOCATION_OF_ANOTHER_ORGANISATION,
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
    let fields = changed::<location::Entity>(existing.as_ref(), &model);
    let (id, version, operation) = match &existing {
        Some(old) => {
            model.id = Set(old.id);
            model.version = Set(old.version + 1);
            model.update(tx).await?;
            if old.municipality_code != place.address.municipality_code {
                // Instances taught there move with it.
                course_instance::Entity::update_many()
                    .col_expr(
                        course_instance::Column::MunicipalityCode,
                        sea_orm::sea_query::Expr::value(place.address.municipality_code.clone()),
                    )
                    .filter(course_instance::Column::LocationId.eq(old.id))
                    .exec(tx)
                    .await?;
                let using = course_instance::Entity::find()
                    .select_only()
                    .column(course_instance::Column::CourseId)
                    .filter(course_instance::Column::LocationId.eq(old.id))
                    .into_query();
                enqueue_courses(
                    tx,
                    sea_orm::sea_query::Expr::col(course::Column::Id).in_subquery(using),
                )
                .await?;
            }
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
            entity: EntityKind::Location,
            entity_id: id,
            external_id: &place.external_id,
            organisation_id: Some(organisation_id),
            operation,
            version,
            changed_fields: fields,
            public_before: existing.is_some(),
            public_after: true,
        },
    )
    .await?;
    Ok(id)
}

/// Creates or updates a location of the organisation `owner` (external id).
pub(crate) async fn put_location<C: TransactionTrait<Transaction = DatabaseTransaction>>(
    conn: &C,
    owner: &str,
    place: &LocationRecord,
    options: &WriteOptions,
) -> Result<(Outcome, i32), WriteError> {
    let tx = begin(conn).await?;
    let organisation = organisation_by_external_id(&tx, owner, "organisation").await?;
    if !options.scope.covers(organisation.id) {
        return Err(forbidden(
            "organisation",
            "this key writes only its own organisation's locations",
        ));
    }
    let existing = location::Entity::find()
        .filter(location::Column::ExternalId.eq(&place.external_id))
        .one(&tx)
        .await?;
    if let Some(old) = &existing {
        if !options.scope.covers(old.organisation_id) {
            return Err(id_out_of_scope(
                "externalId",
                "location",
                &place.external_id,
            ));
        }
        if old.content_hash == hash(place) {
            return Ok((Outcome::Unchanged, old.id));
        }
    }
    check_version(
        options.expected_version,
        existing.as_ref().map(|l| l.version),
    )?;
    let errors = validate::location(place, "");
    if !errors.is_empty() {
        return Err(WriteError::Invalid(errors));
    }
    let id = upsert_location(&tx, organisation.id, place, "", options).await?;
    tx.commit().await?;
    let outcome = if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    };
    Ok((outcome, id))
}
