//! Relay pagination in both directions.

use serde_json::{json, Value};

use super::harness::{on_every_demo, TestApp};

const FORWARD: &str = r#"query($first: Int, $after: String) {
  courses(first: $first, after: $after) {
    totalCount
    edges { cursor node { externalId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

const BACKWARD: &str = r#"query($last: Int, $before: String) {
  courses(last: $last, before: $before) {
    edges { cursor node { externalId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

fn ids(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["externalId"].as_str().unwrap().to_string())
        .collect()
}

async fn walk_forward(app: &TestApp, size: i64) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    let mut first_page = true;
    loop {
        let data = app
            .data(FORWARD, json!({"first": size, "after": after}))
            .await;
        let page = &data["courses"];
        assert_eq!(page["pageInfo"]["hasPreviousPage"], json!(!first_page));
        first_page = false;
        all.extend(ids(page));
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return all;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn paging_forward_and_backward_visits_every_course_once_in_the_same_order() {
    on_every_demo(|app| async move {
        let everything = walk_forward(&app, 100).await;
        let total = app.data(FORWARD, json!({"first": 1})).await["courses"]["totalCount"]
            .as_u64()
            .unwrap();
        assert_eq!(everything.len() as u64, total);
        let mut unique = everything.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), everything.len(), "a course appeared twice");
        assert_eq!(walk_forward(&app, 37).await, everything);

        let mut backward = Vec::new();
        let mut before = Value::Null;
        let mut last_page = true;
        loop {
            let data = app
                .data(BACKWARD, json!({"last": 45, "before": before}))
                .await;
            let page = &data["courses"];
            assert_eq!(page["pageInfo"]["hasNextPage"], json!(!last_page));
            last_page = false;
            let mut chunk = ids(page);
            chunk.extend(backward);
            backward = chunk;
            if !page["pageInfo"]["hasPreviousPage"].as_bool().unwrap() {
                break;
            }
            before = page["pageInfo"]["startCursor"].clone();
        }
        assert_eq!(backward, everything);
    })
    .await;
}

#[tokio::test]
async fn cursors_round_trip_between_directions() {
    on_every_demo(|app| async move {
        let data = app.data(FORWARD, json!({"first": 10})).await;
        let edges = data["courses"]["edges"].as_array().unwrap().clone();
        let fifth = edges[4]["cursor"].clone();
        let after = app.data(FORWARD, json!({"first": 3, "after": fifth})).await;
        assert_eq!(ids(&after["courses"]), ids(&data["courses"])[5..8].to_vec());
        let before = app
            .data(BACKWARD, json!({"last": 2, "before": fifth}))
            .await;
        assert_eq!(
            ids(&before["courses"]),
            ids(&data["courses"])[2..4].to_vec()
        );
    })
    .await;
}

#[tokio::test]
async fn page_sizes_default_to_twenty_and_over_a_hundred_is_an_error() {
    on_every_demo(|app| async move {
        let data = app
            .data("{ courses { nodes { externalId } } }", json!({}))
            .await;
        assert_eq!(data["courses"]["nodes"].as_array().unwrap().len(), 20);
        let error = app
            .error("{ courses(first: 101) { totalCount } }", json!({}))
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "first");
        let error = app
            .error("{ courses(last: 1000) { totalCount } }", json!({}))
            .await;
        assert_eq!(error["extensions"]["field"], "last");
        let error = app
            .error(
                r#"{ courses(first: 5, after: "garbage") { totalCount } }"#,
                json!({}),
            )
            .await;
        assert_eq!(error["extensions"]["code"], "INVALID_CURSOR");
    })
    .await;
}

#[tokio::test]
async fn ordering_by_name_start_date_and_update_is_total_and_stable() {
    on_every_demo(|app| async move {
        let query = r#"query($order: CourseOrder) {
          courses(first: 100, orderBy: $order) { nodes { externalId name instances(first: 10) { nodes { startDate } } } }
        }"#;
        let data = app.data(query, json!({"order": {"field": "NAME"}})).await;
        let names: Vec<String> = data["courses"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_lowercase())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);

        let data = app.data(query, json!({"order": {"field": "START_DATE", "direction": "ASC"}})).await;
        let starts: Vec<String> = data["courses"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                n["instances"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|i| i["startDate"].as_str())
                    .min()
                    .unwrap_or("9999")
                    .to_string()
            })
            .collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted);

        let data = app.data(query, json!({"order": {"field": "UPDATED_AT", "direction": "DESC"}})).await;
        assert_eq!(data["courses"]["nodes"].as_array().unwrap().len(), 100);
    })
    .await;
}
