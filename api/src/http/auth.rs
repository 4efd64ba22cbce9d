//! The `Authorization` header to a caller identity. No header: anonymous. A
//! header that does not name a valid key is refused with UNAUTHENTICATED;
//! it never falls back to anonymous.

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use chrono::Utc;

use super::refusal::Refusal;
use crate::store::{IdentifyError, Identity, Store};

/// Who the request is from, or why it is refused (charged to the client
/// address like any refusal before execution).
pub async fn identity(request: &HttpRequest, store: &Store) -> Result<Identity, Refusal> {
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
    match store.authenticate(header, Utc::now()).await {
        Ok(identity) => Ok(identity),
        Err(IdentifyError::Refused(e)) => Err(unauthenticated(&e.to_string())),
        Err(IdentifyError::Store(e)) => {
            tracing::error!(error = %e, "checking an API key failed");
            Err(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "INTERNAL_SERVER_ERROR",
                "credentials cannot be checked right now",
            ))
        }
    }
}

fn unauthenticated(message: &str) -> Refusal {
    Refusal {
        headers: vec![("www-authenticate", "Bearer".into())],
        field: Some("Authorization"),
        ..Refusal::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
    }
}
