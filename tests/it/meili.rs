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

/// A Meilisearch engine on an index of this test's own, working with a key
/// limited to that index as the server does.
pub struct TestMeili {
    pub engine: Arc<MeiliEngine>,
    pub proxy: Proxy,
    /// The server's URL and master key, for a test's own calls.
    pub url: String,
    pub master_key: Option<String>,
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
        if let Some(master) = &key {
            engine
                .use_scoped_key(master)
                .await
                .expect("make a key limited to the test's index");
        }
        Some(TestMeili {
            engine: Arc::new(engine),
            proxy,
            url,
            master_key: key,
        })
    }

    /// A request to the server with the master key (for what a test sets up
    /// behind the engine's back).
    pub fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = reqwest::Client::new().request(method, format!("{}{path}", self.url));
        match &self.master_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// Waits for every task of the server to finish.
    pub async fn settle(&self) {
        loop {
            let tasks: serde_json::Value = self
                .admin(
                    reqwest::Method::GET,
                    "/tasks?statuses=enqueued,processing&limit=1",
                )
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if tasks["total"].as_u64() == Some(0) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Removes the test's indexes and key.
    pub async fn finish(self) {
        self.proxy.set_available(true);
        self.engine.delete_everything().await.unwrap();
        if let Some(master) = &self.master_key {
            tarjotin_api::search::meili::keys::remove_scoped_key(
                &self.url,
                master,
                self.engine.uid(),
            )
            .await
            .unwrap();
        }
    }
}
