//! A GraphQL document and its variables through the gate: the lexical
//! scan, the parser, and the cost walker over the real schema.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tarjotin_api::graphql::gate::Gate;

static GATE: OnceLock<Gate> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let gate = GATE.get_or_init(tarjotin_api::graphql::fuzzing::gate);
    let text = String::from_utf8_lossy(data);
    // The document, then optionally a NUL and the variables' JSON.
    let (query, variables) = text.split_once('\u{0}').unwrap_or((&text, ""));
    tarjotin_api::graphql::fuzzing::check_document(gate, query, variables);
});
