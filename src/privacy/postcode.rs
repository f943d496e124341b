//! Dutch postcodes. The four-digit area is a region, not a household, and the analysis of unmet
//! demand needs to know where a question came from: it stays, and only the letters go
//! ("9401 [postcode]"). With a house number the full postcode points at one door, so then all of it
//! goes, and the house number too.

use regex::Regex;

use super::claims::{Claims, Span, scan};
use super::words::{amount_context, continues_number, words_before, year_like};
use super::{PiiKind, SP};

#[derive(Debug)]
pub struct Postcodes {
    postcode: Regex,
    house_number: Regex,
    bare_area: Regex,
}

struct Candidate {
    area_start: usize,
    area_end: usize,
    end: usize,
    has_number: bool,
}

impl Postcodes {
    pub fn new() -> Postcodes {
        Postcodes {
            postcode: super::re(&format!(
                r"\b(?P<area>[1-9][0-9]{{3}})(?P<gap>{SP}?)(?P<letters>[A-Za-z]{{2}})(?P<rest>{SP}*,?{SP}*(?P<num>[0-9]{{1,5}})(?:-?[A-Za-z]\b|[-/][0-9]{{1,4}}\b)?)?"
            )),
            // "huisnummer 3", "Hausnummer 27", "house number 112", "nummer 14", "Nr. 6". Only the
            // explicit words count on their own; "nummer", "nr", "no" only beside a postcode.
            house_number: super::re(&format!(
                r"(?i)\b(?P<cue>huisnummer|hausnummer|house{SP}+number|huisnr|hausnr|nummer|number|nr|no)\.?{SP}*:?{SP}*(?P<num>[0-9]{{1,5}}[a-z]?)\b"
            )),
            bare_area: super::re(r"\b[1-9][0-9]{3}\b"),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        let candidates = self.lettered(text);
        let cues: Vec<(usize, usize, bool)> = self
            .house_number
            .captures_iter(text)
            .filter_map(|c| {
                let cue = c.name("cue")?.as_str().to_lowercase();
                let num = c.name("num")?;
                let explicit =
                    cue.starts_with("huis") || cue.starts_with("haus") || cue.starts_with("house");
                Some((num.start(), num.end(), explicit))
            })
            .collect();
        let bare: Vec<(usize, usize)> = self
            .bare_area
            .find_iter(text)
            .filter(|m| {
                !year_like(m.as_str())
                    && !continues_number(text, m.start(), m.end())
                    && !amount_context(text, m.start(), m.end())
                    && !candidates.iter().any(|c| c.area_start == m.start())
                    && (words_before(text, m.start(), 2).any(|w| postcode_word(&w))
                        || cues.iter().any(|&(s, _, _)| {
                            s > m.end() && text[m.end()..s].split_whitespace().count() <= 2
                        }))
            })
            .map(|m| (m.start(), m.end()))
            .collect();
        let any_postcode = !candidates.is_empty() || !bare.is_empty();
        let house = candidates.iter().any(|c| c.has_number)
            || cues.iter().any(|&(_, _, explicit)| explicit)
            || (any_postcode && !cues.is_empty());
        for c in &candidates {
            let span = if house {
                Span {
                    start: c.area_start,
                    end: c.end,
                    kind: PiiKind::Postcode,
                    spaced: false,
                }
            } else {
                Span {
                    start: c.area_end,
                    end: c.end,
                    kind: PiiKind::Postcode,
                    spaced: true,
                }
            };
            claims.claim_span(span);
        }
        if house {
            for &(s, e) in &bare {
                claims.claim(s, e, PiiKind::Postcode);
            }
            for &(s, e, _) in &cues {
                claims.claim(s, e, PiiKind::Address);
            }
        }
    }

    /// Postcodes with their letters ("9401 AB", "9401ab 12"), and where each ends.
    fn lettered(&self, text: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        scan(&self.postcode, text, |c| {
            let area = c.name("area")?;
            let letters = c.name("letters")?;
            if continues_number(text, area.start(), area.end())
                || amount_context(text, area.start(), area.end())
            {
                return None;
            }
            let pair = letters.as_str();
            let upper = pair.to_ascii_uppercase();
            let lower = pair.to_ascii_lowercase();
            let stop = POSTCODE_UPPER_STOP.contains(&upper.as_str())
                || POSTCODE_LOWER_STOP.contains(&lower.as_str());
            let mut end = letters.end();
            if let Some(rest) = c.name("rest")
                && !text[rest.end()..].starts_with(|ch: char| ch.is_alphanumeric())
                // "2030 CO2-neutraal": a digit glued to an abbreviation is not a house number.
                && !(stop && rest.as_str().starts_with(|ch: char| ch.is_ascii_digit()))
            {
                end = rest.end();
            }
            let has_number = end > letters.end();
            let next = text[letters.end()..].chars().next();
            // "9401 ABC…" is a word, "2025 EU-subsidie" and "2024 BV's" are not postcodes.
            if !has_number && next.is_some_and(|ch| ch.is_alphanumeric() || "-'’".contains(ch)) {
                return None;
            }
            // PostNL never issues these pairs, so "1234 SS" is something else.
            if matches!(upper.as_str(), "SA" | "SD" | "SS") {
                return None;
            }
            let lowercase = pair.chars().any(|ch| ch.is_ascii_lowercase());
            let attached = c.name("gap").is_some_and(|g| g.is_empty());
            let plausible = if lowercase {
                // Lowercase pairs after a year are mostly words ("2025 is", "1000 km"): only a pair
                // written against the digits or followed by a house number counts.
                !POSTCODE_LOWER_STOP.contains(&lower.as_str()) && (attached || has_number)
            } else {
                has_number || !POSTCODE_UPPER_STOP.contains(&upper.as_str())
            };
            if !plausible {
                return None;
            }
            out.push(Candidate {
                area_start: area.start(),
                area_end: area.end(),
                end,
                has_number,
            });
            Some(end)
        });
        out
    }
}

fn postcode_word(w: &str) -> bool {
    matches!(
        w,
        "postcode" | "postleitzahl" | "plz" | "zip" | "postal" | "postcodegebied"
    )
}

/// Two-letter words and units that follow a number in ordinary text ("2025 is", "1000 km").
#[rustfmt::skip]
pub(super) const POSTCODE_LOWER_STOP: &[&str] = &[
    "is", "en", "of", "om", "in", "op", "te", "al", "nu", "zo", "na", "me", "we", "ze", "je", "ga",
    "ik", "er", "ja", "km", "kg", "cm", "mm", "ml", "mg", "cl", "dl", "kw", "mw", "gw", "ha", "pk",
    "hp", "st", "an", "as", "at", "be", "by", "do", "go", "he", "if", "it", "my", "no", "on", "or",
    "so", "to", "up", "us", "am", "im", "um", "zu", "es", "du", "ob", "wo", "da", "eu", "bv", "nv",
    "ca", "vs", "ex", "ad", "af", "ok", "uk", "tv", "pc", "hr", "ai", "pr", "qm", "co",
];

/// Abbreviations written in capitals after a number ("in 2025 AI inzetten"); still a postcode
/// when a house number follows.
#[rustfmt::skip]
const POSTCODE_UPPER_STOP: &[&str] = &[
    "AI", "EU", "IT", "HR", "BV", "NV", "VS", "UK", "US", "KM", "KG", "MW", "KW", "GW", "PK", "TV",
    "PC", "PR", "NL", "DE", "BE", "CO", "OK", "ICT", "VOF", "MKB",
];

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;
    #[test]
    fn postcodes_keep_the_area() {
        assert_redacts(
            "Ons bedrijf zit op 9401 AB in Assen.",
            "Ons bedrijf zit op 9401 [postcode] in Assen.",
            &[PiiKind::Postcode],
        );
        assert_redacts(
            "Postcode 9401AB",
            "Postcode 9401 [postcode]",
            &[PiiKind::Postcode],
        );
        assert_redacts(
            "postcode 9401 ab 12a, is daar een regeling?",
            "postcode [postcode], is daar een regeling?",
            &[PiiKind::Postcode],
        );
    }

    #[test]
    fn excluded_letter_pairs_and_words_are_not_postcodes() {
        assert_unchanged("Code 1234 SS en 5678 SA en 9012 SD bestaan niet.");
        assert_unchanged("In 2025 is de omzet 1000 km verder gegroeid, en in 2026 AI inzetten?");
        assert_unchanged("Kost dat in 2025 EU-breed meer?");
    }

    #[test]
    fn abbreviations_with_digits_are_not_postcodes() {
        assert_unchanged("Wij willen in 2030 CO2-neutraal produceren, met 1000 MW en 2025 BV.");
    }

    #[test]
    fn with_a_house_number_the_whole_postcode_goes() {
        for (input, gone) in [
            (
                "Wij zitten op 9401 AB 12 en willen weten of dat kan.",
                ["9401", "12"],
            ),
            (
                "wij zitten op 7811 nummer 14, is daar glasvezel?",
                ["7811", "14"],
            ),
            (
                "postcode 9401, huisnummer 3: valt dat onder Assen?",
                ["9401", "3"],
            ),
            (
                "Die Postleitzahl 7901 TA, Hausnummer 27, in Hoogeveen.",
                ["7901", "27"],
            ),
            (
                "Postcode 9401 and house number 112, is that in the park?",
                ["9401", "112"],
            ),
            (
                "Wir wohnen in 7761 AR Schoonebeek Nr. 6 und möchten öffnen.",
                ["7761", " 6 "],
            ),
            (
                "I live at 9451 AC, number 7, and want to run a B&B.",
                ["9451", "7,"],
            ),
        ] {
            let out = redact(input);
            for g in gone {
                assert!(!out.text.contains(g), "{input} -> {}", out.text);
            }
        }
    }
}
