//! Noting refused writes. A resolver that refuses a keyed caller for access
//! (another organisation's record, a record that does not exist, an
//! operation for administrators) notes it here; `graphql::execute` records
//! the request's notes in the store once the request is done, so that the
//! refusal itself costs the caller no extra round trip. Anonymous callers
//! write nothing and are not recorded: their attempts would only let anyone
//! fill the trail.

use std::sync::{Arc, Mutex};

use async_graphql::{Context, Value};

use crate::domain::error_codes::{FORBIDDEN, NOT_FOUND};
use crate::domain::{Actor, Caller};
use crate::graphql::context::caller;
use crate::store::{Denial, Store};

/// The refusals of one request.
#[derive(Default, Clone)]
pub struct Denials(Arc<Mutex<Vec<Denial>>>);

/// True for the codes of an access refusal.
pub fn is_access_refusal(code: &str) -> bool {
    code == FORBIDDEN || code == NOT_FOUND
}

impl Denials {
    /// Records what was noted; a failure is logged, never the caller's.
    pub async fn flush(&self, store: &Store) {
        let noted = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        if noted.is_empty() {
            return;
        }
        if let Err(e) = store.record_denials(&noted, chrono::Utc::now()).await {
            tracing::warn!(error = %e, count = noted.len(), "could not record refused writes");
        }
    }
}

/// Notes a refusal of the current field for the caller, about `target` (or,
/// when None, the id the field's arguments name).
pub fn note(ctx: &Context<'_>, code: &str, target: Option<&str>, message: &str) {
    let who = caller(ctx);
    if who == Caller::Anonymous || !is_access_refusal(code) {
        return;
    }
    let Some(denials) = ctx.data_opt::<Denials>() else {
        return;
    };
    let field = ctx.field();
    let target = target.map(str::to_string).or_else(|| named_target(&field));
    let actor = Actor::of(who);
    denials
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Denial {
            actor: actor.label,
            key_id: actor.key_id,
            action: field.name().to_string(),
            target,
            code: code.to_string(),
            message: message.to_string(),
        });
}

/// The id an operation's arguments name: `id`, `course`, `externalId`, or
/// the same inside `input`.
fn named_target(field: &async_graphql::SelectionField<'_>) -> Option<String> {
    let args = field.arguments().ok()?;
    let pick = |name: &str, args: &[(async_graphql::Name, Value)]| {
        args.iter()
            .find(|(n, _)| n.as_str() == name)
            .and_then(|(_, v)| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
    };
    for name in ["id", "course", "externalId"] {
        if let Some(found) = pick(name, &args) {
            return Some(found);
        }
    }
    let input = args.iter().find(|(n, _)| n.as_str() == "input")?;
    match &input.1 {
        Value::Object(fields) => ["id", "externalId"]
            .iter()
            .find_map(|k| match fields.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            }),
        _ => None,
    }
}
