//! Guidance and counselling services for adults choosing their studies.

use async_graphql::{Context, Object, SimpleObject, ID};

use super::codes::{LanguageInfo, Municipality};
use super::organisation::Organisation;
use super::text::{pick, translations, Translation};
use crate::domain;
use crate::graphql::context::loader;
use crate::graphql::enums::{Audience, ChannelKind, Lang, Weekday};
use crate::graphql::errors::{internal, OrInternal};
use crate::graphql::ids::{encode, NodeKind};
use crate::graphql::loaders::OrganisationId;
use crate::store::{from_json, localized, GuidanceServiceRow};

/// A guidance and counselling service.
#[derive(Clone, Debug)]
pub struct GuidanceService(pub GuidanceServiceRow);

/// One way to reach a service.
#[derive(SimpleObject, Clone, Debug)]
pub struct GuidanceChannel {
    pub kind: ChannelKind,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    /// For walk-in: where.
    pub place_name: Option<String>,
    pub street_address: Option<String>,
    pub municipality: Option<Municipality>,
    pub languages: Vec<LanguageInfo>,
}

/// Opening hours on some days.
#[derive(SimpleObject, Clone, Debug)]
pub struct OpeningHours {
    pub weekdays: Vec<Weekday>,
    /// `HH:MM`, Finnish time.
    pub opens: String,
    /// `HH:MM`, Finnish time.
    pub closes: String,
}

fn json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> async_graphql::Result<T> {
    from_json(column, text).map_err(internal)
}

#[Object(cache_control(max_age = 60))]
impl GuidanceService {
    /// The opaque global id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::GuidanceService, self.0.id)
    }

    /// The partner's own id (`@id` in feeds).
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// The kind of service in the provider's words, e.g. "Opintoneuvonta".
    async fn service_type(&self) -> Option<&str> {
        self.0.service_type.as_deref()
    }

    /// The name in `lang` (default Finnish), falling back fi → sv → en.
    async fn name(&self, lang: Option<Lang>) -> Option<String> {
        pick(
            &localized(&self.0.name_fi, &self.0.name_sv, &self.0.name_en),
            lang,
        )
    }

    /// Every translation of the name.
    async fn name_translations(&self) -> Vec<Translation> {
        translations(&localized(
            &self.0.name_fi,
            &self.0.name_sv,
            &self.0.name_en,
        ))
    }

    /// The description in `lang` (default Finnish), falling back fi → sv → en.
    async fn description(&self, lang: Option<Lang>) -> Option<String> {
        let r = &self.0;
        pick(
            &localized(&r.description_fi, &r.description_sv, &r.description_en),
            lang,
        )
    }

    /// Who runs the service.
    async fn provider(&self, ctx: &Context<'_>) -> async_graphql::Result<Organisation> {
        loader(ctx)
            .load_one(OrganisationId(self.0.provider_id))
            .await
            .or_internal()?
            .map(Organisation)
            .ok_or_else(|| internal(format!("service {} has no provider row", self.0.id)))
    }

    /// Chat, phone, e-mail, video, walk-in, SMS.
    async fn channels(&self) -> async_graphql::Result<Vec<GuidanceChannel>> {
        let channels: Vec<domain::ChannelRecord> = json("channels", &self.0.channels)?;
        Ok(channels
            .into_iter()
            .map(|c| GuidanceChannel {
                kind: c.kind.into(),
                phone: c.phone,
                url: c.url,
                email: c.email,
                place_name: c
                    .location
                    .as_ref()
                    .and_then(|l| l.name.get(domain::Lang::Fi).map(str::to_string)),
                street_address: c
                    .location
                    .as_ref()
                    .and_then(|l| l.address.street_address.clone()),
                municipality: c
                    .location
                    .as_ref()
                    .and_then(|l| l.address.municipality_code.as_deref())
                    .and_then(Municipality::by_code),
                languages: c
                    .languages
                    .iter()
                    .filter_map(|l| LanguageInfo::by_code(l))
                    .collect(),
            })
            .collect())
    }

    /// When the service is open.
    async fn opening_hours(&self) -> async_graphql::Result<Vec<OpeningHours>> {
        let hours: Vec<domain::OpeningHours> = json("opening_hours", &self.0.opening_hours)?;
        Ok(hours
            .into_iter()
            .map(|h| OpeningHours {
                weekdays: h.weekdays.into_iter().map(Into::into).collect(),
                opens: h.opens.format("%H:%M").to_string(),
                closes: h.closes.format("%H:%M").to_string(),
            })
            .collect())
    }

    /// The municipalities it serves.
    async fn area_served(&self) -> async_graphql::Result<Vec<Municipality>> {
        let codes: Vec<String> = json("area_served", &self.0.area_served)?;
        Ok(codes
            .iter()
            .filter_map(|c| Municipality::by_code(c))
            .collect())
    }

    /// Who it is for.
    async fn audiences(&self) -> async_graphql::Result<Vec<Audience>> {
        let values: Vec<domain::Audience> = json("audiences", &self.0.audiences)?;
        Ok(values.into_iter().map(Into::into).collect())
    }
}
