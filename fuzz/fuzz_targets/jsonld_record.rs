//! One line of a schema.org JSON-LD feed: a record, or errors with paths.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = tarjotin_api::ingest::detect_kind(line);
        let _ = tarjotin_api::ingest::parse_jsonld_line(line);
    }
});
