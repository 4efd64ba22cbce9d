//! Guidance and counselling services.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};

use super::journal::{self, changed, EntityKind, Entry, Operation};
use super::place::upsert_location;
use super::{
    begin, check_version, forbidden, hash, id_out_of_scope, insert_tags, json,
    organisation_by_external_id, Outcome, WriteError, WriteOptions,
};
use crate::codes::code_sets;
use crate::domain::{validate, GuidanceServiceRecord, PublicationState};
use crate::store::sort_name;
use entity::{guidance_service, service_tag};

/// Creates or updates a guidance service; returns the outcome and its row id.
#[tracing::instrument(skip_all, fields(guidance_service.external_id = %record.external_id))]
pub(crate) async fn upsert_guidance_service<
    C: TransactionTrait<Transaction = DatabaseTransaction>,
>(
    conn: &C,
    record: &GuidanceServiceRecord,
    options: &WriteOptions,
) -> Result<(Outcome, i32), WriteError> {
    let tx = begin(conn).await?;
    let existing = guidance_service::Entity::find()
        .filter(guidance_service::Column::ExternalId.eq(&record.external_id))
        .one(&tx)
        .await?;
    if let Some(old) = &existing {
        if !options.scope.covers(old.provider_id) {
            return Err(id_out_of_scope(
                "@id",
                "guidance service",
                &record.external_id,
            ));
        }
    }
    let provider =
        organisation_by_external_id(&tx, &record.provider_external_id, "provider").await?;
    if !options.scope.covers(provider.id) {
        return Err(forbidden(
            "provider",
            "this key writes only its own organisation's services",
        ));
    }
    let content_hash = hash(record);
    if let Some(old) = existing.as_ref().filter(|s| s.content_hash == content_hash) {
        return Ok((Outcome::Unchanged, old.id));
    }
    check_version(
        options.expected_version,
        existing.as_ref().map(|s| s.version),
    )?;
    let errors = validate::guidance_service(record);
    if !errors.is_empty() {
        return Err(WriteError::Invalid(errors));
    }
    for (i, channel) in record.channels.iter().enumerate() {
        if let Some(place) = &channel.location {
            let path = format!("availableChannel[{i}].serviceLocation");
            upsert_location(&tx, provider.id, place, &path, options).await?;
        }
    }
    let now = Utc::now();
    let mut model = guidance_service::ActiveModel {
        external_id: Set(record.external_id.clone()),
        identifier: Set(record.identifier.clone()),
        provider_id: Set(provider.id),
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
    let fields = changed::<guidance_service::Entity>(existing.as_ref(), &model);
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
    let published = PublicationState::Published.code();
    journal::record(
        &tx,
        &options.actor,
        Entry {
            entity: EntityKind::GuidanceService,
            entity_id: id,
            external_id: &record.external_id,
            organisation_id: Some(provider.id),
            operation: Operation::of(outcome),
            version,
            changed_fields: fields,
            public_before: existing.as_ref().is_some_and(|s| s.state == published),
            public_after: record.state == PublicationState::Published,
        },
    )
    .await?;
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
    Ok((outcome, id))
}
