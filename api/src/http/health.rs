//! `/healthz` (the process answers), `/readyz` (it can serve: database,
//! search engine, Finnish analyser, indexing lag) and `/metrics`.

use actix_web::{web, HttpResponse};

use super::Services;
use crate::finnish::{analyzer, Backend};

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the start has migrated the database and caught the index
/// up, the database answers, the search engine answers and indexing lags no
/// more than allowed; 503 otherwise, with the start's progress. The
/// Snowball fallback of the Finnish analyser is reported but does not make
/// the service unready.
pub async fn readyz(services: web::Data<Services>) -> HttpResponse {
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
    let ready = database.is_ok() && engine_ok && lag_ok && started;
    let analyzer = analyzer();
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not ready" },
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
            "oldestPendingSeconds": s.oldest_pending_seconds(),
            "lastError": s.last_error,
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

/// Prometheus metrics, in the OpenMetrics text format.
pub async fn metrics(services: web::Data<Services>) -> HttpResponse {
    let index = services.search.status().await.ok();
    let text = services
        .metrics
        .render(index.as_ref(), services.store.pool_stats());
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text)
}
