use super::*;
use crate::importer::{import, FeedFile, ImportReport, Silent};
use crate::ingest::{parse_jsonld_line, FeedRecord, RecordKind};
use crate::store::Store;

fn catalogue(size: Size, seed: u64) -> (String, Summary) {
    let mut out = Vec::new();
    let summary = generate(size, seed, &mut out).expect("writing to memory");
    (String::from_utf8(out).expect("UTF-8"), summary)
}

fn courses(text: &str) -> Vec<crate::domain::CourseRecord> {
    text.lines()
        .filter_map(|l| match parse_jsonld_line(l) {
            Ok(FeedRecord::Course(c)) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn the_same_seed_writes_the_same_catalogue_and_another_seed_another() {
    let (a, _) = catalogue(Size::Courses(300), 42);
    let (b, _) = catalogue(Size::Courses(300), 42);
    let (c, _) = catalogue(Size::Courses(300), 43);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_size_in_instances_is_met_exactly() {
    let (text, summary) = catalogue(Size::Instances(1_001), 7);
    assert_eq!(summary.instances, 1_001);
    let counted: usize = courses(&text).iter().map(|c| c.instances.len()).sum();
    assert_eq!(counted, 1_001);
}

#[test]
fn organisations_come_first_then_courses_then_guidance_services() {
    let (text, summary) = catalogue(Size::Courses(200), 3);
    let kinds: Vec<RecordKind> = text
        .lines()
        .map(|l| crate::ingest::detect_kind(l).expect("a known @type"))
        .collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted);
    assert_eq!(
        kinds.len() as u64,
        summary.organisations + summary.courses + summary.services
    );
    assert!(summary.services > 0);
}

#[test]
fn courses_are_named_in_inflected_finnish_with_some_translations() {
    let (text, _) = catalogue(Size::Courses(2_000), 11);
    let all = courses(&text);
    let names: Vec<&str> = all.iter().filter_map(|c| c.name.fi.as_deref()).collect();
    assert_eq!(names.len(), all.len(), "every course has a Finnish name");
    for expected in [
        "Englannin ",
        "kurssi",
        "perustutkinto",
        "oppisopimuksella",
        "aikuisille",
    ] {
        assert!(
            names.iter().any(|n| n.contains(expected)),
            "no name with {expected:?}"
        );
    }
    let inflected = all
        .iter()
        .filter_map(|c| c.description.fi.as_deref())
        .any(|d| d.contains("lähihoitajaksi"));
    assert!(inflected, "descriptions use inflected forms");
    let english = all.iter().filter(|c| c.name.en.is_some()).count() as f64 / all.len() as f64;
    assert!(
        (0.1..0.4).contains(&english),
        "{english} of courses in English"
    );
}

#[test]
fn courses_spread_over_many_municipalities_modes_and_prices() {
    let (text, _) = catalogue(Size::Courses(3_000), 5);
    let instances: Vec<_> = courses(&text)
        .into_iter()
        .flat_map(|c| c.instances)
        .collect();
    let mut places: Vec<_> = instances
        .iter()
        .filter_map(|i| i.municipality_code.clone())
        .collect();
    places.sort();
    places.dedup();
    assert!(places.len() > 60, "{} municipalities", places.len());
    let free = instances
        .iter()
        .filter(|i| i.price_cents == Some(0))
        .count();
    let evening = instances
        .iter()
        .filter(|i| {
            i.times_of_day()
                .contains(&crate::domain::TimeOfDay::Evening)
        })
        .count();
    let online = instances.iter().filter(|i| i.online).count();
    for (what, n) in [("free", free), ("evening", evening), ("online", online)] {
        assert!(
            n > instances.len() / 20 && n < instances.len() * 9 / 10,
            "{n} {what}"
        );
    }
}

#[tokio::test]
async fn every_generated_record_imports_without_rejections() {
    let (text, summary) = catalogue(Size::Instances(600), 9);
    let store = Store::connect("sqlite::memory:", None)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let mut report = ImportReport::default();
    let files = [FeedFile {
        path: "generated.jsonl".into(),
        text,
    }];
    import(&store, &files, &mut report, &Silent)
        .await
        .expect("import");
    assert!(
        report.rejections.is_empty(),
        "{:#?}",
        &report.rejections[..report.rejections.len().min(3)]
    );
    assert_eq!(
        report.counts_of(RecordKind::Course).created,
        summary.courses
    );
    assert_eq!(
        report.counts_of(RecordKind::Organisation).created,
        summary.organisations
    );
    assert_eq!(
        report.counts_of(RecordKind::GuidanceService).created,
        summary.services
    );
}
