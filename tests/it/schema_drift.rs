//! `schema.graphql` is generated from the code; this fails when it drifts.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test --test it schema`.

#[test]
fn the_committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let generated = tarjotin_api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema.graphql differs from the code; run `UPDATE_SCHEMA=1 cargo test --test it schema` and commit it"
    );
}
