//! The `Authorization` header to a caller identity. No header: anonymous. A
//! header that does not name a valid key is refused with UNAUTHENTICATED;
//! it never falls back to anonymous.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::Utc;

use crate::domain::Caller;
use crate::store::{IdentifyError, Store};

/// Who the request is from, or the response that refuses it.
pub async fn caller(request: &HttpRequest, store: &Store) -> Result<Caller, HttpResponse> {
    let header = match request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
    {
        None => None,
        Some(value) => match value.to_str() {
            Ok(text) => Some(text),
            Err(_) => return Err(unauthenticated("the Authorization header is not text")),
        },
    };
    match store.identify(header, Utc::now()).await {
        Ok(caller) => Ok(caller),
        Err(IdentifyError::Refused(e)) => Err(unauthenticated(&e.to_string())),
        Err(IdentifyError::Store(e)) => {
            tracing::error!(error = %e, "checking an API key failed");
            Err(HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "errors": [{ "message": "credentials cannot be checked right now", "extensions": { "code": "INTERNAL_SERVER_ERROR" } }]
            })))
        }
    }
}

fn unauthenticated(message: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::UNAUTHORIZED)
        .insert_header(("www-authenticate", "Bearer"))
        .json(serde_json::json!({
            "errors": [{ "message": message, "extensions": { "code": "UNAUTHENTICATED" } }]
        }))
}
