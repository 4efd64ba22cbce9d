//! One offering of a course.

use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, Object, SimpleObject, ID};

use super::codes::{LanguageInfo, Municipality};
use super::course::Course;
use super::organisation::Location;
use crate::domain;
use crate::graphql::context::{loader, today};
use crate::graphql::enums::{FundingCategory, TeachingMode, TimeOfDay, Weekday};
use crate::graphql::errors::{internal, OrInternal};
use crate::graphql::ids::{encode, NodeKind};
use crate::graphql::loaders::{CourseId, LocationId};
use crate::graphql::scalars::Date;
use crate::store::{from_json, InstanceRow};

/// When, where, how and for how much a course is taught.
#[derive(Clone, Debug)]
pub struct CourseInstance(pub InstanceRow);

/// A weekly timetable.
#[derive(SimpleObject, Clone, Debug)]
pub struct Schedule {
    pub weekdays: Vec<Weekday>,
    /// Local time in Finland, `HH:MM`.
    pub start_time: Option<String>,
    /// Local time in Finland, `HH:MM`.
    pub end_time: Option<String>,
    /// ISO 8601 repeat interval, e.g. `P1W`.
    pub repeat_frequency: Option<String>,
}

/// An application or enrolment period.
#[derive(SimpleObject, Clone, Debug)]
pub struct EnrolmentPeriod {
    /// First day; none means open already.
    pub starts: Option<Date>,
    /// Last day; none means open until further notice.
    pub ends: Option<Date>,
    /// Open today.
    pub open_now: bool,
}

fn json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> async_graphql::Result<T> {
    from_json(column, text).map_err(internal)
}

#[Object(cache_control(max_age = 60))]
impl CourseInstance {
    /// The opaque global id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::CourseInstance, self.0.id)
    }

    /// The partner's own id (`@id` in feeds).
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// The course this is an offering of.
    async fn course(&self, ctx: &Context<'_>) -> async_graphql::Result<Course> {
        loader(ctx)
            .load_one(CourseId(self.0.course_id))
            .await
            .or_internal()?
            .map(Course)
            .ok_or_else(|| internal(format!("instance {} has no course row", self.0.id)))
    }

    /// How it is taught.
    async fn teaching_modes(&self) -> async_graphql::Result<Vec<TeachingMode>> {
        let modes: Vec<domain::TeachingMode> = json("modes", &self.0.modes)?;
        Ok(modes.into_iter().map(Into::into).collect())
    }

    /// The venue, one of the provider's locations.
    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Location>> {
        let Some(id) = self.0.location_id else {
            return Ok(None);
        };
        Ok(loader(ctx)
            .load_one(LocationId(id))
            .await
            .or_internal()?
            .map(Location))
    }

    /// The municipality where it is taught; none for online-only teaching.
    async fn municipality(&self) -> Option<Municipality> {
        self.0
            .municipality_code
            .as_deref()
            .and_then(Municipality::by_code)
    }

    /// Taught (also) online.
    async fn online(&self) -> bool {
        self.0.online
    }

    /// Where the online part happens.
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }

    /// Languages of instruction.
    async fn languages(&self) -> async_graphql::Result<Vec<LanguageInfo>> {
        let codes: Vec<String> = json("languages", &self.0.languages)?;
        Ok(codes
            .iter()
            .filter_map(|c| LanguageInfo::by_code(c))
            .collect())
    }

    /// First day of teaching; none for a flexible start.
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }

    /// Last day of teaching; none when open-ended.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }

    /// Starts whenever the student is ready.
    async fn flexible_start(&self) -> bool {
        self.0.flexible_start
    }

    /// Has ended: its last day is before today.
    async fn past(&self, ctx: &Context<'_>) -> bool {
        self.0.end_date.is_some_and(|end| end < today(ctx))
    }

    /// The weekly timetable.
    async fn schedule(&self) -> async_graphql::Result<Option<Schedule>> {
        let Some(text) = &self.0.schedule else {
            return Ok(None);
        };
        let s: domain::Schedule = json("schedule", text)?;
        let time = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
        Ok(Some(Schedule {
            weekdays: s.weekdays.into_iter().map(Into::into).collect(),
            start_time: time(s.start_time),
            end_time: time(s.end_time),
            repeat_frequency: s.repeat,
        }))
    }

    /// Daytime, evening, weekend or self-paced, derived from the schedule.
    async fn times_of_day(&self) -> async_graphql::Result<Vec<TimeOfDay>> {
        let times: Vec<domain::TimeOfDay> = json("times_of_day", &self.0.times_of_day)?;
        Ok(times.into_iter().map(Into::into).collect())
    }

    /// Price in euros; 0 is free.
    async fn price(&self) -> Option<f64> {
        self.0.price_cents.map(|c| c as f64 / 100.0)
    }

    /// Costs nothing.
    async fn free(&self) -> bool {
        self.0.price_cents == Some(0)
    }

    /// Who pays.
    async fn funding_category(&self) -> async_graphql::Result<Option<FundingCategory>> {
        self.0
            .funding
            .as_deref()
            .map(|c| {
                domain::FundingCategory::parse(c)
                    .map(Into::into)
                    .ok_or_else(|| internal(format!("funding: unknown stored code {c:?}")))
            })
            .transpose()
    }

    /// Application or enrolment periods.
    async fn enrolment_periods(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<EnrolmentPeriod>> {
        let periods: Vec<domain::Period> = json("enrolment_periods", &self.0.enrolment_periods)?;
        let day = today(ctx);
        Ok(periods
            .into_iter()
            .map(|p| EnrolmentPeriod {
                starts: p.starts.map(Date),
                ends: p.ends.map(Date),
                open_now: p.contains(day),
            })
            .collect())
    }

    /// An enrolment period is open today.
    async fn application_open(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let periods: Vec<domain::Period> = json("enrolment_periods", &self.0.enrolment_periods)?;
        let day = today(ctx);
        Ok(periods.iter().any(|p| p.contains(day)))
    }

    /// Where to enrol.
    async fn enrolment_url(&self) -> Option<&str> {
        self.0.enrolment_url.as_deref()
    }

    /// How many students it takes.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// When the instance last changed.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at.into()
    }
}
