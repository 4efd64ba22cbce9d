//! API keys: high-entropy random tokens with a recognisable prefix, kept by
//! the store only as a SHA-256 hash (enough for random keys: there is no
//! dictionary to guess from).

use sha2::{Digest, Sha256};

/// Every key starts with this, so leaked keys are easy to spot and scan for.
pub const KEY_PREFIX: &str = "trj_";
/// Random characters after the prefix (base62: about 256 bits).
const KEY_CHARS: usize = 43;
const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// How much of a key lists show, to tell keys apart.
const SHOWN: usize = 12;

/// Why a credential was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("the Authorization header must be `Bearer <key>`")]
    NotBearer,
    #[error("the key is malformed: Tarjotin keys start with `{KEY_PREFIX}` followed by {KEY_CHARS} letters and digits")]
    Malformed,
    #[error("the key is not known")]
    Unknown,
    #[error("the key has been revoked")]
    Revoked,
    #[error("the key has expired")]
    Expired,
}

/// A well-formed key; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiToken({}…)", self.prefix())
    }
}

impl ApiToken {
    /// A new random key.
    pub fn generate() -> Result<ApiToken, getrandom::Error> {
        let mut out = String::from(KEY_PREFIX);
        while out.len() < KEY_PREFIX.len() + KEY_CHARS {
            let mut bytes = [0u8; 64];
            getrandom::fill(&mut bytes)?;
            // 248 is the largest multiple of 62 below 256: no modulo bias.
            for b in bytes.into_iter().filter(|b| *b < 248) {
                if out.len() == KEY_PREFIX.len() + KEY_CHARS {
                    break;
                }
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
        Ok(ApiToken(out))
    }

    /// Checks the shape of a key.
    pub fn parse(text: &str) -> Result<ApiToken, CredentialError> {
        let body = text
            .strip_prefix(KEY_PREFIX)
            .ok_or(CredentialError::Malformed)?;
        if body.len() != KEY_CHARS || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CredentialError::Malformed);
        }
        Ok(ApiToken(text.to_string()))
    }

    /// Reads the value of an `Authorization` header.
    pub fn from_authorization(header: &str) -> Result<ApiToken, CredentialError> {
        let (scheme, rest) = header
            .trim()
            .split_once(' ')
            .ok_or(CredentialError::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(CredentialError::NotBearer);
        }
        ApiToken::parse(rest.trim())
    }

    /// The key itself, to show once when it is created.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the key, hex: what the store keeps.
    pub fn hash(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The first characters, to recognise the key in lists.
    pub fn prefix(&self) -> &str {
        &self.0[..SHOWN]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed_distinct_and_hash_to_hex() {
        let a = ApiToken::generate().unwrap();
        let b = ApiToken::generate().unwrap();
        assert_ne!(a, b);
        assert!(a.expose().starts_with(KEY_PREFIX));
        assert_eq!(ApiToken::parse(a.expose()).unwrap(), a);
        assert_eq!(a.hash().len(), 64);
        assert!(!format!("{a:?}").contains(&a.expose()[SHOWN..]));
    }

    #[test]
    fn malformed_keys_and_headers_are_refused() {
        assert_eq!(
            ApiToken::parse("trj_short"),
            Err(CredentialError::Malformed)
        );
        assert_eq!(
            ApiToken::parse(&format!("xyz_{}", "a".repeat(43))),
            Err(CredentialError::Malformed)
        );
        assert_eq!(
            ApiToken::from_authorization("Basic dXNlcjpwYXNz"),
            Err(CredentialError::NotBearer)
        );
        assert_eq!(
            ApiToken::from_authorization("Bearer"),
            Err(CredentialError::NotBearer)
        );
        let key = format!("trj_{}", "a".repeat(43));
        assert!(ApiToken::from_authorization(&format!("bearer {key}")).is_ok());
    }
}
