//! The actix-web adapter: /graphql, /graphiql, /healthz, /readyz. Thin: every
//! request goes to the schema or the store and straight back.

pub mod auth;

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::{guard, web, App, HttpRequest, HttpResponse, HttpServer};
use async_graphql::http::GraphiQLSource;
use async_graphql::Variables;
use futures_util::StreamExt;

use std::sync::Arc;

use crate::finnish::{analyzer, Backend};
use crate::graphql::{execute, AppSchema};
use crate::search::service::SearchService;
use crate::store::Store;

/// Requests larger than this are refused before parsing.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The body of a GraphQL-over-HTTP request.
#[derive(serde::Deserialize)]
struct Body {
    query: Option<String>,
    #[serde(default)]
    variables: Option<serde_json::Value>,
    #[serde(rename = "operationName", default)]
    operation_name: Option<String>,
}

/// A request refused before GraphQL sees it, as a GraphQL error with a code.
fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "errors": [{ "message": message.into(), "extensions": { "code": code } }]
    }))
}

fn to_request(body: Body) -> Result<async_graphql::Request, Box<HttpResponse>> {
    let Some(query) = body.query.filter(|q| !q.trim().is_empty()) else {
        return Err(Box::new(refuse(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request has no `query`",
        )));
    };
    let mut request = async_graphql::Request::new(query);
    match body.variables {
        None | Some(serde_json::Value::Null) => {}
        Some(v @ serde_json::Value::Object(_)) => {
            request = request.variables(Variables::from_json(v))
        }
        Some(_) => {
            return Err(Box::new(refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "`variables` must be a JSON object",
            )))
        }
    }
    if let Some(name) = body.operation_name {
        request = request.operation_name(name);
    }
    Ok(request)
}

async fn run(schema: &AppSchema, store: &Store, request: async_graphql::Request) -> HttpResponse {
    let response = execute(schema, store, request).await;
    HttpResponse::Ok().json(response)
}

async fn graphql_post(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    store: web::Data<Store>,
    mut payload: web::Payload,
) -> HttpResponse {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body could not be read",
            );
        };
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            );
        }
        bytes.extend_from_slice(&chunk);
    }
    let body: Body = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("the body is not a GraphQL JSON request: {e}"),
            )
        }
    };
    match to_request(body) {
        Ok(request) => match auth::caller(&req, &store).await {
            Ok(caller) => run(&schema, &store, request.data(caller)).await,
            Err(refused) => refused,
        },
        Err(response) => *response,
    }
}

async fn graphql_get(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    store: web::Data<Store>,
    params: web::Query<std::collections::HashMap<String, String>>,
) -> HttpResponse {
    let variables = match params.get("variables").map(|v| serde_json::from_str(v)) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("`variables` is not JSON: {e}"),
            )
        }
    };
    let body = Body {
        query: params.get("query").cloned(),
        variables,
        operation_name: params.get("operationName").cloned(),
    };
    match to_request(body) {
        Ok(request) => match auth::caller(&req, &store).await {
            Ok(caller) => run(&schema, &store, request.data(caller)).await,
            Err(refused) => refused,
        },
        Err(response) => *response,
    }
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
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                actix_web::error::InternalError::from_response(
                    e.to_string(),
                    refuse(
                        StatusCode::BAD_REQUEST,
                        "BAD_REQUEST",
                        format!("bad query string: {e}"),
                    ),
                )
                .into()
            }))
            .wrap(tracing_actix())
            .service(
                web::resource("/graphql")
                    .route(web::post().to(graphql_post))
                    .route(web::get().to(graphql_get))
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
