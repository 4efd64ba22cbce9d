//! Multilingual text: `name(lang: FI)` with fallback, plus every translation.

use async_graphql::SimpleObject;

use crate::domain::{self, Localized};
use crate::graphql::enums::Lang;

/// A text in one language.
#[derive(SimpleObject, Debug, Clone)]
pub struct Translation {
    pub language: Lang,
    pub value: String,
}

/// The text in `lang` (default Finnish), falling back fi → sv → en.
pub fn pick(text: &Localized, lang: Option<Lang>) -> Option<String> {
    let lang: domain::Lang = lang.unwrap_or_default().into();
    text.get(lang).map(str::to_string)
}

/// Every language the text has.
pub fn translations(text: &Localized) -> Vec<Translation> {
    domain::Lang::ALL
        .into_iter()
        .filter_map(|l| {
            text.exact(l).map(|v| Translation {
                language: l.into(),
                value: v.to_string(),
            })
        })
        .collect()
}
