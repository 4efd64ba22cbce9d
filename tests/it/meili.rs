//! Meilisearch for the tests that run when MEILI_URL is set: an index of
//! the test's own on the shared server, removed afterwards, reached through
//! a proxy that can go down like a stopped server.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tarjotin_api::search::meili::MeiliEngine;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A TCP proxy in front of the Meilisearch server. While down it refuses
/// every connection and cuts the open ones, as a stopped server would.
pub struct Proxy {
    pub url: String,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let down = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (d, o) = (down.clone(), open.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if d.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                o.lock().unwrap().push(task);
            }
        });
        Proxy {
            url,
            down,
            open,
            accept,
        }
    }

    /// Takes the server away, or brings it back.
    pub fn set_available(&self, available: bool) {
        self.down.store(!available, Ordering::SeqCst);
        if !available {
            for task in self.open.lock().unwrap().drain(..) {
                task.abort();
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.set_available(false);
    }
}

/// A Meilisearch engine on an index of this test's own.
pub struct TestMeili {
    pub engine: Arc<MeiliEngine>,
    pub proxy: Proxy,
}

impl TestMeili {
    /// Connects through a proxy when MEILI_URL is set; None (saying so) when not.
    pub async fn connect(test: &str) -> Option<TestMeili> {
        let Ok(url) = std::env::var("MEILI_URL") else {
            eprintln!("skipping the Meilisearch {test} test: MEILI_URL is not set");
            return None;
        };
        let key = std::env::var("MEILI_MASTER_KEY").ok();
        let parsed = url::Url::parse(&url).expect("MEILI_URL is a URL");
        let target = format!(
            "{}:{}",
            parsed.host_str().expect("MEILI_URL has a host"),
            parsed
                .port_or_known_default()
                .expect("MEILI_URL has a port")
        );
        let proxy = Proxy::start(target).await;
        let uid = format!(
            "tarjotin_test_{}_{}_{}",
            test,
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let engine = MeiliEngine::connect_to_index(&proxy.url, key.as_deref(), &uid)
            .await
            .expect("connect to MEILI_URL");
        Some(TestMeili {
            engine: Arc::new(engine),
            proxy,
        })
    }

    /// Removes the test's indexes.
    pub async fn finish(self) {
        self.proxy.set_available(true);
        self.engine.delete_everything().await.unwrap();
    }
}
