//! Organisations and their locations.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{LocationRow, OrganisationRow, PageRequest, Store, StoreError};
use entity::{location, organisation};

impl Store {
    /// How many organisations there are.
    pub async fn count_organisations(&self) -> Result<u64, StoreError> {
        Ok(organisation::Entity::find().count(self.db()).await?)
    }

    /// A page of organisations by Finnish name.
    #[tracing::instrument(skip_all)]
    pub async fn list_organisations(
        &self,
        page: PageRequest,
    ) -> Result<Vec<OrganisationRow>, StoreError> {
        Ok(organisation::Entity::find()
            .order_by_asc(organisation::Column::NameFi)
            .order_by_asc(organisation::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(self.db())
            .await?)
    }

    /// Organisations by id, in one statement.
    #[tracing::instrument(skip_all, fields(ids = ids.len()))]
    pub async fn organisations_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<HashMap<i32, OrganisationRow>, StoreError> {
        let rows = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }

    /// Organisations by external id, in one statement.
    #[tracing::instrument(skip_all, fields(ids = external_ids.len()))]
    pub async fn organisations_by_external_ids(
        &self,
        external_ids: &[String],
    ) -> Result<HashMap<String, OrganisationRow>, StoreError> {
        let rows = organisation::Entity::find()
            .filter(organisation::Column::ExternalId.is_in(external_ids.to_vec()))
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.external_id.clone(), r))
            .collect())
    }

    /// Locations by id, in one statement.
    #[tracing::instrument(skip_all, fields(ids = ids.len()))]
    pub async fn locations_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<HashMap<i32, LocationRow>, StoreError> {
        let rows = location::Entity::find()
            .filter(location::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }

    /// The locations of many organisations, in one statement.
    #[tracing::instrument(skip_all, fields(organisations = organisation_ids.len()))]
    pub async fn locations_of_organisations(
        &self,
        organisation_ids: &[i32],
    ) -> Result<HashMap<i32, Vec<LocationRow>>, StoreError> {
        let rows = location::Entity::find()
            .filter(location::Column::OrganisationId.is_in(organisation_ids.to_vec()))
            .order_by_asc(location::Column::Id)
            .all(self.db())
            .await?;
        let mut out: HashMap<i32, Vec<LocationRow>> = HashMap::new();
        for row in rows {
            out.entry(row.organisation_id).or_default().push(row);
        }
        Ok(out)
    }
}
