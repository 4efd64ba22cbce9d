//! What a search engine knows of a course: its texts and, per instance, the
//! facts filters and facets use. Built from the database, the source of truth.

use chrono::NaiveDate;

use crate::codes::code_sets;
use crate::domain::{Lang, Localized, Period};
use crate::store::{from_json, localized, CourseRow, InstanceRow, OrganisationRow, StoreError};

/// The filterable facts of one instance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InstanceDoc {
    pub id: i32,
    pub municipality: Option<String>,
    pub region: Option<String>,
    pub modes: Vec<String>,
    pub languages: Vec<String>,
    pub funding: Option<String>,
    pub times_of_day: Vec<String>,
    pub price_cents: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub flexible_start: bool,
    pub periods: Vec<Period>,
}

impl InstanceDoc {
    /// An enrolment period is open on `day`.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.periods.iter().any(|p| p.contains(day))
    }
}

/// One published course, as engines index it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub course_id: i32,
    pub external_id: String,
    pub provider_id: i32,
    pub provider_name: Localized,
    pub name: Localized,
    pub description: Localized,
    pub credential: Localized,
    pub keywords: Vec<String>,
    /// Koulutusala codes, level-2 codes with their level-1 parents.
    pub fields: Vec<String>,
    pub education_type: Option<String>,
    pub audiences: Vec<String>,
    pub name_sort: String,
    /// Municipality names (fi, sv) where instances are taught, as words.
    pub places: Vec<String>,
    /// Words for when and how it is taught (`ilta`, `iltaopetus`, `evening`, `verkko`).
    pub times: Vec<String>,
    pub instances: Vec<InstanceDoc>,
}

/// Words that name a time of day or a mode, in Finnish, Swedish and English,
/// so that "iltakurssi" or "evening" find evening courses.
fn words_for(code: &str) -> &'static [&'static str] {
    match code {
        "evening" => &[
            "ilta",
            "iltaopetus",
            "iltaopiskelu",
            "iltakurssi",
            "kväll",
            "evening",
        ],
        "weekend" => &[
            "viikonloppu",
            "viikonloppukurssi",
            "lauantai",
            "helg",
            "weekend",
        ],
        "daytime" => &["päivä", "päiväopetus", "dag", "daytime"],
        "self_paced" => &["itsenäinen", "omatahtinen", "self-paced"],
        "online" => &["verkko", "verkkokurssi", "etäopiskelu", "distans", "online"],
        "blended" => &["monimuoto", "monimuoto-opiskelu", "blended"],
        "workplace" => &["työpaikka", "oppisopimus", "workplace"],
        _ => &[],
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

impl SearchDocument {
    /// Builds the document of a course from its rows.
    pub fn from_rows(
        course: &CourseRow,
        instances: &[InstanceRow],
        provider: &OrganisationRow,
    ) -> Result<SearchDocument, StoreError> {
        let mut fields: Vec<String> = from_json("fields", &course.fields)?;
        for code in fields.clone() {
            if let Some(parent) = code_sets().field(&code).and_then(|f| f.parent.clone()) {
                push_unique(&mut fields, &parent);
            }
        }
        let mut places = Vec::new();
        let mut times = Vec::new();
        let mut docs = Vec::new();
        for row in instances {
            let modes: Vec<String> = from_json("modes", &row.modes)?;
            let times_of_day: Vec<String> = from_json("times_of_day", &row.times_of_day)?;
            let municipality = row.municipality_code.clone();
            if let Some(m) = municipality
                .as_deref()
                .and_then(|c| code_sets().municipality(c))
            {
                push_unique(&mut places, &m.name.fi);
                push_unique(&mut places, &m.name.sv);
            }
            for code in times_of_day.iter().chain(modes.iter()) {
                for word in words_for(code) {
                    push_unique(&mut times, word);
                }
            }
            docs.push(InstanceDoc {
                id: row.id,
                region: municipality
                    .as_deref()
                    .and_then(|c| code_sets().municipality(c))
                    .map(|m| m.region.clone()),
                municipality,
                modes,
                languages: from_json("languages", &row.languages)?,
                funding: row.funding.clone(),
                times_of_day,
                price_cents: row.price_cents,
                start_date: row.start_date,
                end_date: row.end_date,
                flexible_start: row.flexible_start,
                periods: from_json("enrolment_periods", &row.enrolment_periods)?,
            });
        }
        Ok(SearchDocument {
            course_id: course.id,
            external_id: course.external_id.clone(),
            provider_id: provider.id,
            provider_name: localized(&provider.name_fi, &provider.name_sv, &provider.name_en),
            name: localized(&course.name_fi, &course.name_sv, &course.name_en),
            description: localized(
                &course.description_fi,
                &course.description_sv,
                &course.description_en,
            ),
            credential: localized(
                &course.credential_fi,
                &course.credential_sv,
                &course.credential_en,
            ),
            keywords: from_json("keywords", &course.keywords)?,
            fields,
            education_type: course.education_type.clone(),
            audiences: from_json("audiences", &course.audiences)?,
            name_sort: course.name_sort.clone(),
            places,
            times,
            instances: docs,
        })
    }

    /// The name to show in `lang`.
    pub fn display_name(&self, lang: Lang) -> String {
        self.name.get(lang).unwrap_or_default().to_string()
    }
}
