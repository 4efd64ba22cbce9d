//! Search speed: the raw embedded engine against the full GraphQL request
//! over HTTP on the same query mix, and Finnish analysis throughput.
//! `cargo bench --bench search`; figures are ratios within one run.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tarjotin_api::domain::{CourseFilter, Lang};
use tarjotin_api::graphql::{build_schema, Clock};
use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};
use tarjotin_api::search::embedded::EmbeddedEngine;
use tarjotin_api::search::service::SearchService;
use tarjotin_api::search::{SearchEngine, SearchOrder, SearchRequest};
use tarjotin_api::store::Store;

const RUN: Duration = Duration::from_secs(4);
const CONCURRENCY: usize = 4;

fn queries() -> Vec<String> {
    let judgments: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/queries.json"))
            .expect("bench/queries.json"),
    )
    .expect("valid JSON");
    judgments["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap().to_string())
        .collect()
}

fn demo() -> Vec<FeedFile> {
    ["organizations", "courses", "guidance-services"]
        .iter()
        .map(|n| {
            let path = format!("{}/data/demo/{n}.jsonl", env!("CARGO_MANIFEST_DIR"));
            FeedFile {
                text: std::fs::read_to_string(&path).unwrap(),
                path: path.into(),
            }
        })
        .collect()
}

async fn run_for<F, Fut>(workers: usize, work: F) -> f64
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let start = Instant::now();
    let mut handles = Vec::new();
    for w in 0..workers {
        let work = work.clone();
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            let mut i = w;
            while start.elapsed() < RUN {
                work(i).await;
                n += 1;
                i += workers;
            }
            n
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let store = Store::connect("sqlite::memory:", None).await.unwrap();
    store.migrate().await.unwrap();
    let mut report = ImportReport::default();
    import(&store, &demo(), &mut report, &Silent).await.unwrap();
    let engine = Arc::new(EmbeddedEngine::new());
    let search = SearchService::new(engine.clone(), store.clone());
    search
        .rebuild(&tarjotin_api::search::Unwatched)
        .await
        .unwrap();
    let queries = Arc::new(queries());
    let analyzer = tarjotin_api::finnish::analyzer();
    println!("search benchmark: {} queries in the mix, {} documents, analyser {:?}, {CONCURRENCY} concurrent clients, {}s each",
        queries.len(), engine.count().await.unwrap(), analyzer.backend(), RUN.as_secs());

    let raw = {
        let (engine, queries) = (engine.clone(), queries.clone());
        run_for(CONCURRENCY, move |i| {
            let (engine, queries) = (engine.clone(), queries.clone());
            async move {
                let request = SearchRequest {
                    query: Some(queries[i % queries.len()].clone()),
                    filter: CourseFilter::default(),
                    facets: vec![],
                    order: SearchOrder::Relevance,
                    offset: 0,
                    limit: 10,
                    lang: Lang::Fi,
                    today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                };
                let result = engine.search(&request).await.unwrap();
                std::hint::black_box(result);
            }
        })
        .await
    };

    let schema = build_schema(store.clone(), search.clone(), Clock::Helsinki);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let running =
        tarjotin_api::http::start(listener, schema, store.clone(), search.clone()).unwrap();
    let url = format!("http://{}/graphql", running.addr);
    tokio::spawn(running.server);
    let client = reqwest::Client::new();
    let http = {
        let (client, queries, url) = (client.clone(), queries.clone(), url.clone());
        run_for(CONCURRENCY, move |i| {
            let (client, queries, url) = (client.clone(), queries.clone(), url.clone());
            async move {
                let body = json!({
                    "query": "query($q: String!) { search(query: $q, first: 10) { nodes { externalId } } }",
                    "variables": { "q": queries[i % queries.len()] }
                });
                let response = client.post(&url).json(&body).send().await.unwrap();
                assert!(response.status().is_success());
                std::hint::black_box(response.bytes().await.unwrap());
            }
        })
        .await
    };
    println!("raw engine call:            {raw:>9.0} queries/s");
    println!("GraphQL over HTTP:          {http:>9.0} queries/s");
    println!("ratio GraphQL / raw engine: {:>9.2}", http / raw);

    let text: String = demo()
        .iter()
        .map(|f| f.text.clone())
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<String> = tarjotin_api::finnish::tokenize(&text)
        .into_iter()
        .map(|t| t.text)
        .collect();
    let start = Instant::now();
    std::thread::spawn({
        let words = words.clone();
        move || {
            for w in &words {
                std::hint::black_box(tarjotin_api::finnish::analyzer().word(w));
            }
        }
    })
    .join()
    .unwrap();
    let cold = words.len() as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for w in &words {
        std::hint::black_box(analyzer.word(w));
    }
    let _ = analyzer.word("lähihoitaja");
    let first_pass = start.elapsed();
    let start = Instant::now();
    for w in &words {
        std::hint::black_box(analyzer.word(w));
    }
    let warm = words.len() as f64 / start.elapsed().as_secs_f64();
    println!("Finnish analysis ({:?}), {} words: first pass {cold:.0} words/s (fresh thread, filling its cache), cached {warm:.0} words/s ({:?} for the main thread's first pass)",
        analyzer.backend(), words.len(), first_pass);
}
