//! The read side of the public API.

use async_graphql::{Context, Object, ID};

use super::context::{loader, store, today, visibility};
use super::enums::{CourseOrderField, OrderDirection};
use super::errors::{bad_input, OrInternal};
use super::filters::{CourseFilter, CourseOrder, GuidanceServiceFilter};
use super::ids::{decode, decode_as, NodeKind};
use super::loaders::{CourseId, InstanceId, LocationId, OrganisationId};
use super::pagination::{connection, Page, PageArgs, MAX_PAGE_SIZE};
use super::prefetch;
use super::types::*;
use crate::codes::code_sets;
use crate::domain::Visibility;
use crate::store::{self as st, CourseRow};

/// The catalogue reads of the query root.
#[derive(Default)]
pub struct QueryRoot;

fn visible(row: &CourseRow, seen: Visibility) -> bool {
    seen.allows(&row.state, row.provider_id)
}

/// The node a global id names, when the caller may see it.
pub(crate) async fn load_node(
    ctx: &Context<'_>,
    field: &str,
    id: &str,
) -> async_graphql::Result<Option<Node>> {
    let (kind, row) = decode(field, id)?;
    let loader = loader(ctx);
    let seen = visibility(ctx);
    Ok(match kind {
        NodeKind::Organisation => loader
            .load_one(OrganisationId(row))
            .await
            .or_internal()?
            .map(|r| Node::Organisation(Organisation(r))),
        NodeKind::Location => loader
            .load_one(LocationId(row))
            .await
            .or_internal()?
            .map(|r| Node::Location(Location(r))),
        NodeKind::Course => loader
            .load_one(CourseId(row))
            .await
            .or_internal()?
            .filter(|r| visible(r, seen))
            .map(|r| Node::Course(Course(r))),
        NodeKind::CourseInstance => {
            let Some(instance) = loader.load_one(InstanceId(row)).await.or_internal()? else {
                return Ok(None);
            };
            let course = loader
                .load_one(CourseId(instance.course_id))
                .await
                .or_internal()?;
            course
                .filter(|c| visible(c, seen))
                .map(|_| Node::CourseInstance(CourseInstance(instance)))
        }
        NodeKind::GuidanceService => store(ctx)
            .guidance_services_by_ids(&[row])
            .await
            .or_internal()?
            .remove(&row)
            .filter(|s| seen.allows(&s.state, s.provider_id))
            .map(|s| Node::GuidanceService(GuidanceService(s))),
        NodeKind::ApiKey => None,
    })
}

#[Object]
impl QueryRoot {
    /// Anything by its global id; null when it does not exist or is not visible.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        load_node(ctx, "id", &id).await
    }

    /// Many things by global id, in the order asked; null where one is missing.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_PAGE_SIZE as usize {
            return Err(bad_input(
                "ids",
                format!("at most {MAX_PAGE_SIZE} ids, got {}", ids.len()),
            ));
        }
        let lookups = ids
            .iter()
            .enumerate()
            .map(|(i, id)| async move { load_node(ctx, &format!("ids[{i}]"), id).await });
        futures_util::future::try_join_all(lookups).await
    }

    /// Published courses, filtered and ordered (by name unless told otherwise).
    #[allow(clippy::too_many_arguments)]
    async fn courses(
        &self,
        ctx: &Context<'_>,
        filter: Option<CourseFilter>,
        order_by: Option<CourseOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Course>> {
        let filter = filter.unwrap_or_default().parse(ctx, "filter").await?;
        let order = order_by.unwrap_or(CourseOrder {
            field: CourseOrderField::Name,
            direction: OrderDirection::Asc,
        });
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (store, day, seen) = (store(ctx), today(ctx), visibility(ctx));
        // Two queries: the count and the page.
        crate::graphql::cost::worked(ctx, 2);
        let window = args.window(
            store
                .count_courses(&filter, seen, day)
                .await
                .or_internal()?,
        )?;
        let field = match order.field {
            CourseOrderField::StartDate => st::CourseOrder::StartDate,
            CourseOrderField::Name => st::CourseOrder::Name,
            CourseOrderField::UpdatedAt => st::CourseOrder::UpdatedAt,
        };
        let direction = match order.direction {
            OrderDirection::Asc => st::OrderDirection::Asc,
            OrderDirection::Desc => st::OrderDirection::Desc,
        };
        let rows = store
            .list_courses(&filter, seen, day, field, direction, window.request())
            .await
            .or_internal()?;
        prefetch::courses(ctx, &rows).await?;
        Ok(connection(window, rows.into_iter().map(Course).collect()))
    }

    /// A course by global id.
    async fn course(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Course>> {
        let row = decode_as("id", &id, NodeKind::Course)?;
        let found = loader(ctx).load_one(CourseId(row)).await.or_internal()?;
        Ok(found.filter(|r| visible(r, visibility(ctx))).map(Course))
    }

    /// A course by the partner's own id.
    async fn course_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> async_graphql::Result<Option<Course>> {
        if external_id.len() > 500 {
            return Err(bad_input("externalId", "at most 500 characters"));
        }
        let found = store(ctx)
            .course_by_external_id(&external_id)
            .await
            .or_internal()?;
        Ok(found.filter(|r| visible(r, visibility(ctx))).map(Course))
    }

    /// Providers, by name.
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Organisation>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let store = store(ctx);
        let window = args.window(store.count_organisations().await.or_internal()?)?;
        let rows = store
            .list_organisations(window.request())
            .await
            .or_internal()?;
        prefetch::organisations(ctx, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
        Ok(connection(
            window,
            rows.into_iter().map(Organisation).collect(),
        ))
    }

    /// A provider by global id.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Organisation>> {
        let row = decode_as("id", &id, NodeKind::Organisation)?;
        Ok(loader(ctx)
            .load_one(OrganisationId(row))
            .await
            .or_internal()?
            .map(Organisation))
    }

    /// A provider by the partner's own id.
    async fn organisation_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> async_graphql::Result<Option<Organisation>> {
        if external_id.len() > 500 {
            return Err(bad_input("externalId", "at most 500 characters"));
        }
        let mut found = store(ctx)
            .organisations_by_external_ids(std::slice::from_ref(&external_id))
            .await
            .or_internal()?;
        Ok(found.remove(&external_id).map(Organisation))
    }

    /// Published guidance and counselling services, by name.
    async fn guidance_services(
        &self,
        ctx: &Context<'_>,
        filter: Option<GuidanceServiceFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<GuidanceService>> {
        let filter = filter.unwrap_or_default().parse(ctx, "filter").await?;
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (store, seen) = (store(ctx), visibility(ctx));
        let window = args.window(
            store
                .count_guidance_services(&filter, seen)
                .await
                .or_internal()?,
        )?;
        let rows = store
            .list_guidance_services(&filter, seen, window.request())
            .await
            .or_internal()?;
        prefetch::providers(ctx, &rows.iter().map(|r| r.provider_id).collect::<Vec<_>>()).await?;
        Ok(connection(
            window,
            rows.into_iter().map(GuidanceService).collect(),
        ))
    }

    /// A guidance service by global id.
    async fn guidance_service(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<GuidanceService>> {
        decode_as("id", &id, NodeKind::GuidanceService)?;
        match load_node(ctx, "id", &id).await? {
            Some(Node::GuidanceService(service)) => Ok(Some(service)),
            _ => Ok(None),
        }
    }

    /// Finnish municipalities, all or those of one region.
    async fn municipalities(
        &self,
        region: Option<String>,
    ) -> async_graphql::Result<Vec<Municipality>> {
        let sets = code_sets();
        match region {
            None => Ok(sets.municipalities().iter().map(Municipality).collect()),
            Some(code) => {
                if sets.region(&code).is_none() {
                    let shown: String = code.chars().take(20).collect();
                    return Err(bad_input(
                        "region",
                        format!("unknown region code {shown:?}"),
                    ));
                }
                Ok(sets
                    .municipalities_in_region(&code)
                    .into_iter()
                    .map(Municipality)
                    .collect())
            }
        }
    }

    /// Regions (maakunnat).
    async fn regions(&self) -> Vec<Region> {
        code_sets().regions().iter().map(Region).collect()
    }

    /// Fields of education (Koulutusala 2016), both levels or one.
    async fn fields_of_education(
        &self,
        level: Option<i32>,
    ) -> async_graphql::Result<Vec<FieldOfEducation>> {
        if let Some(l) = level {
            if !(1..=2).contains(&l) {
                return Err(bad_input("level", format!("must be 1 or 2, got {l}")));
            }
        }
        Ok(code_sets()
            .fields()
            .iter()
            .filter(|f| level.is_none_or(|l| i32::from(f.level) == l))
            .map(FieldOfEducation)
            .collect())
    }

    /// Languages of instruction in the code set.
    async fn languages(&self) -> Vec<LanguageInfo> {
        code_sets().languages().iter().map(LanguageInfo).collect()
    }
}
