//! Compound parts from Voikko's WORDBASES: `+lähi+hoita(hoitaa)+ja(+ja)` is
//! `lähi` + `hoitaja` (a derivational suffix joins back to its stem).

use super::voikko::Analysis;
use super::WordForms;

/// One part of a compound.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    /// As written inside the compound (`aikuis`, `hoitaja`).
    surface: String,
    /// Its base form (`aikuinen`), or the surface for derived parts.
    base: String,
}

/// Splits WORDBASES into parts.
pub fn components(wordbases: &str) -> Vec<(String, String)> {
    parts(wordbases)
        .into_iter()
        .map(|p| (p.surface, p.base))
        .collect()
}

fn segments(wordbases: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in wordbases.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth -= 1;
                current.push(c);
            }
            '+' if depth == 0 => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|seg| match seg.split_once('(') {
            Some((surface, rest)) => (
                surface.to_string(),
                Some(rest.trim_end_matches(')').to_string()),
            ),
            None => (seg, None),
        })
        .collect()
}

fn parts(wordbases: &str) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    let mut derived = Vec::new();
    for (surface, base) in segments(wordbases) {
        if surface == "-" || surface.is_empty() {
            continue;
        }
        match base {
            Some(b) if b.starts_with('+') && !out.is_empty() => {
                let last = out.len() - 1;
                out[last].surface.push_str(&surface);
                derived.push(last);
            }
            base => out.push(Part {
                base: base.unwrap_or_else(|| surface.clone()).replace('=', ""),
                surface,
            }),
        }
    }
    for i in derived {
        out[i].base = out[i].surface.clone();
    }
    for p in &mut out {
        p.surface = p.surface.to_lowercase();
        p.base = p.base.to_lowercase();
    }
    out
}

fn push(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// Base forms, compound parts, head and modifier/head split of a word's analyses.
pub fn forms(analyses: &[Analysis]) -> WordForms {
    let mut forms = WordForms::default();
    for analysis in analyses {
        push(&mut forms.lemmas, analysis.baseform.to_lowercase());
        let parts = parts(&analysis.wordbases);
        if parts.len() < 2 {
            continue;
        }
        for p in &parts {
            push(&mut forms.parts, p.base.clone());
        }
        let n = parts.len();
        if n >= 3 {
            let mut left: String = parts[..n - 2].iter().map(|p| p.surface.as_str()).collect();
            left.push_str(&parts[n - 2].base);
            let right: String = parts[1..].iter().map(|p| p.surface.as_str()).collect();
            push(&mut forms.parts, left);
            push(&mut forms.parts, right);
        }
        let head = parts[n - 1].base.clone();
        if forms.head.is_none() {
            forms.head = Some(head.clone());
            let mut modifier: String = parts[..n - 2].iter().map(|p| p.surface.as_str()).collect();
            modifier.push_str(&parts[n - 2].base);
            forms.split = vec![modifier, head];
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(baseform: &str, wordbases: &str) -> Analysis {
        Analysis {
            baseform: baseform.into(),
            wordbases: wordbases.into(),
            structure: String::new(),
        }
    }

    #[test]
    fn derivational_suffixes_join_their_stem() {
        assert_eq!(
            components("+lähi+hoita(hoitaa)+ja(+ja)"),
            [
                ("lähi".to_string(), "lähi".to_string()),
                ("hoitaja".into(), "hoitaja".into())
            ]
        );
    }

    #[test]
    fn three_part_compounds_give_their_sub_compounds() {
        let f = forms(&[analysis(
            "lähihoitajakoulutus",
            "+lähi+hoita(hoitaa)+ja(+ja)+koulutus(koulutus)",
        )]);
        for part in [
            "lähi",
            "hoitaja",
            "koulutus",
            "lähihoitaja",
            "hoitajakoulutus",
        ] {
            assert!(f.parts.contains(&part.to_string()), "{part}: {:?}", f.parts);
        }
        assert_eq!(f.head.as_deref(), Some("koulutus"));
    }

    #[test]
    fn a_modifier_in_genitive_splits_to_its_base_form() {
        let f = forms(&[analysis(
            "englanninkurssi",
            "+englannin(englanti)+kurssi(kurssi)",
        )]);
        assert_eq!(f.split, ["englanti", "kurssi"]);
        let f = forms(&[analysis(
            "aikuiskoulutus",
            "+aikuis(aikuinen)+koulut(kouluttaa)+us(+us)",
        )]);
        assert!(f.parts.contains(&"koulutus".to_string()), "{:?}", f.parts);
        assert!(f.parts.contains(&"aikuinen".to_string()));
    }
}
