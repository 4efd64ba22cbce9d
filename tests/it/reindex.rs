//! Rebuilding the index while it serves: changes that raced with the
//! rebuild (written after their page was read) are replayed on the fresh index, and a running server rebuilds
//! its embedded index when `tarjotin reindex` asks it to.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use tarjotin_api::domain::{CourseFilter, CourseRecord, Lang};
use tarjotin_api::ingest::{parse_jsonld_line, FeedRecord};
use tarjotin_api::search::embedded::EmbeddedEngine;
use tarjotin_api::search::service::SearchService;
use tarjotin_api::search::{
    IndexBuild, IndexChange, SearchDocument, SearchEngine, SearchError, SearchOrder, SearchRequest,
    SearchResult, Suggestion,
};
use tarjotin_api::store::{CatalogueWriter, Store};

use super::harness::{demo_path, on_every_demo, reference_day};

fn first_course() -> CourseRecord {
    let line = std::fs::read_to_string(demo_path("courses"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    match parse_jsonld_line(&line).unwrap() {
        FeedRecord::Course(c) => c,
        _ => panic!("not a course"),
    }
}

fn query(text: &str) -> SearchRequest {
    SearchRequest {
        query: Some(text.into()),
        filter: CourseFilter::default(),
        facets: vec![],
        order: SearchOrder::Relevance,
        offset: 0,
        limit: 10,
        lang: Lang::Fi,
        today: reference_day(),
    }
}

/// An engine whose rebuild, after its snapshot was read, sees a change
/// written and applied to the index it is about to replace, as a worker in
/// another process would.
struct Racing {
    inner: Arc<EmbeddedEngine>,
    store: Store,
    service: Mutex<Option<Arc<SearchService>>>,
}

/// The build of `Racing`: once the first page is in, the change is written
/// and applied to the serving index.
struct RacingBuild {
    inner: Box<dyn IndexBuild>,
    store: Store,
    service: Arc<SearchService>,
    raced: bool,
}

impl IndexBuild for RacingBuild {
    fn add(&mut self, docs: Vec<SearchDocument>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            self.inner.add(docs).await?;
            if !self.raced {
                self.raced = true;
                let mut course = first_course();
                course.keywords = vec!["kilpajuoksu".into()];
                self.store.upsert_course(&course).await.unwrap();
                self.service.drain().await.unwrap();
                assert_eq!(self.service.status().await.unwrap().pending, 0);
            }
            Ok(())
        })
    }

    fn finish(self: Box<Self>) -> BoxFuture<'static, Result<(), SearchError>> {
        self.inner.finish()
    }
}

impl SearchEngine for Racing {
    fn name(&self) -> &'static str {
        "racing"
    }
    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>> {
        self.inner.apply(changes)
    }
    fn begin_rebuild(&self) -> BoxFuture<'_, Result<Box<dyn IndexBuild>, SearchError>> {
        Box::pin(async move {
            let build: Box<dyn IndexBuild> = Box::new(RacingBuild {
                inner: self.inner.begin_rebuild().await?,
                store: self.store.clone(),
                service: self.service.lock().unwrap().clone().unwrap(),
                raced: false,
            });
            Ok(build)
        })
    }
    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Result<SearchResult, SearchError>> {
        self.inner.search(request)
    }
    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        lang: Lang,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Suggestion>, SearchError>> {
        self.inner.suggest(prefix, lang, limit)
    }
    fn count(&self) -> BoxFuture<'_, Result<u64, SearchError>> {
        self.inner.count()
    }
}

#[tokio::test]
async fn a_change_that_reached_only_the_replaced_index_is_replayed_on_the_fresh_one() {
    on_every_demo(|app| async move {
        let racing = Arc::new(Racing {
            inner: Arc::new(EmbeddedEngine::new()),
            store: app.store.clone(),
            service: Mutex::new(None),
        });
        let service = SearchService::new(racing.clone(), app.store.clone());
        *racing.service.lock().unwrap() = Some(service.clone());
        service
            .rebuild(&tarjotin_api::search::Unwatched)
            .await
            .unwrap();
        let missed = racing.search(&query("kilpajuoksu")).await.unwrap();
        assert!(missed.hits.is_empty(), "the fresh index missed the change");
        assert_eq!(
            service.status().await.unwrap().pending,
            1,
            "so it is pending again"
        );
        service.drain().await.unwrap();
        let found = racing.search(&query("kilpajuoksu")).await.unwrap();
        assert_eq!(found.hits.len(), 1, "and replayed");
    })
    .await;
}

#[tokio::test]
async fn a_running_server_rebuilds_its_index_when_asked() {
    on_every_demo(|app| async move {
        let worker = app.search.clone().spawn_worker();
        let id = app.store.request_rebuild().await.unwrap();
        let started = Instant::now();
        let state = loop {
            let state = app.store.rebuild_request(id).await.unwrap().unwrap();
            if state.finished {
                break state;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the worker takes up the request"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        worker.stop(Duration::from_secs(10)).await;
        assert!(state.started);
        assert_eq!(state.error, None);
        let courses = app.store.course_bundles(None).await.unwrap().len();
        assert_eq!(state.documents, Some(courses));
        assert_eq!(app.engine.count().await.unwrap(), courses as u64);
        assert_eq!(app.store.open_rebuild_request().await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn a_request_nobody_took_up_can_be_withdrawn() {
    on_every_demo(|app| async move {
        let id = app.store.request_rebuild().await.unwrap();
        app.store.withdraw_rebuild_request(id).await.unwrap();
        assert_eq!(app.store.rebuild_request(id).await.unwrap(), None);
        assert_eq!(app.store.open_rebuild_request().await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn a_start_serves_the_requests_made_while_no_server_ran() {
    on_every_demo(|app| async move {
        let id = app.store.request_rebuild().await.unwrap();
        app.search.start().await.unwrap();
        let state = app.store.rebuild_request(id).await.unwrap().unwrap();
        assert!(state.finished && state.error.is_none());
        assert_eq!(
            app.engine.count().await.unwrap(),
            app.store.course_bundles(None).await.unwrap().len() as u64
        );
    })
    .await;
}

#[tokio::test]
async fn searches_during_a_rebuild_never_see_an_empty_index() {
    on_every_demo(|app| async move {
        let search = app.search.clone();
        let rebuild =
            tokio::spawn(async move { search.rebuild(&tarjotin_api::search::Unwatched).await });
        let mut searched = 0;
        while !rebuild.is_finished() {
            let found = app.engine.search(&query("lähihoitaja")).await.unwrap();
            assert!(
                !found.hits.is_empty(),
                "the old index serves until the swap"
            );
            searched += 1;
            tokio::task::yield_now().await;
        }
        rebuild.await.unwrap().unwrap();
        assert!(searched > 0);
        let found = app.engine.search(&query("lähihoitaja")).await.unwrap();
        assert!(!found.hits.is_empty());
    })
    .await;
}
