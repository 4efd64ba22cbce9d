//! The HTTP client that the Meilisearch SDK sends through: reqwest, each
//! body serialised once and sent as one buffer. The SDK's own client streams
//! every body through an 8 MiB buffer that it zeroes first, which took a
//! third of the server's CPU per search.

use async_trait::async_trait;
use meilisearch_sdk::errors::Error;
use meilisearch_sdk::request::{parse_response, HttpClient, Method};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::search::SearchError;

/// A client of one Meilisearch server with one key.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

/// The SDK client over `Http`.
pub type MeiliClient = meilisearch_sdk::client::Client<Http>;

/// A client of `url` that sends `key` with every request (none of them ever
/// shows the key: it travels in a sensitive header).
pub fn client(url: &str, key: Option<&str>) -> Result<MeiliClient, SearchError> {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_static("tarjotin"));
    if let Some(key) = key {
        let mut value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            SearchError::Unavailable("the Meilisearch key holds characters a header cannot".into())
        })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .map_err(|e| SearchError::Unavailable(format!("an HTTP client for Meilisearch: {e}")))?;
    Ok(MeiliClient::new_with_client(
        url.trim_end_matches('/'),
        key,
        Http { client },
    ))
}

fn verb<Q, B>(method: &Method<Q, B>) -> reqwest::Method {
    match method {
        Method::Get { .. } => reqwest::Method::GET,
        Method::Delete { .. } => reqwest::Method::DELETE,
        Method::Post { .. } => reqwest::Method::POST,
        Method::Put { .. } => reqwest::Method::PUT,
        Method::Patch { .. } => reqwest::Method::PATCH,
    }
}

impl Http {
    async fn send<Output: DeserializeOwned>(
        &self,
        url: String,
        verb: reqwest::Method,
        body: Option<(Vec<u8>, &str)>,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        let mut request = self.client.request(verb, &url);
        if let Some((bytes, content_type)) = body {
            request = request.header(CONTENT_TYPE, content_type).body(bytes);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let mut text = response.text().await?;
        if text.is_empty() {
            text = "null".into();
        }
        parse_response(status, expected_status_code, &text, url)
    }
}

#[async_trait]
impl HttpClient for Http {
    async fn request<Query, Body, Output>(
        &self,
        url: &str,
        method: Method<Query, Body>,
        expected_status_code: u16,
    ) -> Result<Output, Error>
    where
        Query: Serialize + Send + Sync,
        Body: Serialize + Send + Sync,
        Output: DeserializeOwned + 'static + Send,
    {
        let url = format!("{url}{}", yaup::to_string(method.query())?);
        let verb = verb(&method);
        let body = match method.body() {
            Some(body) => Some((serde_json::to_vec(body)?, "application/json")),
            None => None,
        };
        self.send(url, verb, body, expected_status_code).await
    }

    async fn stream_request<
        Query: Serialize + Send + Sync,
        Body: futures_io::AsyncRead + Send + Sync + 'static,
        Output: DeserializeOwned + 'static,
    >(
        &self,
        url: &str,
        method: Method<Query, Body>,
        content_type: &str,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        use futures_util::AsyncReadExt;
        let url = format!("{url}{}", yaup::to_string(method.query())?);
        let verb = verb(&method);
        let body = match method.into_body() {
            Some(reader) => {
                let mut bytes = Vec::new();
                let mut reader = std::pin::pin!(reader);
                reader
                    .read_to_end(&mut bytes)
                    .await
                    .map_err(|e| Error::Other(Box::new(e)))?;
                Some((bytes, content_type))
            }
            None => None,
        };
        self.send(url, verb, body, expected_status_code).await
    }

    fn is_tokio(&self) -> bool {
        true
    }
}
