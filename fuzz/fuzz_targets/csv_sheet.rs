//! A course sheet in the CSV template's columns.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = tarjotin_api::ingest::parse_csv(&text);
});
