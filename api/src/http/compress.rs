//! Compression of answers: brotli or gzip, as the client's `Accept-Encoding`
//! prefers, for bodies of at least [`THRESHOLD`] bytes. Smaller bodies go
//! as they are (compressing them saves less than its headers cost), and so
//! do answers that are already encoded, have no body, or whose size is not
//! known in advance. An answer large enough to be compressed names
//! `Accept-Encoding` in `Vary`, whether or not this client took the
//! compressed form, so that shared caches keep one copy per coding.

use std::io::Write;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;

/// The smallest body that is compressed.
pub const THRESHOLD: usize = 1024;
/// Bodies past this are compressed off the request's thread.
const INLINE_LIMIT: usize = 64 * 1024;

/// A content coding this server produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

/// The coding to answer with, from an `Accept-Encoding` value: the one with
/// the highest weight, brotli on a tie; None when neither is acceptable.
/// A coding given weight 0 is refused even when `*` allows others.
pub fn negotiate(accept: &str) -> Option<Coding> {
    let mut weights: Vec<(String, f32)> = Vec::new();
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let mut q = 1.0f32;
        for param in pieces {
            if let Some((k, v)) = param.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .unwrap_or(0.0);
                }
            }
        }
        weights.push((name, q));
    }
    let weight = |token: &str| {
        weights
            .iter()
            .find(|(n, _)| n == token || (token == "gzip" && n == "x-gzip"))
            .or_else(|| weights.iter().find(|(n, _)| n == "*"))
            .map(|(_, q)| *q)
            .unwrap_or(0.0)
    };
    let (br, gzip) = (weight("br"), weight("gzip"));
    match (br > 0.0, gzip > 0.0) {
        (false, false) => None,
        _ if br >= gzip => Some(Coding::Brotli),
        _ => Some(Coding::Gzip),
    }
}

/// Compresses `body` with `coding`.
pub fn encode(coding: Coding, body: &[u8]) -> std::io::Result<Vec<u8>> {
    match coding {
        Coding::Gzip => {
            let mut out = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 4),
                flate2::Compression::new(6),
            );
            out.write_all(body)?;
            out.finish()
        }
        Coding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 4);
            {
                // Quality 5: most of brotli's gain at a few times gzip's speed.
                let mut w = brotli::CompressorWriter::new(&mut out, 16 * 1024, 5, 22);
                w.write_all(body)?;
                w.flush()?;
            }
            Ok(out)
        }
    }
}

/// The middleware.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let coding = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(negotiate);
    let head = req.method() == Method::HEAD;
    let response = next.call(req).await?.map_into_boxed_body();
    let eligible = !head
        && !matches!(
            response.status(),
            StatusCode::NOT_MODIFIED | StatusCode::NO_CONTENT | StatusCode::SWITCHING_PROTOCOLS
        )
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && matches!(response.response().body().size(), BodySize::Sized(n) if n as usize >= THRESHOLD);
    if !eligible {
        return Ok(response);
    }
    let (request, mut response) = response.into_parts();
    add_vary(response.headers_mut());
    let Some(coding) = coding else {
        return Ok(ServiceResponse::new(request, response));
    };
    let (mut response, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let encoded = if bytes.len() > INLINE_LIMIT {
        let input = bytes.clone();
        tokio::task::spawn_blocking(move || encode(coding, &input))
            .await
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?
    } else {
        encode(coding, &bytes)
    };
    let response = match encoded {
        Ok(encoded) => {
            response.headers_mut().insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(coding.token()),
            );
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response.set_body(BoxBody::new(encoded))
        }
        Err(e) => {
            tracing::warn!(error = %e, "compressing an answer failed; sending it as it is");
            response.set_body(BoxBody::new(bytes))
        }
    };
    Ok(ServiceResponse::new(request, response))
}

/// Adds `Accept-Encoding` to `Vary`, keeping what is there.
fn add_vary(headers: &mut actix_web::http::header::HeaderMap) {
    let present: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    if present.iter().any(|v| v == "accept-encoding" || v == "*") {
        return;
    }
    let value = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(old) if !old.trim().is_empty() => format!("{old}, Accept-Encoding"),
        _ => "Accept-Encoding".to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(header::VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_preferred_acceptable_coding_wins_and_brotli_breaks_ties() {
        assert_eq!(negotiate("gzip, deflate, br"), Some(Coding::Brotli));
        assert_eq!(negotiate("gzip"), Some(Coding::Gzip));
        assert_eq!(negotiate("br;q=0.5, gzip;q=0.8"), Some(Coding::Gzip));
        assert_eq!(negotiate("br;q=0, gzip"), Some(Coding::Gzip));
        assert_eq!(negotiate("*"), Some(Coding::Brotli));
        assert_eq!(negotiate("*, br;q=0"), Some(Coding::Gzip));
        assert_eq!(negotiate("identity"), None);
        assert_eq!(negotiate("deflate"), None);
        assert_eq!(negotiate(""), None);
        assert_eq!(negotiate("gzip;q=nonsense"), None);
        assert_eq!(negotiate("x-gzip"), Some(Coding::Gzip));
    }

    #[test]
    fn both_codings_give_back_the_body() {
        let body = "{\"data\":{\"courses\":[".to_string()
            + &"{\"name\":\"Lähihoitaja\"},".repeat(200)
            + "]}}";
        let gz = encode(Coding::Gzip, body.as_bytes()).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, body);
        let br = encode(Coding::Brotli, body.as_bytes()).unwrap();
        let mut back = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, body);
        assert!(br.len() < body.len() / 4 && gz.len() < body.len() / 4);
    }

    #[test]
    fn vary_gains_accept_encoding_once() {
        let mut headers = actix_web::http::header::HeaderMap::new();
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Authorization"),
        );
        add_vary(&mut headers);
        add_vary(&mut headers);
        assert_eq!(
            headers.get(header::VARY).unwrap(),
            "Accept, Authorization, Accept-Encoding"
        );
    }
}
