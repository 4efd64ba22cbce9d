//! The actix-web adapter: /graphql, /graphiql, /healthz, /readyz, /metrics.
//! Thin: every request goes through the gate and the rate limiter to the
//! schema and straight back.

pub mod auth;
mod caching;
mod client;
mod compress;
mod graphql;
mod health;
mod media;
mod params;
mod refusal;
mod request_id;
mod startup;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{guard, web, App, HttpResponse, HttpServer};
use async_graphql::http::GraphiQLSource;

use crate::config::{CorsOrigins, HttpSettings};
use crate::graphql::gate::Gate;
use crate::graphql::persisted::PersistedQueries;
use crate::graphql::AppSchema;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::search::service::SearchService;
use crate::store::Store;

pub use request_id::RequestId;
pub use startup::Startup;

/// How the endpoint behaves, the rate limiter it uses (None: off) and the
/// state of the start.
pub struct HttpOptions {
    pub settings: HttpSettings,
    pub limiter: Option<Arc<RateLimiter>>,
    pub startup: Arc<Startup>,
    /// The operations listener: `/healthz`, `/readyz` and `/metrics` with
    /// every detail, for operators only (bind it where the public cannot reach).
    pub ops: Option<TcpListener>,
}

impl HttpOptions {
    /// `settings` with buckets in this process (when rate limiting is on).
    pub fn local(settings: HttpSettings) -> HttpOptions {
        let limiter = settings
            .rate_limit
            .map(|config| Arc::new(RateLimiter::local(config)));
        HttpOptions {
            settings,
            limiter,
            startup: Arc::new(Startup::ready()),
            ops: None,
        }
    }
}

impl Default for HttpOptions {
    /// The default settings, buckets in this process.
    fn default() -> Self {
        HttpOptions::local(HttpSettings::default())
    }
}

/// What every handler shares.
pub struct Services {
    schema: AppSchema,
    store: Store,
    search: Arc<SearchService>,
    gate: Gate,
    limiter: Option<Arc<RateLimiter>>,
    apq: PersistedQueries,
    metrics: Metrics,
    settings: HttpSettings,
    startup: Arc<Startup>,
}

/// A bound, not yet awaited server and the address it listens on, and the
/// operations listener's when there is one.
pub struct Running {
    pub server: Server,
    pub addr: SocketAddr,
    pub ops: Option<(Server, SocketAddr)>,
}

/// Starts serving on `listener` with the default options (bind port 0 in
/// tests and read `addr`).
pub fn start(
    listener: TcpListener,
    schema: AppSchema,
    store: Store,
    search: Arc<SearchService>,
) -> std::io::Result<Running> {
    start_with(listener, schema, store, search, HttpOptions::default())
}

/// Starts serving on `listener` with `options`.
pub fn start_with(
    listener: TcpListener,
    schema: AppSchema,
    store: Store,
    search: Arc<SearchService>,
    options: HttpOptions,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let HttpOptions {
        settings,
        limiter,
        startup,
        ops,
    } = options;
    let shutdown = settings.shutdown_timeout;
    let services = web::Data::new(Services {
        gate: Gate::new(&schema, settings.limits).with_facet_sizes(search.facet_sizes()),
        apq: PersistedQueries::new(settings.apq_cache_size),
        metrics: Metrics::new(),
        schema,
        store,
        search,
        limiter,
        settings,
        startup,
    });
    let ops = match ops {
        Some(listener) => {
            let addr = listener.local_addr()?;
            let services = services.clone();
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(services.clone())
                    .app_data(web::Data::new(health::Listener { ops: true }))
                    .route("/healthz", web::get().to(health::healthz))
                    .route("/readyz", web::get().to(health::readyz))
                    .route("/metrics", web::get().to(health::metrics))
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(shutdown.as_secs())
            .listen(listener)?
            .run();
            Some((server, addr))
        }
        None => None,
    };
    let server = HttpServer::new(move || {
        App::new()
            .app_data(services.clone())
            .app_data(web::Data::new(health::Listener { ops: false }))
            .wrap(from_fn(compress::middleware))
            .wrap(cors(&services.settings.cors_origins))
            .wrap(from_fn(request_id::middleware))
            .service(
                web::resource("/graphql")
                    .route(web::post().to(graphql::post))
                    .route(web::get().to(graphql::get))
                    .route(web::route().guard(guard::Options()).to(graphql::options))
                    .default_service(web::to(graphql::other_method)),
            )
            .route("/graphiql", web::get().to(graphiql))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/metrics", web::get().to(health::metrics))
            .route("/", web::get().to(root))
    })
    .client_request_timeout(Duration::from_secs(10))
    // `serve` handles SIGINT and SIGTERM itself, in one shutdown path.
    .disable_signals()
    .shutdown_timeout(shutdown.as_secs())
    .listen(listener)?
    .run();
    Ok(Running { server, addr, ops })
}

/// Browsers may read the API from the configured origins; by default from
/// any origin, never with credentials (API keys travel in a header).
fn cors(origins: &CorsOrigins) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST", "OPTIONS"])
        .allow_any_header()
        .expose_headers([
            "x-request-id",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "retry-after",
            "etag",
        ])
        .max_age(86_400);
    match origins {
        // The answer is `*` for every origin: no `Vary: Origin`, which would
        // make shared caches keep a copy per origin.
        CorsOrigins::Any => cors
            .allow_any_origin()
            .send_wildcard()
            .disable_vary_header(),
        CorsOrigins::List(list) => list
            .iter()
            .fold(cors, |cors, origin| cors.allowed_origin(origin)),
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
