//! Numbers: phone numbers, BSNs, KvK numbers, and any other long run of digits. They share one
//! tokeniser: a run of digit groups joined by single separators, in which every stretch of whole
//! groups is a candidate. That way "050-1234567 06-12345678" yields two numbers and "€ 50.000" never
//! yields a partial one.

use regex::Regex;

use super::claims::Claims;
use super::known::Known;
use super::words::{amount_context, continues_number, words_near};
use super::{DASH, PiiKind, SP};

#[derive(Debug)]
pub struct Numbers {
    number_chunk: Regex,
    number_token: Regex,
}

impl Numbers {
    pub fn new() -> Numbers {
        let token = r"[(+]{0,2}[0-9][0-9()]*";
        let sep = format!(r"(?:{SP}{{0,2}}[{DASH}./]{SP}{{0,2}}|{SP}{{1,3}})");
        Numbers {
            number_chunk: super::re(&format!("{token}(?:{sep}{token})*")),
            number_token: super::re(token),
        }
    }

    pub fn detect(&self, text: &str, known: &Known, claims: &mut Claims) {
        for chunk in self.number_chunk.find_iter(text) {
            let tokens: Vec<(usize, usize)> = self
                .number_token
                .find_iter(chunk.as_str())
                .map(|t| (chunk.start() + t.start(), chunk.start() + t.end()))
                .collect();
            let mut i = 0;
            while i < tokens.len() {
                let last = tokens.len().min(i + 8);
                // The longest stretch wins: "+31 6 12345678" is one number, not "+31 6" and a KvK.
                let hit = (i..last).rev().find_map(|j| {
                    let (start, end, kind) = classify(text, &tokens[i..=j], known)?;
                    claims.claim(start, end, kind).then_some(j)
                });
                i = hit.map_or(i + 1, |j| j + 1);
            }
        }
    }
}

/// The BSN "elfproef": weights 9..2 and -1, sum divisible by 11; all zeros is not a number.
fn elfproef(digits: &str) -> bool {
    let d: Vec<i32> = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|v| v as i32)
        .collect();
    if d.len() != 9 || d.iter().all(|&v| v == 0) {
        return false;
    }
    let sum: i32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(v, w)| v * w)
        .sum::<i32>()
        - d[8];
    sum.rem_euclid(11) == 0
}

/// Decides what a stretch of digit groups is, if anything, and trims brackets that belong to the
/// sentence rather than the number.
fn classify(
    text: &str,
    tokens: &[(usize, usize)],
    known: &Known,
) -> Option<(usize, usize, PiiKind)> {
    let (mut start, mut end) = (tokens.first()?.0, tokens.last()?.1);
    let count = |s: &str, c: char| s.matches(c).count();
    while text[start..end].starts_with('(')
        && count(&text[start..end], '(') > count(&text[start..end], ')')
    {
        start += 1;
    }
    while text[start..end].ends_with(')')
        && count(&text[start..end], ')') > count(&text[start..end], '(')
    {
        end -= 1;
    }
    if start >= end || continues_number(text, start, end) || date_like(text, tokens) {
        return None;
    }
    let raw = &text[start..end];
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if phone_ok(raw, &digits) {
        return Some((start, end, PiiKind::Phone));
    }
    let kind = match digits.len() {
        9 if near_bsn(text, start, end)
            || (!amount_context(text, start, end) && elfproef(&digits)) =>
        {
            PiiKind::Bsn
        }
        // A BSN with its leading zero dropped.
        8 if near_bsn(text, start, end) => PiiKind::Bsn,
        // KvK numbers carry no check digit; a bare eight-digit number is treated as one, a grouped
        // one ("12.345.678") only next to the word, because grouped it is usually an amount.
        8 if near_kvk(text, start, end)
            || (tokens.len() == 1
                && !amount_context(text, start, end)
                && !near_other_number(text, start, end)
                && !known.number(&digits)) =>
        {
            PiiKind::Kvk
        }
        // Any other long run of digits identifies something or someone (a customer, policy or
        // file number, a driving licence): unless it is money or a number the knowledge itself
        // publishes. Only an unbroken run: grouped digits are mostly amounts ("1.250.000").
        n if n >= 7
            && tokens.len() == 1
            && !amount_context(text, start, end)
            && !known.number(&digits) =>
        {
            PiiKind::Number
        }
        _ => return None,
    };
    Some((start, end, kind))
}

/// Dutch numbers: ten digits from a leading 0, or nine after +31/0031 (with an optional "(0)");
/// 0800/090x service numbers; and, since a German or Belgian customer's number is just as
/// personal, any international number of plausible length.
fn phone_ok(raw: &str, digits: &str) -> bool {
    let international = raw.trim_start_matches('(').starts_with('+');
    let dutch = if international {
        digits.strip_prefix("31")
    } else {
        digits.strip_prefix("0031")
    };
    if let Some(rest) = dutch {
        let rest = match rest.strip_prefix('0') {
            Some(r) if rest.len() == 10 => r,
            _ => rest,
        };
        return rest.len() == 9 && !rest.starts_with('0');
    }
    if international {
        return (8..=15).contains(&digits.len());
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return (8..=13).contains(&rest.len()) && !rest.starts_with('0');
    }
    if !digits.starts_with('0') {
        return false;
    }
    let service = ["0800", "0900", "0906", "0909"]
        .iter()
        .any(|p| digits.starts_with(p));
    (digits.len() == 10 && !digits[1..].starts_with('0'))
        || (service && (digits.len() == 8 || digits.len() == 11))
}

/// "01-06-2025" and "2025-06-01" are dates, not KvK numbers or phone numbers.
fn date_like(text: &str, tokens: &[(usize, usize)]) -> bool {
    tokens.windows(3).any(|w| {
        let sep1 = text[w[0].1..w[1].0].trim();
        let sep2 = text[w[1].1..w[2].0].trim();
        if sep1 != sep2 || !matches!(sep1, "-" | "/" | "." | "\u{2013}") {
            return false;
        }
        let part = |k: usize| &text[w[k].0..w[k].1];
        let in_range = |s: &str, hi: u32| s.parse::<u32>().is_ok_and(|v| (1..=hi).contains(&v));
        match (part(0).len(), part(1).len(), part(2).len()) {
            (1..=2, 1..=2, 4) => in_range(part(0), 31) && in_range(part(1), 12),
            (4, 1..=2, 1..=2) => in_range(part(1), 12) && in_range(part(2), 31),
            _ => false,
        }
    })
}

fn near_bsn(text: &str, start: usize, end: usize) -> bool {
    words_near(text, start, end).any(|w| {
        w.starts_with("bsn")
            || w.contains("burgerservicenummer")
            || w.contains("bürgerservicenummer")
            || w.starts_with("sofi")
            || w.starts_with("rsin")
            || w == "ssn"
    })
}

fn near_kvk(text: &str, start: usize, end: usize) -> bool {
    words_near(text, start, end).any(|w| {
        w.starts_with("kvk")
            || w.contains("koophandel")
            || w.contains("handelsregister")
            || w == "coc"
    })
}

/// Another kind of number is named nearby ("klantnummer", "Kundennummer", "policy number"), so an
/// eight-digit run is that rather than a KvK number.
fn near_other_number(text: &str, start: usize, end: usize) -> bool {
    words_near(text, start, end).any(|w| {
        !w.starts_with("kvk")
            && (w.ends_with("nummer") || w.ends_with("number") || w.ends_with("nr") || w == "no")
    })
}

#[cfg(test)]
mod tests {
    use super::elfproef;
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;
    #[test]
    fn dutch_phone_formats() {
        for phone in [
            "06-12345678",
            "06 12 34 56 78",
            "0612345678",
            "050-1234567",
            "(050) 123 45 67",
            "0592-365 888",
            "+31 6 12345678",
            "+31612345678",
            "+31 (0)6 1234 5678",
            "0031 50 123 4567",
            "0800-1234",
            "06 - 123 456 78",
        ] {
            let input = format!("Bel mij gerust op {phone} na vijf uur.");
            assert_redacts(
                &input,
                "Bel mij gerust op [telefoon] na vijf uur.",
                &[PiiKind::Phone],
            );
        }
    }

    #[test]
    fn two_phone_numbers_in_one_run() {
        assert_redacts(
            "Bereikbaar via 050-1234567 06-12345678.",
            "Bereikbaar via [telefoon] [telefoon].",
            &[PiiKind::Phone, PiiKind::Phone],
        );
    }

    #[test]
    fn foreign_phone_numbers() {
        assert_redacts(
            "Sie erreichen mich unter +49 5931 123456 oder per Post.",
            "Sie erreichen mich unter [telefoon] oder per Post.",
            &[PiiKind::Phone],
        );
        assert_redacts(
            "Call me on +44 20 7946 0958 please.",
            "Call me on [telefoon] please.",
            &[PiiKind::Phone],
        );
    }

    #[test]
    fn amounts_years_dates_and_times_are_not_phones() {
        assert_unchanged("Ik heb € 50.000 nodig en wil in 2025 beginnen.");
        assert_unchanged("Het gaat om zo'n 20.000 euro, of 0,5 miljoen als het meezit.");
        assert_unchanged("Kan ik op 01-06-2025 om 15:00 langskomen?");
        assert_unchanged("Openingstijden 08.30 - 17.00 uur, 5 dagen per week.");
    }

    #[test]
    fn elfproef_examples() {
        assert!(elfproef("123456782"));
        assert!(elfproef("111222333"));
        assert!(!elfproef("123456789"));
        assert!(!elfproef("000000000"));
        assert!(!elfproef("12345678"));
    }

    #[test]
    fn bsn_passing_elfproef_anywhere() {
        assert_redacts(
            "Voor de aanvraag vroegen ze 123.456.782, moet ik dat geven?",
            "Voor de aanvraag vroegen ze [bsn], moet ik dat geven?",
            &[PiiKind::Bsn],
        );
        assert_redacts(
            "Mein Nummer ist 111 222 333 und ich habe eine Frage.",
            "Mein Nummer ist [bsn] und ich habe eine Frage.",
            &[PiiKind::Bsn],
        );
    }

    #[test]
    fn nine_digits_near_bsn_even_without_elfproef() {
        assert_redacts(
            "Mijn BSN is 123456789, kan ik als zzp'er subsidie krijgen?",
            "Mijn BSN is [bsn], kan ik als zzp'er subsidie krijgen?",
            &[PiiKind::Bsn],
        );
        assert_redacts(
            "Burgerservicenummer: 987 654 321",
            "Burgerservicenummer: [bsn]",
            &[PiiKind::Bsn],
        );
    }

    #[test]
    fn nine_digit_amounts_and_invalid_numbers_stay() {
        assert_unchanged("We zoeken € 123.456.782 aan financiering.");
        // Nine digits that are no BSN are still somebody's order number.
        assert_redacts(
            "Ons ordernummer 123456789 is nog niet geleverd.",
            "Ons ordernummer [nummer] is nog niet geleverd.",
            &[PiiKind::Number],
        );
    }

    #[test]
    fn kvk_numbers() {
        assert_redacts(
            "Ons KvK-nummer is 12345678, wij zitten in Assen.",
            "Ons KvK-nummer is [kvk], wij zitten in Assen.",
            &[PiiKind::Kvk],
        );
        assert_redacts(
            "Ingeschreven onder 87654321 sinds 2019.",
            "Ingeschreven onder [kvk] sinds 2019.",
            &[PiiKind::Kvk],
        );
        assert_redacts(
            "Kamer van Koophandel 1234 5678",
            "Kamer van Koophandel [kvk]",
            &[PiiKind::Kvk],
        );
    }

    #[test]
    fn grouped_eight_digit_amounts_are_not_kvk() {
        assert_unchanged("De investering is 12.345.678 en de omzet 2.500.000 euro.");
        assert_unchanged("KvK-inschrijving sinds 01-01-2020, vraag over btw.");
    }

    #[test]
    fn other_long_numbers_are_masked_unless_money_or_published() {
        for (input, gone) in [
            (
                "Mijn klantnummer bij de Rabobank is 48213377, kunt u kijken?",
                "48213377",
            ),
            ("Relatienummer 7301945 bij de gemeente.", "7301945"),
            (
                "Het dossiernummer van mijn aanvraag is 2025093317.",
                "2025093317",
            ),
            ("Rijbewijsnummer 5029381746, is dat nodig?", "5029381746"),
        ] {
            let out = redact(input);
            assert!(!out.text.contains(gone), "{input} -> {}", out.text);
        }
        assert_unchanged("Wij zoeken 2500000 euro en hebben 1.250.000 omzet.");
        // The testing knowledge publishes regulation number 20231234.
        assert_unchanged("Geldt regeling 20231234 ook voor mij?");
    }
}
