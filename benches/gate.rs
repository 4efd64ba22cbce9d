//! How fast hostile documents are refused: the gate's check of an alias bomb,
//! a query costing ten times the maximum and a depth bomb, against running an
//! ordinary query (the baseline), all in one run.
//! `cargo bench --bench gate`; the figures are means and ratios.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::Variables;
use tarjotin_api::graphql::gate::Gate;
use tarjotin_api::graphql::limits::QueryLimits;
use tarjotin_api::graphql::{build_schema, execute, Clock};
use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};
use tarjotin_api::search::embedded::EmbeddedEngine;
use tarjotin_api::search::service::SearchService;
use tarjotin_api::store::Store;

const RUN: Duration = Duration::from_secs(3);

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

/// Mean time of `work`, run repeatedly for `RUN`.
async fn mean<F, Fut>(work: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < RUN {
        work().await;
        n += 1;
    }
    start.elapsed() / n
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let store = Store::connect("sqlite::memory:", None).await.unwrap();
    store.migrate().await.unwrap();
    let mut report = ImportReport::default();
    import(&store, &demo(), &mut report, &Silent).await.unwrap();
    let search = SearchService::new(Arc::new(EmbeddedEngine::new()), store.clone());
    search
        .rebuild(&tarjotin_api::search::Unwatched)
        .await
        .unwrap();
    let schema = build_schema(store.clone(), search.clone(), Clock::Helsinki);
    let gate = Gate::new(&schema, QueryLimits::default());
    let none = Variables::default();

    let ordinary = "{ courses(first: 20) { nodes { name provider { name } instances(first: 3) { nodes { startDate } } } } }";
    let baseline = mean(|| async {
        let response = execute(&schema, &store, ordinary).await;
        assert!(response.errors.is_empty());
    })
    .await;
    let aliases: String = (0..1000)
        .map(|i| format!("a{i}: courses(first: 100) {{ totalCount }} "))
        .collect();
    let alias_bomb = format!("{{ {aliases} }}");
    let expensive =
        "{ courses(first: 100) { nodes { instances(first: 100) { nodes { externalId } } } } }";
    let depth_bomb = "{ a".repeat(50_000) + &"}".repeat(50_000);
    println!(
        "gate benchmark: {} s each; baseline: running an ordinary query takes {:.3} ms",
        RUN.as_secs(),
        ms(baseline)
    );
    for (what, query, code) in [
        (
            "1,000 aliases (40 kB)",
            alias_bomb.as_str(),
            "TOO_MANY_ALIASES",
        ),
        ("cost 10x the maximum", expensive, "QUERY_TOO_COMPLEX"),
        ("depth bomb (100 kB)", depth_bomb.as_str(), "QUERY_TOO_DEEP"),
    ] {
        let refusal = mean(|| async {
            let refused = gate.check(query, None, &none).err().expect("refused");
            assert_eq!(refused.code(), code);
        })
        .await;
        println!(
            "  refusing {what:<24} {:>8.3} ms   {:>6.2}x the ordinary query",
            ms(refusal),
            refusal.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}
