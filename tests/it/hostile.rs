//! Hostile input over HTTP: each case gets a clear 4xx or GraphQL error, never
//! a 5xx, never a crash, never a changed row — on every database.

use std::time::Duration;

use serde_json::{json, Value};
use tarjotin_api::http::HttpOptions;

use super::harness::{Backend, TestApp};
use super::server::{client, send, Server, GQL};

/// Strings that try to break out of SQL, engine filters, paths or templates.
const INJECTIONS: &[&str] = &[
    "' OR '1'='1",
    "'; DROP TABLE course; --",
    "\"; DELETE FROM course_instance; --",
    "1) OR (1=1",
    "285' UNION SELECT password FROM pg_shadow --",
    "%' OR '%'='",
    "\\",
    "municipality = \"285\" OR id > 0",
    "\" OR _geoRadius(60, 26, 1000000) OR \"",
    "NOT published",
    "*",
    "../../../../etc/passwd",
    "${jndi:ldap://127.0.0.1/a}",
    "<script>alert(1)</script>",
    "\u{202e}lähihoitaja\u{0301}",
];

async fn servers() -> Vec<Server> {
    let mut out = Vec::new();
    for backend in Backend::all() {
        let app = TestApp::new(&backend).await.with_demo().await;
        let options = HttpOptions {
            limiter: None,
            ..HttpOptions::default()
        };
        out.push(Server::over(app, options));
    }
    out
}

fn bounded() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Posts `body`; the answer must be a 2xx or 4xx with coded errors and no
/// internal error.
async fn answered(server: &Server, what: &str, request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(
        status < 500,
        "[{}] {what}: {status} {text}",
        server.app.backend
    );
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if let Some(errors) = body["errors"].as_array() {
        for e in errors {
            let code = e["extensions"]["code"].as_str().unwrap_or("");
            assert!(
                !code.is_empty() && code != "INTERNAL_SERVER_ERROR",
                "[{}] {what}: {e}",
                server.app.backend
            );
        }
    }
    (status, body)
}

fn post(server: &Server, body: &Value) -> reqwest::RequestBuilder {
    bounded()
        .post(server.url("/graphql"))
        .header("accept", GQL)
        .json(body)
}

fn first_code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn structural_bombs_are_refused_with_their_own_codes() {
    for server in servers().await {
        let before = server.app.store.census().await.unwrap();
        let depth_bomb = "{ a".repeat(50_000) + &"}".repeat(50_000);
        let fields_bomb = "{ regions { ".to_string()
            + &"municipalities { region { ".repeat(8)
            + "code"
            + &" } }".repeat(8)
            + " } }";
        let aliases: String = (0..1000)
            .map(|i| format!("a{i}: regions {{ code }} "))
            .collect();
        let cycle = "{ courses { nodes { ...A } } } fragment A on Course { provider { ...B } } fragment B on Organisation { courses { nodes { ...A } } }";
        let mut fanout = String::from("{ ...F0 }\n");
        for i in 0..30 {
            fanout += &format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1);
        }
        fanout += "fragment F30 on Query { regions { code } }";
        let nested_list = format!(
            "{{ courses(filter: {{ municipalities: {}\"285\"{} }}) {{ totalCount }} }}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let directives: String = (0..2000).map(|_| "@include(if: true) ").collect();
        for (what, query, code) in [
            ("a depth bomb", depth_bomb.as_str(), "QUERY_TOO_DEEP"),
            ("fields 18 deep", fields_bomb.as_str(), "QUERY_TOO_DEEP"),
            (
                "1,000 aliases",
                &format!("{{ {aliases} }}"),
                "TOO_MANY_ALIASES",
            ),
            ("a fragment cycle", cycle, "GRAPHQL_VALIDATION_FAILED"),
            ("2^30 fragment spreads", fanout.as_str(), "TOO_MANY_FIELDS"),
            (
                "lists nested 10,000 deep",
                nested_list.as_str(),
                "QUERY_TOO_DEEP",
            ),
            (
                "2,000 directives",
                &format!("{{ __typename {directives} }}"),
                "TOO_MANY_DIRECTIVES",
            ),
            (
                "a connection costing 10x the maximum",
                "{ courses(first: 100) { nodes { instances(first: 100) { nodes { id } } } } }",
                "QUERY_TOO_COMPLEX",
            ),
        ] {
            let (status, body) =
                answered(&server, what, post(&server, &json!({ "query": query }))).await;
            assert_eq!(status, 400, "{what}: {body}");
            assert_eq!(first_code(&body), code, "{what}: {body}");
        }
        assert_eq!(server.app.store.census().await.unwrap(), before);
    }
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused() {
    for server in servers().await {
        let before = server.app.store.census().await.unwrap();
        let megabyte = format!("{{ {} }}", "__typename ".repeat(100_000));
        let huge_string = "x".repeat(200_000);
        let many_codes: Vec<String> = (0..20_000).map(|i| format!("{i:03}")).collect();
        let deep_json = "[".repeat(5_000) + &"]".repeat(5_000);
        let raw = |body: Vec<u8>| {
            bounded()
                .post(server.url("/graphql"))
                .header("content-type", "application/json")
                .header("accept", GQL)
                .body(body)
        };
        let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
            (
                "a 1 MB query",
                post(&server, &json!({ "query": megabyte })),
                413,
            ),
            (
                "invalid UTF-8",
                raw(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']),
                400,
            ),
            (
                "invalid UTF-8 inside the query",
                raw(b"{\"query\": \"{ regions(\xc3\x28) }\"}".to_vec()),
                400,
            ),
            (
                "JSON nested 5,000 deep",
                raw(format!(
                    "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"v\": {deep_json}}}}}"
                )
                .into_bytes()),
                400,
            ),
            (
                "a 200 kB search string",
                post(
                    &server,
                    &json!({ "query": "query($q: String) { search(query: $q) { totalCount } }", "variables": { "q": huge_string } }),
                ),
                200,
            ),
            (
                "20,000 municipality codes",
                post(
                    &server,
                    &json!({ "query": "query($m: [String!]) { courses(filter: { municipalities: $m }) { totalCount } }", "variables": { "m": many_codes } }),
                ),
                200,
            ),
            (
                "a NUL character",
                post(
                    &server,
                    &json!({ "query": "query($x: String!) { courseByExternalId(externalId: $x) { id } }", "variables": { "x": "a\u{0000}b" } }),
                ),
                400,
            ),
            (
                "an escaped NUL in the document",
                post(
                    &server,
                    &json!({ "query": "{ courseByExternalId(externalId: \"a\\u0000b\") { id } }" }),
                ),
                400,
            ),
        ];
        for (what, request, status) in cases {
            let (got, body) = answered(&server, what, request).await;
            assert_eq!(got, status, "{what}: {body}");
            assert!(body["errors"].is_array(), "{what}: {body}");
        }
        let (status, _) = answered(
            &server,
            "invalid UTF-8 over GET",
            client().get(server.url("/graphql?query=%7B%20regions%28%FF%29%20%7D")),
        )
        .await;
        assert!(status == 200 || status == 400);
        assert_eq!(server.app.store.census().await.unwrap(), before);
    }
}

/// Every string argument of the query root, and every string field of its
/// input objects, from the schema itself.
async fn string_arguments(server: &Server) -> Vec<(String, String)> {
    let q = "{ __schema { queryType { fields { name args { name type { ...T } } type { ...T } } }
        types { name kind inputFields { name type { ...T } } } } }
        fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
    let (_, body) = answered(
        server,
        "introspection",
        post(server, &json!({ "query": q })),
    )
    .await;
    let named = |t: &Value| -> (String, String, bool) {
        let mut t = t;
        let mut list = false;
        while t["ofType"].is_object() {
            list |= t["kind"] == "LIST";
            t = &t["ofType"];
        }
        (
            t["name"].as_str().unwrap().to_string(),
            t["kind"].as_str().unwrap().to_string(),
            list,
        )
    };
    let types = body["data"]["__schema"]["types"]
        .as_array()
        .unwrap()
        .clone();
    let mut out = Vec::new();
    for field in body["data"]["__schema"]["queryType"]["fields"]
        .as_array()
        .unwrap()
    {
        let name = field["name"].as_str().unwrap();
        let (_, kind, _) = named(&field["type"]);
        let selection = if kind == "OBJECT" || kind == "INTERFACE" {
            " { __typename }"
        } else {
            ""
        };
        for arg in field["args"].as_array().unwrap() {
            let arg_name = arg["name"].as_str().unwrap();
            let (ty, kind, list) = named(&arg["type"]);
            let wrap = |v: &str, list: bool| {
                if list {
                    format!("[{v}]")
                } else {
                    v.to_string()
                }
            };
            if ty == "String" || ty == "ID" {
                out.push((
                    format!("{name}({arg_name})"),
                    format!(
                        "query($v: {ty}!) {{ {name}({arg_name}: {}){selection} }}",
                        wrap("$v", list)
                    ),
                ));
            } else if kind == "INPUT_OBJECT" {
                let input = types.iter().find(|t| t["name"] == ty.as_str()).unwrap();
                for f in input["inputFields"].as_array().unwrap() {
                    let (fty, _, flist) = named(&f["type"]);
                    if fty == "String" || fty == "ID" {
                        let fname = f["name"].as_str().unwrap();
                        out.push((
                            format!("{name}({arg_name}.{fname})"),
                            format!(
                                "query($v: {fty}!) {{ {name}({arg_name}: {{ {fname}: {} }}){selection} }}",
                                wrap("$v", flist)
                            ),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn injection_strings_in_every_string_argument_change_nothing() {
    for server in servers().await {
        let before = server.app.store.census().await.unwrap();
        let arguments = string_arguments(&server).await;
        assert!(arguments.len() >= 20, "{arguments:?}");
        for (what, query) in &arguments {
            for payload in INJECTIONS {
                let body = json!({ "query": query, "variables": { "v": payload } });
                let (status, answer) = answered(
                    &server,
                    &format!("{what} = {payload:?}"),
                    post(&server, &body),
                )
                .await;
                assert!(
                    status == 200 || status == 400,
                    "{what} {payload:?}: {status} {answer}"
                );
            }
        }
        let after = server.app.store.census().await.unwrap();
        assert_eq!(after, before, "[{}] rows changed", server.app.backend);
        let (_, body) = answered(
            &server,
            "count",
            post(&server, &json!({ "query": "{ courses { totalCount } }" })),
        )
        .await;
        assert_eq!(body["data"]["courses"]["totalCount"], 324);
    }
}

#[tokio::test]
async fn hostile_get_requests_are_refused_the_same_way() {
    for server in servers().await {
        let long = "a".repeat(20_000);
        for (what, query) in [
            ("a depth bomb", "{ a".repeat(5_000) + &"}".repeat(5_000)),
            ("a long name", format!("{{ {long} }}")),
        ] {
            let request = client()
                .get(server.url("/graphql"))
                .query(&[("query", query.as_str())])
                .header("accept", GQL);
            let (status, _, body) = send(request).await;
            assert!((400..500).contains(&status), "{what}: {status} {body}");
        }
    }
}
