//! Every filter of `courses`, checked against an independent reading of the feed.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::harness::{on_every_demo, TestApp};
use super::oracle::{
    self, instances, is_evening, municipalities, strings, with_course, with_instance,
};

const PAGE: &str = r#"query($filter: CourseFilter, $after: String) {
  courses(filter: $filter, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { externalId }
  }
}"#;

/// All course ids the API returns for `filter`, paging through.
async fn ids(app: &TestApp, filter: Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .data(PAGE, json!({ "filter": filter, "after": after }))
            .await;
        let page = &data["courses"];
        for node in page["nodes"].as_array().unwrap() {
            out.insert(node["externalId"].as_str().unwrap().to_string());
        }
        assert!(page["totalCount"].as_u64().unwrap() as usize >= out.len());
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            assert_eq!(page["totalCount"].as_u64().unwrap() as usize, out.len());
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

async fn check(app: &TestApp, filter: Value, expected: BTreeSet<String>) {
    assert!(
        !expected.is_empty(),
        "the oracle found nothing for {filter}; the test would be vacuous"
    );
    let all = oracle::courses().len();
    assert!(
        expected.len() < all,
        "the oracle matched every course for {filter}; the test would be vacuous"
    );
    let got = ids(app, filter.clone()).await;
    assert_eq!(got, expected, "[{}] filter {filter}", app.backend);
}

fn offer<'a>(instance: &'a Value, key: &str) -> &'a Value {
    &instance["offers"][key]
}

#[tokio::test]
async fn every_filter_matches_the_feed() {
    on_every_demo(|app| async move {
        check(
            &app,
            json!({"municipalities": ["285"]}),
            with_instance(|_, i| municipalities(i).contains(&"285".into())),
        )
        .await;
        check(
            &app,
            json!({"municipalities": ["075", "624"]}),
            with_instance(|_, i| municipalities(i).iter().any(|m| m == "075" || m == "624")),
        )
        .await;
        check(
            &app,
            json!({"regions": ["08"]}),
            with_instance(|_, i| !municipalities(i).is_empty()),
        )
        .await;
        check(
            &app,
            json!({"fieldsOfEducation": ["09"]}),
            with_course(|c| {
                oracle::objects(&c["about"])
                    .iter()
                    .any(|a| a["termCode"] == "09")
            }),
        )
        .await;
        check(
            &app,
            json!({"educationTypes": ["VOCATIONAL_QUALIFICATION"]}),
            with_course(|c| c["educationalLevel"] == "perustutkinto"),
        )
        .await;
        check(
            &app,
            json!({"teachingModes": ["ONLINE"]}),
            with_instance(|_, i| strings(&i["courseMode"]).contains(&"online".into())),
        )
        .await;
        check(
            &app,
            json!({"teachingModes": ["WORKPLACE", "BLENDED"]}),
            with_instance(|_, i| {
                let modes = strings(&i["courseMode"]);
                modes.contains(&"workplace".into()) || modes.contains(&"blended".into())
            }),
        )
        .await;
        check(
            &app,
            json!({"languages": ["en"]}),
            with_instance(|c, i| {
                let langs = if i["inLanguage"].is_null() {
                    strings(&c["inLanguage"])
                } else {
                    strings(&i["inLanguage"])
                };
                langs.contains(&"en".into())
            }),
        )
        .await;
        check(
            &app,
            json!({"providers": ["urn:kymi:org:ekami"]}),
            with_course(|c| c["provider"]["@id"] == "urn:kymi:org:ekami"),
        )
        .await;
        check(
            &app,
            json!({"freeOnly": true}),
            with_instance(|_, i| offer(i, "price").as_f64() == Some(0.0)),
        )
        .await;
        check(
            &app,
            json!({"fundingCategories": ["LABOUR_MARKET_TRAINING"]}),
            with_instance(|_, i| offer(i, "category") == "työvoimakoulutus"),
        )
        .await;
        check(
            &app,
            json!({"timesOfDay": ["EVENING"]}),
            with_instance(|_, i| is_evening(i)),
        )
        .await;
        check(
            &app,
            json!({"startsAfter": "2027-01-01"}),
            with_instance(|_, i| i["startDate"].as_str().unwrap() >= "2027-01-01"),
        )
        .await;
        check(
            &app,
            json!({"startsBefore": "2026-09-30"}),
            with_instance(|_, i| i["startDate"].as_str().unwrap() <= "2026-09-30"),
        )
        .await;
        let today = "2026-11-23";
        check(
            &app,
            json!({"applicationOpen": true}),
            with_instance(|_, i| {
                offer(i, "availabilityStarts").as_str().unwrap() <= today
                    && today <= &offer(i, "availabilityEnds").as_str().unwrap()[..10]
            }),
        )
        .await;
        check(
            &app,
            json!({"audiences": ["UNEMPLOYED"]}),
            with_course(|c| strings(&c["audience"]["audienceType"]).contains(&"työttömät".into())),
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn instance_filters_must_hold_for_one_and_the_same_instance() {
    on_every_demo(|app| async move {
        let same = with_instance(|_, i| municipalities(i).contains(&"286".into()) && is_evening(i));
        let any = with_course(|c| {
            instances(c)
                .iter()
                .any(|i| municipalities(i).contains(&"286".into()))
                && instances(c).iter().any(|i| is_evening(i))
        });
        assert!(same.len() <= any.len());
        check(
            &app,
            json!({"municipalities": ["286"], "timesOfDay": ["EVENING"]}),
            same,
        )
        .await;
        let free_in_kotka = with_instance(|_, i| {
            municipalities(i).contains(&"285".into()) && offer(i, "price").as_f64() == Some(0.0)
        });
        check(
            &app,
            json!({"municipalities": ["285"], "freeOnly": true}),
            free_in_kotka,
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn unknown_codes_in_a_filter_are_refused_with_the_field_named() {
    on_every_demo(|app| async move {
        for (filter, field) in [
            (
                json!({"municipalities": ["999"]}),
                "filter.municipalities[0]",
            ),
            (json!({"regions": ["08", "99"]}), "filter.regions[1]"),
            (
                json!({"fieldsOfEducation": ["123456"]}),
                "filter.fieldsOfEducation[0]",
            ),
            (json!({"languages": ["xx"]}), "filter.languages[0]"),
            (
                json!({"providers": ["urn:kymi:org:nobody"]}),
                "filter.providers[0]",
            ),
        ] {
            let error = app.error(PAGE, json!({ "filter": filter })).await;
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");
            assert_eq!(error["extensions"]["field"], field, "{error}");
        }
        let error = app
            .error(PAGE, json!({ "filter": {"startsAfter": "23.11.2026"} }))
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");
        let error = app
            .error(PAGE, json!({ "filter": {"teachingModes": ["TELEPATHY"]} }))
            .await;
        assert!(error["extensions"]["code"].is_string(), "{error}");
    })
    .await;
}

#[tokio::test]
async fn municipality_filter_answers_the_same_on_every_backend() {
    let mut answers = Vec::new();
    for backend in super::harness::Backend::all() {
        let app = TestApp::new(&backend).await.with_demo().await;
        answers.push(ids(&app, json!({"municipalities": ["285"]})).await);
        app.finish().await;
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
}
