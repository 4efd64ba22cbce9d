//! The life of a Meilisearch index across starts and releases: built
//! beside the serving name and swapped in, only caught up when current,
//! never reconfigured in place, left alone when a later release built it,
//! and reached with a key that can touch nothing else. These run when
//! MEILI_URL is set and skip, saying so, otherwise.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};
use tarjotin_api::search::meili::settings;
use tarjotin_api::search::service::SearchService;
use tarjotin_api::search::{IndexCheck, SearchEngine};

use super::harness::{Backend, TestApp};
use super::meili::TestMeili;

async fn get(meili: &TestMeili, path: &str) -> Value {
    meili
        .admin(Method::GET, path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// When the serving index was created: it changes exactly when a fresh
/// index is swapped in.
async fn created(meili: &TestMeili) -> String {
    get(meili, &format!("/indexes/{}", meili.engine.uid())).await["createdAt"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn demo_with(meili: &TestMeili) -> (TestApp, Arc<SearchService>) {
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let service = SearchService::new(meili.engine.clone(), app.store.clone());
    (app, service)
}

#[tokio::test]
async fn a_missing_index_is_built_and_a_current_one_is_only_caught_up() {
    let Some(meili) = TestMeili::connect("lifecycle_start").await else {
        return;
    };
    let (app, service) = demo_with(&meili).await;
    assert_eq!(meili.engine.inspect().await.unwrap(), IndexCheck::Missing);
    service.start().await.unwrap();
    let courses = app.store.course_bundles(None).await.unwrap().len() as u64;
    assert_eq!(meili.engine.count().await.unwrap(), courses);
    assert_eq!(meili.engine.inspect().await.unwrap(), IndexCheck::Current);
    let first = created(&meili).await;
    service.start().await.unwrap();
    assert_eq!(
        created(&meili).await,
        first,
        "a current index is not rebuilt"
    );
    app.finish().await;
    meili.finish().await;
}

#[tokio::test]
async fn a_live_index_with_other_settings_is_rebuilt_beside_and_not_reconfigured_in_place() {
    let Some(meili) = TestMeili::connect("lifecycle_settings").await else {
        return;
    };
    let (app, service) = demo_with(&meili).await;
    service.start().await.unwrap();
    let before = created(&meili).await;
    let uid = meili.engine.uid().to_string();
    meili
        .admin(
            Method::PUT,
            &format!("/indexes/{uid}/settings/ranking-rules"),
        )
        .json(&json!(["words", "sort"]))
        .send()
        .await
        .unwrap();
    meili.settle().await;
    match meili.engine.inspect().await.unwrap() {
        IndexCheck::Outdated(why) => assert!(why.contains("rankingRules"), "{why}"),
        other => panic!("expected an outdated index, got {other:?}"),
    }
    service.start().await.unwrap();
    assert_ne!(
        created(&meili).await,
        before,
        "a fresh index was swapped in"
    );
    let live = get(&meili, &format!("/indexes/{uid}/settings")).await;
    assert_eq!(
        settings::differs(&live),
        None,
        "with this release's settings"
    );
    let indexes = get(&meili, "/indexes?limit=1000").await;
    let builds: Vec<&str> = indexes["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["uid"].as_str())
        .filter(|u| u.starts_with(&format!("{uid}_build_")))
        .collect();
    assert!(builds.is_empty(), "no build is left behind: {builds:?}");
    app.finish().await;
    meili.finish().await;
}

#[tokio::test]
async fn an_index_a_later_release_built_is_served_as_it_is_and_marked_when_written() {
    let Some(meili) = TestMeili::connect("lifecycle_newer").await else {
        return;
    };
    let (app, service) = demo_with(&meili).await;
    service.start().await.unwrap();
    let before = created(&meili).await;
    let meta = format!("/indexes/{}_meta/documents", meili.engine.uid());
    let later = settings::GENERATION + 1;
    meili
        .admin(Method::POST, &meta)
        .json(
            &json!([{ "id": "format", "value": "later", "generation": later, "release": "9.9.9" }]),
        )
        .send()
        .await
        .unwrap();
    meili.settle().await;
    assert!(matches!(
        meili.engine.inspect().await.unwrap(),
        IndexCheck::Newer(_)
    ));
    service.start().await.unwrap();
    assert_eq!(
        created(&meili).await,
        before,
        "the later release's index stays"
    );
    let stored = get(&meili, &format!("{meta}/format")).await;
    assert_eq!(stored["generation"], later, "and so does its format");

    // Writing into it marks it, so that the later release rebuilds it.
    let course = app.store.course_bundles(None).await.unwrap()[0].0.id;
    meili
        .engine
        .apply(vec![tarjotin_api::search::IndexChange::Delete(course)])
        .await
        .unwrap();
    let stored = get(&meili, &format!("{meta}/format")).await;
    assert_eq!(stored["touched_by"], settings::GENERATION, "{stored}");
    app.finish().await;
    meili.finish().await;
}

#[tokio::test]
async fn the_servers_key_reaches_its_own_indexes_only() {
    let Some(meili) = TestMeili::connect("lifecycle_key").await else {
        return;
    };
    let Some(master) = meili.master_key.clone() else {
        eprintln!("skipping the Meilisearch key test: MEILI_MASTER_KEY is not set");
        meili.finish().await;
        return;
    };
    let (key, created) =
        tarjotin_api::search::meili::keys::scoped_key(&meili.url, &master, meili.engine.uid())
            .await
            .unwrap();
    assert!(!created, "the engine made it already; it is found again");
    let described = get(&meili, "/keys?limit=1000").await;
    let ours = described["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == key.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        ours["indexes"],
        json!([format!("{}*", meili.engine.uid())]),
        "{ours}"
    );
    assert!(!ours["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "*" || a.as_str().unwrap().starts_with("keys.")));
    let elsewhere = reqwest::Client::new()
        .post(format!("{}/indexes", meili.url))
        .bearer_auth(&key)
        .json(&json!({ "uid": "not_tarjotins_index" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status().as_u16(),
        403,
        "another index is out of reach"
    );
    meili.finish().await;
}
