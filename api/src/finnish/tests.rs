//! The analyser with Voikko (when the system has it) and with Snowball.

use super::*;

fn voikko() -> Option<&'static Analyzer> {
    let a = analyzer();
    if a.backend() == Backend::Voikko {
        Some(a)
    } else {
        eprintln!("skipping: Voikko is not installed (apt-get install libvoikko1 voikko-fi)");
        None
    }
}

#[test]
fn voikko_lemmatises_inflected_forms_and_splits_compounds() {
    let Some(a) = voikko() else { return };
    assert!(a
        .word("lähihoitajaksi")
        .lemmas
        .contains(&"lähihoitaja".to_string()));
    let terms = a.finnish_terms("Aikuiskoulutukseen hakeutuminen");
    assert!(terms.contains(&"aikuiskoulutus".to_string()), "{terms:?}");
    assert!(terms.contains(&"koulutus".to_string()), "{terms:?}");
    assert_eq!(a.word("englanninkurssi").split, ["englanti", "kurssi"]);
}

#[test]
fn coordinated_compounds_expand_to_both_compounds() {
    let Some(a) = voikko() else { return };
    let terms = a.finnish_terms("Sosiaali- ja terveysalan perustutkinto");
    assert!(terms.contains(&"sosiaaliala".to_string()), "{terms:?}");
    assert!(terms.contains(&"terveysala".to_string()), "{terms:?}");
}

#[test]
fn hyphenated_words_give_their_pieces_and_unknown_words_pass_through() {
    let a = analyzer();
    let terms = a.finnish_terms("verkko-opetus ja xyzzyq");
    assert!(terms.contains(&"xyzzyq".to_string()), "{terms:?}");
    assert!(
        !terms.contains(&"ja".to_string()),
        "stop words are dropped: {terms:?}"
    );
    if a.backend() == Backend::Voikko {
        assert!(terms.contains(&"opetus".to_string()), "{terms:?}");
    }
}

#[test]
fn snowball_fallback_conflates_some_inflections() {
    let a = Analyzer::snowball();
    assert_eq!(a.backend(), Backend::Snowball);
    assert!(a.warning().is_some());
    assert_eq!(a.word("kurssilla").lemmas, a.word("kurssi").lemmas);
    assert!(a.word("kurssilla").parts.is_empty());
}

#[test]
fn swedish_and_english_fields_are_stemmed() {
    let a = Analyzer::snowball();
    assert_eq!(a.stems("nurses", false), a.stems("nurse", false));
    assert_eq!(a.stems("kurserna", true), a.stems("kurser", true));
}
