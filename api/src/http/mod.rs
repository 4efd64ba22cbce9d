//! The actix-web adapter: /graphql, /graphiql, /healthz, /readyz. Thin: every
//! request goes to the schema or the store and straight back.

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::Server;
use actix_web::{guard, web, App, HttpResponse, HttpServer};
use async_graphql::http::GraphiQLSource;
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

use std::sync::Arc;

use crate::finnish::{analyzer, Backend};
use crate::graphql::{execute, AppSchema};
use crate::search::service::SearchService;
use crate::store::Store;

/// Requests larger than this are refused before parsing.
const MAX_BODY_BYTES: usize = 256 * 1024;

async fn graphql(
    schema: web::Data<AppSchema>,
    store: web::Data<Store>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&schema, &store, request.into_inner()).await.into()
}

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Tarjotin")
                .finish(),
        )
}

async fn root() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("location", "/graphiql"))
        .finish()
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(store: web::Data<Store>, search: web::Data<Arc<SearchService>>) -> HttpResponse {
    let database = store.ping().await;
    if let Err(e) = &database {
        tracing::warn!(error = %e, "database not ready");
    }
    let index = search.status().await.ok();
    let analyzer = analyzer();
    let body = serde_json::json!({
        "status": if database.is_ok() { "ready" } else { "not ready" },
        "database": if database.is_ok() { "ok" } else { "unavailable" },
        "search": index.as_ref().map(|s| serde_json::json!({
            "engine": s.engine,
            "documents": s.documents,
            "pendingChanges": s.pending,
            "oldestPendingSeconds": s.oldest_pending_seconds,
            "lastError": s.last_error,
        })),
        "finnishAnalyzer": {
            "backend": match analyzer.backend() { Backend::Voikko => "voikko", Backend::Snowball => "snowball", Backend::Off => "none" },
            "warning": analyzer.warning(),
        },
    });
    if database.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// A bound, not yet awaited server and the address it listens on.
pub struct Running {
    pub server: Server,
    pub addr: SocketAddr,
}

/// Starts serving on `listener` (bind port 0 in tests and read `addr`).
pub fn start(
    listener: TcpListener,
    schema: AppSchema,
    store: Store,
    search: Arc<SearchService>,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let schema = web::Data::new(schema);
    let store = web::Data::new(store);
    let search = web::Data::new(search);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(schema.clone())
            .app_data(store.clone())
            .app_data(search.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES))
            .wrap(tracing_actix())
            .service(
                web::resource("/graphql")
                    .route(web::post().to(graphql))
                    .route(web::get().to(graphql))
                    .route(
                        web::route()
                            .guard(guard::Options())
                            .to(HttpResponse::NoContent),
                    ),
            )
            .route("/graphiql", web::get().to(graphiql))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/", web::get().to(root))
    })
    .listen(listener)?
    .shutdown_timeout(30)
    .run();
    Ok(Running { server, addr })
}

fn tracing_actix() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%r %s %Dms").log_target("tarjotin::http")
}
