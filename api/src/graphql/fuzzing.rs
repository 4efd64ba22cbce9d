//! What the fuzz targets in `fuzz/` call: the decoders of what clients
//! send, reachable without a database. Each must answer every input with a
//! value or an error, never a panic.

use async_graphql::connection::CursorType;
use async_graphql::Variables;

use super::gate::Gate;
use super::limits::QueryLimits;
use super::pagination::Cursor;
use super::partner::ChangeCursor;

/// Decodes `text` as every kind of cursor and global id a client may send;
/// whatever decodes encodes back to itself.
pub fn decode_cursors(text: &str) {
    if let Ok(c) = Cursor::decode_cursor(text) {
        let again =
            Cursor::decode_cursor(&c.encode_cursor()).expect("a cursor's own encoding decodes");
        assert_eq!(again, c);
    }
    if let Ok(c) = ChangeCursor::decode_cursor(text) {
        let again = ChangeCursor::decode_cursor(&c.encode_cursor())
            .expect("a cursor's own encoding decodes");
        assert_eq!(again, c);
    }
    if let Ok((kind, id)) = super::ids::decode("id", text) {
        let again = super::ids::decode("id", &super::ids::encode(kind, id))
            .expect("an id's own encoding decodes");
        assert_eq!(again, (kind, id));
    }
}

/// The gate over the schema in code, with the default limits.
pub fn gate() -> Gate {
    Gate::for_sdl(&super::sdl(), QueryLimits::default())
}

/// Checks `query` with `variables` (JSON; anything else is no variables),
/// as the HTTP layer does before anything runs.
pub fn check_document(gate: &Gate, query: &str, variables: &str) {
    let variables = serde_json::from_str::<serde_json::Value>(variables)
        .map(Variables::from_json)
        .unwrap_or_default();
    let _ = gate.check(query, None, &variables);
}
