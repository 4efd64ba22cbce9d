//! The Meilisearch API key the server works with: limited to its own
//! indexes and the actions it needs. Given as MEILI_API_KEY, or created
//! once from MEILI_MASTER_KEY; neither is ever logged or shown in an error.

use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::key::{Action, KeyBuilder};
use sha2::{Digest, Sha256};

use super::engine_error;
use crate::search::SearchError;

/// What the server does with its indexes: search, write documents, build,
/// configure, swap and remove indexes, and follow its tasks.
fn actions() -> Vec<Action> {
    vec![
        Action::Search,
        Action::DocumentsAdd,
        Action::DocumentsGet,
        Action::DocumentsDelete,
        Action::IndexesCreate,
        Action::IndexesGet,
        Action::IndexesUpdate,
        Action::IndexesDelete,
        Action::Unknown("indexes.swap".into()),
        Action::TasksGet,
        Action::SettingsGet,
        Action::SettingsUpdate,
        Action::StatsGet,
    ]
}

/// The pattern of the indexes a server of base index `uid` uses: the
/// serving index, its builds and its metadata.
pub fn index_pattern(uid: &str) -> String {
    format!("{uid}*")
}

/// A UUID (in version 4's layout, as Meilisearch wants) derived from what
/// the key may do, so that every process asks for the same key and a
/// release that needs other actions gets a key of its own.
fn key_uid(pattern: &str) -> String {
    let names: Vec<String> = actions()
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect();
    let digest = Sha256::digest(format!("tarjotin|{pattern}|{}", names.join(",")));
    let mut b: [u8; 16] = digest[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The scoped key for the indexes of `uid`: fetched if this server made it
/// before, else created. `created` tells which, for the log.
pub async fn scoped_key(
    url: &str,
    master_key: &str,
    uid: &str,
) -> Result<(String, bool), SearchError> {
    let master = super::http::client(url, Some(master_key))?;
    let pattern = index_pattern(uid);
    let key_uid = key_uid(&pattern);
    match master.get_key(&key_uid).await {
        Ok(key) => return Ok((key.key, false)),
        Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::ApiKeyNotFound => {}
        Err(e) => return Err(engine_error(e)),
    }
    let mut builder = KeyBuilder::new();
    builder
        .with_uid(&key_uid)
        .with_name(format!("tarjotin server ({pattern})"))
        .with_description("Made by tarjotin from MEILI_MASTER_KEY: its own indexes only")
        .with_actions(actions())
        .with_index(&pattern);
    let key = master.create_key(builder).await.map_err(engine_error)?;
    Ok((key.key, true))
}

/// Removes the scoped key of `uid` (for tests on a shared server).
pub async fn remove_scoped_key(url: &str, master_key: &str, uid: &str) -> Result<(), SearchError> {
    let master = super::http::client(url, Some(master_key))?;
    match master.delete_key(key_uid(&index_pattern(uid))).await {
        Ok(()) => Ok(()),
        Err(MeiliError::Meilisearch(e)) if e.error_code == ErrorCode::ApiKeyNotFound => Ok(()),
        Err(e) => Err(engine_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_uid_is_a_version_4_uuid_fixed_by_the_pattern() {
        let a = key_uid("tarjotin_courses*");
        assert_eq!(a, key_uid("tarjotin_courses*"));
        assert_ne!(a, key_uid("other*"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
