//! Code sets as objects: municipalities, regions, fields of education, languages.

use async_graphql::Object;

use crate::codes::{self, code_sets, Labels};
use crate::graphql::enums::Lang;

fn label(labels: &Labels, lang: Option<Lang>) -> String {
    labels.get(lang.unwrap_or_default().into()).to_string()
}

/// A Finnish municipality (kunta), by its Statistics Finland code.
#[derive(Clone, Debug)]
pub struct Municipality(pub &'static codes::Municipality);

impl Municipality {
    /// The municipality with `code`, if it exists.
    pub fn by_code(code: &str) -> Option<Municipality> {
        code_sets().municipality(code).map(Municipality)
    }
}

#[Object(cache_control(max_age = 3600))]
impl Municipality {
    /// Statistics Finland code, e.g. `285` for Kotka.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The name in `lang` (default Finnish).
    async fn name(&self, lang: Option<Lang>) -> String {
        label(&self.0.name, lang)
    }

    /// The region (maakunta) it belongs to.
    async fn region(&self) -> Option<Region> {
        code_sets().region(&self.0.region).map(Region)
    }
}

/// A region (maakunta).
#[derive(Clone, Debug)]
pub struct Region(pub &'static codes::Region);

#[Object(cache_control(max_age = 3600))]
impl Region {
    /// The region code, e.g. `08` for Kymenlaakso.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The name in `lang` (default Finnish).
    async fn name(&self, lang: Option<Lang>) -> String {
        label(&self.0.name, lang)
    }

    /// Its municipalities.
    async fn municipalities(&self) -> Vec<Municipality> {
        code_sets()
            .municipalities_in_region(&self.0.code)
            .into_iter()
            .map(Municipality)
            .collect()
    }
}

/// A field of education in the Koulutusala 2016 classification.
#[derive(Clone, Debug)]
pub struct FieldOfEducation(pub &'static codes::Field);

impl FieldOfEducation {
    /// The field with `code`, if it exists.
    pub fn by_code(code: &str) -> Option<FieldOfEducation> {
        code_sets().field(code).map(FieldOfEducation)
    }
}

#[Object(cache_control(max_age = 3600))]
impl FieldOfEducation {
    /// The code: two digits on level 1 (`09`), three on level 2 (`091`).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// 1 or 2.
    async fn level(&self) -> i32 {
        i32::from(self.0.level)
    }

    /// The name in `lang` (default Finnish).
    async fn name(&self, lang: Option<Lang>) -> String {
        label(&self.0.name, lang)
    }

    /// The level-1 field of a level-2 field.
    async fn parent(&self) -> Option<FieldOfEducation> {
        self.0.parent.as_deref().and_then(FieldOfEducation::by_code)
    }

    /// The level-2 fields of a level-1 field.
    async fn children(&self) -> Vec<FieldOfEducation> {
        code_sets()
            .fields()
            .iter()
            .filter(|f| f.parent.as_deref() == Some(self.0.code.as_str()))
            .map(FieldOfEducation)
            .collect()
    }
}

/// A language of instruction or service.
#[derive(Clone, Debug)]
pub struct LanguageInfo(pub &'static codes::Language);

impl LanguageInfo {
    /// The language with ISO 639-1 `code`, if it is in the code set.
    pub fn by_code(code: &str) -> Option<LanguageInfo> {
        code_sets().language(code).map(LanguageInfo)
    }
}

#[Object(name = "Language", cache_control(max_age = 3600))]
impl LanguageInfo {
    /// ISO 639-1 code, e.g. `fi`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The name in `lang` (default Finnish).
    async fn name(&self, lang: Option<Lang>) -> String {
        label(&self.0.name, lang)
    }
}
