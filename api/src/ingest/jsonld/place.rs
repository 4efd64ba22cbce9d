//! Places: campuses, venues and virtual locations, with the municipality
//! always resolved (from its code, its name or its postal code).

use serde_json::Value;

use crate::codes::code_sets;
use crate::domain::{Address, Coordinates, LocationRecord};
use crate::ingest::errors::*;
use crate::ingest::reader::{each, item_path, join, shown, Reader, MAX_NAME, MAX_SHORT};

/// Where an instance or a channel happens.
#[derive(Debug, Default)]
pub struct Whereabouts {
    pub place: Option<LocationRecord>,
    pub online: bool,
    pub online_url: Option<String>,
    /// The municipality of an `AdministrativeArea` given without a venue.
    pub municipality: Option<String>,
}

/// A lowercase slug of a name, for derived ids.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn is_virtual(value: &Value) -> bool {
    value["@type"].as_str() == Some("VirtualLocation")
}

/// The municipality code of an address or an administrative area, by code, name or postal code.
pub fn municipality(r: &mut Reader, place: &Value, path: &str) -> Option<String> {
    let area = if place["address"]["containedInPlace"].is_object() {
        &place["address"]["containedInPlace"]
    } else {
        &place["containedInPlace"]
    };
    let code_path = join(path, "containedInPlace.identifier");
    if let Some(code) = r.string(&area["identifier"], &code_path, MAX_SHORT) {
        if code_sets().municipality(&code).is_some() {
            return Some(code);
        }
        r.error(
            &code_path,
            UNKNOWN_MUNICIPALITY,
            format!("unknown municipality code {}", shown(&code)),
        );
        return None;
    }
    let locality = r.string(
        &place["address"]["addressLocality"],
        &join(path, "address.addressLocality"),
        MAX_SHORT,
    );
    let names = [
        locality.clone(),
        r.string(
            &area["name"],
            &join(path, "containedInPlace.name"),
            MAX_SHORT,
        ),
    ];
    for name in names.iter().flatten() {
        if let Some(m) = code_sets().municipality_by_name(name) {
            return Some(m.code.clone());
        }
    }
    let postal = r.string(
        &place["address"]["postalCode"],
        &join(path, "address.postalCode"),
        20,
    );
    if let Some(m) = postal
        .as_deref()
        .and_then(|p| code_sets().municipality_by_postal_code(p))
    {
        return Some(m.code.clone());
    }
    let tried = names
        .iter()
        .flatten()
        .cloned()
        .chain(postal)
        .map(|t| shown(&t))
        .collect::<Vec<_>>()
        .join(", ");
    r.error(
        path,
        UNKNOWN_MUNICIPALITY,
        if tried.is_empty() {
            "no municipality: give containedInPlace.identifier, address.addressLocality or address.postalCode".to_string()
        } else {
            format!("cannot resolve a municipality from {tried}")
        },
    );
    None
}

/// A physical place of `owner` (an organisation's external id).
pub fn place(r: &mut Reader, value: &Value, path: &str, owner: &str) -> Option<LocationRecord> {
    if !value.is_object() {
        r.error(path, INVALID_TYPE, "expected a Place object");
        return None;
    }
    let name = r.text(&value["name"], &join(path, "name"), MAX_NAME);
    let municipality_code = municipality(r, value, path);
    let address = &value["address"];
    let street_address = r.string(
        &address["streetAddress"],
        &join(path, "address.streetAddress"),
        MAX_SHORT,
    );
    let postal_code = r.string(
        &address["postalCode"],
        &join(path, "address.postalCode"),
        20,
    );
    let locality = r.string(
        &address["addressLocality"],
        &join(path, "address.addressLocality"),
        MAX_SHORT,
    );
    let coordinates = coordinates(r, &value["geo"], &join(path, "geo"));
    let explicit = r.string(&value["@id"], &join(path, "@id"), 700);
    let label = name
        .get(crate::domain::Lang::Fi)
        .map(str::to_string)
        .or_else(|| street_address.clone())
        .or_else(|| locality.clone());
    let external_id = match (explicit, label) {
        (Some(id), _) => id,
        (None, Some(label)) => format!("{owner}#{}", slug(&label)),
        (None, None) => {
            r.error(
                &join(path, "name"),
                REQUIRED,
                "a place needs an @id, a name or an address",
            );
            return None;
        }
    };
    Some(LocationRecord {
        external_id,
        name,
        address: Address {
            street_address,
            postal_code,
            locality,
            municipality_code: Some(municipality_code?),
        },
        coordinates,
    })
}

fn coordinates(r: &mut Reader, geo: &Value, path: &str) -> Option<Coordinates> {
    if geo.is_null() {
        return None;
    }
    let latitude = r.number(&geo["latitude"], &join(path, "latitude"));
    let longitude = r.number(&geo["longitude"], &join(path, "longitude"));
    match (latitude, longitude) {
        (Some(latitude), Some(longitude))
            if (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude) =>
        {
            Some(Coordinates {
                latitude,
                longitude,
            })
        }
        (Some(_), Some(_)) => {
            r.error(
                path,
                INVALID_COORDINATES,
                "latitude must be within ±90 and longitude within ±180",
            );
            None
        }
        _ => {
            r.error(
                path,
                INVALID_COORDINATES,
                "geo needs both latitude and longitude",
            );
            None
        }
    }
}

/// A `location`: a Place, a VirtualLocation, or both (blended).
pub fn whereabouts(r: &mut Reader, value: &Value, path: &str, owner: &str) -> Whereabouts {
    let mut out = Whereabouts::default();
    for (i, item) in each(value) {
        let at = item_path(path, i);
        if item["@type"].as_str() == Some("AdministrativeArea") {
            let area = serde_json::json!({ "containedInPlace": item });
            out.municipality = municipality(r, &area, &at);
        } else if is_virtual(item) {
            out.online = true;
            out.online_url = out
                .online_url
                .or_else(|| r.url(&item["url"], &join(&at, "url")));
        } else if out.place.is_some() {
            r.error(&at, TOO_MANY, "an instance has at most one physical place");
        } else {
            out.place = place(r, item, &at, owner);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_municipality_comes_from_the_name_when_the_code_is_missing() {
        let mut r = Reader::default();
        let p =
            json!({"@type": "Place", "name": "Kampus", "address": {"addressLocality": "Kouvola"}});
        assert_eq!(municipality(&mut r, &p, "location").as_deref(), Some("286"));
        let p = json!({"@type": "Place", "name": "Kampus", "address": {"addressLocality": "Kotkan keskusta", "postalCode": "48100"}});
        assert_eq!(municipality(&mut r, &p, "location").as_deref(), Some("285"));
        assert!(r.errors.is_empty());
    }

    #[test]
    fn an_unresolvable_place_is_an_error_not_a_blank() {
        let mut r = Reader::default();
        let p = json!({"@type": "Place", "name": "X", "address": {"addressLocality": "Atlantis"}});
        assert!(place(&mut r, &p, "location", "urn:org").is_none());
        assert_eq!(r.errors[0].code, UNKNOWN_MUNICIPALITY);
        let p = json!({"@type": "Place", "name": "X", "containedInPlace": {"identifier": "999"}});
        assert!(place(&mut r, &p, "location", "urn:org").is_none());
        assert_eq!(r.errors[1].path, "location.containedInPlace.identifier");
    }

    #[test]
    fn a_place_without_an_id_gets_one_from_its_owner_and_name() {
        let mut r = Reader::default();
        let p = json!({"@type": "Place", "name": "Ekami, Kotkan kampus", "containedInPlace": {"identifier": "285"}});
        let place = place(&mut r, &p, "location", "urn:kymi:org:ekami").unwrap();
        assert_eq!(place.external_id, "urn:kymi:org:ekami#ekami-kotkan-kampus");
    }
}
