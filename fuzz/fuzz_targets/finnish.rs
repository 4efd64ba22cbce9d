//! The Finnish analyser (Snowball, with the compound splitter), on any text.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tarjotin_api::finnish::Analyzer;

static ANALYZER: OnceLock<Analyzer> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let analyzer = ANALYZER.get_or_init(Analyzer::snowball);
    let text = String::from_utf8_lossy(data);
    let _ = analyzer.finnish_terms(&text);
    let _ = analyzer.stems(&text, false);
    let _ = analyzer.stems(&text, true);
    for word in text.split_whitespace().take(16) {
        let _ = analyzer.word(word);
    }
});
