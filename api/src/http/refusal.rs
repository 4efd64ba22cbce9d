//! Answers given before, or instead of, execution: coded errors with the
//! cost report and rate-limit headers, and the point such a request costs.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::client::rate_subject;
use super::media::Media;
use super::params::BadParam;
use super::Services;
use crate::graphql::cost::{CostReport, Throttle};
use crate::ratelimit::Decision;

/// An answer given before (or instead of) execution.
pub struct Refusal {
    pub status: StatusCode,
    /// A GraphQL request error: 200 under `application/json`.
    pub request_error: bool,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
    pub extensions: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
}

impl Refusal {
    /// A refusal with a status of its own.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            request_error: false,
            code,
            message: message.into(),
            field: None,
            extensions: None,
            headers: Vec::new(),
        }
    }

    /// A GraphQL request error: 400, or 200 under `application/json`.
    pub fn request(
        code: &'static str,
        field: Option<&'static str>,
        message: impl Into<String>,
    ) -> Refusal {
        Refusal {
            request_error: true,
            field,
            ..Refusal::new(StatusCode::BAD_REQUEST, code, message)
        }
    }
}

/// Adds the x-ratelimit headers of `decision`.
pub fn rate_headers(builder: &mut actix_web::HttpResponseBuilder, decision: Option<&Decision>) {
    if let Some(d) = decision {
        builder.insert_header(("x-ratelimit-limit", d.limit.to_string()));
        builder.insert_header(("x-ratelimit-remaining", d.remaining.to_string()));
        builder.insert_header((
            "x-ratelimit-reset",
            d.reset_after.as_secs_f64().ceil().to_string(),
        ));
    }
}

/// The throttle status of `decision`.
pub fn throttle(decision: Option<&Decision>) -> Option<Throttle> {
    decision.map(|d| Throttle {
        maximum_available: d.limit,
        currently_available: d.remaining,
        restore_rate: d.restore_rate,
    })
}

/// The refusal as a response in `media`.
pub fn refuse(
    media: Media,
    refusal: Refusal,
    cost: CostReport,
    decision: Option<&Decision>,
) -> HttpResponse {
    let status = if refusal.request_error {
        media.request_error_status(refusal.status)
    } else {
        refusal.status
    };
    let mut extensions = json!({ "code": refusal.code });
    if let Some(field) = refusal.field {
        extensions["field"] = json!(field);
    }
    if let Some(Value::Object(more)) = refusal.extensions {
        for (k, v) in more {
            extensions[k] = v;
        }
    }
    let body = json!({
        "errors": [{ "message": refusal.message, "extensions": extensions }],
        "extensions": { "cost": cost.to_json() },
    });
    let mut builder = HttpResponse::build(status);
    builder
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"));
    for (name, value) in refusal.headers {
        builder.insert_header((name, value));
    }
    rate_headers(&mut builder, decision);
    builder.body(body.to_string())
}

/// A request that is not a well-formed GraphQL-over-HTTP request: 400 under
/// either media type, as the specification asks.
pub fn malformed(bad: BadParam) -> Refusal {
    Refusal {
        field: Some(bad.field),
        ..Refusal::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", bad.message)
    }
}

/// Refuses a request that never reached the gate; it still costs a point, so
/// a flood of bad requests empties its bucket like any other.
pub async fn charged(
    req: &HttpRequest,
    services: &Services,
    media: Media,
    refusal: Refusal,
) -> HttpResponse {
    let Some(limiter) = &services.limiter else {
        return refuse(media, refusal, CostReport::default(), None);
    };
    let subject = rate_subject(req, None, &services.settings.trusted_proxies);
    let decision = limiter.take(&subject, 1).await;
    let cost = CostReport {
        requested: 0,
        actual: 0,
        throttle: throttle(Some(&decision)),
    };
    if decision.allowed {
        refuse(media, refusal, cost, Some(&decision))
    } else {
        services.metrics.rate_limited(subject.kind());
        refuse(media, rate_limited(&decision, 1), cost, Some(&decision))
    }
}

/// 429 with `retry-after`.
pub fn rate_limited(d: &Decision, charge: u64) -> Refusal {
    if d.over_capacity {
        // Waiting would not help: no refill makes the bucket this large.
        return Refusal {
            extensions: Some(json!({ "cost": charge, "limit": d.limit })),
            ..Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                "QUERY_COST_ABOVE_LIMIT",
                format!(
                    "this request costs {charge} points and this caller's bucket holds {} points, \
                     so it can never run; ask for fewer items (a smaller `first`) or use a key \
                     with a larger rate limit",
                    d.limit
                ),
            )
        };
    }
    let wait = d.retry_after.as_secs_f64().ceil().max(1.0);
    Refusal {
        headers: vec![("retry-after", wait.to_string())],
        extensions: Some(json!({ "retryAfterSeconds": wait })),
        ..Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!(
                "this request costs {charge} points and {} are left; the bucket refills {}, try again in {wait} s",
                d.remaining, refill_text(d.restore_rate)
            ),
        )
    }
}

/// A refill rate for people: "50 points a second", "10 points a minute".
fn refill_text(per_second: f64) -> String {
    if per_second >= 1.0 && per_second.fract() == 0.0 {
        format!("{per_second} points a second")
    } else {
        let per_minute = (per_second * 60.0 * 100.0).round() / 100.0;
        format!("{per_minute} points a minute")
    }
}
