//! Opening the catalogue: connect, migrate, load the demo catalogue into an
//! empty database, and serve.

use std::net::TcpListener;

use anyhow::Context as _;

use std::sync::Arc;

use crate::config::Settings;
use crate::graphql::{build_schema, Clock};
use crate::importer::{import, FeedFile, ImportReport, Silent};
use crate::search::embedded::EmbeddedEngine;
use crate::search::meili::MeiliEngine;
use crate::search::service::SearchService;
use crate::search::SearchEngine;
use crate::store::Store;

/// The demo catalogue shipped in `data/demo/`, built into the binary so the
/// first run works from anywhere.
const DEMO: [(&str, &str); 3] = [
    (
        "data/demo/organizations.jsonl",
        include_str!("../../data/demo/organizations.jsonl"),
    ),
    (
        "data/demo/courses.jsonl",
        include_str!("../../data/demo/courses.jsonl"),
    ),
    (
        "data/demo/guidance-services.jsonl",
        include_str!("../../data/demo/guidance-services.jsonl"),
    ),
];

/// Connects to the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    settings
        .prepare_data_dir()
        .context("preparing the data directory")?;
    let store = Store::connect(settings.database_url.as_str(), None)
        .await
        .with_context(|| format!("connecting to DATABASE_URL={}", settings.database_url))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// Imports the demo catalogue when the database holds no courses.
pub async fn load_demo_if_empty(store: &Store) -> anyhow::Result<Option<ImportReport>> {
    if store.course_row_count().await? > 0 {
        return Ok(None);
    }
    let files: Vec<FeedFile> = DEMO
        .iter()
        .map(|(path, text)| FeedFile {
            path: path.into(),
            text: text.to_string(),
        })
        .collect();
    let mut report = ImportReport::default();
    import(store, &files, &mut report, &Silent).await?;
    Ok(Some(report))
}

/// Serves until the process is told to stop.
pub async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    if let Some(report) = load_demo_if_empty(&store).await? {
        tracing::info!(summary = %report.to_string().trim(), "the database was empty: loaded the demo catalogue");
    }
    let search = SearchService::new(search_engine(settings).await?, store.clone());
    let analyzer = crate::finnish::init(settings.analyzer)
        .map_err(|e| anyhow::anyhow!("TARJOTIN_ANALYZER=voikko: {e}"))?;
    tracing::info!(analyzer = ?analyzer.backend(), engine = search.engine().name(), "building the search index");
    search
        .start()
        .await
        .context("bringing the search index up to date")?;
    search.clone().spawn_worker();
    spawn_scheduler(store.clone(), search.clone());
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("binding TARJOTIN_BIND={}", settings.bind))?;
    let schema = build_schema(store.clone(), search.clone(), Clock::Helsinki);
    let running = crate::http::start(listener, schema, store, search)?;
    tracing::info!("GraphiQL is at http://{}/graphiql", running.addr);
    running.server.await?;
    Ok(())
}

/// How often scheduled publications and archivings are looked for.
const SCHEDULE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Applies `publishAt` and `archiveAt` as their time comes, until the process stops.
pub fn spawn_scheduler(store: Store, search: Arc<SearchService>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut warned = std::collections::HashSet::new();
        let mut tick = tokio::time::interval(SCHEDULE_EVERY);
        loop {
            tick.tick().await;
            match store.apply_schedules(chrono::Utc::now()).await {
                Ok(report) => {
                    if !report.published.is_empty() || !report.archived.is_empty() {
                        tracing::info!(published = ?report.published, archived = ?report.archived, "applied scheduled publication");
                        search.kick();
                    }
                    for (course, reason) in report.incomplete {
                        // Once per process: it is retried every tick until complete.
                        if warned.insert(course.clone()) {
                            tracing::warn!(course.external_id = %course, %reason, "a course due for publication is not complete; it stays a draft");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "applying scheduled publication failed; will retry")
                }
            }
        }
    })
}

/// The search engine the settings ask for: Meilisearch when MEILI_URL is set,
/// else the embedded engine.
pub async fn search_engine(settings: &Settings) -> anyhow::Result<Arc<dyn SearchEngine>> {
    match &settings.meili_url {
        None => Ok(Arc::new(EmbeddedEngine::new())),
        Some(url) => {
            let key = settings.meili_master_key.as_ref().map(|k| k.expose());
            let engine = MeiliEngine::connect(url.as_str(), key)
                .await
                .with_context(|| format!("connecting to Meilisearch at MEILI_URL={url}"))?;
            Ok(Arc::new(engine))
        }
    }
}

/// Builds every search document, to check that the stored data indexes.
pub async fn check_documents(store: &Store) -> anyhow::Result<usize> {
    let bundles = store.course_bundles(None).await?;
    for (course, instances, provider) in &bundles {
        crate::search::SearchDocument::from_rows(course, instances, provider)
            .with_context(|| format!("course {}", course.external_id))?;
    }
    Ok(bundles.len())
}
