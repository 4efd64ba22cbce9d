//! Generated guidance and counselling services: study guidance of the
//! larger providers, reachable by phone, e-mail, chat or walk-in.

use serde_json::{json, Value};

use super::providers::{Provider, ProviderKind};
use super::rng::Rng;
use crate::codes::code_sets;

/// Whether a provider offers guidance of its own.
pub fn offers_guidance(p: &Provider) -> bool {
    matches!(
        p.kind,
        ProviderKind::VocationalCollege
            | ProviderKind::UniversityOfAppliedSciences
            | ProviderKind::YouthWorkshop
            | ProviderKind::AdultEducationCentre
    )
}

/// The feed line of the guidance service of `p`.
pub fn service_line(p: &Provider, r: &mut Rng) -> Value {
    let mut area: Vec<Value> = code_sets()
        .municipalities_in_region(&p.region)
        .into_iter()
        .take(12)
        .map(|m| json!({ "@type": "AdministrativeArea", "name": m.name.fi, "identifier": m.code }))
        .collect();
    area.truncate(1 + r.below(12));
    let (kind, audience) = match p.kind {
        ProviderKind::YouthWorkshop => {
            ("Nuorten ohjaus ja työpajatoiminta", vec!["nuoret aikuiset"])
        }
        ProviderKind::AdultEducationCentre => ("Kurssineuvonta", vec!["aikuiset", "eläkeläiset"]),
        _ => (
            "Opinto-ohjaus ja hakeutuminen",
            vec!["aikuiset", "työttömät", "työssä käyvät"],
        ),
    };
    let mut channels = vec![
        json!({ "@type": "ServiceChannel", "name": "puhelin",
                "servicePhone": { "@type": "ContactPoint", "telephone": format!("+358 {} {:03} {:04}", r.between(2, 9), r.between(0, 999), r.between(0, 9999)) },
                "availableLanguage": ["fi"] }),
        json!({ "@type": "ServiceChannel", "name": "sähköposti",
                "serviceUrl": format!("mailto:ohjaus@{}.example.fi", p.slug), "availableLanguage": ["fi", "en"] }),
    ];
    if r.chance(0.5) {
        channels.push(json!({ "@type": "ServiceChannel", "name": "chat",
            "serviceUrl": format!("https://{}.example.fi/chat", p.slug), "availableLanguage": ["fi"] }));
    }
    if r.chance(0.6) {
        channels.push(json!({ "@type": "ServiceChannel", "name": "walk-in",
            "serviceLocation": p.places[0], "availableLanguage": ["fi"] }));
    }
    let weekdays: Vec<String> = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        .iter()
        .map(|d| format!("https://schema.org/{d}"))
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": format!("{}:service", p.id.replace(":org:", ":")),
        "identifier": format!("{}-ohjaus", p.slug),
        "serviceType": kind,
        "name": format!("{}: {}", p.name, kind.to_lowercase()),
        "description": format!(
            "Maksutonta neuvontaa aikuisille: koulutusvaihtoehdot, hakeutuminen ja opiskelun rahoitus. {} auttaa myös aiemman osaamisen tunnistamisessa.",
            p.name
        ),
        "provider": { "@id": p.id },
        "areaServed": area,
        "audience": { "@type": "Audience", "audienceType": audience },
        "availableChannel": channels,
        "hoursAvailable": [{
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": weekdays,
            "opens": "09:00",
            "closes": if r.chance(0.5) { "15:00" } else { "16:00" }
        }]
    })
}
