//! Finnish text analysis: base forms and compound parts for indexing and
//! querying. Voikko (libvoikko + the Finnish dictionary, loaded at run time)
//! when the system has it; the Snowball stemmer otherwise.

mod compound;
mod text;
mod voikko;

use sha2::Digest as _;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::domain::AnalyzerMode;

pub use compound::components;
pub use text::{fold, is_stop_word, tokenize, Token, STOP_WORDS};

/// Which morphology is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Lemmas and compound parts from Voikko.
    Voikko,
    /// Suffix stripping only; no compound parts.
    Snowball,
    /// No analysis: words match only as written (for comparisons).
    Off,
}

/// What a word is, for search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordForms {
    /// Base forms (one per distinct analysis), lowercased.
    pub lemmas: Vec<String>,
    /// Compound parts in base form, and for compounds of three or more parts
    /// the left and right sub-compounds.
    pub parts: Vec<String>,
    /// The last part of a compound (`ala` of `terveysala`).
    pub head: Option<String>,
    /// The compound split into modifier and head, for query expansion
    /// (`englanninkurssi` → `englanti`, `kurssi`).
    pub split: Vec<String>,
}

/// The version of the analysis code: raise it with any change to how texts
/// become index terms that the fingerprint samples might not show.
pub const ANALYSIS_VERSION: u32 = 1;

/// Texts whose analysis stands for the whole analyser in its fingerprint:
/// inflected forms, compounds of two and three parts, hyphenated and
/// coordinated compounds, Swedish and English.
const FINGERPRINT_SAMPLES: &[&str] = &[
    "lähihoitajaksi aikuiskoulutuksessa",
    "lähihoitajakoulutus ammattitutkintoon",
    "sosiaali- ja terveysalan perustutkinto",
    "verkko-opetus työvoimakoulutus englanninkurssi",
    "kokiksi kokeille tietojenkäsittelyn datanomi",
    "närvårdarutbildning utbildningar kurser",
    "evening courses for nurses training",
];

/// The analyser of this process.
pub struct Analyzer {
    backend: Backend,
    warning: Option<String>,
    finnish: Stemmer,
    swedish: Stemmer,
    english: Stemmer,
}

static ANALYZER: OnceLock<Analyzer> = OnceLock::new();

impl Analyzer {
    fn detect(prefer_voikko: bool) -> Analyzer {
        let (backend, warning) = match prefer_voikko.then(voikko::available) {
            Some(Ok(())) => (Backend::Voikko, None),
            Some(Err(reason)) => (
                Backend::Snowball,
                Some(format!(
                    "Voikko is unavailable ({reason}); Finnish search falls back to the Snowball stemmer, \
                     which finds fewer inflected forms and no compound parts. Install libvoikko1 and voikko-fi."
                )),
            ),
            None => (Backend::Snowball, Some("Voikko is turned off; using the Snowball stemmer".to_string())),
        };
        Analyzer {
            backend,
            warning,
            finnish: Stemmer::create(Algorithm::Finnish),
            swedish: Stemmer::create(Algorithm::Swedish),
            english: Stemmer::create(Algorithm::English),
        }
    }

    /// The Snowball analyser, whatever the system has (for tests and comparisons).
    pub fn snowball() -> Analyzer {
        Analyzer::detect(false)
    }

    /// Which morphology is in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Why the fallback is in use, if it is.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// No analysis at all.
    pub fn off() -> Analyzer {
        Analyzer {
            backend: Backend::Off,
            warning: Some("Finnish analysis is turned off (TARJOTIN_ANALYZER=none)".into()),
            ..Analyzer::detect(false)
        }
    }

    /// The forms of one Finnish word.
    pub fn word(&self, word: &str) -> WordForms {
        let lower = word.to_lowercase();
        if self.backend == Backend::Off {
            return WordForms {
                lemmas: vec![lower],
                ..WordForms::default()
            };
        }
        if self.backend == Backend::Voikko {
            if let Ok(analyses) = voikko::analyze(word) {
                if !analyses.is_empty() {
                    return compound::forms(&analyses);
                }
            }
            // Hyphenated or capitalised forms Voikko did not know as written.
            if lower != word {
                if let Ok(analyses) = voikko::analyze(&lower) {
                    if !analyses.is_empty() {
                        return compound::forms(&analyses);
                    }
                }
            }
            return WordForms {
                lemmas: vec![lower],
                ..WordForms::default()
            };
        }
        let stem = self.finnish.stem(&lower).into_owned();
        WordForms {
            lemmas: if stem == lower {
                vec![lower]
            } else {
                vec![stem]
            },
            ..WordForms::default()
        }
    }

    /// Index terms of a Finnish text, in text order: every base form, the
    /// compound parts and sub-compounds, the pieces of hyphenated words and
    /// the expansions of coordinated compounds (`sosiaali- ja terveysala` →
    /// `sosiaaliala`). Stop words are left out.
    pub fn finnish_terms(&self, text: &str) -> Vec<String> {
        if self.backend == Backend::Off {
            return Vec::new();
        }
        let tokens = tokenize(text);
        let mut out = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if is_stop_word(&token.text) {
                continue;
            }
            let pieces: Vec<&str> = token.text.split('-').filter(|p| !p.is_empty()).collect();
            let forms = self.word(&token.text);
            out.extend(forms.lemmas.iter().cloned());
            out.extend(forms.parts.iter().cloned());
            if pieces.len() > 1 {
                for piece in pieces {
                    out.extend(self.word(piece).lemmas);
                }
            }
            if token.dangling {
                let next = tokens[i + 1..]
                    .iter()
                    .find(|t| !matches!(t.text.to_lowercase().as_str(), "ja" | "tai" | "sekä"));
                if let Some(head) = next.and_then(|t| self.word(&t.text).head) {
                    out.push(format!("{}{head}", token.text.to_lowercase()));
                }
            }
        }
        out
    }

    /// What this analyser makes of a fixed sample of texts, with its backend
    /// and `ANALYSIS_VERSION`: two processes with the same fingerprint index
    /// alike. A new dictionary or analysis code that changes any sample's
    /// terms changes it, so that an index built with the old one is rebuilt.
    pub fn fingerprint(&self) -> String {
        let mut text = format!("{ANALYSIS_VERSION}|{:?}", self.backend);
        for sample in FINGERPRINT_SAMPLES {
            text.push('|');
            text.push_str(&self.finnish_terms(sample).join(" "));
            for swedish in [true, false] {
                text.push('|');
                text.push_str(&self.stems(sample, swedish).join(" "));
            }
        }
        for word in FINGERPRINT_SAMPLES.iter().flat_map(|s| s.split(' ')) {
            text.push('|');
            text.push_str(&self.word(word).split.join(" "));
        }
        let digest = sha2::Sha256::digest(text.as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// Index terms of a Swedish or English text: Snowball stems.
    pub fn stems(&self, text: &str, swedish: bool) -> Vec<String> {
        if self.backend == Backend::Off {
            return Vec::new();
        }
        let stemmer = if swedish {
            &self.swedish
        } else {
            &self.english
        };
        tokenize(text)
            .iter()
            .filter(|t| !is_stop_word(&t.text))
            .map(|t| stemmer.stem(&t.text.to_lowercase()).into_owned())
            .collect()
    }
}

/// Chooses the analyser once, at start; `Err` when Voikko was demanded but is missing.
pub fn init(mode: AnalyzerMode) -> Result<&'static Analyzer, String> {
    let chosen = match mode {
        AnalyzerMode::Auto => Analyzer::detect(true),
        AnalyzerMode::Voikko => {
            voikko::available()?;
            Analyzer::detect(true)
        }
        AnalyzerMode::Snowball => Analyzer::snowball(),
        AnalyzerMode::None => Analyzer::off(),
    };
    let analyzer = ANALYZER.get_or_init(|| chosen);
    if let Some(warning) = analyzer.warning() {
        tracing::warn!("{warning}");
    }
    Ok(analyzer)
}

/// The analyser: the one `init` chose, else Voikko when it loads, else
/// Snowball with a warning (readiness reports it too).
pub fn analyzer() -> &'static Analyzer {
    ANALYZER.get_or_init(|| Analyzer::detect(true))
}

#[cfg(test)]
mod tests;
