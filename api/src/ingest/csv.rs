//! The spreadsheet path: a CSV sheet of courses, one row per instance with
//! the course columns repeated (blank repeats mean "the same"). Each course
//! becomes the schema.org document it stands for and goes through the same
//! reader and rules as a feed line; errors come back by row and column.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::errors::*;
use super::jsonld::read_course;
use crate::domain::{CourseRecord, FieldError};

/// The columns of a course, in template order.
pub const COURSE_COLUMNS: &[&str] = &[
    "course_id",
    "provider_id",
    "name_fi",
    "name_sv",
    "name_en",
    "description_fi",
    "description_sv",
    "description_en",
    "course_url",
    "fields_of_education",
    "education_type",
    "credential_fi",
    "credential_sv",
    "credential_en",
    "credits",
    "credit_unit",
    "duration",
    "keywords",
    "audiences",
    "course_languages",
    "state",
];

/// The columns of an instance, in template order.
pub const INSTANCE_COLUMNS: &[&str] = &[
    "instance_id",
    "teaching_modes",
    "location_id",
    "location_name",
    "street_address",
    "postal_code",
    "locality",
    "municipality",
    "online_url",
    "instance_languages",
    "start_date",
    "end_date",
    "weekdays",
    "start_time",
    "end_time",
    "price",
    "funding",
    "enrolment_starts",
    "enrolment_ends",
    "enrolment_url",
    "capacity",
];

/// One course of a sheet: the record, or its errors with their row lines.
#[derive(Debug)]
pub struct CsvCourse {
    /// The line of the course's first row.
    pub line: usize,
    pub external_id: Option<String>,
    pub result: Result<CourseRecord, Vec<(usize, FieldError)>>,
    /// The line of each instance's row, in order.
    pub instance_lines: Vec<usize>,
}

impl CsvCourse {
    /// Where a record-level error (a schema.org path) is in the sheet: its line and column.
    pub fn locate(&self, error: FieldError) -> (usize, FieldError) {
        locate(self.line, &self.instance_lines, error)
    }
}

struct Row {
    line: usize,
    cells: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// Parses a whole sheet; a broken header fails the sheet at line 1.
pub fn parse_csv(text: &str) -> Result<Vec<CsvCourse>, FieldError> {
    let text = text.trim_start_matches('\u{feff}');
    let header_line = text.lines().next().unwrap_or_default();
    // Spreadsheets in Finnish locales separate cells with semicolons; lists
    // then use commas.
    let (delimiter, list_sep) = if header_line.contains(';') && !header_line.contains(',') {
        (b';', ',')
    } else {
        (b',', ';')
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| FieldError::new("", INVALID_HEADER, format!("the header is not CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for h in &header {
        if !COURSE_COLUMNS.contains(&h.as_str()) && !INSTANCE_COLUMNS.contains(&h.as_str()) {
            return Err(FieldError::new(
                h.clone(),
                INVALID_HEADER,
                format!("unknown column {h:?}; the template's columns are in data/templates/courses.csv"),
            ));
        }
    }
    for required in ["course_id", "provider_id"] {
        if !header.iter().any(|h| h == required) {
            return Err(FieldError::new(
                required,
                INVALID_HEADER,
                format!("the sheet needs a {required} column"),
            ));
        }
    }
    let mut groups: Vec<(String, Vec<Row>)> = Vec::new();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position().map(|p| p.line() as usize))
            .unwrap_or(i + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push(broken(
                    line,
                    FieldError::new("", INVALID_TYPE, format!("not a CSV row: {e}")),
                ));
                continue;
            }
        };
        let cells: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .collect();
        let row = Row { line, cells };
        if row.cells.values().all(|v| v.trim().is_empty()) {
            continue;
        }
        let Some(id) = row.get("course_id").map(str::to_string) else {
            out.push(broken(
                line,
                FieldError::new("course_id", REQUIRED, "every row needs the course's id"),
            ));
            continue;
        };
        match groups.iter_mut().find(|(g, _)| *g == id) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((id, vec![row])),
        }
    }
    for (id, rows) in groups {
        out.push(course(id, &rows, list_sep));
    }
    out.sort_by_key(|c| c.line);
    Ok(out)
}

fn broken(line: usize, error: FieldError) -> CsvCourse {
    CsvCourse {
        line,
        external_id: None,
        result: Err(vec![(line, error)]),
        instance_lines: Vec::new(),
    }
}

fn list(text: Option<&str>, sep: char) -> Value {
    match text {
        None => Value::Null,
        Some(t) => Value::Array(
            t.split(sep)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| json!(s))
                .collect(),
        ),
    }
}

fn text(row: &Row, base: &str) -> Value {
    let mut map = Map::new();
    for lang in ["fi", "sv", "en"] {
        if let Some(t) = row.get(&format!("{base}_{lang}")) {
            map.insert(lang.into(), json!(t));
        }
    }
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| json!(s))
}

fn instance(row: &Row, sep: char) -> Value {
    let mut location = Vec::new();
    let place_columns = [
        "location_id",
        "location_name",
        "street_address",
        "postal_code",
        "locality",
    ];
    if !place_columns.iter().any(|c| row.get(c).is_some()) {
        // Only a municipality: taught there, at no particular venue.
        if let Some(m) = row.get("municipality") {
            let key = if m.chars().all(|c| c.is_ascii_digit()) {
                "identifier"
            } else {
                "name"
            };
            location.push(json!({"@type": "AdministrativeArea", key: m}));
        }
    } else {
        let mut area = Map::new();
        if let Some(m) = row.get("municipality") {
            let key = if m.chars().all(|c| c.is_ascii_digit()) {
                "identifier"
            } else {
                "name"
            };
            area.insert(key.into(), json!(m));
        }
        location.push(json!({
            "@type": "Place",
            "@id": opt(row.get("location_id")),
            "name": opt(row.get("location_name")),
            "address": {
                "streetAddress": opt(row.get("street_address")),
                "postalCode": opt(row.get("postal_code")),
                "addressLocality": opt(row.get("locality")),
            },
            "containedInPlace": if area.is_empty() { Value::Null } else { Value::Object(area) },
        }));
    }
    if let Some(url) = row.get("online_url") {
        location.push(json!({"@type": "VirtualLocation", "url": url}));
    }
    let schedule = if ["weekdays", "start_time", "end_time"]
        .iter()
        .any(|c| row.get(c).is_some())
    {
        json!({
            "byDay": list(row.get("weekdays"), sep),
            "startTime": opt(row.get("start_time")),
            "endTime": opt(row.get("end_time")),
        })
    } else {
        Value::Null
    };
    json!({
        "@type": "CourseInstance",
        "@id": opt(row.get("instance_id")),
        "courseMode": list(row.get("teaching_modes"), sep),
        "location": location,
        "inLanguage": list(row.get("instance_languages"), sep),
        "startDate": opt(row.get("start_date")),
        "endDate": opt(row.get("end_date")),
        "courseSchedule": schedule,
        "offers": {
            "price": opt(row.get("price")),
            "priceCurrency": "EUR",
            "category": opt(row.get("funding")),
            "availabilityStarts": opt(row.get("enrolment_starts")),
            "availabilityEnds": opt(row.get("enrolment_ends")),
            "url": opt(row.get("enrolment_url")),
        },
        "maximumAttendeeCapacity": opt(row.get("capacity")),
    })
}

fn course(id: String, rows: &[Row], sep: char) -> CsvCourse {
    let first = &rows[0];
    let mut errors: Vec<(usize, FieldError)> = Vec::new();
    for row in &rows[1..] {
        for column in COURSE_COLUMNS {
            if let (Some(a), Some(b)) = (first.get(column), row.get(column)) {
                if a != b {
                    errors.push((
                        row.line,
                        FieldError::new(*column, CONFLICTING_VALUE, format!(
                            "{b:?} differs from {a:?} on line {} of the same course; leave repeats blank or equal",
                            first.line
                        )),
                    ));
                }
            }
        }
    }
    let with_instances: Vec<&Row> = rows
        .iter()
        .filter(|r| INSTANCE_COLUMNS.iter().any(|c| r.get(c).is_some()))
        .collect();
    let credits = first
        .get("credits")
        .map(|c| json!({"value": c, "unitText": opt(first.get("credit_unit"))}));
    let doc = json!({
        "@type": "Course",
        "@id": id,
        "provider": {"@id": opt(first.get("provider_id"))},
        "name": text(first, "name"),
        "description": text(first, "description"),
        "url": opt(first.get("course_url")),
        "about": list(first.get("fields_of_education"), sep),
        "educationalLevel": opt(first.get("education_type")),
        "educationalCredentialAwarded": text(first, "credential"),
        "numberOfCredits": credits.unwrap_or(Value::Null),
        "timeRequired": opt(first.get("duration")),
        "keywords": list(first.get("keywords"), sep),
        "audience": list(first.get("audiences"), sep),
        "inLanguage": list(first.get("course_languages"), sep),
        "creativeWorkStatus": opt(first.get("state")),
        "hasCourseInstance": with_instances.iter().map(|r| instance(r, sep)).collect::<Vec<_>>(),
    });
    let instance_lines: Vec<usize> = with_instances.iter().map(|r| r.line).collect();
    let parsed = read_course(&doc);
    let result = match parsed {
        Ok(record) if errors.is_empty() => Ok(record),
        Ok(_) => Err(errors),
        Err(found) => {
            errors.extend(
                found
                    .into_iter()
                    .map(|e| locate(first.line, &instance_lines, e)),
            );
            Err(errors)
        }
    };
    CsvCourse {
        line: first.line,
        external_id: Some(id),
        result,
        instance_lines,
    }
}

/// The sheet column of a schema.org path at instance level.
fn instance_column(rest: &[&str]) -> &'static str {
    let rest: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|s| !s.chars().all(|c| c.is_ascii_digit()))
        .collect();
    match rest.as_slice() {
        ["@id", ..] => "instance_id",
        ["courseMode", ..] => "teaching_modes",
        ["location", "url"] => "online_url",
        ["location", "@id"] => "location_id",
        ["location", "name", ..] => "location_name",
        ["location", "address", "streetAddress"] => "street_address",
        ["location", "address", "postalCode"] => "postal_code",
        ["location", "address", "addressLocality"] => "locality",
        ["location", ..] => "municipality",
        ["inLanguage", ..] => "instance_languages",
        ["startDate"] => "start_date",
        ["endDate"] => "end_date",
        ["courseSchedule", "byDay", ..] => "weekdays",
        ["courseSchedule", "startTime"] => "start_time",
        ["courseSchedule", "endTime"] => "end_time",
        ["courseSchedule", ..] => "weekdays",
        ["offers", "price"] => "price",
        ["offers", "category", ..] => "funding",
        ["offers", "availabilityStarts"] => "enrolment_starts",
        ["offers", "availabilityEnds"] => "enrolment_ends",
        ["offers", "url"] => "enrolment_url",
        ["offers", ..] => "price",
        ["maximumAttendeeCapacity"] => "capacity",
        _ => "instance_id",
    }
}

/// The sheet column of a schema.org path at course level.
fn course_column(path: &[&str]) -> String {
    let lang = |i: usize| {
        path.get(i)
            .filter(|l| ["fi", "sv", "en"].contains(l))
            .copied()
            .unwrap_or("fi")
    };
    match path {
        ["@id", ..] => "course_id".into(),
        ["provider", ..] => "provider_id".into(),
        ["name", ..] => format!("name_{}", lang(1)),
        ["description", ..] => format!("description_{}", lang(1)),
        ["educationalCredentialAwarded", ..] => format!("credential_{}", lang(1)),
        ["url"] => "course_url".into(),
        ["about", ..] => "fields_of_education".into(),
        ["educationalLevel", ..] => "education_type".into(),
        ["numberOfCredits", "unitText"] => "credit_unit".into(),
        ["numberOfCredits", ..] => "credits".into(),
        ["timeRequired"] => "duration".into(),
        ["keywords", ..] => "keywords".into(),
        ["audience", ..] => "audiences".into(),
        ["inLanguage", ..] => "course_languages".into(),
        ["creativeWorkStatus"] => "state".into(),
        ["hasCourseInstance"] => "instance_id".into(),
        _ => path.first().map_or("course_id".into(), |p| p.to_string()),
    }
}

/// Splits `a.b[2].c` into `a`, `b`, `2`, `c`.
pub(crate) fn segments(path: &str) -> Vec<&str> {
    path.split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .collect()
}

fn locate(course_line: usize, instance_lines: &[usize], error: FieldError) -> (usize, FieldError) {
    let parts = segments(&error.path);
    let (line, column) = match parts.as_slice() {
        ["hasCourseInstance", i, rest @ ..] if !rest.is_empty() => {
            let line = i
                .parse::<usize>()
                .ok()
                .and_then(|i| instance_lines.get(i))
                .copied();
            (
                line.unwrap_or(course_line),
                instance_column(rest).to_string(),
            )
        }
        _ => (course_line, course_column(&parts)),
    };
    (
        line,
        FieldError {
            path: column,
            ..error
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "course_id,provider_id,name_fi,description_fi,instance_id,municipality,start_date,end_date,price";

    #[test]
    fn rows_of_one_course_become_one_record_with_an_instance_each() {
        let sheet = format!(
            "{HEADER}\nc1,urn:org,Kurssi,Kuvaus,i1,285,2027-01-10,2027-02-10,20\nc1,,,,i2,Kouvola,2027-03-01,2027-04-01,0\n"
        );
        let courses = parse_csv(&sheet).unwrap();
        assert_eq!(courses.len(), 1);
        let record = courses[0].result.as_ref().unwrap();
        assert_eq!(record.instances.len(), 2);
        assert_eq!(
            record.instances[1].municipality_code.as_deref(),
            Some("286")
        );
        assert_eq!(record.instances[0].price_cents, Some(2000));
        assert_eq!(courses[0].instance_lines, vec![2, 3]);
    }

    #[test]
    fn errors_name_their_row_and_column() {
        let sheet = format!(
            "{HEADER}\nc1,urn:org,Kurssi,Kuvaus,i1,285,2027-01-10,2027-02-10,20\nc1,,Toinen nimi,,i2,285,2027-03-01,2027-02-01,-4\n"
        );
        let courses = parse_csv(&sheet).unwrap();
        let errors = courses[0].result.as_ref().unwrap_err();
        let found: Vec<(usize, &str, &str)> = errors
            .iter()
            .map(|(l, e)| (*l, e.path.as_str(), e.code.as_str()))
            .collect();
        assert!(
            found.contains(&(3, "name_fi", CONFLICTING_VALUE)),
            "{found:?}"
        );
        let (line, e) = courses[0].locate(FieldError::new(
            "hasCourseInstance[1].endDate",
            END_BEFORE_START,
            "x",
        ));
        assert_eq!((line, e.path.as_str()), (3, "end_date"));
    }

    #[test]
    fn an_unknown_column_fails_the_sheet() {
        let e = parse_csv("course_id,provider_id,colour\n").unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.code.as_str()),
            ("colour", INVALID_HEADER)
        );
    }
}
