//! Nested reads are batched: the statement count does not grow with the page.

use serde_json::json;

use super::harness::on_every_demo;

const NESTED: &str = r#"query($first: Int) {
  courses(first: $first) {
    totalCount
    nodes {
      externalId
      provider { externalId name locations { name } }
      funder { externalId }
      instances(first: 10) { nodes { externalId location { name organisation { externalId } } course { externalId } } }
    }
  }
}"#;

#[tokio::test]
async fn a_page_of_fifty_courses_costs_as_many_statements_as_a_page_of_five() {
    on_every_demo(|app| async move {
        app.take_statement_count();
        let small = app.data(NESTED, json!({"first": 5})).await;
        let five = app.take_statement_count();
        let large = app.data(NESTED, json!({"first": 50})).await;
        let fifty = app.take_statement_count();
        assert_eq!(small["courses"]["nodes"].as_array().unwrap().len(), 5);
        assert_eq!(large["courses"]["nodes"].as_array().unwrap().len(), 50);
        println!(
            "[{}] statements: page of 5 = {five}, page of 50 = {fifty}",
            app.backend
        );
        assert_eq!(
            five, fifty,
            "[{}] statements grew with the page size",
            app.backend
        );
        assert!(
            five <= 10,
            "[{}] {five} statements for one page",
            app.backend
        );
    })
    .await;
}
