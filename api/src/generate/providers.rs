//! Generated providers: adult education centres, vocational colleges,
//! universities of applied sciences, folk high schools, summer universities,
//! youth workshops and training companies, each with campuses in its own
//! and neighbouring municipalities, and one employment office per region
//! that buys labour-market training.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::places::genitive;
use super::rng::{Rng, Table};
use crate::codes::{code_sets, Municipality};

/// What a provider is; it decides what it teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    AdultEducationCentre,
    VocationalCollege,
    UniversityOfAppliedSciences,
    FolkHighSchool,
    SummerUniversity,
    YouthWorkshop,
    TrainingCompany,
}

const KINDS: &[(ProviderKind, u32)] = &[
    (ProviderKind::AdultEducationCentre, 34),
    (ProviderKind::TrainingCompany, 26),
    (ProviderKind::VocationalCollege, 14),
    (ProviderKind::FolkHighSchool, 8),
    (ProviderKind::YouthWorkshop, 8),
    (ProviderKind::UniversityOfAppliedSciences, 5),
    (ProviderKind::SummerUniversity, 5),
];

const SURNAMES: &[&str] = &[
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Kinnunen",
    "Turunen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
];

const STREETS: &[&str] = &[
    "Koulukatu",
    "Kauppakatu",
    "Asemakatu",
    "Kirkkokatu",
    "Puistokatu",
    "Rantatie",
    "Opistontie",
    "Teollisuustie",
    "Keskuskatu",
    "Sairaalantie",
    "Kampusranta",
    "Satamakatu",
    "Torikatu",
    "Myllytie",
    "Ammattikoulunkatu",
];

/// A generated provider.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub slug: String,
    pub code: String,
    pub kind: ProviderKind,
    pub name: String,
    pub region: String,
    /// Campus places as written in the feed; instances refer to them verbatim.
    pub places: Vec<Value>,
    /// How many courses it offers relative to others.
    pub weight: u64,
}

fn place(owner: &str, k: usize, name: &str, m: &Municipality, rng: &mut Rng) -> Value {
    json!({
        "@type": "Place",
        "@id": format!("{owner}:place:{k}"),
        "name": name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": format!("{} {}", rng.pick(STREETS), rng.between(1, 60)),
            "postalCode": format!("{:05}", rng.between(1, 999) * 100),
            "addressLocality": m.name.fi,
            "addressCountry": "FI"
        },
        "containedInPlace": { "@type": "AdministrativeArea", "name": m.name.fi, "identifier": m.code }
    })
}

fn name_for(kind: ProviderKind, town: &str, rng: &mut Rng, variant: usize) -> String {
    let gen = genitive(town);
    let base = match kind {
        ProviderKind::AdultEducationCentre => rng
            .pick(&["kansalaisopisto", "työväenopisto", "seudun kansalaisopisto"])
            .to_string(),
        ProviderKind::VocationalCollege => rng
            .pick(&[
                "ammattiopisto",
                "seudun ammattiopisto",
                "aikuiskoulutuskeskus",
            ])
            .to_string(),
        ProviderKind::UniversityOfAppliedSciences => "ammattikorkeakoulu".into(),
        ProviderKind::FolkHighSchool => "kansanopisto".into(),
        ProviderKind::SummerUniversity => "kesäyliopisto".into(),
        ProviderKind::YouthWorkshop => rng.pick(&["nuorten työpaja", "työpajasäätiö"]).to_string(),
        ProviderKind::TrainingCompany => {
            let who = rng.pick(SURNAMES);
            return match rng.below(4) {
                0 => format!("{who} Koulutus Oy"),
                1 => format!("{gen} Turvakoulutus Oy"),
                2 => format!("Koulutuspalvelut {who} Oy"),
                _ => format!("{gen} Taitotalo Oy"),
            } + &suffix(variant);
        }
    };
    format!("{gen} {base}{}", suffix(variant))
}

fn suffix(variant: usize) -> String {
    if variant == 0 {
        String::new()
    } else {
        format!(" {}", variant + 1)
    }
}

/// `n` providers, spread over Finland by population.
pub fn providers(n: usize, rng: &Rng) -> Vec<Provider> {
    let weights = super::places::municipalities();
    let towns = Table::new(weights.iter().map(|(_, w)| *w));
    let large: Vec<&(&Municipality, u64)> = weights.iter().filter(|(_, w)| *w >= 30).collect();
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = rng.fork(1_000_000 + i as u64);
        let kind = *r.weighted(KINDS);
        let town = match kind {
            ProviderKind::UniversityOfAppliedSciences | ProviderKind::SummerUniversity => {
                large[r.below(large.len())].0
            }
            _ => weights[towns.draw(&mut r)].0,
        };
        let mut variant = 0;
        let name = loop {
            let candidate = name_for(kind, &town.name.fi, &mut r, variant);
            if names.insert(candidate.clone()) {
                break candidate;
            }
            variant += 1;
        };
        let slug = format!("p{i}");
        let id = format!("urn:tarjotin:gen:org:{slug}");
        let neighbours = code_sets().municipalities_in_region(&town.region);
        let campuses = 1 + r.below(if kind == ProviderKind::TrainingCompany {
            2
        } else {
            3
        });
        let mut places = vec![place(
            &id,
            0,
            &format!("{name}, päätoimipiste"),
            town,
            &mut r,
        )];
        for k in 1..campuses {
            let m = neighbours[r.below(neighbours.len())];
            places.push(place(
                &id,
                k,
                &format!("{name}, toimipiste {}", m.name.fi),
                m,
                &mut r,
            ));
        }
        let scale = match kind {
            ProviderKind::VocationalCollege | ProviderKind::UniversityOfAppliedSciences => 3,
            ProviderKind::AdultEducationCentre => 2,
            _ => 1,
        };
        // A few large providers and a long tail of small ones.
        let weight = scale * 1000 / (1 + (i as u64 % 97)).max(1) + r.below(50) as u64;
        out.push(Provider {
            code: format!(
                "{}{}",
                &name
                    .chars()
                    .filter(|c| c.is_uppercase())
                    .take(3)
                    .collect::<String>(),
                i
            ),
            id,
            slug,
            kind,
            name,
            region: town.region.clone(),
            places,
            weight,
        });
    }
    out
}

/// The employment office of a region, the funder of its labour-market training.
pub fn employment_office(region: &str) -> String {
    format!("urn:tarjotin:gen:org:te-{region}")
}

/// The feed line of a provider.
pub fn provider_line(p: &Provider) -> Value {
    let kind = match p.kind {
        ProviderKind::AdultEducationCentre
        | ProviderKind::FolkHighSchool
        | ProviderKind::VocationalCollege => "EducationalOrganization",
        ProviderKind::UniversityOfAppliedSciences | ProviderKind::SummerUniversity => {
            "CollegeOrUniversity"
        }
        _ => "Organization",
    };
    let additional = match p.kind {
        ProviderKind::AdultEducationCentre => "adult_education_centre",
        ProviderKind::VocationalCollege => "vocational_college",
        ProviderKind::UniversityOfAppliedSciences => "university_of_applied_sciences",
        ProviderKind::FolkHighSchool => "folk_high_school",
        ProviderKind::SummerUniversity => "summer_university",
        ProviderKind::YouthWorkshop => "youth_workshop",
        ProviderKind::TrainingCompany => "training_company",
    };
    let mut address = p.places[0]["address"].clone();
    address["containedInPlace"] = p.places[0]["containedInPlace"].clone();
    json!({
        "@context": "https://schema.org",
        "@type": kind,
        "@id": p.id,
        "identifier": p.slug,
        "additionalType": additional,
        "name": p.name,
        "url": format!("https://{}.example.fi/", p.slug),
        "email": format!("info@{}.example.fi", p.slug),
        "address": address,
        "location": p.places,
        "description": format!("{} järjestää koulutusta aikuisille.", p.name)
    })
}

/// The feed lines of the regions' employment offices.
pub fn employment_office_lines() -> Vec<Value> {
    code_sets()
        .regions()
        .iter()
        .map(|r| {
            json!({
                "@context": "https://schema.org",
                "@type": "GovernmentOrganization",
                "@id": employment_office(&r.code),
                "identifier": format!("te-{}", r.code),
                "additionalType": "employment_services",
                "name": format!("TE-palvelut, {}", r.name.fi),
                "url": format!("https://te-{}.example.fi/", r.code),
                "description": "Työllisyyspalvelut: työvoimakoulutuksen hankinta ja ohjaus."
            })
        })
        .collect()
}
