//! `/graphql` over POST and GET, per the GraphQL-over-HTTP specification:
//! media-type negotiation, request errors with the status each media type
//! asks for, queries only over GET, persisted queries, the static checks and
//! the rate limit before anything executes, and the cost on every answer.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::caching::{self, Answer};
use super::client::{authenticated, rate_subject};
use super::media::{negotiate, unsupported_body, Media};
use super::params::Params;
use super::refusal::{charged, malformed, rate_headers, rate_limited, refuse, throttle, Refusal};
use super::Services;
use crate::graphql::cost::{actual_cost_of, CostReport};
use crate::graphql::execute_checked;
use crate::graphql::limits::OperationKind;
use crate::ratelimit::Decision;

/// POST /graphql.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    services: web::Data<Services>,
) -> HttpResponse {
    let started = Instant::now();
    let Some(media) = negotiate(req.headers()) else {
        return not_acceptable(&services, started);
    };
    let deadline = services.settings.request_timeout;
    let work = async {
        if let Some(problem) = unsupported_body(req.headers()) {
            let refusal = Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                problem,
            );
            return (charged(&req, &services, media, refusal).await, None);
        }
        let bytes = match read_body(payload, services.settings.max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(refusal) => return (charged(&req, &services, media, *refusal).await, None),
        };
        match Params::from_body(&bytes) {
            Ok(params) => run(&req, &services, false, media, params).await,
            Err(bad) => (charged(&req, &services, media, malformed(bad)).await, None),
        }
    };
    finish(
        &services,
        media,
        started,
        tokio::time::timeout(deadline, work).await,
    )
}

/// GET /graphql.
pub async fn get(req: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let started = Instant::now();
    let Some(media) = negotiate(req.headers()) else {
        return not_acceptable(&services, started);
    };
    let deadline = services.settings.request_timeout;
    let work = async {
        match Params::from_query_string(req.query_string()) {
            Ok(params) => run(&req, &services, true, media, params).await,
            Err(bad) => (charged(&req, &services, media, malformed(bad)).await, None),
        }
    };
    finish(
        &services,
        media,
        started,
        tokio::time::timeout(deadline, work).await,
    )
}

/// Any other method on /graphql.
pub async fn other_method() -> HttpResponse {
    let refusal = Refusal {
        headers: vec![("allow", "GET, POST, OPTIONS".into())],
        ..Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "/graphql answers GET (queries) and POST",
        )
    };
    refuse(Media::Json, refusal, CostReport::default(), None)
}

/// OPTIONS /graphql without CORS headers (the CORS layer answers preflights).
pub async fn options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header(("allow", "GET, POST, OPTIONS"))
        .finish()
}

fn not_acceptable(services: &Services, started: Instant) -> HttpResponse {
    let refusal = Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "the Accept header allows neither application/graphql-response+json nor application/json",
    );
    services.metrics.request("none", 406, started.elapsed());
    refuse(Media::Json, refusal, CostReport::default(), None)
}

fn finish(
    services: &Services,
    media: Media,
    started: Instant,
    outcome: Result<(HttpResponse, Option<String>), tokio::time::error::Elapsed>,
) -> HttpResponse {
    let (response, operation) = outcome.unwrap_or_else(|_| {
        tracing::warn!(
            timeout_secs = services.settings.request_timeout.as_secs(),
            "request timed out"
        );
        let refusal = Refusal {
            headers: vec![("retry-after", "1".into())],
            ..Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "REQUEST_TIMEOUT",
                format!(
                    "the request took longer than {} s and was stopped",
                    services.settings.request_timeout.as_secs()
                ),
            )
        };
        (refuse(media, refusal, CostReport::default(), None), None)
    });
    let label = services.metrics.operation_label(operation.as_deref());
    services
        .metrics
        .request(&label, response.status().as_u16(), started.elapsed());
    response
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, Box<Refusal>> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            Box::new(Refusal::new(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("the request body could not be read: {e}"),
            ))
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(Box::new(Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the request body is larger than {limit} bytes"),
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// From parameters to an answer; returns the operation name for metrics.
async fn run(
    req: &HttpRequest,
    services: &Services,
    get: bool,
    media: Media,
    params: Params,
) -> (HttpResponse, Option<String>) {
    if !services.startup.is_database_ready() {
        let refusal = Refusal {
            headers: vec![("retry-after", "2".into())],
            ..Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "NOT_READY",
                format!("the service is starting: {}", services.startup.step()),
            )
        };
        return (refuse(media, refusal, CostReport::default(), None), None);
    }
    let Params {
        query,
        variables,
        operation_name,
        extensions,
    } = params;
    let persisted = extensions.as_ref().and_then(|e| e.get("persistedQuery"));
    // Metrics name an operation only when it ran by the hash of a persisted
    // query, that is, a document the client's own build knows; any other
    // name a client chose counts as `other`, so that callers cannot grow
    // the series.
    let by_hash = query.is_none() && persisted.is_some_and(|p| !p.is_null());
    let operation = match (&operation_name, by_hash) {
        (Some(name), true) => Some(name.clone()),
        (Some(_), false) => Some(String::new()),
        (None, _) => None,
    };
    let answer = |response| (response, operation.clone());
    let resolved = match services.apq.resolve(query, persisted) {
        Ok(Some(resolved)) if !resolved.query.trim().is_empty() => resolved,
        Ok(_) => {
            let refusal = Refusal {
                field: Some("query"),
                ..Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "the request has no `query`",
                )
            };
            return answer(charged(req, services, media, refusal).await);
        }
        Err(e) => {
            let refusal = Refusal::request(e.code(), Some(e.field()), e.to_string());
            return answer(charged(req, services, media, refusal).await);
        }
    };
    // A header that names no valid key is refused; it never falls back to
    // anonymous.
    let identity = match super::auth::identity(req, &services.store).await {
        Ok(identity) => identity,
        Err(refusal) => return answer(charged(req, services, media, refusal).await),
    };
    let caller = identity.caller;
    let variables =
        async_graphql::Variables::from_json(Value::Object(variables.unwrap_or_default()));
    let checked = services
        .gate
        .check(&resolved.query, operation_name.as_deref(), &variables);
    let kind = checked
        .as_ref()
        .ok()
        .and_then(|c| c.analysis.map(|a| a.kind))
        .unwrap_or(OperationKind::Query);
    if get && kind != OperationKind::Query {
        let refusal = Refusal {
            headers: vec![("allow", "POST".into())],
            ..Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "only queries may be sent with GET; send mutations with POST",
            )
        };
        return answer(charged(req, services, media, refusal).await);
    }
    let requested = match &checked {
        Ok(c) => c.analysis.map_or(0, |a| a.cost),
        Err(refused) => refused.requested_cost(),
    };
    // Every request costs at least a point, so refused documents still count.
    let charge = match &checked {
        Ok(_) => requested.max(1),
        Err(_) => 1,
    };
    let subject = rate_subject(req, Some(&identity), &services.settings.trusted_proxies);
    let decision = match &services.limiter {
        Some(limiter) => Some(limiter.take(&subject, charge).await),
        None => None,
    };
    if let Some(d) = decision.as_ref().filter(|d| !d.allowed) {
        services.metrics.rate_limited(subject.kind());
        let refusal = rate_limited(d, charge);
        let cost = CostReport {
            requested,
            actual: 0,
            throttle: throttle(decision.as_ref()),
        };
        return answer(refuse(media, refusal, cost, decision.as_ref()));
    }
    let checked = match checked {
        Ok(checked) => checked,
        Err(refused) => {
            services.metrics.refused(refused.code());
            let error = refused.to_error();
            let extensions = error
                .extensions
                .as_ref()
                .and_then(|e| serde_json::to_value(e).ok());
            let refusal = Refusal {
                extensions,
                ..Refusal::request(refused.code(), None, error.message.clone())
            };
            let cost = CostReport {
                requested,
                actual: 0,
                throttle: throttle(decision.as_ref()),
            };
            return answer(refuse(media, refusal, cost, decision.as_ref()));
        }
    };
    let mut request = async_graphql::Request::new(resolved.query.to_string())
        .variables(variables)
        .data(caller);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    let (response, work) =
        execute_checked(&services.schema, &services.store, request, checked.document).await;
    // Kept only once it has run: a document that does not validate against
    // the schema is never stored.
    let request_errors = response
        .errors
        .iter()
        .any(|e| e.path.is_empty() && response.data == async_graphql::Value::Null);
    if let (Some(hash), false) = (resolved.register.clone(), request_errors) {
        services.apq.register(hash, Arc::clone(&resolved.query));
    }
    let actual = actual_cost_of(&response.data, work, requested);
    services.metrics.cost(requested, actual);
    let unused = charge.saturating_sub(actual.max(1));
    let decision = match (&services.limiter, decision) {
        (Some(limiter), Some(_)) if unused > 0 => Some(limiter.refund(&subject, unused).await),
        (_, decision) => decision,
    };
    let cost = CostReport {
        requested,
        actual,
        throttle: throttle(decision.as_ref()),
    };
    answer(respond(
        req,
        get,
        kind,
        media,
        response,
        cost,
        decision.as_ref(),
    ))
}

/// The executed response, with status, cost, caching and rate headers.
fn respond(
    req: &HttpRequest,
    get: bool,
    kind: OperationKind,
    media: Media,
    response: async_graphql::Response,
    cost: CostReport,
    decision: Option<&Decision>,
) -> HttpResponse {
    let request_error = !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty());
    let hint = response.cache_control;
    let errors = !response.errors.is_empty();
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    if request_error {
        if let Some(map) = body.as_object_mut() {
            map.remove("data");
        }
    }
    let status = if request_error {
        media.request_error_status(StatusCode::BAD_REQUEST)
    } else {
        StatusCode::OK
    };
    let answer = Answer {
        get,
        authenticated: authenticated(req.headers()),
        query: kind == OperationKind::Query,
        errors,
    };
    let cache_control = caching::cache_control(answer, hint);
    // A shared cache gives a public answer to every caller, so it carries
    // nothing of this caller's: no bucket in the body, no x-ratelimit
    // headers. The document's cost is the same for everyone and stays.
    let shared = caching::is_shared(&cache_control);
    let mut cost = cost;
    if shared {
        cost.throttle = None;
    }
    // The validator covers what the query returned, not the caller's bucket.
    let tag = caching::etag(body.to_string().as_bytes());
    body["extensions"]["cost"] = cost.to_json();
    let bytes = body.to_string();
    let mut builder = HttpResponse::build(status);
    builder
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, "Accept, Authorization"));
    if !shared {
        rate_headers(&mut builder, decision);
    }
    if caching::validates(answer) {
        builder.insert_header((header::ETAG, tag.clone()));
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .is_some_and(|inm| caching::matches(inm, &tag));
        if fresh {
            builder.status(StatusCode::NOT_MODIFIED);
            return builder.finish();
        }
    }
    builder.body(bytes)
}
