//! Stored rows back into the records partners write, so that a change to one
//! part (an instance, the state) goes through the same upsert as a whole
//! record. The round trip is exact: an unchanged course hashes the same.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{from_json, localized, CourseRow, InstanceRow, LocationRow, Store, StoreError};
use crate::domain::*;
use entity::{course, course_instance, guidance_service, location, organisation};

/// A stored location as a record.
pub fn location_record(row: &LocationRow) -> LocationRecord {
    LocationRecord {
        external_id: row.external_id.clone(),
        name: localized(&row.name_fi, &row.name_sv, &row.name_en),
        address: Address {
            street_address: row.street_address.clone(),
            postal_code: row.postal_code.clone(),
            locality: row.locality.clone(),
            municipality_code: row.municipality_code.clone(),
        },
        coordinates: match (row.latitude, row.longitude) {
            (Some(latitude), Some(longitude)) => Some(Coordinates {
                latitude,
                longitude,
            }),
            _ => None,
        },
    }
}

fn code<T>(column: &str, value: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| StoreError::Corrupt(format!("{column}: unknown code {value:?}")))
}

fn instance_record(
    row: &InstanceRow,
    place: Option<LocationRecord>,
) -> Result<InstanceRecord, StoreError> {
    Ok(InstanceRecord {
        external_id: row.external_id.clone(),
        modes: from_json("modes", &row.modes)?,
        location: place,
        municipality_code: row.municipality_code.clone(),
        online: row.online,
        online_url: row.online_url.clone(),
        languages: from_json("languages", &row.languages)?,
        start_date: row.start_date,
        end_date: row.end_date,
        flexible_start: row.flexible_start,
        schedule: row
            .schedule
            .as_deref()
            .map(|s| from_json("schedule", s))
            .transpose()?,
        price_cents: row.price_cents,
        funding: row
            .funding
            .as_deref()
            .map(|f| code("funding", f, FundingCategory::parse))
            .transpose()?,
        enrolment_periods: from_json("enrolment_periods", &row.enrolment_periods)?,
        enrolment_url: row.enrolment_url.clone(),
        capacity: row.capacity,
    })
}

impl Store {
    /// A course and its instances as the record that would write them.
    #[tracing::instrument(skip_all, fields(course.id = id))]
    pub async fn course_record(
        &self,
        id: i32,
    ) -> Result<Option<(CourseRow, CourseRecord)>, StoreError> {
        let Some(row) = course::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        let instances = self
            .instances_of_courses(&[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let place_ids: Vec<i32> = instances.iter().filter_map(|i| i.location_id).collect();
        let places = self.locations_by_ids(&place_ids).await?;
        let mut org_ids = vec![row.provider_id];
        org_ids.extend(row.funder_id);
        let orgs = self.organisations_by_ids(&org_ids).await?;
        let external = |id: i32| {
            orgs.get(&id).map(|o| o.external_id.clone()).ok_or_else(|| {
                StoreError::Corrupt(format!("course {} lacks organisation {id}", row.id))
            })
        };
        let instances = instances
            .iter()
            .map(|i| {
                instance_record(
                    i,
                    i.location_id
                        .and_then(|l| places.get(&l))
                        .map(location_record),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let record = CourseRecord {
            external_id: row.external_id.clone(),
            identifier: row.identifier.clone(),
            provider_external_id: external(row.provider_id)?,
            funder_external_id: row.funder_id.map(external).transpose()?,
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            description: localized(
                &row.description_fi,
                &row.description_sv,
                &row.description_en,
            ),
            url: row.url.clone(),
            fields_of_education: from_json("fields", &row.fields)?,
            education_type: row
                .education_type
                .as_deref()
                .map(|t| code("education_type", t, EducationType::parse))
                .transpose()?,
            credential: localized(&row.credential_fi, &row.credential_sv, &row.credential_en),
            credits: match (row.credits_value, row.credits_unit.as_deref()) {
                (Some(value), Some(unit)) => Some(Credits {
                    value,
                    unit: code("credits_unit", unit, CreditUnit::parse)?,
                }),
                _ => None,
            },
            duration: row.duration.clone(),
            keywords: from_json("keywords", &row.keywords)?,
            audiences: from_json("audiences", &row.audiences)?,
            languages: from_json("languages", &row.languages)?,
            state: code("state", &row.state, PublicationState::parse)?,
            instances,
            publish_at: row.publish_at,
            archive_at: row.archive_at,
        };
        Ok(Some((row, record)))
    }

    /// A guidance service as the record that would write it.
    pub async fn guidance_record(
        &self,
        id: i32,
    ) -> Result<Option<(entity::guidance_service::Model, GuidanceServiceRecord)>, StoreError> {
        let Some(row) = guidance_service::Entity::find_by_id(id)
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let provider = organisation::Entity::find_by_id(row.provider_id)
            .one(self.db())
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("service {id} has no provider")))?;
        let record = GuidanceServiceRecord {
            external_id: row.external_id.clone(),
            identifier: row.identifier.clone(),
            provider_external_id: provider.external_id,
            service_type: row.service_type.clone(),
            name: localized(&row.name_fi, &row.name_sv, &row.name_en),
            description: localized(
                &row.description_fi,
                &row.description_sv,
                &row.description_en,
            ),
            channels: from_json("channels", &row.channels)?,
            opening_hours: from_json("opening_hours", &row.opening_hours)?,
            area_served: from_json("area_served", &row.area_served)?,
            audiences: from_json("audiences", &row.audiences)?,
            state: code("state", &row.state, PublicationState::parse)?,
        };
        Ok(Some((row, record)))
    }

    /// A location by its external id.
    pub async fn location_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<LocationRow>, StoreError> {
        Ok(location::Entity::find()
            .filter(location::Column::ExternalId.eq(external_id))
            .one(self.db())
            .await?)
    }

    /// An instance by its external id.
    pub async fn instance_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<InstanceRow>, StoreError> {
        Ok(course_instance::Entity::find()
            .filter(course_instance::Column::ExternalId.eq(external_id))
            .one(self.db())
            .await?)
    }

    /// A guidance service by its external id.
    pub async fn guidance_service_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<entity::guidance_service::Model>, StoreError> {
        Ok(guidance_service::Entity::find()
            .filter(guidance_service::Column::ExternalId.eq(external_id))
            .one(self.db())
            .await?)
    }
}
