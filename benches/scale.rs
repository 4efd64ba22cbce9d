//! The in-process half of `bench/run.sh`: on a catalogue already imported
//! into DATABASE_URL, it times the index rebuild against the engine's own bulk
//! load, runs the raw embedded engine on the same request mix the load tool
//! sends over HTTP, counts SQL statements per request against the page size,
//! and writes the course-detail request bodies. Prints one JSON object.
//!
//! `cargo bench --bench scale -- --database-url URL --bodies DIR [--seconds N]`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde_json::{json, Value};
use tarjotin_api::domain::{CourseFilter, Lang, TeachingMode, TimeOfDay};
use tarjotin_api::graphql::{build_schema, execute, Clock};
use tarjotin_api::search::embedded::EmbeddedEngine;
use tarjotin_api::search::service::SearchService;
use tarjotin_api::search::{Facet, SearchDocument, SearchEngine, SearchOrder, SearchRequest};
use tarjotin_api::store::Store;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn lines(path: &str) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON body"))
        .collect()
}

fn filter(v: &Value) -> CourseFilter {
    let strings = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    CourseFilter {
        municipalities: strings("municipalities"),
        regions: strings("regions"),
        fields_of_education: strings("fieldsOfEducation"),
        teaching_modes: strings("teachingModes")
            .iter()
            .filter_map(|m| TeachingMode::parse(m))
            .collect(),
        times_of_day: strings("timesOfDay")
            .iter()
            .filter_map(|t| TimeOfDay::parse(t))
            .collect(),
        free_only: v["freeOnly"].as_bool().unwrap_or(false),
        ..CourseFilter::default()
    }
}

/// The facets the filtered search bodies ask for (see bench/bodies.py).
const FACETS: [Facet; 5] = [
    Facet::Municipality,
    Facet::FieldOfEducation,
    Facet::TeachingMode,
    Facet::TimeOfDay,
    Facet::Free,
];

fn request(body: &Value, facets: bool) -> SearchRequest {
    let vars = &body["variables"];
    SearchRequest {
        query: vars["q"].as_str().map(String::from),
        filter: filter(&vars["filter"]),
        facets: if facets { FACETS.to_vec() } else { vec![] },
        order: SearchOrder::Relevance,
        offset: 0,
        limit: 10,
        lang: Lang::Fi,
        today: chrono::Local::now().date_naive(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Calls `work` from two threads (the machine's cores) for `run`; requests/s, p50, p99.
fn saturate(run: Duration, n: usize, work: Arc<dyn Fn(usize) + Send + Sync>) -> Value {
    let start = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let work = work.clone();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                let mut i = t;
                while start.elapsed() < run {
                    let began = Instant::now();
                    work(i % n);
                    times.push(began.elapsed());
                    i += 2;
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    times.sort();
    json!({ "rps": times.len() as f64 / elapsed, "p50_ms": percentile(&times, 0.5), "p99_ms": percentile(&times, 0.99) })
}

fn vm_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs every bench once without arguments:
    // this one needs an imported catalogue, so it only says how to run it.
    let (Some(url), Some(dir)) = (arg("--database-url"), arg("--bodies")) else {
        eprintln!("scale: run through bench/run.sh (needs --database-url URL --bodies DIR)");
        return;
    };
    let run = Duration::from_secs(arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(10));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let observer: tarjotin_api::store::StatementObserver = Arc::new(move |_: &str| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    let store = Store::connect(&url, Some(observer)).await.expect("connect");
    let analyzer =
        tarjotin_api::finnish::init(tarjotin_api::config::AnalyzerMode::Auto).expect("analyser");
    eprintln!("scale driver: analyser {:?}", analyzer.backend());

    // Rebuild through the service (database → documents → index), then the
    // engine's own bulk load of the same documents.
    let engine = Arc::new(EmbeddedEngine::new());
    let search = SearchService::new(engine.clone(), store.clone());
    let rss_before = vm_rss_kb();
    let started = Instant::now();
    let docs_n = search
        .rebuild(&tarjotin_api::search::Unwatched)
        .await
        .expect("rebuild");
    let service_s = started.elapsed().as_secs_f64();
    let rss_index = vm_rss_kb().saturating_sub(rss_before);
    let started = Instant::now();
    let bundles = store.course_bundles(None).await.expect("bundles");
    let docs: Vec<SearchDocument> = bundles
        .iter()
        .map(|(c, i, p)| SearchDocument::from_rows(c, i, p).expect("document"))
        .collect();
    drop(bundles);
    let read_s = started.elapsed().as_secs_f64();
    let bulk_engine = EmbeddedEngine::new();
    let started = Instant::now();
    tarjotin_api::search::rebuild_with(&bulk_engine, docs, &tarjotin_api::search::Unwatched)
        .await
        .expect("bulk load");
    let bulk_s = started.elapsed().as_secs_f64();
    drop(bulk_engine);
    let rebuild = json!({
        "documents": docs_n, "service_s": service_s, "service_docs_per_s": docs_n as f64 / service_s,
        "read_and_build_documents_s": read_s,
        "bulk_load_s": bulk_s, "bulk_docs_per_s": docs_n as f64 / bulk_s,
        "ratio_service_over_bulk": (docs_n as f64 / service_s) / (docs_n as f64 / bulk_s),
        "rss_growth_of_rebuild_kb": rss_index,
    });
    eprintln!("rebuild: {rebuild}");

    let mut raw = serde_json::Map::new();
    for (name, facets) in [("search", false), ("search_filtered", true)] {
        let requests: Arc<Vec<SearchRequest>> = Arc::new(
            lines(&format!("{dir}/{name}.jsonl"))
                .iter()
                .map(|b| request(b, facets))
                .collect(),
        );
        let (e, r) = (engine.clone(), requests.clone());
        let figures = saturate(
            run,
            requests.len(),
            Arc::new(move |i| {
                let result = e
                    .search(&r[i])
                    .now_or_never()
                    .expect("immediate")
                    .expect("search");
                std::hint::black_box(result);
            }),
        );
        eprintln!("raw {name}: {figures}");
        raw.insert(name.into(), figures);
    }
    let prefixes: Arc<Vec<String>> = Arc::new(
        lines(&format!("{dir}/suggest.jsonl"))
            .iter()
            .map(|b| b["variables"]["p"].as_str().unwrap_or_default().to_string())
            .collect(),
    );
    let (e, p) = (engine.clone(), prefixes.clone());
    let figures = saturate(
        run,
        prefixes.len(),
        Arc::new(move |i| {
            let found = e
                .suggest(&p[i], Lang::Fi, 10)
                .now_or_never()
                .expect("immediate")
                .expect("suggest");
            std::hint::black_box(found);
        }),
    );
    eprintln!("raw suggest: {figures}");
    raw.insert("suggest".into(), figures);

    // SQL statements per request, against the page size.
    let schema = build_schema(store.clone(), search.clone(), Clock::Helsinki);
    let mut statements = serde_json::Map::new();
    let listing = lines(&format!("{dir}/listing.jsonl"))[0]["query"]
        .as_str()
        .unwrap()
        .to_string();
    let searching = lines(&format!("{dir}/search_filtered.jsonl"))[0].clone();
    for first in [5, 20, 100] {
        for (name, doc, vars) in [
            (
                "listing",
                listing.clone(),
                json!({ "first": first, "filter": {} }),
            ),
            (
                "search",
                searching["query"]
                    .as_str()
                    .unwrap()
                    .replace("first: 10", &format!("first: {first}")),
                json!({ "q": "kurssi", "filter": {} }),
            ),
        ] {
            count.store(0, Ordering::SeqCst);
            let request = async_graphql::Request::new(doc)
                .variables(async_graphql::Variables::from_json(vars));
            let response = execute(&schema, &store, request).await;
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            statements.insert(
                format!("{name}_first_{first}"),
                json!(count.load(Ordering::SeqCst)),
            );
        }
    }
    let ids = execute(&schema, &store, "{ courses(first: 100) { nodes { id } } }").await;
    let ids: Vec<String> = ids.data.into_json().unwrap()["courses"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    let detail_doc =
        std::fs::read_to_string(format!("{dir}/detail.graphql")).expect("detail.graphql");
    let mut out = String::new();
    for id in &ids {
        out.push_str(&json!({ "query": detail_doc, "variables": { "id": id } }).to_string());
        out.push('\n');
    }
    std::fs::write(format!("{dir}/detail.jsonl"), out).expect("write detail bodies");
    count.store(0, Ordering::SeqCst);
    let request = async_graphql::Request::new(detail_doc)
        .variables(async_graphql::Variables::from_json(json!({ "id": ids[0] })));
    let response = execute(&schema, &store, request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    statements.insert("detail".into(), json!(count.load(Ordering::SeqCst)));
    eprintln!("statements: {statements:?}");

    println!(
        "{}",
        json!({ "rebuild": rebuild, "raw": raw, "statements": statements, "driver_peak_rss_kb": vm_hwm_kb() })
    );
}
