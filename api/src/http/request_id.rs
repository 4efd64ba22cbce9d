//! Every request gets an id: the caller's `x-request-id` when it is sane,
//! else a new one. It is returned in the response, and every log line of the
//! request carries it through the request's span.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing::Instrument;

/// The header.
pub const HEADER: &str = "x-request-id";

/// The id of the current request, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Whether a client's id can be used as is: short, printable, no spaces.
pub fn sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

/// The middleware.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request.id = %id,
        http.method = %req.method(),
        http.path = %req.path(),
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    match result {
        Ok(mut response) => {
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(HEADER), value);
            }
            let status = response.status().as_u16();
            if response.status().is_server_error() {
                tracing::warn!(
                    http.status = status,
                    duration_ms = elapsed_ms,
                    "request answered"
                );
            } else {
                tracing::info!(
                    http.status = status,
                    duration_ms = elapsed_ms,
                    "request answered"
                );
            }
            Ok(response)
        }
        Err(e) => {
            tracing::warn!(error = %e, duration_ms = elapsed_ms, "request failed");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sane;

    #[test]
    fn only_short_printable_ids_are_taken() {
        assert!(sane("3f2a9c1e-0b6d-4c1a-9a57-2f0e4b1c8d7e"));
        assert!(sane("req_123.abc"));
        assert!(!sane(""));
        assert!(!sane("has space"));
        assert!(!sane("line\nbreak"));
        assert!(!sane(&"x".repeat(129)));
    }
}
