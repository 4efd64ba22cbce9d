//! `/healthz` (the process answers), `/readyz` (it can serve) and
//! `/metrics`. Readiness fails only on what stops this replica from
//! serving: the start not done, the database away, shutting down. A search
//! engine that is away or an index that lags make it degraded, not unready,
//! since listings and details are served from the database and every
//! replica shares the same engine. Error texts and metrics are for
//! operators: on the public listener they need an administrator's key; the
//! operations listener (`TARJOTIN_OPS_ADDR`) shows them to anyone who can
//! reach it.

use actix_web::{web, HttpRequest, HttpResponse};

use super::Services;
use crate::finnish::{analyzer, Backend};

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Which listener a request came to.
#[derive(Debug, Clone, Copy)]
pub struct Listener {
    /// The operations listener (`TARJOTIN_OPS_ADDR`), not the public one.
    pub ops: bool,
}

/// Who may see the details: everyone on the operations listener, an
/// administrator's key on the public one.
async fn may_see_details(req: &HttpRequest, services: &Services, listener: Listener) -> bool {
    if listener.ops {
        return true;
    }
    match super::auth::identity(req, &services.store).await {
        Ok(identity) => identity.caller.is_admin(),
        Err(_) => false,
    }
}

/// Ready when the start has migrated the database and caught the index
/// up, and the database answers; 503 otherwise, with the start's step.
/// `status` is `ready`, `degraded` (search engine away, or indexing lags
/// past `TARJOTIN_READY_MAX_OUTBOX_LAG_SECS`) or `not ready`.
pub async fn readyz(
    req: HttpRequest,
    services: web::Data<Services>,
    listener: web::Data<Listener>,
) -> HttpResponse {
    if !services.startup.is_database_ready() || services.startup.is_stopping() {
        let step = if services.startup.is_stopping() {
            "stopping".to_string()
        } else {
            services.startup.step()
        };
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "not ready",
            "starting": { "step": step },
        }));
    }
    let details = may_see_details(&req, &services, **listener).await;
    let database = services.store.ping().await;
    if let Err(e) = &database {
        tracing::warn!(error = %e, "database not ready");
    }
    let index = services.search.status().await;
    if let Err(e) = &index {
        tracing::warn!(error = %e, "search index status unavailable");
    }
    let index = index.ok();
    let engine_ok = index.as_ref().is_some_and(|s| s.documents.is_some());
    let age = index
        .as_ref()
        .and_then(|s| s.oldest_pending)
        .and_then(|age| age.to_std().ok())
        .unwrap_or_default();
    let lag = age.as_secs();
    let max_lag = services.settings.ready_max_outbox_lag;
    // The exact wait, not whole seconds: a change pending for 900.4 s is
    // past a limit of 900 s.
    let lag_ok = max_lag.is_none_or(|max| age <= max);
    let started = index.as_ref().is_some_and(|s| s.serving && s.caught_up);
    let ready = database.is_ok() && started;
    let status = match (ready, engine_ok && lag_ok) {
        (false, _) => "not ready",
        (true, true) => "ready",
        (true, false) => "degraded",
    };
    let analyzer = analyzer();
    let body = serde_json::json!({
        "status": status,
        "starting": index.as_ref().and_then(|s| s.progress.as_ref()).map(|p| serde_json::json!({
            "step": p.step,
            "done": p.done,
            "total": p.total,
            "serving": index.as_ref().is_some_and(|s| s.serving),
        })),
        "database": if database.is_ok() { "ok" } else { "unavailable" },
        "search": index.as_ref().map(|s| serde_json::json!({
            "engine": s.engine,
            "status": if s.documents.is_some() { "ok" } else { "unavailable" },
            "documents": s.documents,
            "pendingChanges": s.pending,
            "deadLetters": s.dead_letters,
            "oldestPendingSeconds": s.oldest_pending_seconds(),
            "lastError": if details { s.last_error.clone() } else { None },
        })),
        "outbox": {
            "lagSeconds": lag,
            "maxLagSeconds": max_lag.map(|d| d.as_secs()),
            "status": if lag_ok { "ok" } else { "lagging" },
        },
        "finnishAnalyzer": {
            "backend": match analyzer.backend() { Backend::Voikko => "voikko", Backend::Snowball => "snowball", Backend::Off => "none" },
            "warning": analyzer.warning(),
        },
        "rateLimit": services.limiter.as_ref().map_or("off", |l| l.backend()),
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus metrics, in the OpenMetrics text format: on the operations
/// listener, or with an administrator's key.
pub async fn metrics(
    req: HttpRequest,
    services: web::Data<Services>,
    listener: web::Data<Listener>,
) -> HttpResponse {
    if !may_see_details(&req, &services, **listener).await {
        return HttpResponse::Forbidden()
            .insert_header(("www-authenticate", "Bearer"))
            .json(serde_json::json!({
                "errors": [{
                    "message": "metrics are for operators: use the operations listener \
                                (TARJOTIN_OPS_ADDR) or an administrator's key",
                    "extensions": { "code": "FORBIDDEN" },
                }]
            }));
    }
    let index = services.search.status().await.ok();
    let text = services
        .metrics
        .render(index.as_ref(), services.store.pool_stats());
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text)
}
