//! Identity documents: passport, identity-card and driving-licence numbers. Dutch and German
//! document numbers are nine to eleven letters and digits mixed ("NW8K2RT54", "L01X00T47"); an all-
//! digit licence number is a long number and is caught there.

use regex::Regex;

use super::PiiKind;
use super::claims::Claims;
use super::known::Known;
use super::words::{fold, words_near};

#[derive(Debug)]
pub struct Documents {
    token: Regex,
}

impl Documents {
    pub fn new() -> Documents {
        Documents {
            token: super::re(r"\b[A-Za-z0-9]{6,14}\b"),
        }
    }

    pub fn detect(&self, text: &str, known: &Known, claims: &mut Claims) {
        for m in self.token.find_iter(text) {
            let s = m.as_str();
            let digits = s.chars().filter(char::is_ascii_digit).count();
            let letters = s.len() - digits;
            if digits == 0 || letters == 0 || known.word(&fold(s)) {
                continue;
            }
            let cue = document_cue(text, m.start(), m.end());
            // Letters and digits in turn, at least three times: a code, not a word with a number
            // glued on ("covid19", "Q3", "A37").
            let changes = s
                .as_bytes()
                .windows(2)
                .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
                .count();
            let uppercase = s.chars().all(|c| !c.is_ascii_lowercase());
            let shaped = (8..=12).contains(&s.len()) && digits >= 3 && letters >= 2 && changes >= 3;
            if (shaped && (uppercase || changes >= 4)) || (cue && digits >= 2) {
                claims.claim(m.start(), m.end(), PiiKind::Document);
            }
        }
    }
}

fn document_cue(text: &str, start: usize, end: usize) -> bool {
    words_near(text, start, end).any(|w| {
        [
            "paspoort",
            "passport",
            "reisepass",
            "pass",
            "ausweis",
            "id",
            "idkaart",
            "identiteitskaart",
            "documentnummer",
            "rijbewijs",
            "licence",
            "license",
            "führerschein",
            "fuhrerschein",
            "personalausweis",
            "personalausweisnummer",
            "paspoortnummer",
            "rijbewijsnummer",
            "führerscheinnummer",
        ]
        .contains(&w.as_str())
            || w.starts_with("paspoort")
            || w.starts_with("ausweis")
            || w.starts_with("id-kaart")
    })
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn passport_identity_and_licence_numbers() {
        for (input, gone) in [
            (
                "Mijn paspoortnummer is NW8K2RT54, moet ik dat opgeven?",
                "NW8K2RT54",
            ),
            (
                "Ze vroegen mijn ID-kaart, documentnummer IX4LM92T6.",
                "IX4LM92T6",
            ),
            (
                "Meine Personalausweisnummer lautet L01X00T47, brauchen Sie die?",
                "L01X00T47",
            ),
            ("Reisepass C4J7MX2R9, gültig bis 2031.", "C4J7MX2R9"),
            (
                "Führerscheinnummer F4T52KX9L21, wird die geprüft?",
                "F4T52KX9L21",
            ),
            ("paspoort br4xj7pl2 heb ik al doorgestuurd", "br4xj7pl2"),
        ] {
            let out = redact(input);
            assert!(!out.text.contains(gone), "{input} -> {}", out.text);
            assert!(
                out.found.contains(&PiiKind::Document),
                "{input} -> {:?}",
                out.found
            );
        }
    }

    #[test]
    fn product_codes_and_abbreviations_stay() {
        assert_unchanged("Wij willen in 2030 CO2-neutraal, met een RTX4090 en een A4-printer.");
        assert_unchanged("Valt de Tesla Model3 onder de MIA? En covid19-steun in Q3?");
    }
}
