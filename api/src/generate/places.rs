//! Where generated courses are taught: every municipality of Finland,
//! weighted roughly by population, and the Finnish genitive of its name for
//! provider and campus names ("Tampereen", "Helsingin", "Rovaniemen").

use crate::codes::{code_sets, Municipality};

/// Approximate populations (thousands) of the larger municipalities; the
/// rest count as small towns.
const POPULATION: &[(&str, u32)] = &[
    ("091", 675),
    ("049", 318),
    ("837", 258),
    ("092", 250),
    ("564", 215),
    ("853", 202),
    ("179", 148),
    ("297", 125),
    ("398", 121),
    ("609", 84),
    ("286", 79),
    ("167", 77),
    ("405", 73),
    ("109", 68),
    ("905", 68),
    ("743", 65),
    ("698", 65),
    ("491", 52),
    ("285", 50),
    ("734", 51),
    ("638", 51),
    ("272", 48),
    ("444", 46),
    ("106", 46),
    ("543", 44),
    ("186", 45),
    ("684", 39),
    ("257", 40),
    ("858", 40),
    ("205", 36),
    ("245", 38),
    ("153", 25),
    ("740", 32),
    ("211", 34),
    ("075", 19),
    ("142", 6),
    ("624", 5),
    ("935", 3),
    ("489", 2),
];

/// Every municipality with its weight.
pub fn municipalities() -> Vec<(&'static Municipality, u64)> {
    code_sets()
        .municipalities()
        .iter()
        .map(|m| {
            let people = POPULATION
                .iter()
                .find(|(code, _)| *code == m.code)
                .map(|(_, n)| *n)
                .unwrap_or(6);
            (m, u64::from(people))
        })
        .collect()
}

/// Endings whose genitive changes the stem (consonant gradation, -i/-e stems).
const ENDINGS: &[(&str, &str)] = &[
    ("kaupunki", "kaupungin"),
    ("nki", "ngin"),
    ("joki", "joen"),
    ("lahti", "lahden"),
    ("järvi", "järven"),
    ("niemi", "niemen"),
    ("salmi", "salmen"),
    ("nummi", "nummen"),
    ("saari", "saaren"),
    ("lampi", "lammen"),
    ("mäki", "mäen"),
    ("vesi", "veden"),
    ("koski", "kosken"),
    ("ranta", "rannan"),
    ("virta", "virran"),
    ("pelto", "pellon"),
    ("nen", "sten"),
    ("ee", "een"),
    ("re", "reen"),
];

/// Names whose genitive no ending rule gives.
const IRREGULAR: &[(&str, &str)] = &[
    ("Turku", "Turun"),
    ("Hanko", "Hangon"),
    ("Kemi", "Kemin"),
    ("Raahe", "Raahen"),
];

/// The genitive of a Finnish place name: Kotka → Kotkan, Helsinki → Helsingin.
pub fn genitive(name: &str) -> String {
    if let Some((_, gen)) = IRREGULAR.iter().find(|(n, _)| *n == name) {
        return gen.to_string();
    }
    if let Some(rest) = name.strip_prefix("Uusi") {
        return format!("Uuden{}", genitive(rest).to_lowercase());
    }
    let lower = name.to_lowercase();
    for (ending, replacement) in ENDINGS {
        if lower.ends_with(ending) {
            let stem: String = name
                .chars()
                .take(name.chars().count() - ending.chars().count())
                .collect();
            return if stem.is_empty() {
                super::courses::capital(replacement)
            } else {
                format!("{stem}{replacement}")
            };
        }
    }
    format!("{name}n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genitives_follow_finnish_stem_changes() {
        for (name, gen) in [
            ("Kotka", "Kotkan"),
            ("Helsinki", "Helsingin"),
            ("Tampere", "Tampereen"),
            ("Rovaniemi", "Rovaniemen"),
            ("Seinäjoki", "Seinäjoen"),
            ("Lappeenranta", "Lappeenrannan"),
            ("Virolahti", "Virolahden"),
            ("Nurmijärvi", "Nurmijärven"),
            ("Äänekoski", "Äänekosken"),
            ("Uusikaupunki", "Uudenkaupungin"),
            ("Espoo", "Espoon"),
            ("Turku", "Turun"),
            ("Lahti", "Lahden"),
            ("Kauniainen", "Kauniaisten"),
            ("Kitee", "Kiteen"),
        ] {
            assert_eq!(genitive(name), gen);
        }
    }

    #[test]
    fn every_municipality_of_finland_can_be_drawn() {
        let all = municipalities();
        assert!(all.len() > 300);
        assert!(all.iter().all(|(_, w)| *w > 0));
    }
}
