//! `EducationalOrganization`, `CollegeOrUniversity`, `Organization` -> OrganisationRecord.

use serde_json::Value;

use super::place::{municipality, place};
use crate::domain::{Address, Lang, OrganisationKind, OrganisationRecord};
use crate::ingest::errors::*;
use crate::ingest::reader::{
    each, item_path, shown, Reader, MAX_DESCRIPTION, MAX_ID, MAX_NAME, MAX_SHORT,
};

/// The most locations one organisation may list.
const MAX_LOCATIONS: usize = 500;

/// Infers the kind of a provider from its name, for feeds that do not say.
fn infer_kind(name: &str) -> OrganisationKind {
    let name = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["kesäyliopisto", "sommaruniversitet", "summer university"]) {
        OrganisationKind::SummerUniversity
    } else if has(&[
        "ammattikorkeakoulu",
        "yrkeshögskola",
        "university of applied sciences",
    ]) {
        OrganisationKind::UniversityOfAppliedSciences
    } else if has(&["yliopisto", "universitet", "university"]) {
        OrganisationKind::UniversityCentre
    } else if has(&[
        "kansalaisopisto",
        "työväenopisto",
        "aikuisopisto",
        "medborgarinstitut",
    ]) {
        OrganisationKind::AdultEducationCentre
    } else if has(&["kansanopisto", "folkhögskola"]) {
        OrganisationKind::FolkHighSchool
    } else if has(&[
        "ammattiopisto",
        "aikuiskoulutus",
        "ammatti-instituutti",
        "yrkesinstitut",
    ]) {
        OrganisationKind::VocationalCollege
    } else if has(&[
        "te-palvelut",
        "te-toimisto",
        "työllisyyspalvelut",
        "työvoimapalvelut",
    ]) {
        OrganisationKind::EmploymentServices
    } else if has(&["ohjaamo", "työpaja", "säätiö"]) {
        OrganisationKind::YouthWorkshop
    } else if name.ends_with(" oy")
        || name.ends_with(" oyj")
        || name.ends_with(" ab")
        || has(&[" oy ", "akatemia"])
    {
        OrganisationKind::TrainingCompany
    } else {
        OrganisationKind::Other
    }
}

/// Reads an organisation.
pub fn read(r: &mut Reader, v: &Value) -> Option<OrganisationRecord> {
    let external_id = r.required_string(&v["@id"], "@id", MAX_ID);
    let identifier = r.string(&v["identifier"], "identifier", MAX_SHORT);
    let name = r.text(&v["name"], "name", MAX_NAME);
    let kind = match r.string(&v["additionalType"], "additionalType", MAX_SHORT) {
        Some(text) => OrganisationKind::parse(&text).or_else(|| {
            r.error(
                "additionalType",
                UNKNOWN_CODE,
                format!(
                    "unknown organisation kind {}; expected one of {}",
                    shown(&text),
                    OrganisationKind::expected()
                ),
            );
            None
        }),
        None => Some(infer_kind(name.get(Lang::Fi).unwrap_or_default())),
    };
    let description = r.text(&v["description"], "description", MAX_DESCRIPTION);
    let url = r.url(&v["url"], "url");
    let phone = r.phone(&v["telephone"], "telephone");
    let email = r.email(&v["email"], "email");
    let address = if v["address"].is_object() {
        let a = &v["address"];
        let wrapper = serde_json::json!({ "address": a });
        Some(Address {
            street_address: r.string(&a["streetAddress"], "address.streetAddress", MAX_SHORT),
            postal_code: r.string(&a["postalCode"], "address.postalCode", 20),
            locality: r.string(&a["addressLocality"], "address.addressLocality", MAX_SHORT),
            municipality_code: municipality(r, &wrapper, "address"),
        })
    } else {
        None
    };
    let places = each(&v["location"]);
    if places.len() > MAX_LOCATIONS {
        r.error(
            "location",
            TOO_MANY,
            format!("at most {MAX_LOCATIONS} locations"),
        );
    }
    let owner = external_id.clone().unwrap_or_default();
    let locations: Vec<_> = places
        .into_iter()
        .take(MAX_LOCATIONS)
        .filter_map(|(i, p)| place(r, p, &item_path("location", i), &owner))
        .collect();
    Some(OrganisationRecord {
        external_id: external_id?,
        identifier,
        kind: kind?,
        name,
        description,
        url,
        phone,
        email,
        address,
        locations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_inferred_from_finnish_names() {
        for (name, kind) in [
            (
                "Kymenlaakson kesäyliopisto",
                OrganisationKind::SummerUniversity,
            ),
            (
                "Kaakkois-Suomen ammattikorkeakoulu Xamk",
                OrganisationKind::UniversityOfAppliedSciences,
            ),
            (
                "Kouvolan kansalaisopisto",
                OrganisationKind::AdultEducationCentre,
            ),
            ("Kymijoen kansanopisto", OrganisationKind::FolkHighSchool),
            (
                "Ekami – Etelä-Kymenlaakson ammattiopisto",
                OrganisationKind::VocationalCollege,
            ),
            (
                "Kymenlaakson TE-palvelut",
                OrganisationKind::EmploymentServices,
            ),
            ("Turvataito Kymi Oy", OrganisationKind::TrainingCompany),
            ("Jokin yhdistys ry", OrganisationKind::Other),
        ] {
            assert_eq!(infer_kind(name), kind, "{name}");
        }
    }
}
