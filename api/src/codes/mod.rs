//! The national code sets, shipped as data files in `api/codes/` and loaded
//! once: municipalities (Statistics Finland) with their regions, fields of
//! education (Koulutusala 2016), languages, postal codes, and the fi/sv/en
//! labels of the closed vocabularies in `crate::domain::codes`.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::domain::Lang;

/// A name in Finnish, Swedish and English.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Labels {
    pub fi: String,
    pub sv: String,
    pub en: String,
}

impl Labels {
    /// The name in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fi => &self.fi,
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// A municipality (kunta).
#[derive(Debug, Clone)]
pub struct Municipality {
    /// Statistics Finland code, three digits.
    pub code: String,
    pub name: Labels,
    /// The region (maakunta) code.
    pub region: String,
}

/// A region (maakunta).
#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub name: Labels,
}

/// A field of education in Koulutusala 2016.
#[derive(Debug, Clone)]
pub struct Field {
    pub code: String,
    /// 1 (two-digit codes) or 2 (three-digit codes).
    pub level: u8,
    /// The level-1 code of a level-2 field.
    pub parent: Option<String>,
    pub name: Labels,
}

/// A language of instruction (ISO 639-1).
#[derive(Debug, Clone)]
pub struct Language {
    pub code: String,
    pub name: Labels,
}

#[derive(Deserialize)]
struct CodeRow {
    code: String,
    #[serde(flatten)]
    name: Labels,
    region: Option<String>,
    level: Option<u8>,
    parent: Option<String>,
}

#[derive(Deserialize)]
struct PostalRow {
    postal_code: String,
    municipality: String,
}

/// Every code set, indexed.
pub struct CodeSets {
    municipalities: Vec<Municipality>,
    municipality_index: HashMap<String, usize>,
    municipality_names: HashMap<String, usize>,
    postal_codes: HashMap<String, usize>,
    regions: Vec<Region>,
    fields: Vec<Field>,
    languages: Vec<Language>,
    labels: HashMap<String, HashMap<String, Labels>>,
}

fn rows(name: &str, text: &str) -> Vec<CodeRow> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("api/codes/{name} is not valid: {e}"))
}

fn load() -> CodeSets {
    let mut municipalities: Vec<Municipality> = rows(
        "municipalities.json",
        include_str!("../../codes/municipalities.json"),
    )
    .into_iter()
    .map(|r| Municipality {
        region: r.region.expect("every municipality has a region"),
        code: r.code,
        name: r.name,
    })
    .collect();
    municipalities.sort_by(|a, b| a.code.cmp(&b.code));
    let municipality_index = municipalities
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.clone(), i))
        .collect();
    let mut municipality_names = HashMap::new();
    for (i, m) in municipalities.iter().enumerate() {
        for name in [&m.name.fi, &m.name.sv, &m.name.en] {
            municipality_names.entry(name.to_lowercase()).or_insert(i);
        }
    }
    let postal: Vec<PostalRow> =
        serde_json::from_str(include_str!("../../codes/postal_codes.json"))
            .expect("api/codes/postal_codes.json is valid");
    let postal_codes = postal
        .into_iter()
        .filter_map(|p| {
            municipalities
                .iter()
                .position(|m| m.code == p.municipality)
                .map(|i| (p.postal_code, i))
        })
        .collect();
    let mut regions: Vec<Region> = rows("regions.json", include_str!("../../codes/regions.json"))
        .into_iter()
        .map(|r| Region {
            code: r.code,
            name: r.name,
        })
        .collect();
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    let mut fields: Vec<Field> = rows(
        "fields_of_education.json",
        include_str!("../../codes/fields_of_education.json"),
    )
    .into_iter()
    .map(|r| Field {
        level: r.level.expect("every field has a level"),
        parent: r.parent,
        code: r.code,
        name: r.name,
    })
    .collect();
    fields.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    let languages = rows("languages.json", include_str!("../../codes/languages.json"))
        .into_iter()
        .map(|r| Language {
            code: r.code,
            name: r.name,
        })
        .collect();
    let labels = serde_json::from_str(include_str!("../../codes/labels.json"))
        .expect("api/codes/labels.json is valid");
    CodeSets {
        municipalities,
        municipality_index,
        municipality_names,
        postal_codes,
        regions,
        fields,
        languages,
        labels,
    }
}

static CODE_SETS: LazyLock<CodeSets> = LazyLock::new(load);

/// The code sets, loaded on first use.
pub fn code_sets() -> &'static CodeSets {
    &CODE_SETS
}

impl CodeSets {
    /// Every municipality, by code.
    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }

    /// The municipality with this Statistics Finland code.
    pub fn municipality(&self, code: &str) -> Option<&Municipality> {
        self.municipality_index
            .get(code)
            .map(|i| &self.municipalities[*i])
    }

    /// The municipality with this Finnish, Swedish or English name, ignoring case.
    pub fn municipality_by_name(&self, name: &str) -> Option<&Municipality> {
        self.municipality_names
            .get(&name.trim().to_lowercase())
            .map(|i| &self.municipalities[*i])
    }

    /// The municipality of a postal code, where the shipped table knows it.
    pub fn municipality_by_postal_code(&self, postal_code: &str) -> Option<&Municipality> {
        self.postal_codes
            .get(postal_code.trim())
            .map(|i| &self.municipalities[*i])
    }

    /// Every region, by code.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The region with this code.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// The municipalities of a region.
    pub fn municipalities_in_region(&self, region: &str) -> Vec<&Municipality> {
        self.municipalities
            .iter()
            .filter(|m| m.region == region)
            .collect()
    }

    /// Every field of education, level 1 first.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field of education with this code.
    pub fn field(&self, code: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// Every language of the code set.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// The language with this ISO 639-1 code, ignoring case.
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages
            .iter()
            .find(|l| l.code.eq_ignore_ascii_case(code.trim()))
    }

    /// The label of a value of a closed vocabulary, e.g. `label("teaching_mode", "onsite")`.
    pub fn label(&self, set: &str, code: &str) -> Option<&Labels> {
        self.labels.get(set)?.get(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::*;

    #[test]
    fn kymenlaakso_has_its_seven_municipalities() {
        let sets = code_sets();
        let mut codes: Vec<&str> = sets
            .municipalities_in_region("08")
            .iter()
            .map(|m| m.code.as_str())
            .collect();
        codes.sort();
        assert_eq!(codes, ["075", "142", "285", "286", "489", "624", "935"]);
        assert_eq!(sets.municipality("285").unwrap().name.fi, "Kotka");
        assert_eq!(sets.region("08").unwrap().name.sv, "Kymmenedalen");
    }

    #[test]
    fn every_municipality_has_a_three_digit_code_and_a_known_region() {
        let sets = code_sets();
        assert_eq!(sets.municipalities().len(), 309);
        for m in sets.municipalities() {
            assert_eq!(m.code.len(), 3, "{m:?}");
            assert!(sets.region(&m.region).is_some(), "{m:?}");
        }
    }

    #[test]
    fn municipalities_are_found_by_swedish_name_and_postal_code() {
        let sets = code_sets();
        assert_eq!(sets.municipality_by_name(" pyttis ").unwrap().code, "624");
        assert_eq!(
            sets.municipality_by_name("Helsingfors").unwrap().code,
            "091"
        );
        assert_eq!(
            sets.municipality_by_postal_code("48100").unwrap().code,
            "285"
        );
        assert!(sets.municipality_by_name("Atlantis").is_none());
    }

    #[test]
    fn every_level_two_field_has_a_level_one_parent() {
        let sets = code_sets();
        for f in sets.fields().iter().filter(|f| f.level == 2) {
            let parent = sets.field(f.parent.as_deref().unwrap()).unwrap();
            assert_eq!(parent.level, 1);
            assert!(f.code.starts_with(&parent.code));
        }
        assert_eq!(sets.fields().iter().filter(|f| f.level == 1).count(), 12);
    }

    #[test]
    fn every_value_of_every_closed_vocabulary_has_a_label() {
        fn check<T: Copy>(set: &str, all: &[T], code: fn(T) -> &'static str) {
            for value in all {
                assert!(
                    code_sets().label(set, code(*value)).is_some(),
                    "{set}.{}",
                    code(*value)
                );
            }
        }
        check(
            OrganisationKind::SET,
            OrganisationKind::ALL,
            OrganisationKind::code,
        );
        check(EducationType::SET, EducationType::ALL, EducationType::code);
        check(TeachingMode::SET, TeachingMode::ALL, TeachingMode::code);
        check(
            FundingCategory::SET,
            FundingCategory::ALL,
            FundingCategory::code,
        );
        check(TimeOfDay::SET, TimeOfDay::ALL, TimeOfDay::code);
        check(
            PublicationState::SET,
            PublicationState::ALL,
            PublicationState::code,
        );
        check(Audience::SET, Audience::ALL, Audience::code);
        check(ChannelKind::SET, ChannelKind::ALL, ChannelKind::code);
        check(CreditUnit::SET, CreditUnit::ALL, CreditUnit::code);
        check(Weekday::SET, Weekday::ALL, Weekday::code);
    }

    #[test]
    fn languages_are_found_ignoring_case() {
        assert_eq!(code_sets().language("FI").unwrap().name.en, "Finnish");
        assert!(code_sets().language("xx").is_none());
    }
}
