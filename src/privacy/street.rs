//! Street addresses: a street name with a house number, Dutch, German or English style.

use regex::Regex;

use super::claims::{Claims, scan};
use super::words::{amount_context, continues_number, is_inline_space, year_like};
use super::{PiiKind, SP};

#[derive(Debug)]
pub struct Streets {
    street: Regex,
    street_en: Regex,
}

impl Streets {
    pub fn new() -> Streets {
        Streets {
            street: super::re(&format!(
                r"\b(?P<street>(?:\p{{L}}[\p{{L}}'’\-]*?)?(?i:straat|weg|laan|plein|dijk|kade|gracht|singel|steeg|pad|hof|dreef|markt|straße|strasse|str\.|street|road|allee|gasse|avenue))(?:{SP}+(?i:nr|no|nummer)\.?)?{SP}+(?P<num>[0-9]{{1,5}})(?:-?[A-Za-z]\b|[-/][0-9]{{1,4}}\b)?"
            )),
            street_en: super::re(&format!(
                r"\b(?P<num>[0-9]{{1,5}})[A-Za-z]?{SP}+(?:\p{{Lu}}[\p{{L}}'’\-]*{SP}+){{1,3}}(?:Street|Road|Avenue|Lane|Drive|Boulevard)\b"
            )),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        scan(&self.street, text, |c| {
            let m = c.get(0)?;
            let word = c.name("street")?;
            let num = c.name("num")?;
            let capitalised = word.as_str().chars().next().is_some_and(char::is_uppercase);
            if !street_word_ok(&word.as_str().to_lowercase(), capitalised)
                || year_like(num.as_str())
                || text[m.end()..].starts_with(|ch: char| ch.is_ascii_digit())
                || amount_context(text, num.start(), m.end())
            {
                return None;
            }
            let start = extend_street_start(text, word.start());
            claims
                .claim(start, m.end(), PiiKind::Address)
                .then_some(m.end())
        });
        scan(&self.street_en, text, |c| {
            let m = c.get(0)?;
            let num = c.name("num")?;
            if year_like(num.as_str()) || continues_number(text, m.start(), num.end()) {
                return None;
            }
            claims
                .claim(m.start(), m.end(), PiiKind::Address)
                .then_some(m.end())
        });
    }
}

/// Lowercase words that end like a street but are ordinary words ("onderweg 3 dagen").
#[rustfmt::skip]
const NOT_STREETS: &[&str] = &[
    "onderweg", "kortweg", "gaandeweg", "halfweg", "halverweg", "zijweg", "snelweg", "uitweg",
    "omweg", "groeipad", "leerpad", "ontwikkelpad", "carrièrepad", "klantpad", "gerechtshof",
];

#[rustfmt::skip]
const STREET_SUFFIXES: &[&str] = &[
    "straat", "weg", "laan", "plein", "dijk", "kade", "gracht", "singel", "steeg", "pad", "hof",
    "dreef", "markt", "straße", "strasse", "str.", "street", "road", "allee", "gasse", "avenue",
];

fn street_word_ok(lower: &str, capitalised: bool) -> bool {
    // Street names are capitalised; typed lowercase we still take them, except the bare suffix
    // ("de weg 3 keer") and compounds that are economics, not addresses ("arbeidsmarkt 2").
    capitalised
        || !(STREET_SUFFIXES.contains(&lower)
            || lower.ends_with("markt")
            || NOT_STREETS.contains(&lower))
}

/// Dutch and German name particles ("Van der Waalsstraat", "Jan de Vries").
#[rustfmt::skip]
pub(super) const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "’t", "von", "vom", "zu", "zum",
    "zur", "des", "del", "della", "da", "di", "du", "le", "la", "sint", "st",
];

/// Capitalised words that can stand before a street name without being part of it.
#[rustfmt::skip]
const NOT_STREET_PREFIX: &[&str] = &[
    "ik", "wij", "we", "mijn", "onze", "ons", "op", "in", "aan", "bij", "naar", "uit", "met",
    "voor", "is", "zit", "zitten", "woon", "wonen", "i", "my", "our", "at", "on", "ich", "wir",
    "mein", "meine", "unser", "unsere", "auf", "an", "im", "am", "bei", "the", "die", "das",
    "adres", "address", "adresse", "locatie", "vestiging", "gevestigd", "postadres", "bezoekadres",
];

/// Takes in the rest of a multi-word street name ("Burg. de Withstraat", "Van der Waalsstraat"),
/// but not a sentence's "op de" before it.
fn extend_street_start(text: &str, start: usize) -> usize {
    let mut taken: Vec<(usize, bool)> = Vec::new();
    let mut s = start;
    while taken.len() < 3 {
        let before = &text[..s];
        let trimmed = before.trim_end_matches(is_inline_space);
        if trimmed.len() == before.len() || trimmed.is_empty() {
            break;
        }
        let Some(ws) = trimmed
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphabetic() || matches!(c, '\'' | '’' | '-' | '.'))
            .last()
            .map(|(i, _)| i)
        else {
            break;
        };
        let word = &trimmed[ws..];
        // "Emmen. Hoofdstraat 12": a full stop after a long word ends a sentence.
        if word.ends_with('.') && word.chars().count() > 5 {
            break;
        }
        let lower = word.trim_end_matches('.').to_lowercase();
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if PARTICLES.contains(&lower.as_str()) {
            taken.push((ws, !capitalised));
        } else if capitalised && !NOT_STREET_PREFIX.contains(&lower.as_str()) {
            taken.push((ws, false));
        } else {
            break;
        }
        s = ws;
    }
    while taken
        .last()
        .is_some_and(|&(_, lowercase_particle)| lowercase_particle)
    {
        taken.pop();
    }
    taken.last().map_or(start, |&(ws, _)| ws)
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn street_addresses() {
        assert_redacts(
            "Mijn winkel zit op de Hoofdstraat 12 in Emmen.",
            "Mijn winkel zit op de [adres] in Emmen.",
            &[PiiKind::Address],
        );
        assert_redacts(
            "Adres: Kerkweg 3a, 7811 AB Emmen",
            "Adres: [adres], 7811 [postcode] Emmen",
            &[PiiKind::Address, PiiKind::Postcode],
        );
        assert_redacts(
            "We zitten aan de Van der Waalsstraat 5-7.",
            "We zitten aan de [adres].",
            &[PiiKind::Address],
        );
        assert_redacts(
            "Unser Büro ist in der Hauptstraße 15 in Meppen.",
            "Unser Büro ist in der [adres] in Meppen.",
            &[PiiKind::Address],
        );
        assert_redacts(
            "Ons bedrijf 't Hoekje zit op Markt 3.",
            "Ons bedrijf 't Hoekje zit op [adres].",
            &[PiiKind::Address],
        );
        assert_redacts(
            "Bezoekadres: Burg. de Withstraat 5, Emmen",
            "Bezoekadres: [adres], Emmen",
            &[PiiKind::Address],
        );
        assert_redacts(
            "Our office is at 221B Baker Street in London.",
            "Our office is at [adres] in London.",
            &[PiiKind::Address],
        );
    }

    #[test]
    fn street_like_words_without_a_house_number_stay() {
        assert_unchanged("Is de Hoofdstraat in Emmen geschikt voor een winkel?");
        assert_unchanged("Hoe ziet de arbeidsmarkt 2025 eruit? Ik ben 3 dagen onderweg 2 keer.");
    }
}
