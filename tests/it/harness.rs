//! Test harness: every database test runs on SQLite, and on PostgreSQL too
//! when TEST_DATABASE_URL names a server (each test gets a fresh database).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::{Request, Variables};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tarjotin_api::domain::credentials::ApiToken;
use tarjotin_api::domain::{Actor, Caller, Role};
use tarjotin_api::graphql::{build_schema, execute, AppSchema, Clock};
use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};
use tarjotin_api::search::embedded::EmbeddedEngine;
use tarjotin_api::search::service::SearchService;
use tarjotin_api::store::{NewKey, Store};

/// The reference day of the sample catalogue.
pub fn reference_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

impl Backend {
    /// SQLite always; PostgreSQL when TEST_DATABASE_URL is set.
    pub fn all() -> Vec<Backend> {
        let mut out = vec![Backend::Sqlite];
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            if !url.trim().is_empty() {
                out.push(Backend::Postgres { admin_url: url });
            }
        }
        out
    }
}

/// A fresh, migrated, empty catalogue with a schema over it.
#[derive(Clone)]
pub struct TestApp {
    pub backend: &'static str,
    pub store: Store,
    pub schema: AppSchema,
    pub search: Arc<SearchService>,
    pub engine: Arc<EmbeddedEngine>,
    /// Every SQL statement run since the app was made.
    pub statements: Arc<Mutex<Vec<String>>>,
    cleanup: Option<(String, String)>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

impl TestApp {
    /// A new empty catalogue on `backend`.
    pub async fn new(backend: &Backend) -> TestApp {
        let statements = Arc::new(Mutex::new(Vec::new()));
        let seen = statements.clone();
        let observer: tarjotin_api::store::StatementObserver =
            Arc::new(move |sql: &str| seen.lock().unwrap().push(sql.to_string()));
        let (label, url, cleanup) = match backend {
            Backend::Sqlite => ("sqlite", "sqlite::memory:".to_string(), None),
            Backend::Postgres { admin_url } => {
                let name = format!(
                    "tarjotin_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_micros()
                );
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create a test database");
                admin.close().await.ok();
                (
                    "postgres",
                    database_url(admin_url, &name),
                    Some((admin_url.clone(), name)),
                )
            }
        };
        TestApp::over(label, &url, cleanup, statements, observer).await
    }

    /// A new empty catalogue in an SQLite file, with a pool of connections
    /// as `tarjotin serve` has (the in-memory one has a single connection).
    pub async fn sqlite_file(dir: &std::path::Path) -> TestApp {
        let statements = Arc::new(Mutex::new(Vec::new()));
        let seen = statements.clone();
        let observer: tarjotin_api::store::StatementObserver =
            Arc::new(move |sql: &str| seen.lock().unwrap().push(sql.to_string()));
        let url = format!("sqlite://{}?mode=rwc", dir.join("catalogue.db").display());
        TestApp::over("sqlite-file", &url, None, statements, observer).await
    }

    async fn over(
        label: &'static str,
        url: &str,
        cleanup: Option<(String, String)>,
        statements: Arc<Mutex<Vec<String>>>,
        observer: tarjotin_api::store::StatementObserver,
    ) -> TestApp {
        let store = Store::connect(url, Some(observer)).await.expect("connect");
        store.migrate().await.expect("migrate");
        let engine = Arc::new(EmbeddedEngine::new());
        let search = SearchService::new(engine.clone(), store.clone());
        let schema = build_schema(store.clone(), search.clone(), Clock::Fixed(reference_day()));
        statements.lock().unwrap().clear();
        TestApp {
            backend: label,
            store,
            schema,
            search,
            engine,
            statements,
            cleanup,
        }
    }

    /// The URL of this test's PostgreSQL database (None on SQLite).
    pub fn postgres_url(&self) -> Option<String> {
        let (admin, name) = self.cleanup.as_ref()?;
        Some(database_url(admin, name))
    }

    /// Drops the PostgreSQL database of this test.
    pub async fn finish(self) {
        let TestApp { store, cleanup, .. } = self;
        drop(store);
        if let Some((admin_url, name)) = cleanup {
            if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok();
            }
        }
    }

    /// Imports the demo catalogue shipped in data/demo.
    pub async fn with_demo(self) -> TestApp {
        let report = self.import_demo().await;
        assert!(report.rejections.is_empty(), "{report}");
        self
    }

    /// Imports the demo catalogue and returns the report.
    pub async fn import_demo(&self) -> ImportReport {
        let files: Vec<FeedFile> = ["organizations", "courses", "guidance-services"]
            .iter()
            .map(|name| {
                let path = demo_path(name);
                FeedFile {
                    text: std::fs::read_to_string(&path).unwrap(),
                    path: path.into(),
                }
            })
            .collect();
        let mut report = ImportReport::default();
        import(&self.store, &files, &mut report, &Silent)
            .await
            .unwrap();
        self.search.drain().await.unwrap();
        report
    }

    /// Runs a document and returns the whole response as JSON.
    pub async fn run(&self, query: &str, variables: Value) -> Value {
        let request = Request::new(query).variables(Variables::from_json(variables));
        serde_json::to_value(execute(&self.schema, &self.store, request).await).unwrap()
    }

    /// Runs a document that must succeed and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.run(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "[{}] unexpected errors: {}",
            self.backend,
            response["errors"]
        );
        response["data"].clone()
    }

    /// Runs a document that must fail and returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        let response = self.run(query, variables).await;
        response["errors"][0].clone()
    }

    /// Runs a document as `caller` and returns the whole response as JSON.
    pub async fn run_as(&self, caller: Caller, query: &str, variables: Value) -> Value {
        let request = Request::new(query)
            .variables(Variables::from_json(variables))
            .data(caller);
        serde_json::to_value(execute(&self.schema, &self.store, request).await).unwrap()
    }

    /// Runs a document as `caller` that must succeed and returns `data`.
    pub async fn data_as(&self, caller: Caller, query: &str, variables: Value) -> Value {
        let response = self.run_as(caller, query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "[{}] unexpected errors: {}",
            self.backend,
            response["errors"]
        );
        response["data"].clone()
    }

    /// Runs a document with an `Authorization` header, as the HTTP layer
    /// does: the header is checked first and a refusal is the response.
    pub async fn run_with_header(&self, header: &str, query: &str, variables: Value) -> Value {
        match self.store.identify(Some(header), chrono::Utc::now()).await {
            Ok(caller) => self.run_as(caller, query, variables).await,
            Err(e) => serde_json::json!({
                "errors": [{ "message": e.to_string(), "extensions": { "code": "UNAUTHENTICATED" } }]
            }),
        }
    }

    /// A new key of `role` (for the organisation with external id `org`),
    /// returned as the bearer token and the caller it identifies.
    pub async fn key(&self, role: Role, org: Option<&str>) -> (String, Caller) {
        let organisation_id = match org {
            Some(ext) => Some(
                self.store
                    .organisations_by_external_ids(&[ext.to_string()])
                    .await
                    .unwrap()
                    .remove(ext)
                    .unwrap_or_else(|| panic!("no organisation {ext}"))
                    .id,
            ),
            None => None,
        };
        let token = ApiToken::generate().unwrap();
        let name = format!("test-{}", &token.prefix()[4..]);
        let new = NewKey {
            name,
            role,
            organisation_id,
            expires_at: None,
            rate_limit: None,
        };
        self.store
            .create_key(&new, &token, &Actor::cli())
            .await
            .unwrap();
        let header = format!("Bearer {}", token.expose());
        let caller = self
            .store
            .identify(Some(&header), chrono::Utc::now())
            .await
            .unwrap();
        (token.expose().to_string(), caller)
    }

    /// How many statements ran since the last call.
    pub fn take_statement_count(&self) -> usize {
        let mut seen = self.statements.lock().unwrap();
        let n = seen.len();
        seen.clear();
        n
    }
}

/// The path of a demo feed file.
pub fn demo_path(name: &str) -> String {
    format!("{}/data/demo/{name}.jsonl", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `test` on a fresh catalogue on every backend.
pub async fn on_every_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::all() {
        let app = TestApp::new(&backend).await;
        test(app.clone()).await;
        app.finish().await;
    }
}

/// Runs `test` on every backend with the demo catalogue loaded.
pub async fn on_every_demo<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::all() {
        let app = TestApp::new(&backend).await.with_demo().await;
        test(app.clone()).await;
        app.finish().await;
    }
}

/// `n` copies of the first demo course under the ids `urn:test:{prefix}:{k}`
/// (instances `…:instance:{j}`), one JSON-LD line each, with `change`
/// applied to every copy.
pub fn course_copies(prefix: &str, n: usize, change: &dyn Fn(&mut serde_json::Value)) -> String {
    let courses = std::fs::read_to_string(demo_path("courses")).unwrap();
    let good: serde_json::Value = serde_json::from_str(courses.lines().next().unwrap()).unwrap();
    (0..n)
        .map(|k| {
            let mut c = good.clone();
            c["@id"] = serde_json::json!(format!("urn:test:{prefix}:{k}"));
            for (j, i) in c["hasCourseInstance"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .enumerate()
            {
                i["@id"] = serde_json::json!(format!("urn:test:{prefix}:{k}:instance:{j}"));
            }
            change(&mut c);
            c.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
