//! Guidance and counselling services.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{GuidanceServiceRow, PageRequest, Store, StoreError};
use crate::domain::{Audience, ChannelKind, PublicationState, Visibility};
use entity::guidance_service;

/// Filters on guidance services; values ORed within a filter, filters ANDed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuidanceFilter {
    /// Municipality codes the service covers.
    pub municipalities: Vec<String>,
    /// Region codes the service covers (one of its municipalities).
    pub regions: Vec<String>,
    pub channels: Vec<ChannelKind>,
    /// Languages a channel serves in.
    pub languages: Vec<String>,
    pub audiences: Vec<Audience>,
    /// Provider ids.
    pub providers: Vec<i32>,
}

fn has_tag(kind: &str, values: Vec<String>) -> Expr {
    let t = Alias::new(format!("st_{kind}"));
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from_as(Alias::new("service_tag"), t.clone())
            .and_where(
                Expr::col((t.clone(), Alias::new("service_id")))
                    .equals((guidance_service::Entity, guidance_service::Column::Id)),
            )
            .and_where(Expr::col((t.clone(), Alias::new("kind"))).eq(kind))
            .and_where(Expr::col((t, Alias::new("value"))).is_in(values))
            .to_owned(),
    )
}

fn condition(filter: &GuidanceFilter, visibility: Visibility) -> Condition {
    let mut cond = Condition::all();
    let published = guidance_service::Column::State.eq(PublicationState::Published.code());
    match visibility {
        Visibility::PublishedOnly => cond = cond.add(published),
        Visibility::PublishedAndOwn(own) => {
            cond = cond.add(
                Condition::any()
                    .add(published)
                    .add(guidance_service::Column::ProviderId.eq(own)),
            )
        }
        Visibility::Everything => {}
    }
    if !filter.providers.is_empty() {
        cond = cond.add(guidance_service::Column::ProviderId.is_in(filter.providers.clone()));
    }
    let lists = [
        ("municipality", filter.municipalities.clone()),
        ("region", filter.regions.clone()),
        (
            "channel",
            filter
                .channels
                .iter()
                .map(|c| c.code().to_string())
                .collect(),
        ),
        ("language", filter.languages.clone()),
        (
            "audience",
            filter
                .audiences
                .iter()
                .map(|a| a.code().to_string())
                .collect(),
        ),
    ];
    for (kind, values) in lists {
        if !values.is_empty() {
            cond = cond.add(has_tag(kind, values));
        }
    }
    cond
}

impl Store {
    /// How many guidance services match.
    pub async fn count_guidance_services(
        &self,
        filter: &GuidanceFilter,
        visibility: Visibility,
    ) -> Result<u64, StoreError> {
        Ok(guidance_service::Entity::find()
            .filter(condition(filter, visibility))
            .count(self.db())
            .await?)
    }

    /// A page of matching guidance services by name.
    #[tracing::instrument(skip_all)]
    pub async fn list_guidance_services(
        &self,
        filter: &GuidanceFilter,
        visibility: Visibility,
        page: PageRequest,
    ) -> Result<Vec<GuidanceServiceRow>, StoreError> {
        Ok(guidance_service::Entity::find()
            .filter(condition(filter, visibility))
            .order_by_asc(guidance_service::Column::NameSort)
            .order_by_asc(guidance_service::Column::Id)
            .offset(page.offset)
            .limit(page.limit)
            .all(self.db())
            .await?)
    }

    /// Guidance services by id, in one statement.
    pub async fn guidance_services_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<HashMap<i32, GuidanceServiceRow>, StoreError> {
        let rows = guidance_service::Entity::find()
            .filter(guidance_service::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}
