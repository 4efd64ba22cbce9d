//! One conformance suite for every search engine: the same documents, the
//! same queries, filters and facets, the same expectations. It runs on the
//! embedded engine always (and on every other engine the project gains).

use std::collections::HashMap;
use std::sync::Arc;

use tarjotin_api::domain::{CourseFilter, Lang};
use tarjotin_api::search::{
    Facet, IndexChange, SearchDocument, SearchEngine, SearchOrder, SearchRequest,
};

use super::harness::{reference_day, Backend, TestApp};
use super::oracle::{municipalities, with_instance};

fn request(query: &str, filter: CourseFilter, facets: Vec<Facet>) -> SearchRequest {
    SearchRequest {
        query: Some(query.to_string()).filter(|q| !q.is_empty()),
        filter,
        facets,
        order: SearchOrder::Relevance,
        offset: 0,
        limit: 100,
        lang: Lang::Fi,
        today: reference_day(),
    }
}

/// The demo catalogue's documents, as the store builds them.
async fn documents() -> Vec<SearchDocument> {
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let bundles = app.store.course_bundles(None).await.unwrap();
    bundles
        .iter()
        .map(|(c, i, p)| SearchDocument::from_rows(c, i, p).unwrap())
        .collect()
}

/// Runs the suite against `engine`.
pub async fn suite(engine: Arc<dyn SearchEngine>) {
    let docs = documents().await;
    let external: HashMap<i32, String> = docs
        .iter()
        .map(|d| (d.course_id, d.external_id.clone()))
        .collect();
    engine.rebuild(docs.clone()).await.unwrap();
    assert_eq!(engine.count().await.unwrap(), docs.len() as u64);
    let ids = |hits: &[tarjotin_api::search::Hit]| -> Vec<String> {
        hits.iter()
            .map(|h| external[&h.course_id].clone())
            .collect()
    };

    // Base form, inflected form, compound part, typo.
    for (query, expected) in [
        ("lähihoitaja", "urn:kymi:course:ekami:1"),
        ("lähihoitajaksi", "urn:kymi:course:ekami:1"),
        ("lähihoitja", "urn:kymi:course:ekami:1"),
    ] {
        let result = engine
            .search(&request(query, CourseFilter::default(), vec![]))
            .await
            .unwrap();
        assert!(
            ids(&result.hits).contains(&expected.to_string()),
            "{query}: {:?}",
            ids(&result.hits)
        );
        assert!(
            result.hits.windows(2).all(|w| w[0].score >= w[1].score),
            "{query}: hits ordered by score"
        );
    }

    // Browsing under a filter gives exactly the courses the feed says.
    let kotka = CourseFilter {
        municipalities: vec!["285".into()],
        ..CourseFilter::default()
    };
    let result = engine
        .search(&SearchRequest {
            limit: 1000,
            ..request("", kotka.clone(), vec![Facet::Municipality])
        })
        .await
        .unwrap();
    let expected = with_instance(|_, i| municipalities(i).contains(&"285".into()));
    let mut got = ids(&result.hits);
    got.sort();
    assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
    assert_eq!(result.total as usize, got.len());

    // The municipality facet ignores its own filter.
    let kouvola = result.facets[0]
        .values
        .iter()
        .find(|(v, _)| v == "286")
        .map(|(_, c)| *c)
        .unwrap();
    let only_kouvola = CourseFilter {
        municipalities: vec!["286".into()],
        ..CourseFilter::default()
    };
    let listed = engine
        .search(&SearchRequest {
            limit: 1000,
            ..request("", only_kouvola, vec![])
        })
        .await
        .unwrap();
    assert_eq!(kouvola, listed.total);

    // Deletes and upserts take effect.
    let first = docs[0].clone();
    engine
        .apply(vec![IndexChange::Delete(first.course_id)])
        .await
        .unwrap();
    assert_eq!(engine.count().await.unwrap(), docs.len() as u64 - 1);
    engine
        .apply(vec![IndexChange::Upsert(Box::new(first))])
        .await
        .unwrap();
    assert_eq!(engine.count().await.unwrap(), docs.len() as u64);

    // Autocomplete.
    let suggestions = engine.suggest("lähih", Lang::Fi, 10).await.unwrap();
    assert!(suggestions
        .iter()
        .any(|s| s.text.to_lowercase().contains("lähihoitaja")));

    // Hostile queries are just words.
    for hostile in [r#"" OR 1=1 --"#, "municipality = 285", "\\", "a TO b", "*"] {
        engine
            .search(&request(
                hostile,
                CourseFilter::default(),
                vec![Facet::Provider],
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_embedded_engine_passes_the_conformance_suite() {
    suite(Arc::new(
        tarjotin_api::search::embedded::EmbeddedEngine::new(),
    ))
    .await;
}

#[tokio::test]
async fn meilisearch_passes_the_conformance_suite() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        eprintln!("skipping the Meilisearch conformance suite: MEILI_URL is not set");
        return;
    };
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let engine = tarjotin_api::search::meili::MeiliEngine::connect(&url, key.as_deref())
        .await
        .expect("connect to MEILI_URL");
    suite(Arc::new(engine)).await;
}

/// An engine that can be switched off, as if its server had stopped.
struct Switchable {
    inner: Arc<dyn SearchEngine>,
    down: std::sync::atomic::AtomicBool,
}

impl Switchable {
    fn check(&self) -> Result<(), tarjotin_api::search::SearchError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            Err(tarjotin_api::search::SearchError::Unavailable(
                "switched off".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl SearchEngine for Switchable {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn apply(
        &self,
        changes: Vec<IndexChange>,
    ) -> futures_util::future::BoxFuture<'_, Result<(), tarjotin_api::search::SearchError>> {
        Box::pin(async move {
            self.check()?;
            self.inner.apply(changes).await
        })
    }
    fn rebuild(
        &self,
        docs: Vec<SearchDocument>,
    ) -> futures_util::future::BoxFuture<'_, Result<(), tarjotin_api::search::SearchError>> {
        Box::pin(async move {
            self.check()?;
            self.inner.rebuild(docs).await
        })
    }
    fn search<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<tarjotin_api::search::SearchResult, tarjotin_api::search::SearchError>,
    > {
        self.inner.search(request)
    }
    fn suggest<'a>(
        &'a self,
        prefix: &'a str,
        lang: Lang,
        limit: usize,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<Vec<tarjotin_api::search::Suggestion>, tarjotin_api::search::SearchError>,
    > {
        self.inner.suggest(prefix, lang, limit)
    }
    fn count(
        &self,
    ) -> futures_util::future::BoxFuture<'_, Result<u64, tarjotin_api::search::SearchError>> {
        self.inner.count()
    }
}

/// 1,000 changes while the engine is off; after it is back the index equals the database.
pub async fn outage(engine: Arc<dyn SearchEngine>) {
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let switch = Arc::new(Switchable {
        inner: engine,
        down: false.into(),
    });
    let service =
        tarjotin_api::search::service::SearchService::new(switch.clone(), app.store.clone());
    service.rebuild().await.unwrap();
    switch.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let bundles = app.store.course_bundles(None).await.unwrap();
    let line = std::fs::read_to_string(super::harness::demo_path("courses"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let tarjotin_api::ingest::FeedRecord::Course(mut course) =
        tarjotin_api::ingest::parse_jsonld_line(&line).unwrap()
    else {
        panic!("not a course")
    };
    use tarjotin_api::store::CatalogueWriter;
    for i in 0..1000 {
        course.keywords = vec![format!("katkos{i}")];
        app.store.upsert_course(&course).await.unwrap();
    }
    assert!(service.drain().await.is_err());
    switch
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    service.drain().await.unwrap();
    assert_eq!(service.status().await.unwrap().pending, 0);
    assert_eq!(switch.count().await.unwrap(), bundles.len() as u64);
    let result = switch
        .search(&request("katkos999", CourseFilter::default(), vec![]))
        .await
        .unwrap();
    let changed = bundles
        .iter()
        .find(|(c, _, _)| c.external_id == "urn:kymi:course:ekami:1")
        .map(|(c, _, _)| c.id);
    assert_eq!(
        result.hits.first().map(|h| h.course_id),
        changed,
        "the last change reached the index"
    );
}

#[tokio::test]
async fn the_embedded_engine_catches_up_after_an_outage() {
    outage(Arc::new(
        tarjotin_api::search::embedded::EmbeddedEngine::new(),
    ))
    .await;
}

#[tokio::test]
async fn meilisearch_catches_up_after_an_outage() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        eprintln!("skipping the Meilisearch outage test: MEILI_URL is not set");
        return;
    };
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let engine = tarjotin_api::search::meili::MeiliEngine::connect(&url, key.as_deref())
        .await
        .expect("connect to MEILI_URL");
    outage(Arc::new(engine)).await;
}
