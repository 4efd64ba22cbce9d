//! The command line of the `tarjotin` binary.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Settings;
use crate::importer::{import_paths, Progress};
use crate::search::service::SearchService;
use crate::search::RebuildProgress;
use crate::store::Store;

/// How long a running server has to take up a rebuild request.
const PICKUP: Duration = Duration::from_secs(15);
/// How often the state of a rebuild request is looked at.
const POLL: Duration = Duration::from_millis(250);

/// Tarjotin: the adult-education courses and guidance services of a region,
/// behind one public GraphQL API.
///
/// Settings come from the environment: DATABASE_URL, TARJOTIN_DATA_DIR,
/// TARJOTIN_BIND, MEILI_URL, MEILI_MASTER_KEY (see the README).
#[derive(Parser, Debug)]
#[command(name = "tarjotin", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when nothing is said.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the GraphQL API and GraphiQL (the default). Migrates the
    /// database first, and loads the demo catalogue into an empty one.
    Serve {
        /// Address to listen on; overrides TARJOTIN_BIND.
        #[arg(long, value_name = "ADDR")]
        bind: Option<SocketAddr>,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Rebuild the search index from the database into a fresh index and
    /// swap it in; the old index serves until the swap. With Meilisearch
    /// this process builds it; the embedded engine's index lives in the
    /// running server, which is asked to rebuild it.
    Reindex,
    /// Import schema.org JSON-LD Lines feeds (organisations, courses with
    /// instances, guidance services) and CSV sheets of courses (.csv, see
    /// data/templates/courses.csv). Records are upserted by their id;
    /// invalid records are reported by file:line and skipped. Exit status:
    /// 0 all imported, 1 some records rejected, 2 an input unreadable.
    Import {
        /// Feed files: .jsonl (one JSON-LD document per line) or .csv sheets.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Validate and report what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a synthetic Finnish catalogue (organisations, then courses with
    /// instances, then guidance services) as JSON-LD Lines to standard
    /// output, for benchmarks: `tarjotin generate --instances 100000 > feed.jsonl`.
    /// The same seed gives the same catalogue.
    Generate {
        /// How many courses to write.
        #[arg(long, value_name = "N", required_unless_present = "instances", conflicts_with = "instances",
              value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        courses: Option<u64>,
        /// How many course instances to write (courses are added until there are exactly N).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
        instances: Option<u64>,
        /// The seed of the random choices.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
    },
    /// Manage API keys: partners write their own organisation's data,
    /// administrators everything.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// `tarjotin keys ...`
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key and print it once (only its hash is stored).
    Create {
        /// The organisation's external id (required for partner keys).
        #[arg(long, value_name = "EXTERNAL_ID")]
        organisation: Option<String>,
        /// partner or admin.
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// A unique name for the key, e.g. the system that uses it.
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
        /// Last day the key works (YYYY-MM-DD, Finnish time) or an RFC 3339 time.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// The key's own rate limit in cost points per minute: its bucket holds
        /// that many and refills that many a minute (default: the bucket of
        /// TARJOTIN_RATE_LIMIT_CAPACITY and _RESTORE_RATE).
        #[arg(long, value_name = "POINTS")]
        rate_limit: Option<u32>,
    },
    /// List keys: name, role, organisation, created, expires, last use, revoked.
    List,
    /// Revoke a key by id or name; it is refused at once. A text that is
    /// one key's id and another's name is refused: say which with --id or
    /// --name.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["key", "id", "name"])))]
    Revoke {
        /// The key's id or name.
        #[arg(value_name = "ID_OR_NAME")]
        key: Option<String>,
        /// The key's id (the first column of `keys list`).
        #[arg(long, value_name = "ID")]
        id: Option<i32>,
        /// The key's name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

/// A progress bar on a terminal, plain lines elsewhere.
struct Bar(ProgressBar, std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Bar {
    fn new() -> Bar {
        Bar::stoppable(Default::default())
    }

    /// A bar whose import stops once `stop` turns true.
    fn stoppable(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Bar {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>22} [{bar:40}] {pos}/{len} lines")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            Bar(bar, stop)
        } else {
            Bar(ProgressBar::hidden(), stop)
        }
    }
}

impl RebuildProgress for Bar {
    fn indexed(&self, done: usize, total: usize) {
        if self.0.is_hidden() {
            if done == total || done.is_multiple_of(10_000) {
                eprintln!("indexed {done}/{total} courses");
            }
            return;
        }
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total: u64) {
        if self.0.is_hidden() {
            eprintln!("importing {label}: {total} lines");
        }
        self.0.reset();
        self.0.set_length(total);
        self.0.set_message(label.to_string());
    }

    fn tick(&self) {
        self.0.inc(1);
    }

    fn stopped(&self) -> bool {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Runs the command; the result is the process exit status.
pub async fn run(cli: Cli, mut settings: Settings) -> anyhow::Result<i32> {
    match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { bind } => {
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            crate::app::serve(&settings).await?;
            Ok(0)
        }
        Command::Migrate => {
            crate::app::open_store(&settings).await?;
            println!("database is up to date");
            Ok(0)
        }
        Command::Reindex => reindex(&settings).await,
        Command::Generate {
            courses,
            instances,
            seed,
        } => {
            let size = match (courses, instances) {
                (Some(n), _) => crate::generate::Size::Courses(n),
                (None, Some(n)) => crate::generate::Size::Instances(n),
                (None, None) => anyhow::bail!("give --courses N or --instances N"),
            };
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            let summary = crate::generate::generate(size, seed, &mut out)
                .map_err(|e| anyhow::anyhow!("writing the catalogue: {e}"))?;
            eprintln!("generated {summary} (seed {seed})");
            Ok(0)
        }
        Command::Import { files, dry_run } => {
            let store = crate::app::open_store(&settings).await?;
            // SIGINT or SIGTERM stops the import before its next record: the
            // records written so far are committed and reported, and running
            // the same command again finishes it.
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = stop.clone();
            let watcher = tokio::spawn(async move {
                let signal = crate::app::stop_signal().await;
                eprintln!("{signal}: stopping the import after the record in progress");
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            });
            let report = import_paths(&store, &files, dry_run, &Bar::stoppable(stop)).await;
            watcher.abort();
            let report = report?;
            print!("{report}");
            if dry_run {
                println!("dry run: nothing was written");
            }
            Ok(report.exit_code())
        }
        Command::Keys { command } => {
            let store = crate::app::open_store(&settings).await?;
            let text = match command {
                KeysCommand::Create {
                    organisation,
                    role,
                    name,
                    expires,
                    rate_limit,
                } => {
                    let new = crate::keys_cli::KeyRequest {
                        organisation: organisation.as_deref(),
                        role: &role,
                        name,
                        expires: expires.as_deref(),
                        rate_limit,
                    };
                    crate::keys_cli::create(&store, new).await?
                }
                KeysCommand::List => crate::keys_cli::list(&store).await?,
                KeysCommand::Revoke { key, id, name } => {
                    use crate::keys_cli::KeyChoice;
                    let which = match (id, name.as_deref(), key.as_deref()) {
                        (Some(id), _, _) => KeyChoice::Id(id),
                        (None, Some(name), _) => KeyChoice::Name(name),
                        (None, None, Some(text)) => KeyChoice::IdOrName(text),
                        (None, None, None) => anyhow::bail!("give the key's id or name"),
                    };
                    crate::keys_cli::revoke(&store, which).await?
                }
            };
            print!("{text}");
            Ok(0)
        }
    }
}

/// `tarjotin reindex`: a fresh index swapped in. A running server (the one
/// that leads, with several) is asked to build it; with none running, a
/// Meilisearch index is built here, while an embedded one lives only in a
/// server's memory and has nothing to rebuild.
async fn reindex(settings: &Settings) -> anyhow::Result<i32> {
    let store = crate::app::open_store(settings).await?;
    crate::finnish::init(settings.analyzer)
        .map_err(|e| anyhow::anyhow!("TARJOTIN_ANALYZER=voikko: {e}"))?;
    let started = Instant::now();
    let engine = crate::app::search_engine(settings)?;
    let Some(lead) = store.try_lead().await? else {
        // Whatever the server would find wrong is said here, first.
        let n = crate::app::check_documents(&store).await?;
        println!("{n} search documents build without errors");
        return ask_the_server(&store, started).await;
    };
    let crate::app::Engine::Meili { engine, master_key } = engine else {
        println!(
            "no server is running. The embedded engine keeps its index in the memory of the \
             server, which builds it from the database when it starts: with no server running \
             there is nothing to rebuild."
        );
        return Ok(0);
    };
    if let Some(master) = master_key {
        engine.use_scoped_key(master.expose()).await?;
    }
    let search = SearchService::new(engine, store);
    let bar = Bar::new();
    bar.start("indexing", 0);
    let n = search.rebuild(&bar).await?;
    bar.finish();
    drop(lead);
    println!(
        "reindexed {n} courses into a fresh index and swapped it in, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// Asks the running server to rebuild its index and waits for it.
/// The server has `PICKUP` from the request to take it up (checking a large
/// catalogue's documents before asking takes longer than that).
async fn ask_the_server(store: &Store, started: Instant) -> anyhow::Result<i32> {
    let id = store.request_rebuild().await?;
    let asked = Instant::now();
    let spinner = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    spinner.set_message("waiting for the server to rebuild its index");
    loop {
        spinner.tick();
        let state = store
            .rebuild_request(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the rebuild request {id} disappeared"))?;
        if state.finished {
            spinner.finish_and_clear();
            return Ok(match state.error {
                None => {
                    println!(
                        "the server rebuilt its index ({} courses) and swapped it in, in {:.1} s",
                        state.documents.unwrap_or(0),
                        started.elapsed().as_secs_f64()
                    );
                    0
                }
                Some(error) => {
                    eprintln!("the server could not rebuild its index: {error}");
                    1
                }
            });
        }
        if !state.started && asked.elapsed() > PICKUP {
            store.withdraw_rebuild_request(id).await?;
            spinner.finish_and_clear();
            println!(
                "no server took up the request within {} s. The embedded engine keeps its index in \
                 the memory of the server, which builds it from the database when it starts: with \
                 no server running there is nothing to rebuild.",
                PICKUP.as_secs()
            );
            return Ok(0);
        }
        tokio::time::sleep(POLL).await;
    }
}
