//! What a serving process does behind its listener: brings the database up
//! (retrying while it is away), loads the demo catalogue into an empty one,
//! gets a scoped Meilisearch key, and then either leads (catches the index
//! up, runs the indexing worker and the scheduler) or, while another
//! process on the same PostgreSQL leads, serves what the engine has and
//! waits to take over.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{load_demo_if_empty, spawn_scheduler, Engine};
use crate::config::Settings;
use crate::http::Startup;
use crate::search::service::SearchService;
use crate::store::{Lead, Store};

/// How often a process that does not lead tries to take the lead.
pub const FOLLOW_POLL: Duration = Duration::from_secs(2);
/// How often the leader checks that it still holds the lead.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// The longest wait between retries of a dependency that is away.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the duties need.
pub struct Duties {
    pub settings: Settings,
    pub store: Store,
    pub search: Arc<SearchService>,
    pub engine: Engine,
    pub startup: Arc<Startup>,
    /// Turns true when the process stops.
    pub stopped: watch::Receiver<bool>,
}

/// Doubling waits between retries.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Backoff {
        Backoff(Duration::from_millis(250))
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        wait
    }
}

impl Duties {
    fn is_stopped(&self) -> bool {
        *self.stopped.borrow()
    }

    /// Sleeps `wait`, or less when the process stops; true when it stopped.
    async fn pause(&mut self, wait: Duration) -> bool {
        if self.is_stopped() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = self.stopped.changed() => {}
        }
        self.is_stopped()
    }
}

/// Runs the duties until the process stops. Returns an error only when
/// this process must not serve at all (another one holds what it needs).
pub async fn run(mut duties: Duties) -> anyhow::Result<()> {
    if !bring_up_database(&mut duties).await {
        return Ok(());
    }
    if !authorise_engine(&mut duties).await {
        return Ok(());
    }
    let mut backoff = Backoff::new();
    let mut said_follow = false;
    loop {
        if duties.is_stopped() {
            return Ok(());
        }
        match duties.store.try_lead().await {
            Ok(Some(lead)) => {
                tracing::info!(
                    "this process leads: it keeps the search index current and runs the scheduler"
                );
                said_follow = false;
                lead_until_lost(&mut duties, lead).await;
                backoff = Backoff::new();
            }
            Ok(None) => {
                if !duties.store.shared() {
                    anyhow::bail!(
                        "another `tarjotin serve` uses this SQLite database: SQLite serves one \
                         process; stop the other one, or run several on PostgreSQL"
                    );
                }
                if duties.engine.in_process() {
                    anyhow::bail!(
                        "another `tarjotin serve` with the embedded search engine uses this \
                         database: the embedded index lives in the memory of one process, so \
                         several processes need Meilisearch (set MEILI_URL)"
                    );
                }
                if !said_follow {
                    tracing::info!(
                        "another process leads; this one serves and takes over if it stops"
                    );
                    said_follow = true;
                }
                if let Err(e) = duties.search.follow().await {
                    tracing::warn!(error = %e, "the search engine does not answer");
                }
                if duties.pause(FOLLOW_POLL).await {
                    return Ok(());
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not take the lead; will retry");
                let wait = backoff.next();
                if duties.pause(wait).await {
                    return Ok(());
                }
            }
        }
    }
}

/// Migrates the database, retrying while it is away, and loads the demo
/// catalogue into an empty one. False when the process stopped first.
async fn bring_up_database(duties: &mut Duties) -> bool {
    let mut backoff = Backoff::new();
    loop {
        duties.startup.set_step("migrating the database");
        let outcome = async {
            duties.store.migrate().await?;
            load_demo_if_empty(&duties.store).await
        }
        .await;
        match outcome {
            Ok(demo) => {
                if let Some(report) = demo {
                    tracing::info!(summary = %report.to_string().trim(), "the database was empty: loaded the demo catalogue");
                }
                duties.startup.database_ready();
                return true;
            }
            Err(e) => {
                let wait = backoff.next();
                duties
                    .startup
                    .set_step("waiting for the database, which does not answer");
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "the database is not ready; will retry");
                if duties.pause(wait).await {
                    return false;
                }
            }
        }
    }
}

/// Makes the scoped Meilisearch key from the master key, retrying while the
/// engine is away. False when the process stopped first.
async fn authorise_engine(duties: &mut Duties) -> bool {
    let Engine::Meili {
        engine,
        master_key: Some(master),
    } = duties.engine.clone()
    else {
        return true;
    };
    let mut backoff = Backoff::new();
    loop {
        match engine.use_scoped_key(master.expose()).await {
            Ok(created) => {
                let pattern = crate::search::meili::keys::index_pattern(engine.uid());
                if created {
                    tracing::info!(indexes = %pattern, "made a Meilisearch API key limited to this server's indexes from MEILI_MASTER_KEY; set MEILI_API_KEY to give one of your own");
                } else {
                    tracing::info!(indexes = %pattern, "using the Meilisearch API key this server made before, limited to its indexes");
                }
                return true;
            }
            Err(e) => {
                let wait = backoff.next();
                duties.search.set_progress(
                    "waiting for the search engine, which does not answer",
                    0,
                    0,
                );
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "could not get a Meilisearch key; will retry");
                if duties.pause(wait).await {
                    return false;
                }
            }
        }
    }
}

/// Leads until the lead is lost or the process stops: catches the index up
/// (retrying while the engine is away), then runs the indexing worker and
/// the scheduler and checks the lead every few seconds.
async fn lead_until_lost(duties: &mut Duties, lead: Lead) {
    let lead = Arc::new(tokio::sync::Mutex::new(lead));
    let mut backoff = Backoff::new();
    loop {
        match duties.search.start().await {
            Ok(()) => break,
            Err(e) => {
                let wait = backoff.next();
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "bringing the search index up failed; will retry");
                if duties.pause(wait).await {
                    return;
                }
                if lead.lock().await.check().await.is_err() {
                    tracing::warn!("lost the lead while bringing the index up");
                    return;
                }
            }
        }
    }
    let worker = duties
        .search
        .clone()
        .spawn_fenced_worker(Some(lead.clone()));
    let (stop_scheduler, scheduler_stopped) = watch::channel(false);
    let scheduler = spawn_scheduler(
        duties.store.clone(),
        duties.search.clone(),
        duties.settings.http.denied_retention,
        scheduler_stopped,
    );
    loop {
        if duties.pause(HEARTBEAT).await {
            break;
        }
        if let Err(e) = lead.lock().await.check().await {
            tracing::warn!(error = %e, "lost the lead; another process may take it");
            break;
        }
        if worker.is_finished() {
            tracing::warn!("the indexing worker ended; giving up the lead");
            break;
        }
    }
    let _ = stop_scheduler.send(true);
    let _ = scheduler.await;
    worker.stop(duties.settings.http.shutdown_timeout).await;
}
