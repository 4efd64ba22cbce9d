//! The raw Meilisearch baselines of `bench/run.sh`, so that the server's
//! own cost over the engine is measured against the engine in the same run:
//!
//! - `replay`: sends the engine calls that the server made for each GraphQL
//!   request (recorded by `bench/record.py`) straight to Meilisearch, one
//!   request's calls in turn per client, and prints requests per second and
//!   latency as JSON;
//! - `docs`: writes the Meilisearch documents of every published course of
//!   a database as JSON Lines, for the engine's own bulk load of exactly
//!   what `tarjotin reindex` sends.
//!
//! ```text
//! cargo bench --bench meili -- replay --url URL [--key KEY] --calls FILE [--clients 8] [--seconds 15]
//! cargo bench --bench meili -- docs --database-url URL --out FILE
//! ```

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

async fn replay() {
    let url = arg("--url").expect("--url");
    let key = arg("--key");
    let calls = arg("--calls").expect("--calls");
    let clients: usize = arg("--clients").map_or(8, |c| c.parse().expect("--clients N"));
    let seconds: u64 = arg("--seconds").map_or(15, |s| s.parse().expect("--seconds N"));
    let sequences: Arc<Vec<Vec<(String, String)>>> = Arc::new(
        std::fs::read_to_string(&calls)
            .unwrap_or_else(|e| panic!("{calls}: {e}"))
            .lines()
            .map(|line| {
                let list: Vec<Value> = serde_json::from_str(line).expect("a JSON array of calls");
                list.iter()
                    .map(|c| {
                        (
                            c["path"].as_str().expect("a path").to_string(),
                            c["body"].to_string(),
                        )
                    })
                    .collect()
            })
            .collect(),
    );
    assert!(!sequences.is_empty(), "{calls} holds no calls");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let (done, failed, sent) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, sequences, latencies) = (client.clone(), sequences.clone(), latencies.clone());
        let (done, failed, sent) = (done.clone(), failed.clone(), sent.clone());
        let (url, key) = (url.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = c * sequences.len() / clients.max(1);
            let mut own = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut ok = true;
                for (path, body) in &sequences[i % sequences.len()] {
                    let mut request = client
                        .post(format!("{url}{path}"))
                        .header("content-type", "application/json")
                        .body(body.clone());
                    if let Some(key) = &key {
                        request = request.bearer_auth(key);
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                    match request.send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                        }
                        _ => ok = false,
                    }
                }
                own.push(t.elapsed().as_secs_f64() * 1000.0);
                if ok {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
            latencies.lock().unwrap().extend(own);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = latencies.lock().unwrap().clone();
    all.sort_by(f64::total_cmp);
    let done = done.load(Ordering::Relaxed);
    println!(
        "{}",
        json!({
            "requests_per_s": done as f64 / elapsed,
            "engine_calls_per_s": sent.load(Ordering::Relaxed) as f64 / elapsed,
            "engine_calls_per_request": sent.load(Ordering::Relaxed) as f64 / (done + failed.load(Ordering::Relaxed)).max(1) as f64,
            "answered": done,
            "failed": failed.load(Ordering::Relaxed),
            "p50_ms": percentile(&all, 0.5),
            "p99_ms": percentile(&all, 0.99),
            "seconds": elapsed,
        })
    );
}

async fn docs() {
    let url = arg("--database-url").expect("--database-url");
    let out = arg("--out").expect("--out");
    tarjotin_api::finnish::init(tarjotin_api::config::AnalyzerMode::Auto).expect("analyser");
    let store = tarjotin_api::store::Store::connect(&url, None)
        .await
        .expect("connect");
    let today = chrono::Utc::now().date_naive();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out).expect("--out"));
    let (mut after, mut n) = (0, 0);
    loop {
        let page = store.course_bundles_after(after, 500).await.expect("read");
        let Some((last, _, _)) = page.last() else {
            break;
        };
        after = last.id;
        for (c, i, p) in &page {
            let doc = tarjotin_api::search::SearchDocument::from_rows(c, i, p).expect("document");
            let meili = tarjotin_api::search::meili::MeiliDoc::from_document(&doc, today);
            serde_json::to_writer(&mut file, &meili).expect("write");
            file.write_all(b"\n").expect("write");
            n += 1;
        }
    }
    file.flush().expect("write");
    println!("{}", json!({ "documents": n, "out": out }));
}

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("replay") => replay().await,
        Some("docs") => docs().await,
        _ => eprintln!(
            "the raw Meilisearch baselines of bench/run.sh; run it through the script, or: \
             cargo bench --bench meili -- replay --url URL --calls FILE | docs --database-url URL --out FILE"
        ),
    }
}
