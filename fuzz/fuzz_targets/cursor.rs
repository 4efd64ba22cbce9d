//! Page cursors, change-feed cursors and global ids, as clients send them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    tarjotin_api::graphql::fuzzing::decode_cursors(&text);
});
