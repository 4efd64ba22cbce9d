//! Mutation inputs, parsed into the domain records that feeds produce too.
//! References take a global id or the partner's external id, as the read
//! API's filters do. Problems are reported in the rules' vocabulary and
//! translated with the rules' own (see `paths`).

use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, InputObject, ID};
use chrono::NaiveTime;

use crate::domain::error_codes::*;
use crate::domain::{self, FieldError, Localized};
use crate::graphql::context::store;
use crate::graphql::enums::{
    Audience, ChannelKind, CreditUnit, EducationType, FundingCategory, OrganisationKind,
    PublicationState, TeachingMode, Weekday,
};
use crate::graphql::errors::OrInternal;
use crate::graphql::ids::{decode_as, NodeKind};
use crate::graphql::scalars::Date;
use crate::store::location_record;

/// A text in Finnish, Swedish and English; blank is none.
#[derive(InputObject, Debug, Clone, Default)]
pub struct TextInput {
    pub fi: Option<String>,
    pub sv: Option<String>,
    pub en: Option<String>,
}

impl TextInput {
    fn parse(input: &Option<TextInput>) -> Localized {
        let mut out = Localized::default();
        if let Some(t) = input {
            for (lang, text) in [
                (domain::Lang::Fi, &t.fi),
                (domain::Lang::Sv, &t.sv),
                (domain::Lang::En, &t.en),
            ] {
                if let Some(text) = text {
                    out.set(lang, text.clone());
                }
            }
        }
        out
    }
}

/// The extent of a course.
#[derive(InputObject, Debug, Clone)]
pub struct CreditsInput {
    pub value: f64,
    pub unit: CreditUnit,
}

/// A weekly timetable; times are `HH:MM`, Finnish time.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ScheduleInput {
    pub weekdays: Option<Vec<Weekday>>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// ISO 8601 repeat interval, e.g. `P1W`.
    pub repeat_frequency: Option<String>,
}

/// An application or enrolment period; either end may be open.
#[derive(InputObject, Debug, Clone)]
pub struct EnrolmentPeriodInput {
    pub starts: Option<Date>,
    pub ends: Option<Date>,
}

/// One offering of a course.
#[derive(InputObject, Debug, Clone)]
pub struct CourseInstanceInput {
    /// The partner's own id of the instance.
    pub external_id: String,
    pub teaching_modes: Option<Vec<TeachingMode>>,
    /// A location of the course's provider (see `upsertLocation`), by global or external id.
    pub location: Option<ID>,
    /// The municipality code when there is no location.
    pub municipality: Option<String>,
    /// Taught (also) online; implied by `ONLINE` or an `onlineUrl`.
    pub online: Option<bool>,
    pub online_url: Option<String>,
    /// Languages of instruction (ISO 639-1); the course's when left out.
    pub languages: Option<Vec<String>>,
    /// First day; none for a flexible start.
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub schedule: Option<ScheduleInput>,
    /// Price in euros; 0 is free.
    pub price: Option<f64>,
    pub funding_category: Option<FundingCategory>,
    pub enrolment_periods: Option<Vec<EnrolmentPeriodInput>>,
    pub enrolment_url: Option<String>,
    pub capacity: Option<i32>,
}

/// A course, upserted by its external id. Left-out fields are cleared,
/// except `state` (kept; new courses are drafts) and `instances` (kept).
#[derive(InputObject, Debug, Clone)]
pub struct CourseInput {
    /// The partner's own id: the key of the upsert.
    pub external_id: String,
    /// The providing organisation, by global or external id.
    pub provider: ID,
    /// Who pays for it (e.g. employment services), by global or external id.
    pub funder: Option<ID>,
    /// The provider's course code.
    pub identifier: Option<String>,
    pub name: Option<TextInput>,
    pub description: Option<TextInput>,
    pub url: Option<String>,
    /// Koulutusala 2016 codes, level 1 or 2.
    pub fields_of_education: Option<Vec<String>>,
    pub education_type: Option<EducationType>,
    pub credential: Option<TextInput>,
    pub credits: Option<CreditsInput>,
    /// ISO 8601 duration, e.g. `PT24H`.
    pub duration: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub audiences: Option<Vec<Audience>>,
    /// Languages of instruction (ISO 639-1).
    pub languages: Option<Vec<String>>,
    /// Left out: the stored state (new: DRAFT). Changes follow the workflow.
    pub state: Option<PublicationState>,
    /// When the scheduler publishes the draft.
    pub publish_at: Option<Timestamp>,
    /// When the scheduler archives the published course.
    pub archive_at: Option<Timestamp>,
    /// Left out: the stored instances stay. Given: they replace them all.
    pub instances: Option<Vec<CourseInstanceInput>>,
    /// The version last read; STALE_VERSION when the stored one differs (0: must be new).
    pub expected_version: Option<i32>,
}

/// A postal address; the municipality is a code, or found from the locality or postal code.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AddressInput {
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    pub municipality: Option<String>,
}

/// WGS84 coordinates.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct CoordinatesInput {
    pub latitude: f64,
    pub longitude: f64,
}

/// A campus or venue of an organisation.
#[derive(InputObject, Debug, Clone)]
pub struct LocationInput {
    pub external_id: String,
    /// The owning organisation, by global or external id.
    pub organisation: ID,
    pub name: Option<TextInput>,
    pub address: Option<AddressInput>,
    pub coordinates: Option<CoordinatesInput>,
    pub expected_version: Option<i32>,
}

/// One way to reach a guidance service.
#[derive(InputObject, Debug, Clone)]
pub struct ChannelInput {
    pub kind: ChannelKind,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    /// A location of the provider, by global or external id.
    pub location: Option<ID>,
    pub languages: Option<Vec<String>>,
}

/// Opening hours on some weekdays; times are `HH:MM`.
#[derive(InputObject, Debug, Clone)]
pub struct OpeningHoursInput {
    pub weekdays: Vec<Weekday>,
    pub opens: String,
    pub closes: String,
}

/// A guidance and counselling service, upserted by its external id.
#[derive(InputObject, Debug, Clone)]
pub struct GuidanceServiceInput {
    pub external_id: String,
    pub provider: ID,
    pub identifier: Option<String>,
    pub service_type: Option<String>,
    pub name: Option<TextInput>,
    pub description: Option<TextInput>,
    pub channels: Option<Vec<ChannelInput>>,
    pub opening_hours: Option<Vec<OpeningHoursInput>>,
    /// Municipality codes.
    pub area_served: Option<Vec<String>>,
    pub audiences: Option<Vec<Audience>>,
    /// Left out: DRAFT.
    pub state: Option<PublicationState>,
    pub expected_version: Option<i32>,
}

/// An organisation (administrators only), upserted by its external id.
#[derive(InputObject, Debug, Clone)]
pub struct OrganisationInput {
    pub external_id: String,
    pub kind: OrganisationKind,
    pub identifier: Option<String>,
    pub name: Option<TextInput>,
    pub description: Option<TextInput>,
    pub url: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressInput>,
    pub expected_version: Option<i32>,
}

fn blank(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn codes<G: Copy + Into<D>, D>(values: &Option<Vec<G>>) -> Vec<D> {
    values.iter().flatten().map(|v| (*v).into()).collect()
}

fn strings(values: &Option<Vec<String>>) -> Vec<String> {
    values
        .iter()
        .flatten()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

fn time(text: &Option<String>, path: &str, errors: &mut Vec<FieldError>) -> Option<NaiveTime> {
    let text = blank(text)?;
    NaiveTime::parse_from_str(&text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
        .map_err(|_| {
            errors.push(FieldError::new(
                path,
                INVALID_TIME,
                format!("{text:?} is not a time (HH:MM)"),
            ))
        })
        .ok()
}

/// An organisation's external id from a global or external id.
pub async fn organisation_key(
    ctx: &Context<'_>,
    id: &ID,
    path: &str,
) -> async_graphql::Result<Result<String, FieldError>> {
    if let Ok(row) = decode_as(path, id, NodeKind::Organisation) {
        let found = store(ctx)
            .organisations_by_ids(&[row])
            .await
            .or_internal()?;
        return Ok(found
            .get(&row)
            .map(|o| o.external_id.clone())
            .ok_or_else(|| FieldError::new(path, UNKNOWN_ORGANISATION, "no such organisation")));
    }
    Ok(Ok(id.to_string()))
}

/// A location record from a global or external id.
async fn location(
    ctx: &Context<'_>,
    id: &ID,
    path: &str,
) -> async_graphql::Result<Result<domain::LocationRecord, FieldError>> {
    let store = store(ctx);
    let row = match decode_as(path, id, NodeKind::Location) {
        Ok(row) => store
            .locations_by_ids(&[row])
            .await
            .or_internal()?
            .remove(&row),
        Err(_) => store.location_by_external_id(id).await.or_internal()?,
    };
    Ok(row.map(|r| location_record(&r)).ok_or_else(|| {
        FieldError::new(
            path,
            NOT_FOUND,
            format!("no location has the id {:?}", id.as_str()),
        )
    }))
}

/// Resolves an address's municipality as feeds do: a code, else the locality, else the postal code.
pub fn address(input: &AddressInput, path: &str, errors: &mut Vec<FieldError>) -> domain::Address {
    let sets = crate::codes::code_sets();
    let municipality = blank(&input.municipality);
    let code = match &municipality {
        Some(m) if sets.municipality(m).is_some() => Some(m.clone()),
        Some(m) => sets
            .municipality_by_name(m)
            .map(|x| x.code.clone())
            .or_else(|| {
                errors.push(FieldError::new(
                    format!("{path}.containedInPlace.identifier"),
                    UNKNOWN_MUNICIPALITY,
                    format!("unknown municipality {m:?}"),
                ));
                None
            }),
        None => blank(&input.locality)
            .and_then(|l| sets.municipality_by_name(&l))
            .or_else(|| {
                blank(&input.postal_code).and_then(|p| sets.municipality_by_postal_code(&p))
            })
            .map(|m| m.code.clone()),
    };
    domain::Address {
        street_address: blank(&input.street_address),
        postal_code: blank(&input.postal_code),
        locality: blank(&input.locality),
        municipality_code: code,
    }
}

impl CourseInstanceInput {
    /// The instance record; `path` is the rules' path of the instance.
    pub async fn parse(
        &self,
        ctx: &Context<'_>,
        path: &str,
        course_languages: &[String],
    ) -> async_graphql::Result<Result<domain::InstanceRecord, Vec<FieldError>>> {
        let mut errors = Vec::new();
        let place = match &self.location {
            Some(id) => match location(ctx, id, &format!("{path}.location.@id")).await? {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        let modes: Vec<domain::TeachingMode> = codes(&self.teaching_modes);
        let schedule = self.schedule.as_ref().map(|s| domain::Schedule {
            weekdays: codes(&s.weekdays),
            start_time: time(
                &s.start_time,
                &format!("{path}.courseSchedule.startTime"),
                &mut errors,
            ),
            end_time: time(
                &s.end_time,
                &format!("{path}.courseSchedule.endTime"),
                &mut errors,
            ),
            repeat: blank(&s.repeat_frequency),
        });
        let mut languages = strings(&self.languages);
        if languages.is_empty() {
            languages = course_languages.to_vec();
        }
        let online_url = blank(&self.online_url);
        let online = self.online.unwrap_or(false)
            || online_url.is_some()
            || modes.contains(&domain::TeachingMode::Online);
        let municipality_code = match &place {
            Some(p) => p.address.municipality_code.clone(),
            None => blank(&self.municipality),
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        Ok(Ok(domain::InstanceRecord {
            external_id: self.external_id.trim().to_string(),
            modes,
            location: place,
            municipality_code,
            online,
            online_url,
            languages,
            start_date: self.start_date.map(|d| d.0),
            end_date: self.end_date.map(|d| d.0),
            flexible_start: self.start_date.is_none(),
            schedule,
            price_cents: self.price.map(|p| (p * 100.0).round() as i64),
            funding: self.funding_category.map(Into::into),
            enrolment_periods: self
                .enrolment_periods
                .iter()
                .flatten()
                .map(|p| domain::Period {
                    starts: p.starts.map(|d| d.0),
                    ends: p.ends.map(|d| d.0),
                })
                .collect(),
            enrolment_url: blank(&self.enrolment_url),
            capacity: self.capacity,
        }))
    }
}

impl CourseInput {
    /// The course record and what it leaves to the stored course.
    pub async fn parse(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Result<(domain::CourseRecord, crate::store::Keep), Vec<FieldError>>>
    {
        let mut errors = Vec::new();
        let provider = organisation_key(ctx, &self.provider, "provider").await?;
        let funder = match &self.funder {
            Some(f) => Some(organisation_key(ctx, f, "funder").await?),
            None => None,
        };
        let languages = strings(&self.languages);
        let mut instances = Vec::new();
        for (i, input) in self.instances.iter().flatten().enumerate() {
            match input
                .parse(ctx, &format!("hasCourseInstance[{i}]"), &languages)
                .await?
            {
                Ok(r) => instances.push(r),
                Err(e) => errors.extend(e),
            }
        }
        let provider = provider.map_err(|e| errors.push(e)).ok();
        let funder = funder
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let (Some(provider), true) = (provider, errors.is_empty()) else {
            return Ok(Err(errors));
        };
        let record = domain::CourseRecord {
            external_id: self.external_id.trim().to_string(),
            identifier: blank(&self.identifier),
            provider_external_id: provider,
            funder_external_id: funder,
            name: TextInput::parse(&self.name),
            description: TextInput::parse(&self.description),
            url: blank(&self.url),
            fields_of_education: self
                .fields_of_education
                .iter()
                .flatten()
                .map(|f| f.trim().to_string())
                .collect(),
            education_type: self.education_type.map(Into::into),
            credential: TextInput::parse(&self.credential),
            credits: self.credits.as_ref().map(|c| domain::Credits {
                value: c.value,
                unit: c.unit.into(),
            }),
            duration: blank(&self.duration),
            keywords: self
                .keywords
                .iter()
                .flatten()
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            audiences: codes(&self.audiences),
            languages,
            state: self
                .state
                .map(Into::into)
                .unwrap_or(domain::PublicationState::Draft),
            instances,
            publish_at: self.publish_at.map(|t| t.0),
            archive_at: self.archive_at.map(|t| t.0),
        };
        let keep = crate::store::Keep {
            instances: self.instances.is_none(),
            state: self.state.is_none(),
        };
        Ok(Ok((record, keep)))
    }
}

impl LocationInput {
    /// The location record and its owner's external id.
    pub async fn parse(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Result<(String, domain::LocationRecord), Vec<FieldError>>> {
        let mut errors = Vec::new();
        let owner = organisation_key(ctx, &self.organisation, "organisation").await?;
        let address = address(&self.address.clone().unwrap_or_default(), "", &mut errors);
        let owner = owner.map_err(|e| errors.push(e)).ok();
        let (Some(owner), true) = (owner, errors.is_empty()) else {
            return Ok(Err(errors));
        };
        Ok(Ok((
            owner,
            domain::LocationRecord {
                external_id: self.external_id.trim().to_string(),
                name: TextInput::parse(&self.name),
                address,
                coordinates: self.coordinates.map(|c| domain::Coordinates {
                    latitude: c.latitude,
                    longitude: c.longitude,
                }),
            },
        )))
    }
}

impl GuidanceServiceInput {
    /// The service record.
    pub async fn parse(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Result<domain::GuidanceServiceRecord, Vec<FieldError>>> {
        let mut errors = Vec::new();
        let provider = organisation_key(ctx, &self.provider, "provider").await?;
        let mut channels = Vec::new();
        for (i, c) in self.channels.iter().flatten().enumerate() {
            let place = match &c.location {
                Some(id) => location(ctx, id, &format!("availableChannel[{i}].serviceLocation"))
                    .await?
                    .map_err(|e| errors.push(e))
                    .ok(),
                None => None,
            };
            channels.push(domain::ChannelRecord {
                kind: c.kind.into(),
                phone: blank(&c.phone),
                url: blank(&c.url),
                email: blank(&c.email),
                location: place,
                languages: strings(&c.languages),
            });
        }
        let mut hours = Vec::new();
        for (i, h) in self.opening_hours.iter().flatten().enumerate() {
            let opens = time(
                &Some(h.opens.clone()),
                &format!("hoursAvailable[{i}].opens"),
                &mut errors,
            );
            let closes = time(
                &Some(h.closes.clone()),
                &format!("hoursAvailable[{i}].closes"),
                &mut errors,
            );
            if let (Some(opens), Some(closes)) = (opens, closes) {
                hours.push(domain::OpeningHours {
                    weekdays: h.weekdays.iter().map(|d| (*d).into()).collect(),
                    opens,
                    closes,
                });
            }
        }
        let provider = provider.map_err(|e| errors.push(e)).ok();
        let (Some(provider), true) = (provider, errors.is_empty()) else {
            return Ok(Err(errors));
        };
        Ok(Ok(domain::GuidanceServiceRecord {
            external_id: self.external_id.trim().to_string(),
            identifier: blank(&self.identifier),
            provider_external_id: provider,
            service_type: blank(&self.service_type),
            name: TextInput::parse(&self.name),
            description: TextInput::parse(&self.description),
            channels,
            opening_hours: hours,
            area_served: self
                .area_served
                .iter()
                .flatten()
                .map(|a| a.trim().to_string())
                .collect(),
            audiences: codes(&self.audiences),
            state: self
                .state
                .map(Into::into)
                .unwrap_or(domain::PublicationState::Draft),
        }))
    }
}

impl OrganisationInput {
    /// The organisation record; its locations are written with `upsertLocation`
    /// and kept as they are.
    pub fn parse(
        &self,
        locations: Vec<domain::LocationRecord>,
    ) -> Result<domain::OrganisationRecord, Vec<FieldError>> {
        let mut errors = Vec::new();
        let address = self
            .address
            .as_ref()
            .map(|a| address(a, "address", &mut errors));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(domain::OrganisationRecord {
            external_id: self.external_id.trim().to_string(),
            identifier: blank(&self.identifier),
            kind: self.kind.into(),
            name: TextInput::parse(&self.name),
            description: TextInput::parse(&self.description),
            url: blank(&self.url),
            phone: blank(&self.phone),
            email: blank(&self.email),
            address,
            locations,
        })
    }
}
