//! Finnish course vocabulary with its inflected forms written out (Finnish
//! inflection is too irregular to derive by rule: englanti → englannin,
//! englantia; lähihoitaja → lähihoitajaksi), and the Swedish and English names
//! translations use.

/// A language taught in language courses.
pub struct Language {
    /// Nominative, genitive, partitive: englanti, englannin, englantia.
    pub forms: [&'static str; 3],
    pub sv: &'static str,
    pub en: &'static str,
}

pub const LANGUAGES: &[(Language, u32)] = &[
    (
        Language {
            forms: ["englanti", "englannin", "englantia"],
            sv: "engelska",
            en: "English",
        },
        30,
    ),
    (
        Language {
            forms: ["ruotsi", "ruotsin", "ruotsia"],
            sv: "svenska",
            en: "Swedish",
        },
        14,
    ),
    (
        Language {
            forms: ["espanja", "espanjan", "espanjaa"],
            sv: "spanska",
            en: "Spanish",
        },
        16,
    ),
    (
        Language {
            forms: ["saksa", "saksan", "saksaa"],
            sv: "tyska",
            en: "German",
        },
        10,
    ),
    (
        Language {
            forms: ["ranska", "ranskan", "ranskaa"],
            sv: "franska",
            en: "French",
        },
        8,
    ),
    (
        Language {
            forms: ["italia", "italian", "italiaa"],
            sv: "italienska",
            en: "Italian",
        },
        7,
    ),
    (
        Language {
            forms: ["venäjä", "venäjän", "venäjää"],
            sv: "ryska",
            en: "Russian",
        },
        4,
    ),
    (
        Language {
            forms: ["japani", "japanin", "japania"],
            sv: "japanska",
            en: "Japanese",
        },
        4,
    ),
    (
        Language {
            forms: ["viro", "viron", "viroa"],
            sv: "estniska",
            en: "Estonian",
        },
        3,
    ),
    (
        Language {
            forms: ["kreikka", "kreikan", "kreikkaa"],
            sv: "grekiska",
            en: "Greek",
        },
        2,
    ),
    (
        Language {
            forms: ["portugali", "portugalin", "portugalia"],
            sv: "portugisiska",
            en: "Portuguese",
        },
        2,
    ),
    (
        Language {
            forms: ["kiina", "kiinan", "kiinaa"],
            sv: "kinesiska",
            en: "Chinese",
        },
        2,
    ),
    (
        Language {
            forms: ["viittomakieli", "viittomakielen", "viittomakieltä"],
            sv: "teckenspråk",
            en: "Sign language",
        },
        2,
    ),
];

/// A kind of course: its Finnish noun, and Swedish and English names.
pub struct Kind {
    pub fi: &'static str,
    pub sv: &'static str,
    pub en: &'static str,
}

pub const LANGUAGE_KINDS: &[(Kind, u32)] = &[
    (
        Kind {
            fi: "alkeiskurssi",
            sv: "nybörjarkurs",
            en: "course for beginners",
        },
        8,
    ),
    (
        Kind {
            fi: "keskustelukurssi",
            sv: "konversationskurs",
            en: "conversation course",
        },
        8,
    ),
    (
        Kind {
            fi: "jatkokurssi",
            sv: "fortsättningskurs",
            en: "continuation course",
        },
        6,
    ),
    (
        Kind {
            fi: "kertauskurssi",
            sv: "repetitionskurs",
            en: "refresher course",
        },
        3,
    ),
    (
        Kind {
            fi: "matkailijan kurssi",
            sv: "kurs för resenärer",
            en: "course for travellers",
        },
        2,
    ),
    (
        Kind {
            fi: "verkkokurssi",
            sv: "webbkurs",
            en: "online course",
        },
        3,
    ),
    (
        Kind {
            fi: "intensiivikurssi",
            sv: "intensivkurs",
            en: "intensive course",
        },
        2,
    ),
    (
        Kind {
            fi: "työelämän kurssi",
            sv: "kurs för arbetslivet",
            en: "course for working life",
        },
        2,
    ),
];

/// An audience in the allative ("aikuisille") and its Swedish and English names.
pub const AUDIENCE_WORDS: &[(&str, &str, &str, &str)] = &[
    ("aikuisille", "för vuxna", "for adults", "aikuiset"),
    (
        "aloittelijoille",
        "för nybörjare",
        "for beginners",
        "aikuiset",
    ),
    (
        "eläkeläisille",
        "för pensionärer",
        "for pensioners",
        "eläkeläiset",
    ),
    ("senioreille", "för seniorer", "for seniors", "eläkeläiset"),
    (
        "työssä käyville",
        "för yrkesverksamma",
        "for working people",
        "työssä käyvät",
    ),
    (
        "nuorille aikuisille",
        "för unga vuxna",
        "for young adults",
        "nuoret aikuiset",
    ),
    (
        "maahanmuuttajille",
        "för invandrare",
        "for immigrants",
        "maahanmuuttajat",
    ),
    (
        "yrittäjille",
        "för företagare",
        "for entrepreneurs",
        "yrittäjät",
    ),
];

/// A hobby or skill taught in liberal adult education.
pub struct Hobby {
    /// Nominative, genitive, partitive: keramiikka, keramiikan, keramiikkaa.
    pub forms: [&'static str; 3],
    /// The first part of a compound name ("keramiikka" + "kurssi"), if Finnish makes one.
    pub compound: Option<&'static str>,
    pub field: &'static str,
    pub sv: &'static str,
    pub en: &'static str,
    pub keywords: &'static [&'static str],
}

macro_rules! hobby {
    ($nom:literal, $gen:literal, $part:literal, $compound:expr, $field:literal, $sv:literal, $en:literal, [$($k:literal),*]) => {
        Hobby { forms: [$nom, $gen, $part], compound: $compound, field: $field, sv: $sv, en: $en, keywords: &[$($k),*] }
    };
}

pub const HOBBIES: &[(Hobby, u32)] = &[
    (
        hobby!(
            "keramiikka",
            "keramiikan",
            "keramiikkaa",
            Some("keramiikka"),
            "021",
            "keramik",
            "Ceramics",
            ["savityöt", "dreijaus", "käsityö"]
        ),
        6,
    ),
    (
        hobby!(
            "akvarellimaalaus",
            "akvarellimaalauksen",
            "akvarellimaalausta",
            None,
            "021",
            "akvarellmålning",
            "Watercolour painting",
            ["maalaus", "kuvataide", "akvarelli"]
        ),
        5,
    ),
    (
        hobby!(
            "öljyvärimaalaus",
            "öljyvärimaalauksen",
            "öljyvärimaalausta",
            None,
            "021",
            "oljemålning",
            "Oil painting",
            ["maalaus", "kuvataide"]
        ),
        3,
    ),
    (
        hobby!(
            "piirustus",
            "piirustuksen",
            "piirustusta",
            Some("piirustus"),
            "021",
            "teckning",
            "Drawing",
            ["kuvataide", "croquis"]
        ),
        4,
    ),
    (
        hobby!(
            "valokuvaus",
            "valokuvauksen",
            "valokuvausta",
            Some("valokuvaus"),
            "021",
            "fotografering",
            "Photography",
            ["kamera", "kuvankäsittely"]
        ),
        4,
    ),
    (
        hobby!(
            "ompelu",
            "ompelun",
            "ompelua",
            Some("ompelu"),
            "021",
            "sömnad",
            "Sewing",
            ["käsityö", "vaatteet", "ompelukone"]
        ),
        6,
    ),
    (
        hobby!(
            "kudonta",
            "kudonnan",
            "kudontaa",
            Some("kudonta"),
            "021",
            "vävning",
            "Weaving",
            ["käsityö", "kangaspuut", "matot"]
        ),
        3,
    ),
    (
        hobby!(
            "neulonta",
            "neulonnan",
            "neulontaa",
            Some("neulonta"),
            "021",
            "stickning",
            "Knitting",
            ["käsityö", "villa"]
        ),
        3,
    ),
    (
        hobby!(
            "puutyö",
            "puutöiden",
            "puutöitä",
            Some("puutyö"),
            "021",
            "träslöjd",
            "Woodwork",
            ["käsityö", "puusepäntyöt", "entisöinti"]
        ),
        4,
    ),
    (
        hobby!(
            "kitaransoitto",
            "kitaransoiton",
            "kitaransoittoa",
            None,
            "021",
            "gitarrspel",
            "Guitar",
            ["musiikki", "kitara", "soitto"]
        ),
        5,
    ),
    (
        hobby!(
            "pianonsoitto",
            "pianonsoiton",
            "pianonsoittoa",
            None,
            "021",
            "pianospel",
            "Piano",
            ["musiikki", "piano", "soitto"]
        ),
        3,
    ),
    (
        hobby!(
            "kuorolaulu",
            "kuorolaulun",
            "kuorolaulua",
            None,
            "021",
            "körsång",
            "Choir singing",
            ["musiikki", "laulu", "kuoro"]
        ),
        3,
    ),
    (
        hobby!(
            "tanssi",
            "tanssin",
            "tanssia",
            Some("tanssi"),
            "021",
            "dans",
            "Dance",
            ["liikunta", "lavatanssit", "paritanssi"]
        ),
        4,
    ),
    (
        hobby!(
            "jooga",
            "joogan",
            "joogaa",
            Some("jooga"),
            "101",
            "yoga",
            "Yoga",
            ["liikunta", "hyvinvointi", "rentoutus"]
        ),
        7,
    ),
    (
        hobby!(
            "pilates",
            "pilateksen",
            "pilatesta",
            Some("pilates"),
            "101",
            "pilates",
            "Pilates",
            ["liikunta", "kehonhuolto"]
        ),
        5,
    ),
    (
        hobby!(
            "vesijumppa",
            "vesijumpan",
            "vesijumppaa",
            None,
            "101",
            "vattengympa",
            "Aqua aerobics",
            ["liikunta", "uinti"]
        ),
        3,
    ),
    (
        hobby!(
            "kuntosaliharjoittelu",
            "kuntosaliharjoittelun",
            "kuntosaliharjoittelua",
            None,
            "101",
            "gymträning",
            "Gym training",
            ["liikunta", "voimaharjoittelu"]
        ),
        3,
    ),
    (
        hobby!(
            "kasvisruoka",
            "kasvisruoan",
            "kasvisruokaa",
            Some("kasvisruoka"),
            "101",
            "vegetarisk matlagning",
            "Vegetarian cooking",
            ["ruoanlaitto", "kokkaus", "kasvisruoat"]
        ),
        3,
    ),
    (
        hobby!(
            "leivonta",
            "leivonnan",
            "leivontaa",
            Some("leivonta"),
            "101",
            "bakning",
            "Baking",
            ["ruoanlaitto", "leipä", "kakut"]
        ),
        3,
    ),
    (
        hobby!(
            "sukututkimus",
            "sukututkimuksen",
            "sukututkimusta",
            Some("sukututkimus"),
            "022",
            "släktforskning",
            "Genealogy",
            ["historia", "arkistot"]
        ),
        3,
    ),
    (
        hobby!(
            "luova kirjoittaminen",
            "luovan kirjoittamisen",
            "luovaa kirjoittamista",
            None,
            "022",
            "kreativt skrivande",
            "Creative writing",
            ["kirjoittaminen", "kirjallisuus"]
        ),
        4,
    ),
    (
        hobby!(
            "filosofia",
            "filosofian",
            "filosofiaa",
            None,
            "022",
            "filosofi",
            "Philosophy",
            ["ajattelu", "etiikka"]
        ),
        2,
    ),
    (
        hobby!(
            "paikallishistoria",
            "paikallishistorian",
            "paikallishistoriaa",
            None,
            "022",
            "lokalhistoria",
            "Local history",
            ["historia", "kotiseutu"]
        ),
        2,
    ),
    (
        hobby!(
            "tietokoneen perustaidot",
            "tietokoneen perustaitojen",
            "tietokoneen perustaitoja",
            None,
            "061",
            "grundläggande datorkunskaper",
            "Computer basics",
            ["digitaidot", "tietotekniikka", "tietokone"]
        ),
        5,
    ),
    (
        hobby!(
            "älypuhelimen käyttö",
            "älypuhelimen käytön",
            "älypuhelimen käyttöä",
            None,
            "061",
            "att använda smarttelefon",
            "Using a smartphone",
            ["digitaidot", "älypuhelin", "sovellukset"]
        ),
        5,
    ),
    (
        hobby!(
            "taulukkolaskenta",
            "taulukkolaskennan",
            "taulukkolaskentaa",
            None,
            "061",
            "kalkylprogram",
            "Spreadsheets",
            ["excel", "tietotekniikka", "toimisto-ohjelmat"]
        ),
        3,
    ),
    (
        hobby!(
            "kuvankäsittely",
            "kuvankäsittelyn",
            "kuvankäsittelyä",
            None,
            "061",
            "bildbehandling",
            "Image editing",
            ["tietotekniikka", "valokuvaus", "grafiikka"]
        ),
        3,
    ),
    (
        hobby!(
            "ohjelmointi",
            "ohjelmoinnin",
            "ohjelmointia",
            None,
            "061",
            "programmering",
            "Programming",
            ["koodaus", "python", "tietotekniikka"]
        ),
        3,
    ),
    (
        hobby!(
            "puutarhanhoito",
            "puutarhanhoidon",
            "puutarhanhoitoa",
            None,
            "081",
            "trädgårdsskötsel",
            "Gardening",
            ["puutarha", "kasvit", "viljely"]
        ),
        2,
    ),
    (
        hobby!(
            "sienestys",
            "sienestyksen",
            "sienestystä",
            Some("sienestys"),
            "082",
            "svampplockning",
            "Mushroom picking",
            ["luonto", "sienet", "metsä"]
        ),
        1,
    ),
];

pub const HOBBY_KINDS: &[(Kind, u32)] = &[
    (
        Kind {
            fi: "kurssi",
            sv: "kurs",
            en: "course",
        },
        6,
    ),
    (
        Kind {
            fi: "alkeiskurssi",
            sv: "nybörjarkurs",
            en: "for beginners",
        },
        5,
    ),
    (
        Kind {
            fi: "jatkokurssi",
            sv: "fortsättningskurs",
            en: "continuation course",
        },
        4,
    ),
    (
        Kind {
            fi: "työpaja",
            sv: "verkstad",
            en: "workshop",
        },
        3,
    ),
    (
        Kind {
            fi: "iltakurssi",
            sv: "kvällskurs",
            en: "evening course",
        },
        3,
    ),
    (
        Kind {
            fi: "viikonloppukurssi",
            sv: "veckoslutskurs",
            en: "weekend course",
        },
        2,
    ),
    (
        Kind {
            fi: "kesäkurssi",
            sv: "sommarkurs",
            en: "summer course",
        },
        1,
    ),
];

/// Words for a qualification title in the forms descriptions use.
pub struct Title {
    /// Nominative, genitive, translative: lähihoitaja, lähihoitajan, lähihoitajaksi.
    pub forms: [&'static str; 3],
    pub en: &'static str,
}

/// A vocational qualification and what its descriptions say.
pub struct Qualification {
    pub name: &'static str,
    pub sv: &'static str,
    pub en: &'static str,
    /// basic, further or specialist.
    pub level: &'static str,
    pub field: &'static str,
    pub title: Title,
    /// What one learns, in the partitive.
    pub skills: &'static str,
    /// Where one works, in the inessive.
    pub workplaces: &'static str,
    /// Units taught as parts of the qualification.
    pub units: &'static [&'static str],
    pub keywords: &'static [&'static str],
}
