//! Opaque global ids: the type name and the row id, base64url-encoded.

use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::errors::{code, coded};

/// The kinds of node a global id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Organisation,
    Location,
    Course,
    CourseInstance,
    GuidanceService,
    ApiKey,
}

impl NodeKind {
    fn name(self) -> &'static str {
        match self {
            NodeKind::Organisation => "Organisation",
            NodeKind::Location => "Location",
            NodeKind::Course => "Course",
            NodeKind::CourseInstance => "CourseInstance",
            NodeKind::GuidanceService => "GuidanceService",
            NodeKind::ApiKey => "ApiKey",
        }
    }

    fn from_name(name: &str) -> Option<NodeKind> {
        [
            NodeKind::Organisation,
            NodeKind::Location,
            NodeKind::Course,
            NodeKind::CourseInstance,
            NodeKind::GuidanceService,
            NodeKind::ApiKey,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// The global id of a row.
pub fn encode(kind: NodeKind, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Reads a global id; `field` names the argument for the error.
pub fn decode(field: &str, id: &str) -> async_graphql::Result<(NodeKind, i32)> {
    let bad = || {
        coded(
            code::INVALID_ID,
            field,
            format!("{id:?} is not a Tarjotin id"),
        )
    };
    if id.len() > 100 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(id.trim_end_matches('='))
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (kind, row) = text.split_once(':').ok_or_else(bad)?;
    let kind = NodeKind::from_name(kind).ok_or_else(bad)?;
    let row = row.parse::<i32>().map_err(|_| bad())?;
    Ok((kind, row))
}

/// Reads a global id that must name a `kind`.
pub fn decode_as(field: &str, id: &str, kind: NodeKind) -> async_graphql::Result<i32> {
    match decode(field, id)? {
        (k, row) if k == kind => Ok(row),
        (k, _) => Err(coded(
            code::INVALID_ID,
            field,
            format!(
                "expected the id of a {}, got the id of a {}",
                kind.name(),
                k.name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoded_id_decodes_to_its_kind_and_row() {
        let id = encode(NodeKind::Course, 42);
        assert_eq!(decode("id", &id).unwrap(), (NodeKind::Course, 42));
        assert!(!id.contains("Course"), "ids are opaque");
    }

    #[test]
    fn garbage_and_ids_of_the_wrong_kind_are_refused() {
        assert!(decode("id", "not base64 !").is_err());
        assert!(decode("id", &URL_SAFE_NO_PAD.encode("Cake:1")).is_err());
        let org = encode(NodeKind::Organisation, 1);
        assert!(decode_as("id", &org, NodeKind::Course).is_err());
    }
}
