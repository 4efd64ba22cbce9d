//! One redaction path for everything that leaves the process: log lines,
//! the command line's errors and error texts shown to administrators. URLs
//! lose their passwords and secret query parameters, and every secret the
//! process was configured with (or made, like the scoped Meilisearch key)
//! is masked wherever it appears, in any error text of any library.

use std::sync::RwLock;

/// What a masked secret reads as.
const MASK: &str = "***";

/// Query parameters whose values are secrets.
const SECRET_PARAMETERS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "token",
    "key",
    "apikey",
    "api_key",
    "sslpassword",
    "access_token",
];

/// Secrets shorter than this are not masked in free text: they would match
/// too much (a key of a few letters is refused by the settings anyway).
const SHORTEST: usize = 6;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Masks `secret` wherever it appears from now on.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.len() < SHORTEST {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
        // Longest first, so that a secret inside another is not half masked.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Registers the secrets of a URL: its password and secret parameters.
pub fn register_url(url: &str) {
    if let Ok(parsed) = url::Url::parse(url) {
        if let Some(password) = parsed.password() {
            register(password);
            if let Ok(decoded) = urlencoding_decode(password) {
                register(&decoded);
            }
        }
        for (name, value) in parsed.query_pairs() {
            if is_secret_parameter(&name) {
                register(&value);
            }
        }
    }
}

fn urlencoding_decode(text: &str) -> Result<String, ()> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

fn is_secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAMETERS
        .iter()
        .any(|p| name == *p || name.ends_with(&format!("_{p}")))
}

/// A URL without its password and secret parameters (as the text it was
/// when it is not a URL).
pub fn url(text: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(text) else {
        return text.to_string();
    };
    let mut changed = false;
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(MASK));
        changed = true;
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_parameter(&k) {
                changed = true;
                MASK.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if !changed {
        // Nothing secret: the text as it was, not the parser's spelling.
        return text.to_string();
    }
    if !pairs.is_empty() {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Free text (an error, a log line) with every URL redacted and every
/// registered secret masked.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme runs back to the last character that cannot be in one.
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
            .map_or(0, |i| i + 1);
        let end = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')'))
            .map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        out.push_str(&url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

/// A writer for the log that redacts each line before it reaches `inner`.
pub struct Redacting<W>(pub W);

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = String::from_utf8_lossy(buf);
        self.0.write_all(text(&line).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords_and_secret_parameters() {
        assert_eq!(
            url("postgres://app:hunter22@db:5432/x?sslmode=require&password=p4ss"),
            "postgres://app:***@db:5432/x?sslmode=require&password=***"
        );
        assert_eq!(url("http://meili:7700"), "http://meili:7700");
        assert_eq!(url("not a url"), "not a url");
    }

    #[test]
    fn free_text_has_every_url_redacted_and_every_secret_masked() {
        register("planted-master-key-0123");
        register("abc");
        let said = text(
            "error connecting to http://u:pw123456@127.0.0.1:7700/x (key planted-master-key-0123), abc",
        );
        assert_eq!(
            said,
            "error connecting to http://u:***@127.0.0.1:7700/x (key ***), abc"
        );
        register_url("redis://:s3cr3t-redis@r:6379");
        assert_eq!(text("auth s3cr3t-redis failed"), "auth *** failed");
    }
}
