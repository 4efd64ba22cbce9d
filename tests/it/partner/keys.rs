//! API keys: malformed, unknown, revoked and expired keys are refused with
//! UNAUTHENTICATED and never fall back to anonymous; over real HTTP too.

use std::net::TcpListener;

use serde_json::{json, Value};
use tarjotin_api::domain::credentials::ApiToken;
use tarjotin_api::domain::{Actor, Role};
use tarjotin_api::keys_cli::{self, KeyRequest};
use tarjotin_api::store::NewKey;

use super::fixture::{course_input, load, OWN};
use crate::harness::{on_every_backend, Backend, TestApp};

const WHO: &str = "{ courseByExternalId(externalId: \"urn:test:org:own:course:draft\") { state } }";

#[tokio::test]
async fn a_key_revoked_a_moment_ago_is_refused() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (token, _) = app.key(Role::Partner, Some(OWN)).await;
        let header = format!("Bearer {token}");
        let ok = app.run_with_header(&header, WHO, json!({})).await;
        assert_eq!(ok["data"]["courseByExternalId"]["state"], "DRAFT", "{ok}");
        let (_, admin) = app.key(Role::Admin, None).await;
        let keys = app.data_as(admin, "{ apiKeys { id name prefix role lastUsedAt organisation { externalId } } }", json!({})).await;
        let listed = keys["apiKeys"].as_array().unwrap();
        assert!(!keys.to_string().contains(&token), "keys are never shown again");
        let mine = listed.iter().find(|k| token.starts_with(k["prefix"].as_str().unwrap())).unwrap();
        assert!(mine["lastUsedAt"].is_string(), "last use is recorded: {mine}");
        let revoked = app
            .data_as(admin, "mutation($k: ID!) { revokeApiKey(id: $k) { apiKey { revokedAt } userErrors { code } } }", json!({"k": mine["id"]}))
            .await;
        assert!(revoked["revokeApiKey"]["apiKey"]["revokedAt"].is_string(), "{revoked}");
        let refused = app.run_with_header(&header, WHO, json!({})).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{refused}");
        assert!(refused["data"].is_null());
    })
    .await;
}

#[tokio::test]
async fn malformed_unknown_and_expired_keys_are_unauthenticated() {
    on_every_backend(|app| async move {
        load(&app).await;
        let org = app
            .store
            .organisations_by_external_ids(&[OWN.to_string()])
            .await
            .unwrap()
            .remove(OWN)
            .unwrap();
        let expired = ApiToken::generate().unwrap();
        let new = NewKey {
            name: "old".into(),
            role: Role::Partner,
            organisation_id: Some(org.id),
            expires_at: Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
            rate_limit: None,
        };
        app.store
            .create_key(&new, &expired, &Actor::cli())
            .await
            .unwrap();
        let unknown = ApiToken::generate().unwrap();
        for header in [
            "Bearer".to_string(),
            "Basic dXNlcjpwYXNz".to_string(),
            "Bearer trj_tooshort".to_string(),
            format!("Bearer {}", unknown.expose()),
            format!("Bearer {}", expired.expose()),
        ] {
            let refused = app.run_with_header(&header, WHO, json!({})).await;
            assert_eq!(
                refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{header}: {refused}"
            );
        }
    })
    .await;
}

async fn serve(app: &TestApp) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let running = tarjotin_api::http::start(
        listener,
        app.schema.clone(),
        app.store.clone(),
        app.search.clone(),
    )
    .unwrap();
    tokio::spawn(running.server);
    format!("http://{}/graphql", running.addr)
}

#[tokio::test]
async fn over_http_the_authorization_header_decides_who_writes() {
    let app = TestApp::new(&Backend::Sqlite).await;
    load(&app).await;
    let url = serve(&app).await;
    let (token, _) = app.key(Role::Partner, Some(OWN)).await;
    let client = reqwest::Client::new();
    let mutation = json!({"query": "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { created } }",
                          "variables": {"i": [course_input(OWN, "urn:test:http")]}});
    let anonymous: Value = client
        .post(&url)
        .json(&mutation)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{anonymous}"
    );
    let response = client
        .post(&url)
        .bearer_auth(&token)
        .json(&mutation)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["upsertCourses"]["created"], 1, "{body}");
    let bad = client
        .post(&url)
        .header("authorization", "Bearer trj_nope")
        .json(&mutation)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.headers()["www-authenticate"], "Bearer");
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let get = client
        .get(&url)
        .query(&[("query", WHO)])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body: Value = get.json().await.unwrap();
    assert_eq!(
        body["data"]["courseByExternalId"]["state"], "DRAFT",
        "{body}"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_command_line_creates_lists_and_revokes_keys_without_showing_them_again() {
    on_every_backend(|app| async move {
        load(&app).await;
        let created = keys_cli::create(
            &app.store,
            KeyRequest {
                organisation: Some(OWN),
                role: "partner",
                name: Some("own-sync".into()),
                expires: Some("2099-12-31"),
                rate_limit: Some(5000),
            },
        )
        .await
        .unwrap();
        assert!(created.contains("rate limit 5000 points"), "{created}");
        let token = created.lines().nth(1).unwrap().to_string();
        assert!(token.starts_with("trj_"), "{created}");
        let list = tarjotin_api::keys_cli::list(&app.store).await.unwrap();
        assert!(
            list.contains("own-sync")
                && list.contains(OWN)
                && list.contains("2099-12-31")
                && list.contains("5000"),
            "{list}"
        );
        assert!(!list.contains(&token));
        let refused = |request: KeyRequest<'static>| {
            let store = app.store.clone();
            async move {
                keys_cli::create(&store, request)
                    .await
                    .unwrap_err()
                    .to_string()
            }
        };
        let partner = KeyRequest {
            organisation: Some(OWN),
            role: "partner",
            ..Default::default()
        };
        assert!(refused(KeyRequest {
            organisation: None,
            ..partner
        })
        .await
        .contains("--organisation"));
        assert!(refused(KeyRequest {
            role: "boss",
            organisation: Some(OWN),
            ..Default::default()
        })
        .await
        .contains("--role"));
        assert!(refused(KeyRequest {
            expires: Some("2001-01-01"),
            organisation: Some(OWN),
            role: "partner",
            ..Default::default()
        })
        .await
        .contains("--expires"));
        assert!(refused(KeyRequest {
            rate_limit: Some(0),
            organisation: Some(OWN),
            role: "partner",
            ..Default::default()
        })
        .await
        .contains("--rate-limit"));
        let revoked = tarjotin_api::keys_cli::revoke(
            &app.store,
            tarjotin_api::keys_cli::KeyChoice::IdOrName("own-sync"),
        )
        .await
        .unwrap();
        assert!(revoked.contains("revoked"), "{revoked}");
        let refused = app
            .run_with_header(&format!("Bearer {token}"), WHO, json!({}))
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            "UNAUTHENTICATED"
        );
    })
    .await;
}

#[tokio::test]
async fn revoking_a_text_that_is_one_keys_id_and_another_keys_name_is_refused() {
    use tarjotin_api::keys_cli::{create, revoke, KeyChoice, KeyRequest};
    on_every_backend(|app| async move {
        load(&app).await;
        let made = |name: String| KeyRequest {
            organisation: Some(OWN),
            role: "partner",
            name: Some(name),
            ..Default::default()
        };
        create(&app.store, made("first".into())).await.unwrap();
        let first = app.store.key_by_name("first").await.unwrap().unwrap();
        // A second key named by the first one's id.
        let clash = first.id.to_string();
        let clash = clash.as_str();
        create(&app.store, made(clash.to_string())).await.unwrap();
        let e = revoke(&app.store, KeyChoice::IdOrName(clash))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("--id") && e.contains("--name"), "{e}");
        let row = app.store.key_by_id(first.id).await.unwrap().unwrap();
        assert!(row.revoked_at.is_none(), "nothing was revoked");
        revoke(&app.store, KeyChoice::Name(clash)).await.unwrap();
        let named = app.store.key_by_name(clash).await.unwrap().unwrap();
        assert!(named.revoked_at.is_some());
        let row = app.store.key_by_id(first.id).await.unwrap().unwrap();
        assert!(
            row.revoked_at.is_none(),
            "the key with that id is not revoked"
        );
        revoke(&app.store, KeyChoice::Id(first.id)).await.unwrap();
        assert!(app
            .store
            .key_by_id(first.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some());
    })
    .await;
}
