//! `tarjotin keys`: create, list and revoke API keys from the command line.

use anyhow::{bail, Context as _};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::domain::credentials::ApiToken;
use crate::domain::{Actor, Role};
use crate::store::{NewKey, Store, WriteError};

/// The end of `--expires`: a date (the key works through that day, Finnish
/// time) or an RFC 3339 moment.
pub fn parse_expiry(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(moment) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(moment.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").with_context(|| {
        format!("--expires {text:?}: expected a date YYYY-MM-DD or an RFC 3339 time")
    })?;
    let next = day
        .succ_opt()
        .context("--expires: the date is out of range")?;
    let midnight = next.and_hms_opt(0, 0, 0).context("midnight exists")?;
    chrono_tz::Europe::Helsinki
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .context("--expires: no such local time in Finland")
}

/// The options of `tarjotin keys create`.
#[derive(Debug, Default)]
pub struct KeyRequest<'a> {
    pub organisation: Option<&'a str>,
    pub role: &'a str,
    pub name: Option<String>,
    pub expires: Option<&'a str>,
    pub rate_limit: Option<u32>,
}

/// The command-line flag of a stored field: `rateLimit` → `rate-limit`.
fn flag(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 2);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Creates a key and returns the text to print (the key, once).
pub async fn create(store: &Store, request: KeyRequest<'_>) -> anyhow::Result<String> {
    let KeyRequest {
        organisation,
        role,
        name,
        expires,
        rate_limit,
    } = request;
    let Some(role) = Role::parse(role) else {
        bail!("--role {role:?}: expected partner or admin");
    };
    let org = match organisation {
        Some(external) => {
            let found = store
                .organisations_by_external_ids(&[external.to_string()])
                .await?
                .remove(external);
            match found {
                Some(org) => Some(org),
                None => bail!(
                    "--organisation {external:?}: no organisation has this id; import it first"
                ),
            }
        }
        None if role == Role::Partner => bail!("a partner key needs --organisation <externalId>"),
        None => None,
    };
    let expires_at = expires.map(parse_expiry).transpose()?;
    if expires_at.is_some_and(|e| e <= Utc::now()) {
        bail!("--expires: the key would have expired already");
    }
    let token = ApiToken::generate()
        .map_err(|e| anyhow::anyhow!("the system's random source failed: {e}"))?;
    let name = name.unwrap_or_else(|| {
        let base = org.as_ref().map_or("admin".to_string(), |o| {
            o.external_id
                .rsplit(':')
                .next()
                .unwrap_or("key")
                .to_string()
        });
        format!("{base}-{}", &token.prefix()[4..])
    });
    let new = NewKey {
        name,
        role,
        organisation_id: org.as_ref().map(|o| o.id),
        expires_at,
        rate_limit,
    };
    let row = match store.create_key(&new, &token, &Actor::cli()).await {
        Ok(row) => row,
        Err(WriteError::Invalid(errors)) => bail!(
            "{}",
            errors
                .iter()
                .map(|e| format!("--{}: {}", flag(&e.path), e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Err(WriteError::Store(e)) => return Err(e.into()),
    };
    Ok(format!(
        "created key {} ({}, {}{}{})\n{}\nStore it now: it is not shown again. Send it as `Authorization: Bearer <key>`.\n",
        row.name,
        row.role,
        org.map_or("all organisations".into(), |o| o.external_id),
        row.expires_at.map_or(String::new(), |e| format!(", expires {}", e.to_rfc3339())),
        row.rate_limit.map_or(String::new(), |l| format!(", rate limit {l} points a minute")),
        token.expose()
    ))
}

/// The key list as a table, never the keys.
pub async fn list(store: &Store) -> anyhow::Result<String> {
    let keys = store.list_keys().await?;
    let orgs: Vec<i32> = keys.iter().filter_map(|k| k.organisation_id).collect();
    let orgs = store.organisations_by_ids(&orgs).await?;
    let time = |t: Option<DateTime<Utc>>| {
        t.map_or("-".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
    };
    let mut out = format!(
        "{:<4} {:<24} {:<8} {:<28} {:<16} {:<16} {:<16} {:<16} {:<10} {}\n",
        "id",
        "name",
        "role",
        "organisation",
        "created",
        "expires",
        "last used",
        "revoked",
        "rate limit",
        "prefix"
    );
    for k in &keys {
        let org = k
            .organisation_id
            .and_then(|id| orgs.get(&id))
            .map_or("-".to_string(), |o| o.external_id.clone());
        out.push_str(&format!(
            "{:<4} {:<24} {:<8} {:<28} {:<16} {:<16} {:<16} {:<16} {:<10} {}…\n",
            k.id,
            k.name,
            k.role,
            org,
            time(Some(k.created_at)),
            time(k.expires_at),
            time(k.last_used_at),
            time(k.revoked_at),
            k.rate_limit
                .map_or("default".to_string(), |l| l.to_string()),
            k.token_prefix
        ));
    }
    if keys.is_empty() {
        out.push_str("(no keys)\n");
    }
    Ok(out)
}

/// Which key to revoke.
#[derive(Debug, Clone, Copy)]
pub enum KeyChoice<'a> {
    Id(i32),
    Name(&'a str),
    /// Either; refused when it is one key's id and another's name.
    IdOrName(&'a str),
}

/// Revokes a key; it is refused from the next request on.
pub async fn revoke(store: &Store, which: KeyChoice<'_>) -> anyhow::Result<String> {
    let key = match which {
        KeyChoice::Id(id) => store
            .key_by_id(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no key has the id {id} (see `tarjotin keys list`)"))?,
        KeyChoice::Name(name) => store.key_by_name(name).await?.ok_or_else(|| {
            anyhow::anyhow!("no key has the name {name:?} (see `tarjotin keys list`)")
        })?,
        KeyChoice::IdOrName(text) => {
            let mut found = store.find_key(text).await?;
            match found.len() {
                0 => bail!("no key has the id or name {text:?} (see `tarjotin keys list`)"),
                1 => found.remove(0),
                _ => bail!(
                    "{text:?} is the id of key {} ({}) and the name of key {}; say which with \
                     `--id {text}` or `--name {text}`",
                    found
                        .iter()
                        .find(|k| k.id.to_string() == text.trim())
                        .map_or(0, |k| k.id),
                    found
                        .iter()
                        .find(|k| k.id.to_string() == text.trim())
                        .map_or("", |k| k.name.as_str()),
                    found
                        .iter()
                        .find(|k| k.name == text.trim())
                        .map_or(0, |k| k.id),
                ),
            }
        }
    };
    let was = key.revoked_at.is_some();
    let row = store
        .revoke_key(key.id, &Actor::cli())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(if was {
        format!("key {} ({}) was revoked already\n", row.id, row.name)
    } else {
        format!(
            "revoked key {} ({}); it is refused from now on\n",
            row.id, row.name
        )
    })
}
