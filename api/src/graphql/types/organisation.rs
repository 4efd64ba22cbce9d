//! Providers and their locations.

use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};

use super::codes::Municipality;
use super::text::{pick, translations, Translation};
use crate::domain::{CourseFilter, OrganisationKind as DomainKind};
use crate::graphql::context::{loader, store, today, visibility};
use crate::graphql::enums::{Lang, OrganisationKind};
use crate::graphql::errors::OrInternal;
use crate::graphql::ids::{encode, NodeKind};
use crate::graphql::loaders::{LocationsOf, OrganisationId};
use crate::graphql::pagination::{connection, Page, PageArgs};
use crate::graphql::prefetch;
use crate::graphql::types::Course;
use crate::store::{localized, CourseOrder, LocationRow, OrderDirection, OrganisationRow};

/// A provider of courses or guidance services.
#[derive(Clone, Debug)]
pub struct Organisation(pub OrganisationRow);

/// A postal address.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Address {
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    #[graphql(skip)]
    pub municipality_code: Option<String>,
}

#[ComplexObject]
impl Address {
    /// The municipality the address is in.
    async fn municipality(&self) -> Option<Municipality> {
        self.municipality_code
            .as_deref()
            .and_then(Municipality::by_code)
    }
}

/// WGS84 coordinates.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

#[Object(cache_control(max_age = 60))]
impl Organisation {
    /// The opaque global id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Organisation, self.0.id)
    }

    /// The partner's own id (`@id` in feeds).
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// A short code the provider uses for itself.
    async fn identifier(&self) -> Option<&str> {
        self.0.identifier.as_deref()
    }

    /// What kind of provider this is.
    async fn kind(&self) -> OrganisationKind {
        DomainKind::parse(&self.0.kind)
            .unwrap_or(DomainKind::Other)
            .into()
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

    /// Web site.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// Telephone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Postal address of the head office.
    async fn address(&self) -> Address {
        Address {
            street_address: self.0.street_address.clone(),
            postal_code: self.0.postal_code.clone(),
            locality: self.0.locality.clone(),
            municipality_code: self.0.municipality_code.clone(),
        }
    }

    /// Campuses and venues.
    async fn locations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Location>> {
        let rows = loader(ctx)
            .load_one(LocationsOf(self.0.id))
            .await
            .or_internal()?;
        Ok(rows.unwrap_or_default().into_iter().map(Location).collect())
    }

    /// The published courses this organisation provides, by name.
    async fn courses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Course>> {
        let filter = CourseFilter {
            providers: vec![self.0.id],
            ..CourseFilter::default()
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (store, day, seen) = (store(ctx), today(ctx), visibility(ctx));
        let window = args.window(
            store
                .count_courses(&filter, seen, day)
                .await
                .or_internal()?,
        )?;
        let rows = store
            .list_courses(
                &filter,
                seen,
                day,
                CourseOrder::Name,
                OrderDirection::Asc,
                window.request(),
            )
            .await
            .or_internal()?;
        prefetch::courses(ctx, &rows).await?;
        Ok(connection(window, rows.into_iter().map(Course).collect()))
    }
}

/// A campus or venue of an organisation.
#[derive(Clone, Debug)]
pub struct Location(pub LocationRow);

#[Object(cache_control(max_age = 60))]
impl Location {
    /// The opaque global id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Location, self.0.id)
    }

    /// The partner's own id, or one derived from the organisation and the name.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// The name in `lang` (default Finnish), falling back fi → sv → en.
    async fn name(&self, lang: Option<Lang>) -> Option<String> {
        pick(
            &localized(&self.0.name_fi, &self.0.name_sv, &self.0.name_en),
            lang,
        )
    }

    /// Postal address.
    async fn address(&self) -> Address {
        Address {
            street_address: self.0.street_address.clone(),
            postal_code: self.0.postal_code.clone(),
            locality: self.0.locality.clone(),
            municipality_code: self.0.municipality_code.clone(),
        }
    }

    /// The municipality the venue is in.
    async fn municipality(&self) -> Option<Municipality> {
        self.0
            .municipality_code
            .as_deref()
            .and_then(Municipality::by_code)
    }

    /// Where it is on a map.
    async fn coordinates(&self) -> Option<Coordinates> {
        match (self.0.latitude, self.0.longitude) {
            (Some(latitude), Some(longitude)) => Some(Coordinates {
                latitude,
                longitude,
            }),
            _ => None,
        }
    }

    /// The organisation it belongs to.
    async fn organisation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organisation>> {
        let row = loader(ctx)
            .load_one(OrganisationId(self.0.organisation_id))
            .await
            .or_internal()?;
        Ok(row.map(Organisation))
    }
}
