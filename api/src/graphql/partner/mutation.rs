//! The write side of the API. Each resolver takes the caller's scope, parses
//! its input into domain records, calls one store write, wakes the search
//! worker and converts the result.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};

use super::denials::{is_access_refusal, note};
use super::inputs::{
    CourseInput, CourseInstanceInput, GuidanceServiceInput, LocationInput, OrganisationInput,
};
use super::keys::CreateApiKeyInput;
use super::paths::InputKind;
use super::payloads::*;
use crate::domain::error_codes::*;
use crate::domain::{Actor, Caller, FieldError, PublicationState};
use crate::graphql::context::{caller, search, store};
use crate::graphql::errors::{coded, OrInternal};
use crate::graphql::ids::{decode_as, encode, NodeKind};
use crate::graphql::types::{Course, GuidanceService, Location, Organisation};
use crate::importer::{import_text, ImportReport};
use crate::ingest::RecordKind;
use crate::store::{location_record, Outcome, WriteOptions};

/// The most courses one `upsertCourses` call takes.
pub const MAX_BULK: usize = 100;

/// The write scope of the caller; anonymous callers write nothing.
pub fn options(
    ctx: &Context<'_>,
    expected_version: Option<i32>,
) -> async_graphql::Result<WriteOptions> {
    let who = caller(ctx);
    let scope = who.scope().ok_or_else(|| {
        coded(
            "FORBIDDEN",
            "",
            "writes need an API key: send `Authorization: Bearer <key>`",
        )
    })?;
    Ok(WriteOptions {
        actor: Actor::of(who),
        scope,
        expected_version,
    })
}

/// Refuses callers without an administrator key.
pub fn admin(ctx: &Context<'_>) -> async_graphql::Result<Caller> {
    let who = caller(ctx);
    if who.is_admin() {
        Ok(who)
    } else {
        let message = "this needs an administrator key";
        note(ctx, FORBIDDEN, None, message);
        Err(coded("FORBIDDEN", "", message))
    }
}

/// A course row id from a global id or an external id.
async fn course_id(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<i32>> {
    if let Ok(row) = decode_as("id", id, NodeKind::Course) {
        return Ok(Some(row));
    }
    Ok(store(ctx)
        .course_by_external_id(id)
        .await
        .or_internal()?
        .map(|c| c.id))
}

async fn course(ctx: &Context<'_>, id: i32) -> async_graphql::Result<Option<Course>> {
    Ok(store(ctx)
        .courses_by_ids(&[id])
        .await
        .or_internal()?
        .remove(&id)
        .map(Course))
}

/// The NOT_FOUND of `field`, noted in the trail of refused writes.
fn not_found(ctx: &Context<'_>, field: &str, what: &str) -> Vec<UserError> {
    let message = format!("no {what} has this id");
    note(ctx, NOT_FOUND, None, &message);
    vec![UserError {
        field: Some(vec![field.to_string()]),
        code: NOT_FOUND.into(),
        message,
    }]
}

fn course_payload(
    outcome: Option<UpsertOutcome>,
    course: Option<Course>,
    user_errors: Vec<UserError>,
) -> CoursePayload {
    CoursePayload {
        outcome,
        course,
        user_errors,
    }
}

/// The format of a feed given to `importFeed`.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum FeedFormat {
    /// schema.org JSON-LD Lines, as `tarjotin import` reads.
    SchemaOrgJsonld,
    /// The CSV sheet of `data/templates/courses.csv`.
    Csv,
}

/// Counts of one kind of record in an import.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// A record (or, in a sheet, a row) that was not imported.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportRejection {
    /// The line of the feed or sheet.
    pub line: i32,
    /// `organisation`, `course` or `guidance_service`; null for an unreadable line.
    pub kind: Option<String>,
    pub external_id: Option<String>,
    /// Paths in the feed's own names (`hasCourseInstance.0.endDate`, or a sheet column).
    pub errors: Vec<UserError>,
}

/// The answer of `importFeed`: the same report `tarjotin import` prints.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportFeedPayload {
    /// Nothing was written.
    pub dry_run: bool,
    pub organisations: ImportCounts,
    pub courses: ImportCounts,
    pub guidance_services: ImportCounts,
    pub rejections: Vec<ImportRejection>,
    /// The report as text, line by line as the command line prints it.
    pub report: String,
    pub user_errors: Vec<UserError>,
}

fn feed_payload(report: &ImportReport, dry_run: bool) -> ImportFeedPayload {
    let counts = |kind| {
        let c = report.counts_of(kind);
        ImportCounts {
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
            rejected: c.rejected,
        }
    };
    ImportFeedPayload {
        dry_run,
        organisations: counts(RecordKind::Organisation),
        courses: counts(RecordKind::Course),
        guidance_services: counts(RecordKind::GuidanceService),
        rejections: report
            .rejections
            .iter()
            .map(|r| ImportRejection {
                line: r.line as i32,
                kind: r.kind.map(|k| match k {
                    RecordKind::Organisation => "organisation".into(),
                    RecordKind::Course => "course".into(),
                    RecordKind::GuidanceService => "guidance_service".into(),
                }),
                external_id: r.external_id.clone(),
                errors: r
                    .errors
                    .iter()
                    .map(|e| UserError {
                        field: Some(
                            crate::ingest::csv::segments(&e.path)
                                .iter()
                                .map(|s| s.to_string())
                                .collect(),
                        ),
                        code: e.code.clone(),
                        message: e.message.clone(),
                    })
                    .collect(),
            })
            .collect(),
        report: report.to_string(),
        user_errors: Vec::new(),
    }
}

/// The mutations of the partner write API.
#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Creates or updates up to 100 courses by external id, each on its own:
    /// one bad item does not block the others. Partner keys write their own
    /// organisation's courses; an item for another is rejected with FORBIDDEN.
    async fn upsert_courses(
        &self,
        ctx: &Context<'_>,
        input: Vec<CourseInput>,
    ) -> async_graphql::Result<UpsertCoursesPayload> {
        let base = options(ctx, None)?;
        if input.len() > MAX_BULK {
            return Ok(UpsertCoursesPayload {
                results: Vec::new(),
                created: 0,
                updated: 0,
                unchanged: 0,
                rejected: 0,
                user_errors: vec![UserError {
                    field: Some(vec!["input".into()]),
                    code: TOO_MANY.into(),
                    message: format!("at most {MAX_BULK} courses a call, got {}", input.len()),
                }],
            });
        }
        let store = store(ctx);
        let mut results = Vec::with_capacity(input.len());
        let mut ids = Vec::new();
        for (i, item) in input.iter().enumerate() {
            let index = i.to_string();
            let prefix = ["input", index.as_str()];
            let written = match item.parse(ctx).await? {
                Err(errors) => Err(UserError::all(&prefix, InputKind::Course, errors)),
                Ok((record, keep)) => {
                    let opts = base.expecting(item.expected_version);
                    match store.upsert_course_keeping(&record, keep, &opts).await {
                        Ok(done) => Ok(done),
                        Err(e) => Err(item_refusal(
                            ctx,
                            &prefix,
                            InputKind::Course,
                            &item.external_id,
                            e,
                        )?),
                    }
                }
            };
            let (outcome, user_errors) = match written {
                Ok((outcome, id)) => {
                    ids.push((i, id));
                    (outcome.into(), Vec::new())
                }
                Err(errors) => (UpsertOutcome::Rejected, errors),
            };
            results.push(CourseUpsertResult {
                external_id: item.external_id.clone(),
                outcome,
                course: None,
                user_errors,
            });
        }
        search(ctx).kick();
        let rows = store
            .courses_by_ids(&ids.iter().map(|(_, id)| *id).collect::<Vec<_>>())
            .await
            .or_internal()?;
        for (i, id) in ids {
            results[i].course = rows.get(&id).cloned().map(Course);
        }
        let count = |o| results.iter().filter(|r| r.outcome == o).count() as i32;
        Ok(UpsertCoursesPayload {
            created: count(UpsertOutcome::Created),
            updated: count(UpsertOutcome::Updated),
            unchanged: count(UpsertOutcome::Unchanged),
            rejected: count(UpsertOutcome::Rejected),
            results,
            user_errors: Vec::new(),
        })
    }

    /// Creates or updates instances of a course (global or external id) by
    /// their external ids; the course's other instances stay.
    async fn upsert_course_instances(
        &self,
        ctx: &Context<'_>,
        course: ID,
        input: Vec<CourseInstanceInput>,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<CoursePayload> {
        let opts = options(ctx, expected_version)?;
        let store = store(ctx);
        let Some(id) = course_id(ctx, &course).await? else {
            return Ok(course_payload(
                None,
                None,
                not_found(ctx, "course", "course"),
            ));
        };
        let Some((_, stored)) = store.course_record(id).await.or_internal()? else {
            return Ok(course_payload(
                None,
                None,
                not_found(ctx, "course", "course"),
            ));
        };
        let mut records = Vec::new();
        let mut errors = Vec::new();
        for (i, item) in input.iter().enumerate() {
            let index = i.to_string();
            match item.parse(ctx, "", &stored.languages).await? {
                Ok(r) => records.push(r),
                Err(e) => errors.extend(UserError::all(&["input", &index], InputKind::Instance, e)),
            }
        }
        if !errors.is_empty() {
            return Ok(course_payload(None, None, errors));
        }
        // Where each instance will sit in the course, to name the input item
        // a rule's path is about.
        let mut order: Vec<String> = stored
            .instances
            .iter()
            .map(|i| i.external_id.clone())
            .collect();
        for r in &records {
            if !order.contains(&r.external_id) {
                order.push(r.external_id.clone());
            }
        }
        match store.upsert_instances(id, &records, &opts).await {
            Ok((outcome, id)) => {
                search(ctx).kick();
                Ok(course_payload(
                    Some(outcome.into()),
                    course_of(ctx, id).await?,
                    Vec::new(),
                ))
            }
            Err(crate::store::WriteError::Invalid(found))
                if !found.iter().any(|e| e.code == FORBIDDEN) =>
            {
                for e in found.iter().filter(|e| e.code == NOT_FOUND) {
                    note(ctx, NOT_FOUND, None, &e.message);
                }
                let errors = found
                    .into_iter()
                    .map(|e| instance_error(&order, &records, e))
                    .collect();
                Ok(course_payload(None, None, errors))
            }
            Err(e) => Ok(course_payload(
                None,
                None,
                refusal(ctx, &["course"], InputKind::Course, e)?,
            )),
        }
    }

    /// Deletes a course and its instances; the change feed keeps tombstones.
    async fn delete_course(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<DeletePayload> {
        let opts = options(ctx, expected_version)?;
        let store = store(ctx);
        let found = match course_id(ctx, &id).await? {
            Some(row) => store
                .courses_by_ids(&[row])
                .await
                .or_internal()?
                .remove(&row),
            None => None,
        };
        let Some(row) = found else {
            return Ok(DeletePayload {
                deleted_id: None,
                external_id: None,
                user_errors: not_found(ctx, "id", "course"),
            });
        };
        match store.delete_course(row.id, &opts).await {
            Ok(()) => {
                search(ctx).kick();
                Ok(DeletePayload {
                    deleted_id: Some(encode(NodeKind::Course, row.id)),
                    external_id: Some(row.external_id),
                    user_errors: Vec::new(),
                })
            }
            Err(e) => Ok(DeletePayload {
                deleted_id: None,
                external_id: None,
                user_errors: refusal(ctx, &[], InputKind::Course, e)?,
            }),
        }
    }

    /// Deletes one instance (global or external id) from its course.
    async fn delete_course_instance(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<CoursePayload> {
        let opts = options(ctx, expected_version)?;
        let store = store(ctx);
        let row = match decode_as("id", &id, NodeKind::CourseInstance) {
            Ok(row) => Some(row),
            Err(_) => store
                .instance_by_external_id(&id)
                .await
                .or_internal()?
                .map(|i| i.id),
        };
        let Some(row) = row else {
            return Ok(course_payload(
                None,
                None,
                not_found(ctx, "id", "course instance"),
            ));
        };
        match store.delete_instance(row, &opts).await {
            Ok((outcome, course)) => {
                search(ctx).kick();
                Ok(course_payload(
                    Some(outcome.into()),
                    course_of(ctx, course).await?,
                    Vec::new(),
                ))
            }
            Err(e) => Ok(course_payload(
                None,
                None,
                refusal(ctx, &[], InputKind::Course, e)?,
            )),
        }
    }

    /// Publishes a draft; publishing needs the Finnish name and description
    /// and a place for every instance.
    async fn publish_course(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<CoursePayload> {
        move_course(ctx, id, PublicationState::Published, expected_version).await
    }

    /// Archives a published course: it leaves the public catalogue and stays readable to its owner.
    async fn archive_course(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<CoursePayload> {
        move_course(ctx, id, PublicationState::Archived, expected_version).await
    }

    /// Moves a published or archived course back to draft.
    async fn unpublish_course(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<CoursePayload> {
        move_course(ctx, id, PublicationState::Draft, expected_version).await
    }

    /// Creates or updates a guidance service by external id.
    async fn upsert_guidance_service(
        &self,
        ctx: &Context<'_>,
        input: GuidanceServiceInput,
    ) -> async_graphql::Result<GuidanceServicePayload> {
        let opts = options(ctx, input.expected_version)?;
        let store = store(ctx);
        let record = match input.parse(ctx).await? {
            Ok(r) => r,
            Err(e) => {
                return Ok(GuidanceServicePayload {
                    outcome: None,
                    guidance_service: None,
                    user_errors: UserError::all(&["input"], InputKind::GuidanceService, e),
                })
            }
        };
        match store.put_guidance_service(&record, &opts).await {
            Ok((outcome, id)) => Ok(GuidanceServicePayload {
                outcome: Some(outcome.into()),
                guidance_service: store
                    .guidance_services_by_ids(&[id])
                    .await
                    .or_internal()?
                    .remove(&id)
                    .map(GuidanceService),
                user_errors: Vec::new(),
            }),
            Err(e) => Ok(GuidanceServicePayload {
                outcome: None,
                guidance_service: None,
                user_errors: refusal(ctx, &["input"], InputKind::GuidanceService, e)?,
            }),
        }
    }

    /// Creates or updates a location of an organisation by external id.
    async fn upsert_location(
        &self,
        ctx: &Context<'_>,
        input: LocationInput,
    ) -> async_graphql::Result<LocationPayload> {
        let opts = options(ctx, input.expected_version)?;
        let store = store(ctx);
        let (owner, record) = match input.parse(ctx).await? {
            Ok(r) => r,
            Err(e) => {
                return Ok(LocationPayload {
                    outcome: None,
                    location: None,
                    user_errors: UserError::all(&["input"], InputKind::Location, e),
                })
            }
        };
        match store.put_location(&owner, &record, &opts).await {
            Ok((outcome, id)) => {
                search(ctx).kick();
                Ok(LocationPayload {
                    outcome: Some(outcome.into()),
                    location: store
                        .locations_by_ids(&[id])
                        .await
                        .or_internal()?
                        .remove(&id)
                        .map(Location),
                    user_errors: Vec::new(),
                })
            }
            Err(e) => Ok(LocationPayload {
                outcome: None,
                location: None,
                user_errors: refusal(ctx, &["input"], InputKind::Location, e)?,
            }),
        }
    }

    /// Creates or updates an organisation (administrators only); its locations stay.
    async fn upsert_organisation(
        &self,
        ctx: &Context<'_>,
        input: OrganisationInput,
    ) -> async_graphql::Result<OrganisationPayload> {
        admin(ctx)?;
        let opts = options(ctx, input.expected_version)?;
        let store = store(ctx);
        let existing = store
            .organisations_by_external_ids(std::slice::from_ref(&input.external_id))
            .await
            .or_internal()?;
        let locations = match existing.get(&input.external_id) {
            Some(org) => store
                .locations_of_organisations(&[org.id])
                .await
                .or_internal()?
                .remove(&org.id)
                .unwrap_or_default()
                .iter()
                .map(location_record)
                .collect(),
            None => Vec::new(),
        };
        let record = match input.parse(locations) {
            Ok(r) => r,
            Err(e) => {
                return Ok(OrganisationPayload {
                    outcome: None,
                    organisation: None,
                    user_errors: UserError::all(&["input"], InputKind::Organisation, e),
                })
            }
        };
        match store.put_organisation(&record, &opts).await {
            Ok((outcome, id)) => {
                if outcome == Outcome::Updated {
                    search(ctx).kick();
                }
                Ok(OrganisationPayload {
                    outcome: Some(outcome.into()),
                    organisation: store
                        .organisations_by_ids(&[id])
                        .await
                        .or_internal()?
                        .remove(&id)
                        .map(Organisation),
                    user_errors: Vec::new(),
                })
            }
            Err(e) => Ok(OrganisationPayload {
                outcome: None,
                organisation: None,
                user_errors: refusal(ctx, &["input"], InputKind::Organisation, e)?,
            }),
        }
    }

    /// Creates an API key (administrators only); the key is shown here once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> async_graphql::Result<super::keys::CreateApiKeyPayload> {
        super::keys::create(ctx, input).await
    }

    /// Revokes an API key (administrators only), by global id or name; it is refused from now on.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<super::keys::RevokeApiKeyPayload> {
        super::keys::revoke(ctx, id).await
    }

    /// Imports a feed or sheet with the per-record report of `tarjotin import`.
    /// A partner key imports its own organisation's courses and services; a
    /// record for another provider, or an organisation record, is refused
    /// (FORBIDDEN) for that record only.
    async fn import_feed(
        &self,
        ctx: &Context<'_>,
        format: FeedFormat,
        data: String,
        dry_run: Option<bool>,
    ) -> async_graphql::Result<ImportFeedPayload> {
        let opts = options(ctx, None)?;
        let dry_run = dry_run.unwrap_or(false);
        let name = match format {
            FeedFormat::SchemaOrgJsonld => "feed.jsonl",
            FeedFormat::Csv => "feed.csv",
        };
        let report = import_text(store(ctx), name, data, dry_run, opts)
            .await
            .or_internal()?;
        let records: u64 = [
            RecordKind::Organisation,
            RecordKind::Course,
            RecordKind::GuidanceService,
        ]
        .iter()
        .map(|k| {
            let c = report.counts_of(*k);
            c.created + c.updated + c.unchanged + c.rejected
        })
        .sum();
        crate::graphql::cost::worked(ctx, 1 + records / crate::graphql::cost::RECORDS_PER_POINT);
        for rejection in &report.rejections {
            for e in rejection
                .errors
                .iter()
                .filter(|e| is_access_refusal(&e.code))
            {
                note(ctx, &e.code, rejection.external_id.as_deref(), &e.message);
            }
        }
        if !dry_run {
            search(ctx).kick();
        }
        Ok(feed_payload(&report, dry_run))
    }
}

async fn course_of(ctx: &Context<'_>, id: i32) -> async_graphql::Result<Option<Course>> {
    course(ctx, id).await
}

/// Names the input item an instance rule's path is about.
fn instance_error(
    order: &[String],
    records: &[crate::domain::InstanceRecord],
    e: FieldError,
) -> UserError {
    let parts = crate::ingest::csv::segments(&e.path);
    if let ["hasCourseInstance", k, ..] = parts.as_slice() {
        let external = k.parse::<usize>().ok().and_then(|k| order.get(k));
        if let Some(j) = external.and_then(|x| records.iter().position(|r| &r.external_id == x)) {
            let rest = e
                .path
                .split_once(']')
                .map(|(_, r)| r.trim_start_matches('.'))
                .unwrap_or("");
            let index = j.to_string();
            return UserError::at(
                &["input", &index],
                InputKind::Instance,
                FieldError {
                    path: rest.to_string(),
                    ..e
                },
            );
        }
    }
    UserError::at(&["course"], InputKind::Course, e)
}

async fn move_course(
    ctx: &Context<'_>,
    id: ID,
    to: PublicationState,
    expected_version: Option<i32>,
) -> async_graphql::Result<CoursePayload> {
    let opts = options(ctx, expected_version)?;
    let Some(row) = course_id(ctx, &id).await? else {
        return Ok(course_payload(None, None, not_found(ctx, "id", "course")));
    };
    match store(ctx).set_course_state(row, to, &opts).await {
        Ok((outcome, id)) => {
            search(ctx).kick();
            Ok(course_payload(
                Some(outcome.into()),
                course_of(ctx, id).await?,
                Vec::new(),
            ))
        }
        Err(e) => Ok(course_payload(
            None,
            None,
            refusal(ctx, &[], InputKind::Course, e)?,
        )),
    }
}
