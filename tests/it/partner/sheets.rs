//! CSV sheets: the template imports as it is, from the command line and
//! through the API, and every error names its row and column.

use serde_json::json;
use tarjotin_api::domain::Role;
use tarjotin_api::importer::{import_paths, Silent};
use tarjotin_api::ingest::RecordKind;

use crate::harness::on_every_demo;

fn template() -> std::path::PathBuf {
    format!("{}/data/templates/courses.csv", env!("CARGO_MANIFEST_DIR")).into()
}

#[tokio::test]
async fn the_template_sheet_imports_from_the_command_line_and_again_changes_nothing() {
    on_every_demo(|app| async move {
        let first = import_paths(&app.store, &[template()], false, &Silent).await.unwrap();
        assert_eq!(first.exit_code(), 0, "{first}");
        assert_eq!(first.counts_of(RecordKind::Course).created, 2, "{first}");
        let second = import_paths(&app.store, &[template()], false, &Silent).await.unwrap();
        assert_eq!(second.counts_of(RecordKind::Course).unchanged, 2, "{second}");
        let data = app
            .data("{ courseByExternalId(externalId: \"urn:kymi:course:kotkan-ko:espanja-1\") { state instances { nodes { externalId online municipality { code } price } } } }", json!({}))
            .await;
        let instances = &data["courseByExternalId"]["instances"]["nodes"];
        assert_eq!(instances.as_array().unwrap().len(), 2);
        assert_eq!(instances[1]["online"], true);
        assert_eq!(instances[0]["municipality"]["code"], "285");
    })
    .await;
}

#[tokio::test]
async fn sheet_errors_name_the_row_and_column_through_the_api() {
    on_every_demo(|app| async move {
        let (_, partner) = app.key(Role::Partner, Some("urn:kymi:org:kotkan-ko")).await;
        let header = std::fs::read_to_string(template()).unwrap().lines().next().unwrap().to_string();
        let columns: Vec<&str> = header.split(',').collect();
        let row = |values: &[(&str, &str)]| {
            columns
                .iter()
                .map(|c| values.iter().find(|(k, _)| k == c).map(|(_, v)| v.to_string()).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",")
        };
        let base = [("course_id", "urn:t:1"), ("provider_id", "urn:kymi:org:kotkan-ko"), ("name_fi", "Kurssi"), ("description_fi", "Kuvaus"), ("instance_id", "urn:t:1:a"), ("municipality", "285")];
        let mut bad_mode = base.to_vec();
        bad_mode[4] = ("instance_id", "urn:t:1:b");
        bad_mode.push(("teaching_modes", "telepathy"));
        bad_mode.push(("funding", "lahjoitus"));
        let other = [("course_id", "urn:t:2"), ("provider_id", "urn:kymi:org:ekami"), ("name_fi", "Vieras"), ("description_fi", "Kuvaus"), ("instance_id", "urn:t:2:a"), ("municipality", "285")];
        let mut dates = base.to_vec();
        dates[0] = ("course_id", "urn:t:3");
        dates[4] = ("instance_id", "urn:t:3:a");
        dates.push(("start_date", "2027-02-01"));
        dates.push(("end_date", "2027-01-01"));
        let sheet = [header.clone(), row(&base), row(&bad_mode), row(&other), row(&dates)].join("\n");
        let data = app
            .data_as(partner, "mutation($d: String!) { importFeed(format: CSV, data: $d) { courses { created rejected } rejections { line externalId errors { field code } } report } }", json!({"d": sheet}))
            .await;
        let report = &data["importFeed"];
        assert_eq!(report["courses"]["rejected"], 3, "{report}");
        let has = |line: i64, column: &str, code: &str| {
            report["rejections"].as_array().unwrap().iter().any(|r| {
                r["line"] == line && r["errors"].as_array().unwrap().iter().any(|e| e["field"] == json!([column]) && e["code"] == code)
            })
        };
        assert!(has(3, "teaching_modes", "UNKNOWN_CODE"), "{report}");
        assert!(has(3, "funding", "UNKNOWN_CODE"), "{report}");
        assert!(has(4, "provider_id", "FORBIDDEN"), "{report}");
        assert!(has(5, "end_date", "END_BEFORE_START"), "{report}");
        assert!(report["report"].as_str().unwrap().contains("feed.csv:5: end_date:"), "{report}");
        let broken = app
            .data_as(partner, "mutation { importFeed(format: CSV, data: \"course_id,colour\\nx,red\") { rejections { line errors { field code } } } }", json!({}))
            .await;
        assert_eq!(broken["importFeed"]["rejections"][0]["errors"][0]["code"], "INVALID_HEADER");
    })
    .await;
}
