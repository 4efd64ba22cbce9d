//! What mutations answer: Shopify-style `userErrors { field code message }`
//! and, for bulk writes, a result per item.

use async_graphql::{Context, Enum, SimpleObject};

use super::denials::{is_access_refusal, note};

use super::paths::{translate, InputKind};
use crate::domain::error_codes::FORBIDDEN;
use crate::domain::FieldError;
use crate::graphql::errors::{coded, internal};
use crate::graphql::types::{Course, GuidanceService, Location, Organisation};
use crate::store::{Outcome, WriteError};

/// A problem with the input, naming the field.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct UserError {
    /// The path to the input field, e.g. `["input", "3", "instances", "0", "endDate"]`.
    pub field: Option<Vec<String>>,
    /// A stable code, e.g. `END_BEFORE_START` (the README lists them).
    pub code: String,
    pub message: String,
}

impl UserError {
    /// An error at `prefix` + the input field a rule's path names.
    pub fn at(prefix: &[&str], kind: InputKind, e: FieldError) -> UserError {
        let mut field: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
        if !e.path.is_empty() {
            field.extend(translate(kind, &e.path, &e.code));
        }
        UserError {
            field: (!field.is_empty()).then_some(field),
            code: e.code,
            message: e.message,
        }
    }

    /// Many errors at `prefix`.
    pub fn all(prefix: &[&str], kind: InputKind, errors: Vec<FieldError>) -> Vec<UserError> {
        errors
            .into_iter()
            .map(|e| UserError::at(prefix, kind, e))
            .collect()
    }
}

/// What a write did to one item.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum UpsertOutcome {
    Created,
    Updated,
    /// The same content was there already; nothing was written.
    Unchanged,
    /// Refused; `userErrors` say why and nothing changed.
    Rejected,
}

impl From<Outcome> for UpsertOutcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Created => UpsertOutcome::Created,
            Outcome::Updated => UpsertOutcome::Updated,
            Outcome::Unchanged => UpsertOutcome::Unchanged,
        }
    }
}

/// A refused write as user errors; a write outside the caller's scope is a
/// FORBIDDEN error of the whole field, and failures of ours are internal.
/// Access refusals are noted in the trail of refused writes.
pub fn refusal(
    ctx: &Context<'_>,
    prefix: &[&str],
    kind: InputKind,
    e: WriteError,
) -> async_graphql::Result<Vec<UserError>> {
    note_all(ctx, None, &e);
    match e {
        WriteError::Invalid(errors) if errors.iter().any(|e| e.code == FORBIDDEN) => {
            let e = errors
                .into_iter()
                .find(|e| e.code == FORBIDDEN)
                .expect("found");
            let field = UserError::at(prefix, kind, e.clone())
                .field
                .unwrap_or_default();
            Err(coded("FORBIDDEN", &field.join("."), e.message))
        }
        WriteError::Invalid(errors) => Ok(UserError::all(prefix, kind, errors)),
        WriteError::Store(e) => Err(internal(e)),
    }
}

/// A refused item of a bulk write about `target`: every problem, FORBIDDEN
/// included, as user errors.
pub fn item_refusal(
    ctx: &Context<'_>,
    prefix: &[&str],
    kind: InputKind,
    target: &str,
    e: WriteError,
) -> async_graphql::Result<Vec<UserError>> {
    note_all(ctx, Some(target), &e);
    match e {
        WriteError::Invalid(errors) => Ok(UserError::all(prefix, kind, errors)),
        WriteError::Store(e) => Err(internal(e)),
    }
}

/// Notes the access refusals among `e`'s problems.
pub fn note_all(ctx: &Context<'_>, target: Option<&str>, e: &WriteError) {
    if let WriteError::Invalid(errors) = e {
        for error in errors.iter().filter(|e| is_access_refusal(&e.code)) {
            note(ctx, &error.code, target, &error.message);
        }
    }
}

/// The result of one course of `upsertCourses`.
#[derive(SimpleObject, Clone, Debug)]
pub struct CourseUpsertResult {
    /// The course's external id, as given.
    pub external_id: String,
    pub outcome: UpsertOutcome,
    /// The course as stored now; null when rejected.
    pub course: Option<Course>,
    /// Why the item was rejected (paths start with `input`, index).
    pub user_errors: Vec<UserError>,
}

/// The answer of `upsertCourses`.
#[derive(SimpleObject, Clone, Debug)]
pub struct UpsertCoursesPayload {
    /// One result per input item, in order.
    pub results: Vec<CourseUpsertResult>,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub rejected: i32,
    /// Problems of the call as a whole (e.g. too many items).
    pub user_errors: Vec<UserError>,
}

/// The answer of a mutation on one course.
#[derive(SimpleObject, Clone, Debug)]
pub struct CoursePayload {
    /// What happened; null when there were user errors.
    pub outcome: Option<UpsertOutcome>,
    pub course: Option<Course>,
    pub user_errors: Vec<UserError>,
}

/// The answer of a deletion.
#[derive(SimpleObject, Clone, Debug)]
pub struct DeletePayload {
    /// The global id of what was deleted.
    pub deleted_id: Option<async_graphql::ID>,
    /// Its external id.
    pub external_id: Option<String>,
    pub user_errors: Vec<UserError>,
}

/// The answer of `upsertLocation`.
#[derive(SimpleObject, Clone, Debug)]
pub struct LocationPayload {
    pub outcome: Option<UpsertOutcome>,
    pub location: Option<Location>,
    pub user_errors: Vec<UserError>,
}

/// The answer of `upsertGuidanceService`.
#[derive(SimpleObject, Clone, Debug)]
pub struct GuidanceServicePayload {
    pub outcome: Option<UpsertOutcome>,
    pub guidance_service: Option<GuidanceService>,
    pub user_errors: Vec<UserError>,
}

/// The answer of `upsertOrganisation`.
#[derive(SimpleObject, Clone, Debug)]
pub struct OrganisationPayload {
    pub outcome: Option<UpsertOutcome>,
    pub organisation: Option<Organisation>,
    pub user_errors: Vec<UserError>,
}
