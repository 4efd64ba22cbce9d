//! The `tarjotin` binary: parse the command line, load settings once, start logging, run.

use clap::Parser;

/// mimalloc rather than the system allocator: a request allocates and frees
/// many small buffers across threads, where glibc's malloc spent about a
/// seventh of the server's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tarjotin_api::{cli, config::Settings, telemetry};

#[tokio::main]
async fn main() {
    let cli = cli::Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!(
                "tarjotin: configuration error: {}",
                tarjotin_api::redact::text(&e.to_string())
            );
            std::process::exit(2);
        }
    };
    telemetry::init(&settings);
    match cli::run(cli, settings).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!(
                "tarjotin: {}",
                tarjotin_api::redact::text(&format!("{e:#}"))
            );
            std::process::exit(1);
        }
    }
}
