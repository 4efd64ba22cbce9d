//! Multilingual text: Finnish first, then Swedish and English.

use serde::{Deserialize, Serialize};

/// A content language of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fi,
    Sv,
    En,
}

impl Lang {
    /// Every content language, in fallback order.
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code or a BCP 47 tag whose primary subtag is one (`fi-FI`).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fi" | "fin" => Some(Lang::Fi),
            "sv" | "swe" => Some(Lang::Sv),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A text in up to three languages. Empty strings are never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub fi: Option<String>,
    pub sv: Option<String>,
    pub en: Option<String>,
}

impl Localized {
    /// A Finnish-only text.
    pub fn fi(text: impl Into<String>) -> Self {
        Localized::default().with(Lang::Fi, text)
    }

    /// Sets one language; blank text clears it.
    pub fn with(mut self, lang: Lang, text: impl Into<String>) -> Self {
        self.set(lang, text);
        self
    }

    /// Sets one language; blank text clears it.
    pub fn set(&mut self, lang: Lang, text: impl Into<String>) {
        let text = text.into();
        let trimmed = text.trim();
        let value = (!trimmed.is_empty()).then(|| trimmed.to_string());
        match lang {
            Lang::Fi => self.fi = value,
            Lang::Sv => self.sv = value,
            Lang::En => self.en = value,
        }
    }

    /// The text in exactly this language.
    pub fn exact(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Fi => self.fi.as_deref(),
            Lang::Sv => self.sv.as_deref(),
            Lang::En => self.en.as_deref(),
        }
    }

    /// The text in `lang`, else the first of fi → sv → en that exists.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        self.exact(lang)
            .or_else(|| Lang::ALL.iter().find_map(|l| self.exact(*l)))
    }

    /// The languages this text has.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|l| self.exact(*l).is_some())
            .collect()
    }

    /// True when no language has text.
    pub fn is_empty(&self) -> bool {
        self.fi.is_none() && self.sv.is_none() && self.en.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_from_the_asked_language_in_finnish_swedish_english_order() {
        let text = Localized::default()
            .with(Lang::Sv, "Svenska")
            .with(Lang::En, "English");
        assert_eq!(text.get(Lang::Fi), Some("Svenska"));
        assert_eq!(text.get(Lang::En), Some("English"));
        assert_eq!(Localized::default().get(Lang::Fi), None);
    }

    #[test]
    fn blank_text_is_not_stored() {
        let text = Localized::fi("   ");
        assert!(text.is_empty());
    }

    #[test]
    fn parses_language_tags() {
        assert_eq!(Lang::parse("fi-FI"), Some(Lang::Fi));
        assert_eq!(Lang::parse("SV"), Some(Lang::Sv));
        assert_eq!(Lang::parse("de"), None);
    }
}

/// Which Finnish analysis search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyzerMode {
    /// Voikko when installed, else Snowball with a warning.
    Auto,
    /// Voikko, or refuse to start.
    Voikko,
    /// The Snowball stemmer.
    Snowball,
    /// No Finnish analysis at all (for comparisons).
    None,
}
