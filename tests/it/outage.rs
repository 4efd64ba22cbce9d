//! An index that never loses a write: 1,000 changes while the engine is
//! unavailable; once it is back the index equals the database. The embedded
//! engine is switched off through the trait; Meilisearch is cut off by a
//! proxy, as a stopped server would be.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tarjotin_api::domain::{CourseFilter, Lang};
use tarjotin_api::ingest::{parse_jsonld_line, FeedRecord};
use tarjotin_api::search::service::SearchService;
use tarjotin_api::search::{
    IndexBuild, IndexChange, SearchEngine, SearchError, SearchOrder, SearchRequest, SearchResult,
    Suggestion, SuggestionKind, Unwatched,
};
use tarjotin_api::store::CatalogueWriter;

use super::harness::{demo_path, reference_day, Backend, TestApp};

/// An engine that can be switched off, as if its server had stopped.
struct Switchable {
    inner: Arc<dyn SearchEngine>,
    down: AtomicBool,
}

impl Switchable {
    fn check(&self) -> Result<(), SearchError> {
        if self.down.load(Ordering::SeqCst) {
            Err(SearchError::Unavailable("switched off".into()))
        } else {
            Ok(())
        }
    }
}

impl SearchEngine for Switchable {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn apply(&self, changes: Vec<IndexChange>) -> BoxFuture<'_, Result<(), SearchError>> {
        Box::pin(async move {
            self.check()?;
            self.inner.apply(changes).await
        })
    }
    fn begin_rebuild(&self) -> BoxFuture<'_, Result<Box<dyn IndexBuild>, SearchError>> {
        Box::pin(async move {
            self.check()?;
            self.inner.begin_rebuild().await
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

fn everything(query: &str) -> SearchRequest {
    SearchRequest {
        query: Some(query.to_string()).filter(|q| !q.is_empty()),
        filter: CourseFilter::default(),
        facets: vec![],
        order: SearchOrder::Relevance,
        offset: 0,
        limit: 1000,
        lang: Lang::Fi,
        today: reference_day(),
    }
}

/// 1,000 changes while `set_available(false)`; after `set_available(true)`
/// the index equals the database.
pub async fn outage(engine: Arc<dyn SearchEngine>, set_available: &dyn Fn(bool)) {
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let service = SearchService::new(engine.clone(), app.store.clone());
    service.rebuild(&Unwatched).await.unwrap();
    set_available(false);
    let line = std::fs::read_to_string(demo_path("courses"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let FeedRecord::Course(mut course) = parse_jsonld_line(&line).unwrap() else {
        panic!("not a course")
    };
    for i in 0..1000 {
        course.keywords = vec![format!("katkos{i}")];
        app.store.upsert_course(&course).await.unwrap();
    }
    assert!(service.drain().await.is_err(), "the engine is away");
    assert_eq!(service.status().await.unwrap().pending, 1000);
    set_available(true);
    service.drain().await.unwrap();
    assert_eq!(service.status().await.unwrap().pending, 0);

    let bundles = app.store.course_bundles(None).await.unwrap();
    let in_database: BTreeSet<i32> = bundles.iter().map(|(c, _, _)| c.id).collect();
    let indexed: BTreeSet<i32> = engine
        .search(&everything(""))
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.course_id)
        .collect();
    assert_eq!(
        indexed, in_database,
        "the index holds what the database does"
    );
    assert_eq!(engine.count().await.unwrap(), in_database.len() as u64);
    let changed = bundles
        .iter()
        .find(|(c, _, _)| c.external_id == course.external_id)
        .map(|(c, _, _)| c.id);
    let last = engine.search(&everything("katkos999")).await.unwrap();
    assert_eq!(
        last.hits.first().map(|h| h.course_id),
        changed,
        "the last change reached the index"
    );
    // A search for an earlier keyword is no test of this: "katkos0" is a
    // typo away from "katkos999" on an engine that allows one. The
    // keywords the index suggests are what the document now holds.
    let keywords: Vec<String> = engine
        .suggest("katkos", Lang::Fi, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.kind == SuggestionKind::Keyword)
        .map(|s| s.text)
        .collect();
    assert_eq!(
        keywords,
        ["katkos999"],
        "the document holds the last keywords only, none of the ones before"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_embedded_engine_catches_up_after_an_outage() {
    let switch = Arc::new(Switchable {
        inner: Arc::new(tarjotin_api::search::embedded::EmbeddedEngine::new()),
        down: AtomicBool::new(false),
    });
    let handle = switch.clone();
    outage(switch, &move |available| {
        handle.down.store(!available, Ordering::SeqCst)
    })
    .await;
}

#[tokio::test]
async fn meilisearch_catches_up_after_its_server_comes_back() {
    let Some(meili) = super::meili::TestMeili::connect("outage").await else {
        return;
    };
    outage(meili.engine.clone(), &|available| {
        meili.proxy.set_available(available)
    })
    .await;
    meili.finish().await;
}
