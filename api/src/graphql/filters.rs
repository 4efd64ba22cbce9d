//! Filter inputs, parsed into domain filters with errors that name the field.

use async_graphql::{Context, InputObject, ID};

use super::context::store;
use super::enums::{
    Audience, ChannelKind, CourseOrderField, EducationType, FundingCategory, OrderDirection,
    PublicationState, TeachingMode, TimeOfDay,
};
use super::errors::{bad_input, OrInternal};
use super::ids::{decode_as, NodeKind};
use super::scalars::Date;
use crate::codes::code_sets;
use crate::domain::CourseFilter as DomainCourseFilter;
use crate::store::GuidanceFilter as DomainGuidanceFilter;

/// The most values one filter list may hold.
const MAX_VALUES: usize = 100;

/// Filters on courses. Values within a list are ORed, filters are ANDed; a
/// course matches when one of its instances matches every instance filter.
#[derive(InputObject, Debug, Clone, Default)]
pub struct CourseFilter {
    /// Municipality codes where an instance is taught, e.g. `["285"]` for Kotka.
    pub municipalities: Option<Vec<String>>,
    /// Region codes, e.g. `["08"]` for Kymenlaakso.
    pub regions: Option<Vec<String>>,
    /// Koulutusala 2016 codes, level 1 (`09`) or level 2 (`091`).
    pub fields_of_education: Option<Vec<String>>,
    pub education_types: Option<Vec<EducationType>>,
    pub teaching_modes: Option<Vec<TeachingMode>>,
    /// Languages of instruction, ISO 639-1 codes.
    pub languages: Option<Vec<String>>,
    /// Providers, by global id or external id.
    pub providers: Option<Vec<ID>>,
    /// Only instances that cost nothing.
    pub free_only: Option<bool>,
    pub funding_categories: Option<Vec<FundingCategory>>,
    pub times_of_day: Option<Vec<TimeOfDay>>,
    /// Instances starting on or after this day.
    pub starts_after: Option<Date>,
    /// Instances starting on or before this day.
    pub starts_before: Option<Date>,
    /// true: an application period is open today; false: none is.
    pub application_open: Option<bool>,
    pub audiences: Option<Vec<Audience>>,
    /// true: an instance has not ended by today (Finnish time; no end date
    /// counts as not ended); false: an instance has ended. Ended instances
    /// stay queryable: leave this out to see them.
    pub upcoming: Option<bool>,
    /// Publication states to list. Anonymous callers see published courses
    /// only; a partner key also its own drafts and archived courses, an
    /// administrator key everything. Give `[PUBLISHED]` to list only what
    /// the public sees.
    pub states: Option<Vec<PublicationState>>,
}

/// How to order courses.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct CourseOrder {
    pub field: CourseOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Filters on guidance services.
#[derive(InputObject, Debug, Clone, Default)]
pub struct GuidanceServiceFilter {
    /// Municipality codes the service covers.
    pub municipalities: Option<Vec<String>>,
    /// Region codes the service covers.
    pub regions: Option<Vec<String>>,
    pub channels: Option<Vec<ChannelKind>>,
    /// Languages served, ISO 639-1 codes.
    pub languages: Option<Vec<String>>,
    pub audiences: Option<Vec<Audience>>,
    /// Providers, by global id or external id.
    pub providers: Option<Vec<ID>>,
}

fn list<T: Clone>(field: &str, values: &Option<Vec<T>>) -> async_graphql::Result<Vec<T>> {
    let values = values.clone().unwrap_or_default();
    if values.len() > MAX_VALUES {
        return Err(bad_input(
            field,
            format!("at most {MAX_VALUES} values, got {}", values.len()),
        ));
    }
    Ok(values)
}

fn codes(
    field: &str,
    values: &Option<Vec<String>>,
    what: &str,
    known: impl Fn(&str) -> bool,
) -> async_graphql::Result<Vec<String>> {
    let values = list(field, values)?;
    for (i, value) in values.iter().enumerate() {
        if !known(value) {
            let shown: String = value.chars().take(40).collect();
            return Err(bad_input(
                &format!("{field}[{i}]"),
                format!("unknown {what} {shown:?}"),
            ));
        }
    }
    Ok(values)
}

fn municipalities(field: &str, values: &Option<Vec<String>>) -> async_graphql::Result<Vec<String>> {
    codes(field, values, "municipality code", |c| {
        code_sets().municipality(c).is_some()
    })
}

fn regions(field: &str, values: &Option<Vec<String>>) -> async_graphql::Result<Vec<String>> {
    codes(field, values, "region code", |c| {
        code_sets().region(c).is_some()
    })
}

fn languages(field: &str, values: &Option<Vec<String>>) -> async_graphql::Result<Vec<String>> {
    let values = codes(field, values, "language code", |c| {
        code_sets().language(c).is_some()
    })?;
    Ok(values.into_iter().map(|v| v.to_lowercase()).collect())
}

fn converted<G: Copy + Into<D>, D>(
    field: &str,
    values: &Option<Vec<G>>,
) -> async_graphql::Result<Vec<D>> {
    Ok(list(field, values)?.into_iter().map(Into::into).collect())
}

/// Resolves providers given as global ids or external ids to row ids.
async fn providers(
    ctx: &Context<'_>,
    field: &str,
    values: &Option<Vec<ID>>,
) -> async_graphql::Result<Vec<i32>> {
    let values = list(field, values)?;
    let mut ids = Vec::new();
    let mut external = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match decode_as(&format!("{field}[{i}]"), value, NodeKind::Organisation) {
            Ok(id) => ids.push(id),
            Err(_) => external.push((i, value.to_string())),
        }
    }
    if !external.is_empty() {
        let keys: Vec<String> = external.iter().map(|(_, v)| v.clone()).collect();
        let found = store(ctx)
            .organisations_by_external_ids(&keys)
            .await
            .or_internal()?;
        for (i, key) in external {
            let row = found.get(&key).ok_or_else(|| {
                let shown: String = key.chars().take(80).collect();
                bad_input(
                    &format!("{field}[{i}]"),
                    format!("no organisation has the id {shown:?}"),
                )
            })?;
            ids.push(row.id);
        }
    }
    Ok(ids)
}

impl CourseFilter {
    /// The domain filter, or an error naming the first bad value.
    pub async fn parse(
        &self,
        ctx: &Context<'_>,
        field: &str,
    ) -> async_graphql::Result<DomainCourseFilter> {
        let f = |name: &str| format!("{field}.{name}");
        Ok(DomainCourseFilter {
            municipalities: municipalities(&f("municipalities"), &self.municipalities)?,
            regions: regions(&f("regions"), &self.regions)?,
            fields_of_education: codes(
                &f("fieldsOfEducation"),
                &self.fields_of_education,
                "field of education code",
                |c| code_sets().field(c).is_some(),
            )?,
            education_types: converted(&f("educationTypes"), &self.education_types)?,
            teaching_modes: converted(&f("teachingModes"), &self.teaching_modes)?,
            languages: languages(&f("languages"), &self.languages)?,
            providers: providers(ctx, &f("providers"), &self.providers).await?,
            free_only: self.free_only.unwrap_or(false),
            funding_categories: converted(&f("fundingCategories"), &self.funding_categories)?,
            times_of_day: converted(&f("timesOfDay"), &self.times_of_day)?,
            starts_after: self.starts_after.map(|d| d.0),
            starts_before: self.starts_before.map(|d| d.0),
            application_open: self.application_open,
            audiences: converted(&f("audiences"), &self.audiences)?,
            upcoming: self.upcoming,
            states: converted(&f("states"), &self.states)?,
        })
    }
}

impl GuidanceServiceFilter {
    /// The store filter, or an error naming the first bad value.
    pub async fn parse(
        &self,
        ctx: &Context<'_>,
        field: &str,
    ) -> async_graphql::Result<DomainGuidanceFilter> {
        let f = |name: &str| format!("{field}.{name}");
        Ok(DomainGuidanceFilter {
            municipalities: municipalities(&f("municipalities"), &self.municipalities)?,
            regions: regions(&f("regions"), &self.regions)?,
            channels: converted(&f("channels"), &self.channels)?,
            languages: languages(&f("languages"), &self.languages)?,
            audiences: converted(&f("audiences"), &self.audiences)?,
            providers: providers(ctx, &f("providers"), &self.providers).await?,
        })
    }
}
