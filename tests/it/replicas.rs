//! Two `tarjotin serve` processes on one PostgreSQL and one Meilisearch, as
//! production runs them behind a load balancer: writes go to both, the
//! leader is killed with SIGKILL while it applies a batch, the other takes
//! over, and afterwards every course is in the index once, in its latest
//! version, with no change confirmed twice. Runs when TEST_DATABASE_URL and
//! MEILI_URL are both set, and skips, saying so, otherwise.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::harness::{demo_path, Backend, TestApp};
use super::process::{command, scratch, Process};

/// Rounds of changes to every course; the leader dies during this one.
const ROUNDS: usize = 6;
const KILL_AT: usize = 3;

/// Every demo course, with round `r`'s keyword, as one feed.
fn round(r: usize) -> String {
    std::fs::read_to_string(demo_path("courses"))
        .unwrap()
        .lines()
        .map(|line| {
            let mut course: Value = serde_json::from_str(line).unwrap();
            course["keywords"] = json!(format!("kierros{r}, replika"));
            course.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn import(server: &Process, key: &str, feed: String) {
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .bearer_auth(key)
        .json(&json!({
            "query": "mutation($d: String!) { importFeed(format: SCHEMA_ORG_JSONLD, data: $d) { report } }",
            "variables": { "d": feed },
        }))
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
}

fn leads(server: &Process) -> bool {
    server.log().contains("this process leads")
}

#[tokio::test]
async fn two_replicas_share_the_index_and_a_killed_leader_loses_nothing() {
    let Some(backend) = Backend::all()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres { .. }))
    else {
        eprintln!("skipping the replica test: TEST_DATABASE_URL is not set");
        return;
    };
    let (Ok(meili_url), Ok(master)) = (
        std::env::var("MEILI_URL"),
        std::env::var("MEILI_MASTER_KEY"),
    ) else {
        eprintln!("skipping the replica test: MEILI_URL and MEILI_MASTER_KEY are not set");
        return;
    };
    let app = TestApp::new(&backend).await;
    let url = app.postgres_url().unwrap();
    let dir = scratch("replicas");
    let index = format!("tarjotin_replicas_{}", std::process::id());
    let engine =
        tarjotin_api::search::meili::MeiliEngine::over_index(&meili_url, Some(&master), &index)
            .unwrap();
    let env = vec![
        ("DATABASE_URL", url.clone()),
        ("MEILI_URL", meili_url.clone()),
        ("MEILI_MASTER_KEY", master.clone()),
        ("TARJOTIN_MEILI_INDEX", index.clone()),
        // A round of every demo course is one feed of about 600 kB.
        ("TARJOTIN_MAX_BODY_BYTES", "4194304".to_string()),
    ];
    let mut a = Process::serve(&dir, "a", &env);
    a.wait_ready(Duration::from_secs(120)).await;
    let mut b = Process::serve(&dir, "b", &env);
    b.wait_ready(Duration::from_secs(120)).await;
    assert!(leads(&a) != leads(&b), "exactly one leads");

    let created = command(&dir, &env)
        .args([
            "keys",
            "create",
            "--role",
            "admin",
            "--name",
            "replica-test",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&created.stdout);
    let key = stdout
        .split_whitespace()
        .find(|w| w.starts_with("trj_"))
        .unwrap_or_else(|| panic!("no key in {stdout}"))
        .to_string();

    let (mut leader, mut other) = if leads(&a) { (a, b) } else { (b, a) };
    let mut killed = None;
    for r in 0..ROUNDS {
        // Writes alternate between the replicas, as behind a balancer.
        let target = if r % 2 == 0 { &other } else { &leader };
        if r == KILL_AT {
            let feed = round(r);
            let write = import(target, &key, feed);
            // The leader dies while the changes of this round are applied.
            let killer = async {
                tokio::time::sleep(Duration::from_millis(300)).await;
            };
            tokio::join!(write, killer);
            leader.kill();
            killed = Some(Instant::now());
            std::mem::swap(&mut leader, &mut other);
            continue;
        }
        let target = if r > KILL_AT { &leader } else { target };
        import(target, &key, round(r)).await;
    }
    // `leader` is the survivor now: it takes over within a few seconds.
    let started = Instant::now();
    let killed = killed.unwrap();
    while !leads(&leader) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the survivor did not take the lead: {}",
            leader.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = killed.elapsed();
    loop {
        let status = app.search.status().await.unwrap();
        if status.pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{} changes still pending",
            status.pending
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("the survivor took the lead within {took:?}");

    // Every published course is in the index once, with its last keywords.
    let published = app.store.course_bundles(None).await.unwrap();
    let client = reqwest::Client::new();
    let docs: Value = client
        .get(format!(
            "{meili_url}/indexes/{index}/documents?fields=id,keywords&limit=10000"
        ))
        .bearer_auth(&master)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let indexed: BTreeMap<i64, Value> = docs["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["keywords"].clone()))
        .collect();
    assert_eq!(indexed.len(), published.len());
    let last = format!("kierros{}", ROUNDS - 1);
    for (course, _, _) in &published {
        let keywords = &indexed[&(course.id as i64)];
        assert!(
            keywords.to_string().contains(&last),
            "course {} holds {keywords}, not round {last}",
            course.id
        );
    }
    // No change was confirmed twice: a confirmed change keeps the mark of
    // the process that applied it, and every change has one.
    let unmarked = app.store.outbox_applied_by().await.unwrap();
    assert!(unmarked.iter().all(|(_, by)| by.is_some()), "{unmarked:?}");
    let appliers: std::collections::BTreeSet<&String> =
        unmarked.iter().filter_map(|(_, by)| by.as_ref()).collect();
    assert!(appliers.len() <= 2, "{appliers:?}");
    assert!(!a_log_warns_of_double_marks(&leader), "{}", leader.log());

    drop(leader);
    drop(other);
    engine.delete_everything().await.unwrap();
    tarjotin_api::search::meili::keys::remove_scoped_key(&meili_url, &master, &index)
        .await
        .unwrap();
    app.finish().await;
    std::fs::remove_dir_all(&dir).ok();
}

fn a_log_warns_of_double_marks(server: &Process) -> bool {
    server.log().contains("already marked applied")
}
