//! One offering of a course.

use sea_orm::entity::prelude::*;

/// A row of `course_instance`. List-valued fields are JSON in text columns.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "course_instance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub external_id: String,
    pub course_id: i32,
    /// Order within the course, as the partner listed them.
    pub position: i32,
    pub location_id: Option<i32>,
    pub municipality_code: Option<String>,
    pub online: bool,
    pub online_url: Option<String>,
    pub modes: String,
    pub languages: String,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub flexible_start: bool,
    pub schedule: Option<String>,
    pub times_of_day: String,
    pub price_cents: Option<i64>,
    pub funding: Option<String>,
    pub enrolment_periods: String,
    pub enrolment_url: Option<String>,
    pub capacity: Option<i32>,
    pub content_hash: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
