//! The command line of the `tarjotin` binary.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Settings;
use crate::importer::{import_paths, Progress};

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
    /// swap it in (Meilisearch); the old index serves until the swap.
    Reindex,
    /// Import schema.org JSON-LD Lines feeds (organisations, courses with
    /// instances, guidance services). Records are upserted by their @id;
    /// invalid records are reported by file:line and skipped. Exit status:
    /// 0 all imported, 1 some records rejected, 2 an input unreadable.
    Import {
        /// Feed files (.jsonl), one JSON-LD document per line.
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
}

/// A progress bar on a terminal, plain lines elsewhere.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Bar {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>22} [{bar:40}] {pos}/{len} lines")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            Bar(bar)
        } else {
            Bar(ProgressBar::hidden())
        }
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
        Command::Reindex => {
            let store = crate::app::open_store(&settings).await?;
            crate::finnish::init(settings.analyzer)
                .map_err(|e| anyhow::anyhow!("TARJOTIN_ANALYZER=voikko: {e}"))?;
            let started = std::time::Instant::now();
            let engine = crate::app::search_engine(&settings).await?;
            if engine.name() == "embedded" {
                let n = crate::app::check_documents(&store).await?;
                println!(
                    "{n} search documents build without errors. The embedded engine keeps its index in the \
                     server's memory: a running server rebuilds it when it starts and keeps it current from \
                     the outbox, so there is nothing to swap from here."
                );
            } else {
                let search = crate::search::service::SearchService::new(engine, store);
                let n = search.rebuild().await?;
                println!(
                    "reindexed {n} courses into a fresh index and swapped it in, in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(0)
        }
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
            let report = import_paths(&store, &files, dry_run, &Bar::new()).await?;
            print!("{report}");
            if dry_run {
                println!("dry run: nothing was written");
            }
            Ok(report.exit_code())
        }
    }
}
