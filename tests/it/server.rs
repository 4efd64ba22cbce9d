//! A server on a free port over a test catalogue, and a client for it.

use std::net::TcpListener;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use tarjotin_api::config::HttpSettings;
use tarjotin_api::http::{start_with, HttpOptions};

use super::harness::{Backend, TestApp};

/// A running server.
pub struct Server {
    pub base: String,
    /// The operations listener's base URL, when the options asked for one.
    pub ops_base: Option<String>,
    pub app: TestApp,
    /// Stops the server.
    pub handle: actix_web::dev::ServerHandle,
}

/// The new GraphQL-over-HTTP media type.
pub const GQL: &str = "application/graphql-response+json";

impl Server {
    /// Serves `app` with `options`.
    pub fn over(app: TestApp, options: HttpOptions) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let running = start_with(
            listener,
            app.schema.clone(),
            app.store.clone(),
            app.search.clone(),
            options,
        )
        .unwrap();
        let handle = running.server.handle();
        tokio::spawn(running.server);
        let ops_base = running.ops.map(|(server, addr)| {
            tokio::spawn(server);
            format!("http://{addr}")
        });
        Server {
            base: format!("http://{}", running.addr),
            ops_base,
            app,
            handle,
        }
    }

    /// The demo catalogue on SQLite with the default options.
    pub async fn demo() -> Server {
        Server::demo_with(HttpSettings::default()).await
    }

    /// The demo catalogue on SQLite with `settings`.
    pub async fn demo_with(settings: HttpSettings) -> Server {
        let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
        Server::over(app, HttpOptions::local(settings))
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A POST of `body` to /graphql accepting `accept`.
    pub fn post(&self, accept: &str, body: Value) -> reqwest::RequestBuilder {
        client()
            .post(self.url("/graphql"))
            .header("accept", accept)
            .json(&body)
    }

    /// A POSTed query, answered as (status, headers, JSON body).
    pub async fn query(&self, query: &str) -> (u16, HeaderMap, Value) {
        send(self.post(GQL, json!({ "query": query }))).await
    }
}

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sends a request: (status, headers, body as JSON or null).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, headers, body)
}

/// The first error's code.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}
