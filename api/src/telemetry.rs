//! Logging: pretty on a terminal, JSON lines elsewhere, filtered by TARJOTIN_LOG.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Settings};

/// Installs the global subscriber.
pub fn init(settings: &Settings) {
    // The Meilisearch client warns of every 404, which the engine's own
    // checks (is there an index? a task?) expect; its errors still show.
    let mut directives = settings.log.clone();
    if !directives.contains("meilisearch_sdk") {
        directives.push_str(",meilisearch_sdk=error");
    }
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    settings.register_secrets();
    // Every line goes through the one redaction path (crate::redact).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| crate::redact::Redacting(std::io::stderr()));
    let json = match settings.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
