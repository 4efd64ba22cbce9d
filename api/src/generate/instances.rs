//! Generated course instances: terms, schedules at realistic times of day,
//! campuses of the provider, teaching modes, prices, funding and enrolment
//! periods.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};

use super::courses::Draft;
use super::providers::Provider;
use super::rng::Rng;

/// Who pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Funding {
    SelfPaid,
    ForEmployers,
    Free,
    LabourMarket,
    Apprenticeship,
    /// Open studies at a price per credit.
    OpenStudies(u32),
}

/// How a course is spread over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rhythm {
    WeeklyEvening,
    WeeklyDaytime,
    Weekend,
    Online,
    /// A programme of so many months (min, max), taught in the daytime.
    Months(i64, i64),
    /// A short course of so many days (min, max).
    Days(i64, i64),
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid constant date")
}

fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    date + Duration::days(days)
}

/// The first day of a term: autumn 2026, spring 2027 or autumn 2027.
fn term_start(r: &mut Rng) -> NaiveDate {
    let first = *r.pick(&[day(2026, 9, 1), day(2027, 1, 11), day(2027, 8, 30)]);
    plus(first, r.between(0, 20))
}

fn anywhere_in_the_year(r: &mut Rng) -> NaiveDate {
    plus(day(2026, 8, 3), r.between(0, 480))
}

fn schedule(days: &[&str], start: (u32, u32), minutes: u32) -> Value {
    let end = start.0 * 60 + start.1 + minutes;
    json!({
        "@type": "Schedule",
        "byDay": days.iter().map(|d| format!("https://schema.org/{d}")).collect::<Vec<_>>(),
        "startTime": format!("{:02}:{:02}", start.0, start.1),
        "endTime": format!("{:02}:{:02}", end / 60, end % 60),
        "repeatFrequency": "P1W",
        "scheduleTimezone": "Europe/Helsinki"
    })
}

struct When {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    schedule: Option<Value>,
}

fn when(rhythm: Rhythm, r: &mut Rng) -> When {
    let weekday = |r: &mut Rng| DAYS[r.below(4)];
    match rhythm {
        Rhythm::WeeklyEvening | Rhythm::WeeklyDaytime => {
            let start = term_start(r);
            let times = if rhythm == Rhythm::WeeklyEvening {
                *r.pick(&[(17, 0), (17, 30), (18, 0), (18, 30)])
            } else {
                *r.pick(&[(10, 0), (12, 0), (13, 0)])
            };
            let days: Vec<&str> = if r.chance(0.15) {
                vec![DAYS[0], DAYS[2]]
            } else {
                vec![weekday(r)]
            };
            When {
                start: Some(start),
                end: Some(plus(start, 7 * r.between(8, 14))),
                schedule: Some(schedule(&days, times, *r.pick(&[90, 105, 135]))),
            }
        }
        Rhythm::Weekend => {
            let start = term_start(r);
            let start = plus(
                start,
                (5 - i64::from(start.weekday().num_days_from_monday())).rem_euclid(7),
            );
            When {
                start: Some(start),
                end: Some(plus(start, 1)),
                schedule: Some(schedule(&["Saturday", "Sunday"], (10, 0), 300)),
            }
        }
        Rhythm::Online if r.chance(0.5) => When {
            start: None,
            end: None,
            schedule: None,
        },
        Rhythm::Online => {
            let start = term_start(r);
            When {
                start: Some(start),
                end: Some(plus(start, 7 * r.between(6, 12))),
                schedule: None,
            }
        }
        Rhythm::Months(lo, hi) => {
            let start = anywhere_in_the_year(r);
            let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
            When {
                start: Some(start),
                end: Some(plus(start, 30 * r.between(lo, hi))),
                schedule: r.chance(0.4).then(|| schedule(&days, (8, 30), 390)),
            }
        }
        Rhythm::Days(lo, hi) => {
            let start = anywhere_in_the_year(r);
            let weekday = i64::from(start.weekday().num_days_from_monday());
            let start = if weekday >= 5 {
                plus(start, 7 - weekday)
            } else {
                start
            };
            let name = DAYS[start.weekday().num_days_from_monday() as usize];
            When {
                start: Some(start),
                end: Some(plus(start, r.between(lo, hi) - 1)),
                schedule: r.chance(0.5).then(|| schedule(&[name], (8, 0), 480)),
            }
        }
    }
}

fn modes(d: &Draft, r: &mut Rng) -> Vec<&'static str> {
    if d.funding == Funding::Apprenticeship {
        return vec!["blended", "workplace"];
    }
    let mode = match d.rhythm {
        Rhythm::Online => "online",
        Rhythm::Months(..) => *r.weighted(&[("blended", 50), ("onsite", 45), ("online", 5)]),
        Rhythm::Days(..) => *r.weighted(&[("onsite", 85), ("online", 15)]),
        _ => *r.weighted(&[("onsite", 88), ("blended", 7), ("online", 5)]),
    };
    vec![mode]
}

fn offer(d: &Draft, w: &When, url: String, r: &mut Rng) -> Value {
    let (price, category) = match d.funding {
        Funding::SelfPaid if matches!(d.rhythm, Rhythm::Days(..)) => {
            (r.between(9, 45) * 10, "omaehtoinen")
        }
        Funding::SelfPaid => (r.between(5, 36) * 5, "omaehtoinen"),
        Funding::ForEmployers => (r.between(15, 90) * 10, "yritykselle"),
        Funding::Free => (0, "maksuton"),
        Funding::LabourMarket => (0, "työvoimakoulutus"),
        Funding::Apprenticeship => (0, "oppisopimus"),
        Funding::OpenStudies(credits) => (15 * i64::from(credits), "omaehtoinen"),
    };
    let mut offer = json!({
        "@type": "Offer",
        "price": price,
        "priceCurrency": "EUR",
        "category": category,
        "url": url,
    });
    match w.start {
        Some(start) => {
            let opens = plus(start, -r.between(30, 120));
            let closes = match d.rhythm {
                Rhythm::Months(..) => plus(start, 30),
                _ => plus(start, -r.between(0, 10)),
            };
            offer["availabilityStarts"] = json!(opens.to_string());
            offer["availabilityEnds"] = json!(closes.min(w.end.unwrap_or(closes)).to_string());
        }
        None => offer["availabilityStarts"] = json!("2026-06-01"),
    }
    offer
}

/// `count` instances of a course of provider `p`.
pub fn instances(
    p: &Provider,
    course_id: &str,
    d: &Draft,
    count: usize,
    r: &mut Rng,
) -> Vec<Value> {
    (0..count)
        .map(|k| {
            let w = when(d.rhythm, r);
            let modes = modes(d, r);
            let virtual_place = json!({
                "@type": "VirtualLocation",
                "name": "Verkko-opetus",
                "url": format!("https://{}.example.fi/verkko/{}", p.slug, course_id.rsplit(':').next().unwrap_or("")),
            });
            let campus = p.places[(k + r.below(2)) % p.places.len()].clone();
            let location = match modes[0] {
                "online" => virtual_place,
                "blended" => json!([campus, virtual_place]),
                _ => campus,
            };
            let language = match p.region.as_str() {
                "21" => "sv",
                "15" if r.chance(0.4) => "sv",
                _ if d.rhythm == Rhythm::Online && r.chance(0.03) => "en",
                _ => "fi",
            };
            let url = format!("https://{}.example.fi/ilmoittaudu/{}-{}", p.slug, course_id.rsplit(':').next().unwrap_or(""), k + 1);
            let mut instance = json!({
                "@type": "CourseInstance",
                "@id": format!("{course_id}:instance:{}", k + 1),
                "courseMode": if modes.len() == 1 { json!(modes[0]) } else { json!(modes) },
                "location": location,
                "inLanguage": language,
                "offers": offer(d, &w, url, r),
            });
            if let Some(start) = w.start {
                instance["startDate"] = json!(start.to_string());
            }
            if let Some(end) = w.end {
                instance["endDate"] = json!(end.to_string());
            }
            if let Some(schedule) = w.schedule {
                instance["courseSchedule"] = schedule;
            }
            if r.chance(0.7) {
                instance["maximumAttendeeCapacity"] = json!(r.between(8, 30));
            }
            instance
        })
        .collect()
}
