//! Opening the catalogue: bind, connect, migrate, load the demo catalogue
//! into an empty database, bring the index up, and serve.

mod duties;

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::Context as _;

use crate::config::Settings;
use crate::graphql::{build_schema, Clock};
use crate::http::{HttpOptions, Startup};
use crate::importer::{import, FeedFile, ImportReport, Silent};
use crate::ratelimit::RateLimiter;
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
        include_str!("../../../data/demo/organizations.jsonl"),
    ),
    (
        "data/demo/courses.jsonl",
        include_str!("../../../data/demo/courses.jsonl"),
    ),
    (
        "data/demo/guidance-services.jsonl",
        include_str!("../../../data/demo/guidance-services.jsonl"),
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

/// Serves until the process is told to stop. The listener binds first, so
/// that `/healthz` answers at once and `/readyz` reports the start; the
/// database, the search engine and the index are brought up behind it,
/// retried while they are away (`duties`).
pub async fn serve(settings: &Settings) -> anyhow::Result<()> {
    settings
        .prepare_data_dir()
        .context("preparing the data directory")?;
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("binding TARJOTIN_BIND={}", settings.bind))?;
    let store = Store::connect_lazy(settings.database_url.as_str())
        .await
        .with_context(|| format!("opening DATABASE_URL={}", settings.database_url))?;
    let analyzer = crate::finnish::init(settings.analyzer)
        .map_err(|e| anyhow::anyhow!("TARJOTIN_ANALYZER=voikko: {e}"))?;
    let engine = search_engine(settings)?;
    tracing::info!(analyzer = ?analyzer.backend(), engine = engine.dyn_engine().name(), "starting");
    let search = SearchService::starting(engine.dyn_engine(), store.clone());
    let startup = Arc::new(Startup::begun());
    let schema = build_schema(store.clone(), search.clone(), Clock::Helsinki);
    let mut options = http_options(settings).await?;
    options.startup = startup.clone();
    if let Some(ops) = settings.ops_addr {
        options.ops = Some(
            TcpListener::bind(ops).with_context(|| format!("binding TARJOTIN_OPS_ADDR={ops}"))?,
        );
    }
    let mut running =
        crate::http::start_with(listener, schema, store.clone(), search.clone(), options)?;
    tracing::info!("GraphiQL is at http://{}/graphiql", running.addr);
    let ops_server = running.ops.take().map(|(server, addr)| {
        tracing::info!("operations listener (metrics, detailed readiness) on http://{addr}");
        (server.handle(), tokio::spawn(server))
    });
    let handle = running.server.handle();
    let ops_handle = ops_server.as_ref().map(|(handle, _)| handle.clone());
    let ops_task = ops_server.map(|(_, task)| task);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut work = tokio::spawn(duties::run(duties::Duties {
        settings: settings.clone(),
        store,
        search,
        engine,
        startup: startup.clone(),
        stopped,
    }));
    let mut server = tokio::spawn(running.server);
    let refused = tokio::select! {
        outcome = &mut server => { outcome??; None }
        outcome = &mut work => Some(outcome),
        signal = stop_signal() => {
            tracing::info!(signal, "stopping");
            None
        }
    };
    if let Some(outcome) = refused {
        // The duties end on their own only when this process must not run.
        handle.stop(true).await;
        let _ = server.await;
        return match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(anyhow::anyhow!("the start failed: {e}")),
        };
    }
    // One shutdown, one deadline (TARJOTIN_SHUTDOWN_TIMEOUT_SECS): the
    // replica reports itself unready, stops accepting, lets in-flight
    // requests finish, and the duties finish the batch in hand (the
    // scheduler its pass, the indexing worker its batch) all at once. What
    // is still running at the deadline is cut off: its open transaction
    // rolls back, and outbox rows not confirmed are applied by the next
    // leader.
    let deadline = tokio::time::Instant::now() + settings.http.shutdown_timeout;
    startup.stopping();
    let _ = stop.send(true);
    let drained = tokio::time::timeout_at(deadline, async {
        let ops = async {
            if let Some(ops) = &ops_handle {
                ops.stop(true).await;
            }
        };
        tokio::join!(
            handle.stop(true),
            ops,
            async {
                let _ = (&mut server).await;
            },
            async {
                match (&mut work).await {
                    Ok(Err(e)) => tracing::warn!(error = %e, "the duties ended with an error"),
                    Err(e) => tracing::warn!(error = %e, "the duties failed"),
                    Ok(Ok(())) => {}
                }
            }
        );
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            timeout_secs = settings.http.shutdown_timeout.as_secs(),
            "not everything stopped within the shutdown timeout; cutting off what is left"
        );
        handle.stop(false).await;
        work.abort();
    }
    if let Some(task) = ops_task {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGINT or SIGTERM, whichever comes first; its name. Both stop
/// the process the same way.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "ctrl-c"
    }
}

/// The endpoint options: buckets in Redis when REDIS_URL is set (connected
/// in the background, in this process until it answers), else in this
/// process.
pub async fn http_options(settings: &Settings) -> anyhow::Result<HttpOptions> {
    let http = settings.http.clone();
    let (Some(config), Some(url)) = (http.rate_limit, &http.redis_url) else {
        return Ok(HttpOptions::local(http));
    };
    let limiter = RateLimiter::connecting(config, url.expose().to_string(), "tarjotin:ratelimit:");
    Ok(HttpOptions {
        limiter: Some(Arc::new(limiter)),
        settings: http,
        startup: Arc::new(Startup::ready()),
        ops: None,
    })
}

/// How often scheduled publications and archivings are looked for.
const SCHEDULE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Applies `publishAt` and `archiveAt` as their time comes, until `stopped`
/// turns true (the process stops, or loses the lead).
pub fn spawn_scheduler(
    store: Store,
    search: Arc<SearchService>,
    denied_retention: std::time::Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut warned = std::collections::HashSet::new();
        let mut tick = tokio::time::interval(SCHEDULE_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopped.changed() => {}
            }
            if *stopped.borrow() {
                return;
            }
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
            // The setting is at most ten years, so this neither fails nor overflows.
            let kept = chrono::Duration::from_std(denied_retention)
                .unwrap_or_else(|_| chrono::Duration::days(3650));
            let before = chrono::Utc::now()
                .checked_sub_signed(kept)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
            match store.prune_denials(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(pruned = n, "pruned refused writes past their retention"),
                Err(e) => tracing::warn!(error = %e, "pruning refused writes failed; will retry"),
            }
        }
    })
}

/// The engine the settings ask for: Meilisearch when MEILI_URL is set,
/// else the embedded engine.
#[derive(Clone)]
pub enum Engine {
    Embedded(Arc<EmbeddedEngine>),
    Meili {
        engine: Arc<MeiliEngine>,
        /// The master key to make a scoped key from, when no MEILI_API_KEY is given.
        master_key: Option<crate::config::Secret>,
    },
}

impl Engine {
    /// The engine behind the trait.
    pub fn dyn_engine(&self) -> Arc<dyn SearchEngine> {
        match self {
            Engine::Embedded(e) => e.clone(),
            Engine::Meili { engine, .. } => engine.clone(),
        }
    }

    /// True when the index lives in this process's memory.
    pub fn in_process(&self) -> bool {
        matches!(self, Engine::Embedded(_))
    }
}

/// The search engine the settings ask for. Nothing is sent to it yet.
pub fn search_engine(settings: &Settings) -> anyhow::Result<Engine> {
    let Some(url) = &settings.meili_url else {
        return Ok(Engine::Embedded(Arc::new(EmbeddedEngine::new())));
    };
    let (key, master_key) = match (&settings.meili_api_key, &settings.meili_master_key) {
        (Some(key), _) => (Some(key.expose()), None),
        (None, Some(master)) => (Some(master.expose()), Some(master.clone())),
        (None, None) => (None, None),
    };
    let engine = MeiliEngine::over_index(url.as_str(), key, &settings.meili_index)
        .map_err(|e| anyhow::anyhow!("MEILI_URL={}: {e}", crate::config::redact(url.as_str())))?;
    Ok(Engine::Meili {
        engine: Arc::new(engine),
        master_key,
    })
}

/// Builds every search document, a page at a time, to check that the
/// stored data indexes.
pub async fn check_documents(store: &Store) -> anyhow::Result<usize> {
    let (mut after, mut n) = (0, 0);
    loop {
        let page = store.course_bundles_after(after, 500).await?;
        let Some((last, _, _)) = page.last() else {
            return Ok(n);
        };
        after = last.id;
        for (course, instances, provider) in &page {
            crate::search::SearchDocument::from_rows(course, instances, provider)
                .with_context(|| format!("course {}", course.external_id))?;
        }
        n += page.len();
    }
}
