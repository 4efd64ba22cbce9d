//! Tokens and normal forms shared by indexing and querying.

/// Lowercases and folds the diacritics Meilisearch folds (ä→a, ö→o, å→a, ...),
/// so that a query typed without them still matches.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ó' | 'ò' | 'ô' | 'ø' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ì' | 'ï' => 'i',
            'š' => 's',
            'ž' => 'z',
            c => c,
        })
        .collect()
}

/// A word of a text, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word as written (inner hyphens kept: `verkko-opetus`).
    pub text: String,
    /// Byte offsets in the text.
    pub start: usize,
    pub end: usize,
    /// Written with a trailing hyphen, as the first half of a coordinated
    /// compound: `sosiaali-` in `sosiaali- ja terveysala`.
    pub dangling: bool,
}

/// Splits a text into words: letters and digits, with inner hyphens and
/// apostrophes kept in the word.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            let joiner = (c == '-' || c == '\'' || c == '’')
                && chars.get(j + 1).is_some_and(|(_, n)| n.is_alphanumeric())
                && j > i;
            if c.is_alphanumeric() || joiner {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |(o, _)| *o);
        let dangling = chars.get(j).is_some_and(|(_, c)| *c == '-')
            && !chars.get(j + 1).is_some_and(|(_, n)| n.is_alphanumeric());
        out.push(Token {
            text: text[start..end].to_string(),
            start,
            end,
            dangling,
        });
        i = j.max(i + 1);
    }
    out
}

/// Finnish words too common to carry meaning in a search.
pub const STOP_WORDS: &[&str] = &[
    "ja", "tai", "sekä", "on", "ovat", "ei", "se", "ne", "että", "kun", "jos", "kuin", "myös",
    "vain", "niin", "voi", "joka", "jotka", "mikä", "mitkä", "sinä", "minä", "me", "te", "he",
    "sen", "sitä", "siitä", "tämä", "tässä", "näin", "olla", "oli", "ole", "eli", "mm", "esim",
    "jne", "the", "and", "of", "for", "in", "to", "a", "an", "och", "i", "på", "för", "med", "att",
    "en", "ett",
];

/// True for a stop word (any case).
pub fn is_stop_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    STOP_WORDS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_finnish_diacritics() {
        assert_eq!(fold("Työvoimakoulutus ÅÄÖ"), "tyovoimakoulutus aao");
    }

    #[test]
    fn tokens_keep_inner_hyphens_and_mark_dangling_ones() {
        let tokens = tokenize("Sosiaali- ja terveysalan verkko-opetus (B1–B2).");
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            words,
            ["Sosiaali", "ja", "terveysalan", "verkko-opetus", "B1", "B2"]
        );
        assert!(tokens[0].dangling);
        assert!(!tokens[3].dangling);
    }
}
