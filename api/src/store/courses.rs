//! Course listings: filters as SQL conditions, ordering, offset pages and
//! batched loads of what a page of courses nests.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, Func, NullOrdering, Order, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{CourseRow, InstanceRow, Store, StoreError};
use crate::codes::code_sets;
use crate::domain::{CourseFilter, PublicationState, Visibility};
use entity::{course, course_instance, enrolment_period};

/// What courses are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseOrder {
    /// The earliest start of a matching instance; courses without one last.
    StartDate,
    Name,
    UpdatedAt,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// A window of a result list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
}

/// One page of courses.
#[derive(Debug, Clone)]
pub struct CoursePage {
    pub rows: Vec<CourseRow>,
}

fn state_condition(visibility: Visibility, states: &[PublicationState]) -> Condition {
    let published = course::Column::State.eq(PublicationState::Published.code());
    let mut cond = match visibility {
        Visibility::PublishedOnly => Condition::all().add(published),
        Visibility::PublishedAndOwn(own) => Condition::all().add(
            Condition::any()
                .add(published)
                .add(course::Column::ProviderId.eq(own)),
        ),
        Visibility::Everything => Condition::all(),
    };
    if !states.is_empty() {
        let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
        cond = cond.add(course::Column::State.is_in(codes));
    }
    cond
}

/// `<owner> IN (SELECT <owner_column> FROM <tags> WHERE kind = .. AND value IN (..))`.
fn has_tag(table: &str, owner_column: &str, owner: Expr, kind: &str, values: Vec<String>) -> Expr {
    let t = Alias::new(format!("{table}_{kind}"));
    owner.in_subquery(
        Query::select()
            .column((t.clone(), Alias::new(owner_column)))
            .from_as(Alias::new(table), t.clone())
            .and_where(Expr::col((t.clone(), Alias::new("kind"))).eq(kind))
            .and_where(Expr::col((t, Alias::new("value"))).is_in(values))
            .to_owned(),
    )
}

/// The conditions on one instance, aliased as `alias`; `correlated` ties it
/// to the outer course row.
fn instance_conditions(
    filter: &CourseFilter,
    today: NaiveDate,
    alias: &str,
    correlated: bool,
) -> Condition {
    let ci = Alias::new(alias);
    let col = |c: course_instance::Column| Expr::col((ci.clone(), c));
    let mut cond = Condition::all();
    if correlated {
        cond = cond.add(
            col(course_instance::Column::CourseId).equals((course::Entity, course::Column::Id)),
        );
    }
    let mut places: Vec<String> = filter.municipalities.clone();
    for region in &filter.regions {
        places.extend(
            code_sets()
                .municipalities_in_region(region)
                .into_iter()
                .map(|m| m.code.clone()),
        );
    }
    if !filter.municipalities.is_empty() || !filter.regions.is_empty() {
        cond = cond.add(col(course_instance::Column::MunicipalityCode).is_in(places));
    }
    let instance_id = col(course_instance::Column::Id);
    let tags = [
        (
            "mode",
            filter
                .teaching_modes
                .iter()
                .map(|m| m.code().to_string())
                .collect::<Vec<_>>(),
        ),
        ("language", filter.languages.clone()),
        (
            "time_of_day",
            filter
                .times_of_day
                .iter()
                .map(|t| t.code().to_string())
                .collect(),
        ),
    ];
    for (kind, values) in tags {
        if !values.is_empty() {
            cond = cond.add(has_tag(
                "instance_tag",
                "instance_id",
                instance_id.clone(),
                kind,
                values,
            ));
        }
    }
    if filter.free_only {
        cond = cond.add(col(course_instance::Column::PriceCents).eq(0));
    }
    if !filter.funding_categories.is_empty() {
        let codes: Vec<&str> = filter.funding_categories.iter().map(|f| f.code()).collect();
        cond = cond.add(col(course_instance::Column::Funding).is_in(codes));
    }
    if let Some(day) = filter.starts_after {
        cond = cond.add(
            Condition::any()
                .add(col(course_instance::Column::StartDate).gte(day))
                .add(col(course_instance::Column::FlexibleStart).eq(true)),
        );
    }
    if let Some(day) = filter.starts_before {
        cond = cond.add(
            Condition::any()
                .add(col(course_instance::Column::StartDate).lte(day))
                .add(col(course_instance::Column::FlexibleStart).eq(true)),
        );
    }
    if let Some(open) = filter.application_open {
        let ep = Alias::new(format!("{alias}_ep"));
        let period = |c: enrolment_period::Column| Expr::col((ep.clone(), c));
        let open_now = col(course_instance::Column::Id).in_subquery(
            Query::select()
                .column((ep.clone(), enrolment_period::Column::InstanceId))
                .from_as(enrolment_period::Entity, ep.clone())
                .cond_where(
                    Condition::any()
                        .add(period(enrolment_period::Column::StartsOn).is_null())
                        .add(period(enrolment_period::Column::StartsOn).lte(today)),
                )
                .cond_where(
                    Condition::any()
                        .add(period(enrolment_period::Column::EndsOn).is_null())
                        .add(period(enrolment_period::Column::EndsOn).gte(today)),
                )
                .to_owned(),
        );
        cond = cond.add(if open { open_now } else { open_now.not() });
    }
    if let Some(upcoming) = filter.upcoming {
        let end = || col(course_instance::Column::EndDate);
        cond = cond.add(if upcoming {
            Condition::any().add(end().is_null()).add(end().gte(today))
        } else {
            Condition::all().add(end().lt(today))
        });
    }
    cond
}

fn instances_from(alias: &str) -> SelectStatement {
    Query::select()
        .from_as(course_instance::Entity, Alias::new(alias))
        .to_owned()
}

/// The condition on courses for `filter`.
fn course_condition(filter: &CourseFilter, visibility: Visibility, today: NaiveDate) -> Condition {
    let mut cond = state_condition(visibility, &filter.states);
    if !filter.providers.is_empty() {
        cond = cond.add(course::Column::ProviderId.is_in(filter.providers.clone()));
    }
    if !filter.education_types.is_empty() {
        let codes: Vec<&str> = filter.education_types.iter().map(|t| t.code()).collect();
        cond = cond.add(course::Column::EducationType.is_in(codes));
    }
    let id = Expr::col((course::Entity, course::Column::Id));
    if !filter.fields_of_education.is_empty() {
        cond = cond.add(has_tag(
            "course_tag",
            "course_id",
            id.clone(),
            "field",
            filter.fields_of_education.clone(),
        ));
    }
    if !filter.audiences.is_empty() {
        let codes = filter
            .audiences
            .iter()
            .map(|a| a.code().to_string())
            .collect();
        cond = cond.add(has_tag("course_tag", "course_id", id, "audience", codes));
    }
    if filter.has_instance_filters() {
        // `id IN (...)` rather than a correlated EXISTS: SQLite's planner
        // miscounted OFFSET over the EXISTS form when ordering by an index.
        let alias = "ci";
        let matching = instances_from(alias)
            .column((Alias::new(alias), course_instance::Column::CourseId))
            .cond_where(instance_conditions(filter, today, alias, false))
            .to_owned();
        cond = cond.add(Expr::col((course::Entity, course::Column::Id)).in_subquery(matching));
    }
    cond
}

impl Store {
    /// How many courses match.
    #[tracing::instrument(skip_all)]
    pub async fn count_courses(
        &self,
        filter: &CourseFilter,
        visibility: Visibility,
        today: NaiveDate,
    ) -> Result<u64, StoreError> {
        Ok(course::Entity::find()
            .filter(course_condition(filter, visibility, today))
            .count(self.db())
            .await?)
    }

    /// One page of the courses that match, in order.
    #[tracing::instrument(skip_all, fields(page.offset = page.offset, page.limit = page.limit))]
    pub async fn list_courses(
        &self,
        filter: &CourseFilter,
        visibility: Visibility,
        today: NaiveDate,
        order: CourseOrder,
        direction: OrderDirection,
        page: PageRequest,
    ) -> Result<Vec<CourseRow>, StoreError> {
        let ord = match direction {
            OrderDirection::Asc => Order::Asc,
            OrderDirection::Desc => Order::Desc,
        };
        let mut query = course::Entity::find().filter(course_condition(filter, visibility, today));
        query = match order {
            CourseOrder::Name => query.order_by(course::Column::NameSort, ord.clone()),
            CourseOrder::UpdatedAt => query.order_by(course::Column::UpdatedAt, ord.clone()),
            CourseOrder::StartDate => {
                let alias = "cs";
                let first_start = instances_from(alias)
                    .expr(Func::min(Expr::col((
                        Alias::new(alias),
                        course_instance::Column::StartDate,
                    ))))
                    .cond_where(instance_conditions(filter, today, alias, true))
                    .to_owned();
                query.order_by_with_nulls(Expr::from(first_start), ord.clone(), NullOrdering::Last)
            }
        };
        Ok(query
            .order_by(course::Column::Id, ord)
            .offset(page.offset)
            .limit(page.limit)
            .all(self.db())
            .await?)
    }

    /// Courses by id, in one statement.
    #[tracing::instrument(skip_all, fields(ids = ids.len()))]
    pub async fn courses_by_ids(&self, ids: &[i32]) -> Result<HashMap<i32, CourseRow>, StoreError> {
        let rows = course::Entity::find()
            .filter(course::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }

    /// A course by its external id.
    #[tracing::instrument(skip_all)]
    pub async fn course_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<CourseRow>, StoreError> {
        Ok(course::Entity::find()
            .filter(course::Column::ExternalId.eq(external_id))
            .one(self.db())
            .await?)
    }

    /// The instances of many courses, in one statement, in each course's order.
    #[tracing::instrument(skip_all, fields(courses = course_ids.len()))]
    pub async fn instances_of_courses(
        &self,
        course_ids: &[i32],
    ) -> Result<HashMap<i32, Vec<InstanceRow>>, StoreError> {
        let rows = course_instance::Entity::find()
            .filter(course_instance::Column::CourseId.is_in(course_ids.to_vec()))
            .order_by_asc(course_instance::Column::CourseId)
            .order_by_asc(course_instance::Column::Position)
            .all(self.db())
            .await?;
        let mut out: HashMap<i32, Vec<InstanceRow>> = HashMap::new();
        for row in rows {
            out.entry(row.course_id).or_default().push(row);
        }
        Ok(out)
    }

    /// Instances by id, in one statement.
    #[tracing::instrument(skip_all, fields(ids = ids.len()))]
    pub async fn instances_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<HashMap<i32, InstanceRow>, StoreError> {
        let rows = course_instance::Entity::find()
            .filter(course_instance::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }

    /// How many course rows exist in any state (for "is the database empty").
    pub async fn course_row_count(&self) -> Result<u64, StoreError> {
        Ok(course::Entity::find().count(self.db()).await?)
    }
}
