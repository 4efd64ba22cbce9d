//! API keys through the API (administrators only).

use crate::graphql::scalars::Timestamp;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};

use super::inputs::organisation_key;
use super::mutation::admin;
use super::paths::InputKind;
use super::payloads::{refusal, UserError};
use crate::domain::credentials::ApiToken;
use crate::domain::error_codes::*;
use crate::domain::{Actor, FieldError, Role};
use crate::graphql::context::{now, store};
use crate::graphql::errors::{internal, OrInternal};
use crate::graphql::ids::{decode_as, encode, NodeKind};
use crate::graphql::loaders::OrganisationId;
use crate::graphql::types::Organisation;
use crate::store::{KeyRow, NewKey};

/// What a key may do.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "crate::domain::Role")]
pub enum ApiKeyRole {
    /// Its own organisation's courses, instances, locations and services.
    Partner,
    /// Everything, organisations and keys included.
    Admin,
}

/// An API key; the key itself is never shown after it was created.
#[derive(Clone, Debug)]
pub struct ApiKey(pub KeyRow);

#[Object]
impl ApiKey {
    /// The opaque global id.
    async fn id(&self) -> ID {
        encode(NodeKind::ApiKey, self.0.id)
    }
    /// A unique name, e.g. the partner system it is for.
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> async_graphql::Result<ApiKeyRole> {
        Role::parse(&self.0.role)
            .map(Into::into)
            .ok_or_else(|| internal(format!("key {}: role {:?}", self.0.id, self.0.role)))
    }
    /// The organisation a partner key belongs to.
    async fn organisation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organisation>> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        let loader = crate::graphql::context::loader(ctx);
        Ok(loader
            .load_one(OrganisationId(id))
            .await
            .or_internal()?
            .map(Organisation))
    }
    /// The first characters of the key, to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.token_prefix
    }
    async fn created_at(&self) -> Timestamp {
        self.0.created_at.into()
    }
    async fn expires_at(&self) -> Option<Timestamp> {
        self.0.expires_at.map(Timestamp)
    }
    /// When the key was last used, to the minute.
    async fn last_used_at(&self) -> Option<Timestamp> {
        self.0.last_used_at.map(Timestamp)
    }
    async fn revoked_at(&self) -> Option<Timestamp> {
        self.0.revoked_at.map(Timestamp)
    }
    /// The key's own rate limit in cost points per minute (its bucket holds
    /// that many and refills that many a minute); empty: the service's
    /// default bucket.
    async fn rate_limit(&self) -> Option<i32> {
        self.0.rate_limit
    }
    /// Neither revoked nor expired.
    async fn active(&self, ctx: &Context<'_>) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at.is_none_or(|e| e > now(ctx))
    }
}

/// A new key.
#[derive(InputObject, Debug, Clone)]
pub struct CreateApiKeyInput {
    /// A unique name, e.g. `ekami-sync`.
    pub name: String,
    pub role: ApiKeyRole,
    /// The organisation of a partner key, by global or external id.
    pub organisation: Option<ID>,
    /// When the key stops working.
    pub expires_at: Option<Timestamp>,
    /// The key's own rate limit in cost points per minute (1 to
    /// 10,000,000): its bucket holds that many and refills that many a
    /// minute. A request costing more than the limit is refused with
    /// `QUERY_COST_ABOVE_LIMIT`. Empty: the service's default bucket.
    pub rate_limit: Option<i32>,
}

/// The answer of `createApiKey`.
#[derive(SimpleObject, Clone, Debug)]
pub struct CreateApiKeyPayload {
    /// The key: shown only here, store it now.
    pub key: Option<String>,
    pub api_key: Option<ApiKey>,
    pub user_errors: Vec<UserError>,
}

/// The answer of `revokeApiKey`.
#[derive(SimpleObject, Clone, Debug)]
pub struct RevokeApiKeyPayload {
    pub api_key: Option<ApiKey>,
    pub user_errors: Vec<UserError>,
}

fn failed(errors: Vec<FieldError>) -> CreateApiKeyPayload {
    CreateApiKeyPayload {
        key: None,
        api_key: None,
        user_errors: UserError::all(&["input"], InputKind::Course, errors),
    }
}

/// Creates a key.
pub async fn create(
    ctx: &Context<'_>,
    input: CreateApiKeyInput,
) -> async_graphql::Result<CreateApiKeyPayload> {
    let who = admin(ctx)?;
    let store = store(ctx);
    let organisation_id = match &input.organisation {
        None => None,
        Some(id) => {
            let key = match organisation_key(ctx, id, "organisation").await? {
                Ok(k) => k,
                Err(e) => return Ok(failed(vec![e])),
            };
            match store
                .organisations_by_external_ids(std::slice::from_ref(&key))
                .await
                .or_internal()?
                .remove(&key)
            {
                Some(org) => Some(org.id),
                None => {
                    return Ok(failed(vec![FieldError::new(
                        "organisation",
                        UNKNOWN_ORGANISATION,
                        format!("no organisation has the id {key:?}"),
                    )]))
                }
            }
        }
    };
    if input.expires_at.is_some_and(|e| e.0 <= now(ctx)) {
        return Ok(failed(vec![FieldError::new(
            "expiresAt",
            OUT_OF_RANGE,
            "a new key must expire in the future",
        )]));
    }
    let rate_limit = match input.rate_limit.map(u32::try_from).transpose() {
        Ok(limit) => limit,
        Err(_) => {
            return Ok(failed(vec![FieldError::new(
                "rateLimit",
                OUT_OF_RANGE,
                "a rate limit is a positive number of cost points",
            )]))
        }
    };
    let token = ApiToken::generate().map_err(internal)?;
    let new = NewKey {
        name: input.name.clone(),
        role: input.role.into(),
        organisation_id,
        expires_at: input.expires_at.map(|t| t.0),
        rate_limit,
    };
    match store.create_key(&new, &token, &Actor::of(who)).await {
        Ok(row) => Ok(CreateApiKeyPayload {
            key: Some(token.expose().to_string()),
            api_key: Some(ApiKey(row)),
            user_errors: Vec::new(),
        }),
        Err(e) => Ok(CreateApiKeyPayload {
            key: None,
            api_key: None,
            user_errors: refusal(ctx, &["input"], InputKind::Course, e)?,
        }),
    }
}

/// Revokes a key by global id or name.
pub async fn revoke(ctx: &Context<'_>, id: ID) -> async_graphql::Result<RevokeApiKeyPayload> {
    let who = admin(ctx)?;
    let store = store(ctx);
    let found = match decode_as("id", &id, NodeKind::ApiKey) {
        Ok(row) => store.key_by_id(row).await.or_internal()?,
        // Not a global id: a name, never a row id (those travel as global ids).
        Err(_) => store.key_by_name(&id).await.or_internal()?,
    };
    let Some(key) = found else {
        return Ok(RevokeApiKeyPayload {
            api_key: None,
            user_errors: vec![UserError {
                field: Some(vec!["id".into()]),
                code: NOT_FOUND.into(),
                message: "no key has this id or name".into(),
            }],
        });
    };
    match store.revoke_key(key.id, &Actor::of(who)).await {
        Ok(row) => Ok(RevokeApiKeyPayload {
            api_key: Some(ApiKey(row)),
            user_errors: Vec::new(),
        }),
        Err(e) => Ok(RevokeApiKeyPayload {
            api_key: None,
            user_errors: refusal(ctx, &[], InputKind::Course, e)?,
        }),
    }
}
