//! Memory of the embedded index under churn: 10k courses, then 1M updates
//! of them (each update adds a word no other update has, as edits do), in
//! batches of 500 as the indexing worker applies them. Prints the resident
//! set after loading (the baseline), every 100k updates and at the end, its
//! ratio to the baseline, the slots the index holds and the time per
//! update. `cargo bench --bench churn`; `cargo test` runs a short smoke.

use std::sync::Arc;
use std::time::Instant;

use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};
use tarjotin_api::search::embedded::EmbeddedEngine;
use tarjotin_api::search::{IndexChange, SearchDocument, SearchEngine};
use tarjotin_api::store::Store;

// The allocator `tarjotin serve` runs with, so that the resident set is the
// one a server would show.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Kibibytes of the resident set and its peak, from /proc (0 elsewhere).
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn demo_documents() -> Vec<SearchDocument> {
    let store = Store::connect("sqlite::memory:", None).await.unwrap();
    store.migrate().await.unwrap();
    let files: Vec<FeedFile> = ["organizations", "courses", "guidance-services"]
        .iter()
        .map(|n| {
            let path = format!("{}/data/demo/{n}.jsonl", env!("CARGO_MANIFEST_DIR"));
            FeedFile {
                text: std::fs::read_to_string(&path).unwrap(),
                path: path.into(),
            }
        })
        .collect();
    let mut report = ImportReport::default();
    import(&store, &files, &mut report, &Silent).await.unwrap();
    store
        .course_bundles(None)
        .await
        .unwrap()
        .iter()
        .map(|(c, i, p)| SearchDocument::from_rows(c, i, p).unwrap())
        .collect()
}

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (courses, updates) = if full {
        (10_000usize, 1_000_000usize)
    } else {
        (1_000, 5_000)
    };
    let templates = demo_documents().await;
    let course = |i: usize, edit: Option<usize>| {
        let mut doc = templates[i % templates.len()].clone();
        doc.course_id = i as i32 + 1;
        doc.external_id = format!("urn:bench:course:{i}");
        if let Some(n) = edit {
            doc.keywords.push(format!("muokkaus{n}"));
        }
        doc
    };
    let engine = Arc::new(EmbeddedEngine::new());
    let (start_rss, _) = rss_kib();
    for chunk in (0..courses).collect::<Vec<_>>().chunks(500) {
        let batch = chunk
            .iter()
            .map(|&i| IndexChange::Upsert(Box::new(course(i, None))))
            .collect();
        engine.apply(batch).await.unwrap();
    }
    let (loaded, _) = rss_kib();
    let index_kib = loaded.saturating_sub(start_rss).max(1);
    println!("embedded index under churn: {courses} courses, {updates} updates in batches of 500");
    println!("| updates | RSS MiB | index MiB (RSS − before load) | against the loaded index | slots | dead | µs per update |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |done: usize, per: f64| {
        let (rss, _) = rss_kib();
        let (slots, dead) = engine.slots();
        let index = rss.saturating_sub(start_rss);
        println!(
            "| {done} | {:.0} | {:.0} | {:.2} | {slots} | {dead} | {per:.1} |",
            rss as f64 / 1024.0,
            index as f64 / 1024.0,
            index as f64 / index_kib as f64
        );
    };
    row(0, 0.0);
    let started = Instant::now();
    let step = (updates / 10).max(500);
    let mut done = 0;
    let mut since = Instant::now();
    while done < updates {
        let batch: Vec<IndexChange> = (done..(done + 500).min(updates))
            .map(|n| IndexChange::Upsert(Box::new(course(n % courses, Some(n)))))
            .collect();
        done += batch.len();
        engine.apply(batch).await.unwrap();
        if done % step == 0 || done == updates {
            let per = since.elapsed().as_secs_f64() * 1e6 / step as f64;
            row(done, per);
            since = Instant::now();
        }
    }
    let (_, peak) = rss_kib();
    println!(
        "{updates} updates in {:.1} s; peak RSS {:.0} MiB",
        started.elapsed().as_secs_f64(),
        peak as f64 / 1024.0
    );
}
