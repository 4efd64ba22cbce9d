//! API keys: created, listed, revoked, and checked on every authenticated
//! request. Only the SHA-256 of a key is stored.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr,
};

use super::write::{invalid, journal};
use super::{Store, StoreError, WriteError};
use crate::domain::credentials::{ApiToken, CredentialError};
use crate::domain::error_codes::*;
use crate::domain::{Actor, Caller, Role};
use entity::api_key;

/// A stored key (its hash, never the key).
pub type KeyRow = api_key::Model;

/// Last use is written at most this often per key, not on every request.
const LAST_USE_RESOLUTION: Duration = Duration::seconds(60);

/// What a new key is for.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<i32>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The key's own rate limit in cost points per minute (the bucket holds
    /// a minute's worth); `None`: the service's default bucket.
    pub rate_limit: Option<u32>,
}

/// The largest bucket a key may have, in cost points.
pub const MAX_KEY_RATE_LIMIT: u32 = 10_000_000;

/// An authenticated request's identity: who, and the size of its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub caller: Caller,
    /// The key's own bucket size, when it has one.
    pub rate_limit: Option<u32>,
}

/// Why a request's credentials were not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IdentifyError {
    #[error(transparent)]
    Refused(#[from] CredentialError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn entry(row: &KeyRow, operation: journal::Operation, fields: Vec<String>) -> journal::Entry<'_> {
    journal::Entry {
        entity: journal::EntityKind::ApiKey,
        entity_id: row.id,
        external_id: &row.name,
        organisation_id: row.organisation_id,
        operation,
        version: 1,
        changed_fields: fields,
        public_before: false,
        public_after: false,
    }
}

impl Store {
    /// Stores a new key; the name must be unique.
    pub async fn create_key(
        &self,
        key: &NewKey,
        token: &ApiToken,
        actor: &Actor,
    ) -> Result<KeyRow, WriteError> {
        let name = key.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(
                "name",
                REQUIRED,
                "a key needs a name of 1 to 100 characters",
            ));
        }
        if key.role == Role::Partner && key.organisation_id.is_none() {
            return Err(invalid(
                "organisation",
                REQUIRED,
                "a partner key belongs to an organisation",
            ));
        }
        if let Some(limit) = key.rate_limit {
            if !(1..=MAX_KEY_RATE_LIMIT).contains(&limit) {
                return Err(invalid(
                    "rateLimit",
                    OUT_OF_RANGE,
                    format!(
                        "a key's rate limit is 1 to {MAX_KEY_RATE_LIMIT} cost points a minute, not {limit}"
                    ),
                ));
            }
        }
        let tx = super::write::begin(self.db()).await?;
        let inserted = api_key::ActiveModel {
            name: Set(name.to_string()),
            role: Set(key.role.code().to_string()),
            organisation_id: Set(key.organisation_id),
            token_hash: Set(token.hash()),
            token_prefix: Set(token.prefix().to_string()),
            created_at: Set(Utc::now()),
            expires_at: Set(key.expires_at),
            rate_limit: Set(key.rate_limit.map(|l| l as i32)),
            ..Default::default()
        }
        .insert(&tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(invalid(
                    "name",
                    DUPLICATE_ID,
                    format!("a key named {name:?} exists already"),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let mut fields = vec!["name".into(), "role".into(), "organisation".into()];
        if key.rate_limit.is_some() {
            fields.push("rateLimit".into());
        }
        journal::record(&tx, actor, entry(&row, journal::Operation::Created, fields)).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Every key, newest first.
    pub async fn list_keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        Ok(api_key::Entity::find()
            .order_by_desc(api_key::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Every key whose row id or name is `id_or_name` (two keys when a
    /// name is the id of another).
    pub async fn find_key(&self, id_or_name: &str) -> Result<Vec<KeyRow>, StoreError> {
        let mut cond = Condition::any().add(api_key::Column::Name.eq(id_or_name.trim()));
        if let Ok(id) = id_or_name.trim().parse::<i32>() {
            cond = cond.add(api_key::Column::Id.eq(id));
        }
        Ok(api_key::Entity::find()
            .filter(cond)
            .order_by_asc(api_key::Column::Id)
            .all(self.db())
            .await?)
    }

    /// The key with row id `id`, if there is one.
    pub async fn key_by_id(&self, id: i32) -> Result<Option<KeyRow>, StoreError> {
        Ok(api_key::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// The key named `name`, if there is one (names are unique).
    pub async fn key_by_name(&self, name: &str) -> Result<Option<KeyRow>, StoreError> {
        Ok(api_key::Entity::find()
            .filter(api_key::Column::Name.eq(name.trim()))
            .one(self.db())
            .await?)
    }

    /// Revokes a key at once; revoking a revoked key changes nothing.
    pub async fn revoke_key(&self, id: i32, actor: &Actor) -> Result<KeyRow, WriteError> {
        let tx = super::write::begin(self.db()).await?;
        let Some(row) = api_key::Entity::find_by_id(id).one(&tx).await? else {
            return Err(invalid("id", NOT_FOUND, "no such key"));
        };
        if row.revoked_at.is_some() {
            return Ok(row);
        }
        let mut model: api_key::ActiveModel = row.into();
        model.revoked_at = Set(Some(Utc::now()));
        let row = model.update(&tx).await?;
        let fields = vec!["revokedAt".into()];
        journal::record(&tx, actor, entry(&row, journal::Operation::Updated, fields)).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Who an `Authorization` header says the caller is: anonymous without
    /// one; otherwise the key must be well-formed, known, unrevoked and
    /// unexpired at `now`. Never falls back to anonymous.
    pub async fn identify(
        &self,
        header: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Caller, IdentifyError> {
        Ok(self.authenticate(header, now).await?.caller)
    }

    /// [`Store::identify`], with the key's own rate-limit bucket size.
    pub async fn authenticate(
        &self,
        header: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Identity, IdentifyError> {
        let Some(header) = header else {
            return Ok(Identity {
                caller: Caller::Anonymous,
                rate_limit: None,
            });
        };
        let token = ApiToken::from_authorization(header)?;
        let row = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(token.hash()))
            .one(self.db())
            .await
            .map_err(StoreError::from)?
            .ok_or(CredentialError::Unknown)?;
        if row.revoked_at.is_some() {
            return Err(CredentialError::Revoked.into());
        }
        if row.expires_at.is_some_and(|e| e <= now) {
            return Err(CredentialError::Expired.into());
        }
        if row
            .last_used_at
            .is_none_or(|at| at + LAST_USE_RESOLUTION <= now)
        {
            // Conditional, so that concurrent requests write it once.
            let stale = Condition::any()
                .add(api_key::Column::LastUsedAt.is_null())
                .add(api_key::Column::LastUsedAt.lte(now - LAST_USE_RESOLUTION));
            api_key::Entity::update_many()
                .col_expr(api_key::Column::LastUsedAt, Expr::value(Some(now)))
                .filter(api_key::Column::Id.eq(row.id))
                .filter(stale)
                .exec(self.db())
                .await
                .map_err(StoreError::from)?;
        }
        let caller = match (Role::parse(&row.role), row.organisation_id) {
            (Some(Role::Admin), _) => Caller::Admin { key_id: row.id },
            (Some(Role::Partner), Some(organisation_id)) => Caller::Partner {
                key_id: row.id,
                organisation_id,
            },
            _ => {
                return Err(
                    StoreError::Corrupt(format!("key {} has role {:?}", row.id, row.role)).into(),
                )
            }
        };
        Ok(Identity {
            caller,
            rate_limit: row.rate_limit.and_then(|l| u32::try_from(l).ok()),
        })
    }
}
