//! Generated courses: what a provider of each kind teaches, named and
//! described in inflected Finnish, with Swedish and English translations for
//! a share of them.

use serde_json::{json, Value};

use super::instances::{instances, Funding, Rhythm};
use super::providers::{employment_office, Provider, ProviderKind};
use super::quals::{OPEN_STUDIES, QUALIFICATIONS, SHORT_COURSES};
use super::rng::Rng;
use super::vocab::{AUDIENCE_WORDS, HOBBIES, HOBBY_KINDS, LANGUAGES, LANGUAGE_KINDS};

/// A course before its instances: texts and course-level facts.
pub struct Draft {
    pub name: [String; 3],
    pub description: [String; 3],
    pub field: &'static str,
    pub level: &'static str,
    pub credential: Option<String>,
    pub credits: Option<(u32, &'static str)>,
    pub duration: Option<&'static str>,
    pub keywords: Vec<String>,
    pub audiences: Vec<&'static str>,
    pub funding: Funding,
    pub rhythm: Rhythm,
}

/// Upper-cases the first letter.
pub fn capital(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Joins compound parts, with a hyphen where the same vowel would meet (jooga-alkeiskurssi).
fn compound(first: &str, second: &str) -> String {
    let (a, b) = (first.chars().last(), second.chars().next());
    if a.is_some() && a == b && "aeiouyäö".contains(a.unwrap_or(' ')) {
        format!("{first}-{second}")
    } else {
        format!("{first}{second}")
    }
}

fn language_course(r: &mut Rng) -> Draft {
    let lang = r.weighted(LANGUAGES);
    let kind = r.weighted(LANGUAGE_KINDS);
    let (audience, sv_aud, en_aud, code) = *r.pick(AUDIENCE_WORDS);
    let [nom, gen, part] = lang.forms;
    let step = if kind.fi.starts_with("alkeis") || kind.fi.starts_with("jatko") {
        if r.chance(0.4) {
            format!(" {}", r.between(1, 3))
        } else {
            String::new()
        }
    } else {
        String::new()
    };
    let with_audience = r.chance(0.5);
    let fi = format!(
        "{} {}{step}{}",
        capital(gen),
        kind.fi,
        if with_audience {
            format!(" {audience}")
        } else {
            String::new()
        }
    );
    let opening = match kind.fi {
        "alkeiskurssi" => format!(
            "Kurssi on tarkoitettu aloittelijoille, jotka eivät ole aiemmin opiskelleet {part}."
        ),
        "jatkokurssi" | "kertauskurssi" => format!(
            "Kurssi sopii sinulle, joka osaat jo {part} hieman ja haluat rohkaistua puhumaan."
        ),
        "keskustelukurssi" => {
            format!("Kurssilla harjoitellaan {gen} kielen arkikeskustelua pienryhmässä.")
        }
        "matkailijan kurssi" => {
            format!("Kurssilla opit {gen} kielen tärkeimmät fraasit matkailijan tarpeisiin.")
        }
        _ => format!(
            "Kurssilla opiskellaan {part} monipuolisesti: puhumista, kuuntelua ja kirjoittamista."
        ),
    };
    let level = r.pick(&["A1", "A2", "B1", "B2"]);
    let description = [
        format!(
            "{opening} {} {} Tavoitetaso on {level} eurooppalaisen viitekehyksen mukaan.",
            r.pick(&[
                "Opit kertomaan itsestäsi, asioimaan kaupassa ja kysymään neuvoa.",
                "Tunneilla keskustellaan pareittain ja pienryhmissä arkisista aiheista.",
                "Harjoittelemme ääntämistä, kuullun ymmärtämistä ja sanastoa.",
            ]),
            r.pick(&[
                "Oppikirja kerrotaan ensimmäisellä tapaamisella.",
                "Opettaja jakaa materiaalit verkossa.",
                "Opetus on vuorovaikutteista ja rentoa.",
            ])
        ),
        format!(
            "Kurs i {} för vuxna. Undervisningen sker på finska.",
            lang.sv
        ),
        format!(
            "{} {} for adults. Teaching is in Finnish.",
            lang.en, kind.en
        ),
    ];
    Draft {
        name: [
            fi,
            format!(
                "{} {}{}",
                capital(lang.sv),
                kind.sv,
                if with_audience {
                    format!(" {sv_aud}")
                } else {
                    String::new()
                }
            ),
            format!(
                "{} {}{}",
                lang.en,
                kind.en,
                if with_audience {
                    format!(" {en_aud}")
                } else {
                    String::new()
                }
            ),
        ],
        description,
        field: "023",
        level: "kielikoulutus",
        credential: None,
        credits: None,
        duration: Some(*r.pick(&["PT20H", "PT24H", "PT30H", "PT36H"])),
        keywords: vec![nom.to_string(), "kielet".into(), format!("{gen} kieli")],
        audiences: vec![code],
        funding: Funding::SelfPaid,
        rhythm: if kind.fi == "verkkokurssi" {
            Rhythm::Online
        } else {
            Rhythm::WeeklyEvening
        },
    }
}

fn hobby_course(r: &mut Rng) -> Draft {
    let h = r.weighted(HOBBIES);
    let kind = r.weighted(HOBBY_KINDS);
    let (audience, sv_aud, en_aud, code) = *r.pick(AUDIENCE_WORDS);
    let [nom, gen, part] = h.forms;
    let fi = match (h.compound, r.below(3)) {
        (Some(stem), 0) => capital(&compound(stem, kind.fi)),
        (_, 1) => format!("{} {audience}", capital(nom)),
        _ => format!("{} {}", capital(gen), kind.fi),
    };
    let how = match h.field {
        "021" if h.keywords.contains(&"musiikki") => {
            "soitetaan ja lauletaan yhdessä opettajan johdolla"
        }
        "021" => "tehdään omia töitä ohjaajan johdolla",
        "101" if h.keywords.contains(&"liikunta") => {
            "harjoitellaan rauhalliseen tahtiin omaa kehoa kuunnellen"
        }
        "101" => "valmistetaan yhdessä ruokia ja leivonnaisia",
        "061" => "harjoitellaan omalla laitteella opettajan avustuksella",
        "022" => "keskustellaan, luetaan ja kirjoitetaan",
        _ => "retkeillään ja opitaan maastossa",
    };
    let second = if kind.fi == "jatkokurssi" {
        format!("Jatkokurssi sopii sinulle, joka olet harrastanut {part} jo aiemmin.")
    } else {
        format!("Aiempaa kokemusta {gen} parissa ei tarvita.")
    };
    let description = [
        format!(
            "{} {how}. {second} {} {}",
            r.pick(&[
                "Kurssilla tutustutaan aiheeseen ja",
                "Ryhmässä",
                "Kokoontumiskerroilla"
            ]),
            r.pick(&[
                "Jokainen saa henkilökohtaista ohjausta.",
                "Ryhmään mahtuu enintään 14 osallistujaa.",
                "Kurssi kokoontuu kerran viikossa koko lukukauden ajan.",
            ]),
            r.pick(&[
                "Materiaalit voi ostaa opettajalta.",
                "Ota mukaan omat välineet.",
                "Kurssimaksu sisältää perusmateriaalit.",
            ])
        ),
        format!("{} {} {sv_aud}.", capital(h.sv), kind.sv),
        format!("{} {} {en_aud}.", h.en, kind.en),
    ];
    let rhythm = match kind.fi {
        "viikonloppukurssi" => Rhythm::Weekend,
        _ if code == "eläkeläiset" => Rhythm::WeeklyDaytime,
        _ if r.chance(0.1) => Rhythm::Online,
        _ => Rhythm::WeeklyEvening,
    };
    let mut keywords: Vec<String> = h.keywords.iter().map(|k| k.to_string()).collect();
    keywords.push(nom.to_string());
    Draft {
        name: [
            fi,
            format!("{} {} {sv_aud}", capital(h.sv), kind.sv),
            format!("{} {} {en_aud}", h.en, kind.en),
        ],
        description,
        field: h.field,
        level: "vapaa sivistystyö",
        credential: None,
        credits: None,
        duration: Some(*r.pick(&["PT12H", "PT18H", "PT24H", "PT30H"])),
        keywords,
        audiences: vec![code],
        funding: Funding::SelfPaid,
        rhythm,
    }
}

fn qualification_course(r: &mut Rng, part: bool) -> Draft {
    let q = r.weighted(QUALIFICATIONS);
    let [title, title_gen, title_tr] = q.title.forms;
    let funding = *r.weighted(&[
        (Funding::Free, 55),
        (Funding::LabourMarket, 27),
        (Funding::Apprenticeship, 18),
    ]);
    let name = if part {
        format!("Tutkinnon osa: {}", r.pick(q.units))
    } else {
        match (funding, r.below(3)) {
            (Funding::Apprenticeship, 0) => format!("{} oppisopimuksella", capital(title_tr)),
            (Funding::LabourMarket, 0) => format!("{} työvoimakoulutuksena", capital(title_tr)),
            (_, 1) => format!("{} koulutus aikuisille", capital(title_gen)),
            _ => format!("{}, {title}", q.name),
        }
    };
    let study = match funding {
        Funding::Apprenticeship => "Opinnot suoritetaan pääosin työpaikalla oppisopimuksella, ja opiskelu edellyttää työsuhdetta alan työpaikkaan.",
        _ => "Opinnot koostuvat lähipäivistä, verkko-opinnoista ja työelämässä oppimisesta.",
    };
    let money = match funding {
        Funding::LabourMarket => "Koulutus on työvoimakoulutusta, ja se on tarkoitettu työttömille ja työttömyysuhan alaisille työnhakijoille.",
        _ => "Koulutus on opiskelijalle maksuton.",
    };
    let fi_text = format!(
        "Koulutus on tarkoitettu aikuisille, jotka haluavat kouluttautua {title_tr}. Koulutuksessa opit {}. {study} Valmistut {title_tr}, joka voi työskennellä {}. Aiempi osaamisesi tunnistetaan, ja opintojen kesto sovitaan henkilökohtaisesti. {money}",
        q.skills, q.workplaces
    );
    let audiences = match funding {
        Funding::LabourMarket => vec!["työttömät"],
        Funding::Apprenticeship => vec!["työssä käyvät"],
        _ => vec!["työssä käyvät", "työttömät"],
    };
    let mut keywords: Vec<String> = q.keywords.iter().map(|k| k.to_string()).collect();
    keywords.push(
        if part {
            "tutkinnon osa"
        } else {
            "ammatillinen koulutus"
        }
        .into(),
    );
    Draft {
        name: [
            name,
            format!("{} ({})", q.sv, title),
            format!("{}, {}", q.en, q.title.en),
        ],
        description: [
            fi_text,
            format!("{}. Undervisningen sker på finska.", q.sv),
            format!(
                "{} for adults ({}). Teaching is in Finnish; your prior learning is recognised.",
                q.en, q.title.en
            ),
        ],
        field: q.field,
        level: if part { "tutkinnon osa" } else { q.level },
        credential: (!part).then(|| format!("{} ({title})", q.name)),
        credits: Some(if part {
            (*r.pick(&[15, 20, 25, 30, 45]), "osp")
        } else {
            (if q.level == "perustutkinto" { 180 } else { 150 }, "osp")
        }),
        duration: None,
        keywords,
        audiences,
        funding,
        rhythm: if part {
            Rhythm::Months(2, 6)
        } else {
            Rhythm::Months(10, 24)
        },
    }
}

fn short_course(p: &Provider, r: &mut Rng, for_employers: bool) -> Draft {
    let (name, field, credential, keywords, en) = *r.pick(SHORT_COURSES);
    let integration = name.starts_with("Kotoutumis") || name.contains("TUVA");
    let card = if credential.is_empty() {
        "Koulutuksesta saat todistuksen osallistumisesta.".to_string()
    } else {
        format!("Koulutuksen hyväksytysti suorittaneet saavat todistuksen: {credential}.")
    };
    let fi_text = format!(
        "{name} antaa ajantasaiset tiedot ja käytännön valmiudet työtehtäviin. {card} {}",
        if for_employers {
            "Toteutamme koulutuksen myös yrityksille räätälöitynä omissa tiloissanne."
        } else {
            "Koulutus sopii sekä alalla työskenteleville että alalle hakeutuville."
        }
    );
    let (funding, level, audiences) = if integration {
        (
            Funding::LabourMarket,
            if name.contains("TUVA") {
                "valmentava koulutus"
            } else {
                "kielikoulutus"
            },
            vec!["maahanmuuttajat", "nuoret aikuiset"],
        )
    } else if for_employers {
        (
            Funding::ForEmployers,
            "täydennyskoulutus",
            vec!["työssä käyvät", "yrittäjät"],
        )
    } else {
        (
            Funding::SelfPaid,
            "täydennyskoulutus",
            vec!["työssä käyvät", "työttömät"],
        )
    };
    let town = p.places[0]["containedInPlace"]["name"]
        .as_str()
        .unwrap_or_default();
    let fi_name = if r.chance(0.3) {
        format!("{name}, {town}")
    } else {
        name.to_string()
    };
    Draft {
        name: [fi_name, String::new(), en.to_string()],
        description: [
            fi_text,
            String::new(),
            format!("{en}. Teaching is in Finnish."),
        ],
        field,
        level,
        credential: (!credential.is_empty()).then(|| credential.to_string()),
        credits: None,
        duration: Some(if integration {
            "P6M"
        } else {
            *r.pick(&["PT8H", "PT16H", "PT24H"])
        }),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        audiences,
        funding,
        rhythm: if integration {
            Rhythm::Months(4, 10)
        } else {
            Rhythm::Days(1, 3)
        },
    }
}

fn open_studies(r: &mut Rng, university: bool) -> Draft {
    let (name, field, credits, keywords, en) = *r.pick(OPEN_STUDIES);
    let prefix = if university {
        "Avoin yliopisto"
    } else {
        "Avoin AMK"
    };
    Draft {
        name: [format!("{prefix}: {name} ({credits} op)"), String::new(), format!("Open studies: {en} ({credits} ECTS)")],
        description: [
            format!(
                "Opintojakso {name} on kaikille avoin eikä edellytä aiempia opintoja. {} Suoritetut opinnot voi hyväksilukea myöhemmin tutkintoon. Hinta on 15 euroa opintopisteeltä.",
                r.pick(&["Opintojakso toteutetaan verkossa itsenäisesti opiskellen, ja siihen kuuluu viikoittaisia tehtäviä.", "Opinnot sisältävät verkkoluentoja ja ryhmätöitä."])
            ),
            String::new(),
            format!("{en}: open studies for everyone, no entry requirements. {credits} ECTS credits."),
        ],
        field,
        level: if university { "avoin yliopisto" } else { "avoin amk" },
        credential: None,
        credits: Some((credits, "op")),
        duration: None,
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        audiences: vec!["työssä käyvät", "aikuiset"],
        funding: Funding::OpenStudies(credits),
        rhythm: Rhythm::Online,
    }
}

fn draft(p: &Provider, r: &mut Rng) -> Draft {
    match p.kind {
        ProviderKind::AdultEducationCentre => match r.below(20) {
            0..=10 => hobby_course(r),
            11..=18 => language_course(r),
            _ => short_course(p, r, false),
        },
        ProviderKind::FolkHighSchool => match r.below(10) {
            0..=3 => hobby_course(r),
            4..=6 => language_course(r),
            _ => short_course(p, r, false),
        },
        ProviderKind::VocationalCollege => match r.below(8) {
            0..=3 => qualification_course(r, false),
            4..=5 => qualification_course(r, true),
            _ => {
                let employers = r.chance(0.3);
                short_course(p, r, employers)
            }
        },
        ProviderKind::UniversityOfAppliedSciences => match r.below(10) {
            0..=7 => open_studies(r, false),
            _ => short_course(p, r, true),
        },
        ProviderKind::SummerUniversity => match r.below(3) {
            0 | 1 => open_studies(r, true),
            _ => language_course(r),
        },
        ProviderKind::YouthWorkshop => short_course(p, r, false),
        ProviderKind::TrainingCompany => {
            let employers = r.chance(0.5);
            short_course(p, r, employers)
        }
    }
}

/// A multilingual text as the feed writes it: a plain Finnish string, or
/// tagged values when translations exist.
fn text(fi: &str, sv: Option<&str>, en: Option<&str>) -> Value {
    if sv.is_none() && en.is_none() {
        return json!(fi);
    }
    let mut out = vec![json!({"@language": "fi", "@value": fi})];
    if let Some(sv) = sv {
        out.push(json!({"@language": "sv", "@value": sv}));
    }
    if let Some(en) = en {
        out.push(json!({"@language": "en", "@value": en}));
    }
    Value::Array(out)
}

/// The feed line of course `n` of provider `p`, with `count` instances.
pub fn course_line(p: &Provider, n: usize, count: usize, r: &mut Rng) -> Value {
    let d = draft(p, r);
    let sv = (!d.name[1].is_empty() && r.chance(0.08)).then_some(1);
    let en = (!d.name[2].is_empty() && r.chance(0.22)).then_some(2);
    let pick = |i: Option<usize>, texts: &[String; 3]| i.map(|i| texts[i].clone());
    let id = format!("{}:course:{n}", p.id.replace(":org:", ":"));
    let mut course = json!({
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": id,
        "identifier": format!("{}-{n:05}", p.code),
        "name": text(&d.name[0], pick(sv, &d.name).as_deref(), pick(en, &d.name).as_deref()),
        "description": text(&d.description[0], pick(sv, &d.description).as_deref(), pick(en, &d.description).as_deref()),
        "url": format!("https://{}.example.fi/koulutukset/{n}", p.slug),
        "provider": { "@id": p.id },
        "about": [{ "@type": "DefinedTerm", "termCode": d.field, "inDefinedTermSet": "urn:fi:koulutusala2016" }],
        "educationalLevel": d.level,
        "keywords": d.keywords.join(", "),
        "audience": { "@type": "EducationalAudience", "audienceType": d.audiences },
        "inLanguage": "fi",
        "hasCourseInstance": instances(p, &id, &d, count, r),
    });
    if d.funding == Funding::LabourMarket {
        course["funder"] = json!({ "@id": employment_office(&p.region) });
    }
    if let Some(credential) = &d.credential {
        course["educationalCredentialAwarded"] = json!(credential);
    }
    if let Some((value, unit)) = d.credits {
        course["numberOfCredits"] =
            json!({ "@type": "StructuredValue", "value": value, "unitText": unit });
    }
    if let Some(duration) = d.duration {
        course["timeRequired"] = json!(duration);
    }
    course
}
