//! What is taught.

use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, Object, SimpleObject, ID};

use super::codes::{FieldOfEducation, LanguageInfo};
use super::instance::CourseInstance;
use super::organisation::Organisation;
use super::text::{pick, translations, Translation};
use crate::domain;
use crate::graphql::context::loader;
use crate::graphql::enums::{Audience, CreditUnit, EducationType, Lang, PublicationState};
use crate::graphql::errors::{internal, OrInternal};
use crate::graphql::ids::{encode, NodeKind};
use crate::graphql::loaders::{InstancesOf, OrganisationId};
use crate::graphql::pagination::{slice, Page, PageArgs};
use crate::store::{from_json, localized, CourseRow};

/// A course: what is taught, by whom, to whom; its instances say when and where.
#[derive(Clone, Debug)]
pub struct Course(pub CourseRow);

/// The extent of a course.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Credits {
    pub value: f64,
    pub unit: CreditUnit,
}

fn codes<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> async_graphql::Result<Vec<T>> {
    from_json(column, text).map_err(internal)
}

fn parse_code<T>(
    column: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> async_graphql::Result<T> {
    parse(value).ok_or_else(|| internal(format!("{column}: unknown stored code {value:?}")))
}

#[Object(cache_control(max_age = 60))]
impl Course {
    /// The opaque global id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Course, self.0.id)
    }

    /// The partner's own id (`@id` in feeds).
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// The provider's course code.
    async fn identifier(&self) -> Option<&str> {
        self.0.identifier.as_deref()
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

    /// Every translation of the description.
    async fn description_translations(&self) -> Vec<Translation> {
        let r = &self.0;
        translations(&localized(
            &r.description_fi,
            &r.description_sv,
            &r.description_en,
        ))
    }

    /// The languages the course is described in.
    async fn translated_into(&self) -> Vec<Lang> {
        localized(&self.0.name_fi, &self.0.name_sv, &self.0.name_en)
            .languages()
            .into_iter()
            .map(Lang::from)
            .collect()
    }

    /// The course page on the provider's site.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// Who provides the course.
    async fn provider(&self, ctx: &Context<'_>) -> async_graphql::Result<Organisation> {
        loader(ctx)
            .load_one(OrganisationId(self.0.provider_id))
            .await
            .or_internal()?
            .map(Organisation)
            .ok_or_else(|| internal(format!("course {} has no provider row", self.0.id)))
    }

    /// Who pays for it, e.g. employment services for labour-market training.
    async fn funder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organisation>> {
        let Some(id) = self.0.funder_id else {
            return Ok(None);
        };
        Ok(loader(ctx)
            .load_one(OrganisationId(id))
            .await
            .or_internal()?
            .map(Organisation))
    }

    /// Fields of education (Koulutusala 2016).
    async fn fields_of_education(&self) -> async_graphql::Result<Vec<FieldOfEducation>> {
        let codes: Vec<String> = codes("fields", &self.0.fields)?;
        Ok(codes
            .iter()
            .filter_map(|c| FieldOfEducation::by_code(c))
            .collect())
    }

    /// The kind and level of education.
    async fn education_type(&self) -> async_graphql::Result<Option<EducationType>> {
        self.0
            .education_type
            .as_deref()
            .map(|c| parse_code("education_type", c, domain::EducationType::parse).map(Into::into))
            .transpose()
    }

    /// The qualification or certificate awarded, in `lang` with fallback.
    async fn credential(&self, lang: Option<Lang>) -> Option<String> {
        let r = &self.0;
        pick(
            &localized(&r.credential_fi, &r.credential_sv, &r.credential_en),
            lang,
        )
    }

    /// Extent in credits or hours.
    async fn credits(&self) -> async_graphql::Result<Option<Credits>> {
        match (self.0.credits_value, self.0.credits_unit.as_deref()) {
            (Some(value), Some(unit)) => Ok(Some(Credits {
                value,
                unit: parse_code("credits_unit", unit, domain::CreditUnit::parse)?.into(),
            })),
            _ => Ok(None),
        }
    }

    /// Nominal duration, ISO 8601 (`PT24H`, `P3Y6M`).
    async fn duration(&self) -> Option<&str> {
        self.0.duration.as_deref()
    }

    /// Keywords, in Finnish.
    async fn keywords(&self) -> async_graphql::Result<Vec<String>> {
        codes("keywords", &self.0.keywords)
    }

    /// Who the course is meant for.
    async fn audiences(&self) -> async_graphql::Result<Vec<Audience>> {
        let values: Vec<domain::Audience> = codes("audiences", &self.0.audiences)?;
        Ok(values.into_iter().map(Into::into).collect())
    }

    /// Languages of instruction.
    async fn languages(&self) -> async_graphql::Result<Vec<LanguageInfo>> {
        let values: Vec<String> = codes("languages", &self.0.languages)?;
        Ok(values
            .iter()
            .filter_map(|c| LanguageInfo::by_code(c))
            .collect())
    }

    /// Draft, published or archived.
    async fn state(&self) -> async_graphql::Result<PublicationState> {
        Ok(parse_code("state", &self.0.state, domain::PublicationState::parse)?.into())
    }

    /// Increases with every change; used for optimistic locking.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the course was first stored.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at.into()
    }

    /// When the course last changed.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at.into()
    }

    /// Its instances, in the provider's order.
    async fn instances(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<CourseInstance>> {
        let rows = loader(ctx)
            .load_one(InstancesOf(self.0.id))
            .await
            .or_internal()?;
        let all: Vec<CourseInstance> = rows
            .unwrap_or_default()
            .into_iter()
            .map(CourseInstance)
            .collect();
        slice(
            &PageArgs {
                first,
                after,
                last,
                before,
            },
            &all,
        )
    }
}
