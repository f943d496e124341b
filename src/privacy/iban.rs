//! IBANs: any country's with valid check digits, and a Dutch one even with a typo.

use regex::Regex;

use super::claims::{Claims, scan};
use super::{DASH, PiiKind};

#[derive(Debug)]
pub struct Ibans {
    iban: Regex,
    iban_nl: Regex,
}

impl Ibans {
    pub fn new() -> Ibans {
        Ibans {
            iban: super::re(&format!(
                r"(?i)\b[A-Z]{{2}}[0-9]{{2}}(?:[A-Z0-9]{{11,30}}|(?:[{DASH}\t\p{{Zs}}][A-Z0-9]{{4}}){{2,7}}(?:[{DASH}\t\p{{Zs}}][A-Z0-9]{{1,4}})?)\b"
            )),
            // At most ten account digits, so a phone number written right after it is not partly eaten.
            iban_nl: super::re(&format!(
                r"(?i)\bNL[0-9]{{2}}[{DASH}\t\p{{Zs}}]?[A-Z]{{4}}(?:[{DASH}\t\p{{Zs}}]?[0-9]){{8,10}}"
            )),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        scan(&self.iban, text, |c| {
            let m = c.get(0)?;
            let s = m.as_str();
            // The grouped pattern may run on into a following four-letter word ("… 7034 voor"), so try
            // each group boundary from the longest down and keep the longest that checks out.
            let mut ends: Vec<usize> = s
                .char_indices()
                .filter(|&(_, ch)| !ch.is_ascii_alphanumeric())
                .map(|(i, _)| i)
                .collect();
            ends.push(s.len());
            ends.into_iter().rev().find_map(|e| {
                let compact: String = s[..e]
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|ch| ch.to_ascii_uppercase())
                    .collect();
                (iban_valid(&compact) && claims.claim(m.start(), m.start() + e, PiiKind::Iban))
                    .then_some(m.start() + e)
            })
        });
        // A Dutch IBAN with a typo fails the check but is still somebody's account number.
        scan(&self.iban_nl, text, |c| {
            let m = c.get(0)?;
            claims
                .claim(m.start(), m.end(), PiiKind::Iban)
                .then_some(m.end())
        });
    }
}

/// ISO 13616 check: the rearranged number, letters as 10..35, is 1 modulo 97.
fn iban_valid(compact: &str) -> bool {
    let b = compact.as_bytes();
    (15..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b.iter().all(u8::is_ascii_alphanumeric)
        && mod97(&compact[4..], &compact[..4]) == Some(1)
}

/// `head` followed by `tail`, read as the big number the IBAN check uses, modulo 97.
pub(super) fn mod97(head: &str, tail: &str) -> Option<u32> {
    head.chars().chain(tail.chars()).try_fold(0u32, |rem, c| {
        let v = c.to_digit(36)?;
        Some(if v < 10 {
            (rem * 10 + v) % 97
        } else {
            (rem * 100 + v) % 97
        })
    })
}

#[cfg(test)]
mod tests {
    use super::iban_valid;
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;
    #[test]
    fn ibans_with_valid_check_digits() {
        for iban in [
            "NL91ABNA0417164300",
            "NL91 ABNA 0417 1643 00",
            "nl91abna0417164300",
            "DE89 3704 0044 0532 0130 00",
            "BE68 5390 0754 7034",
            "GB82 WEST 1234 5698 7654 32",
        ] {
            let input = format!("Kunt u de subsidie overmaken naar {iban} voor de huur?");
            assert_redacts(
                &input,
                "Kunt u de subsidie overmaken naar [iban] voor de huur?",
                &[PiiKind::Iban],
            );
        }
    }

    #[test]
    fn dutch_iban_with_a_typo_is_still_redacted() {
        assert!(!iban_valid("NL12ABCD0123456789"));
        assert_redacts(
            "Mijn rekening is NL12ABCD0123456789, klopt dat?",
            "Mijn rekening is [iban], klopt dat?",
            &[PiiKind::Iban],
        );
    }

    #[test]
    fn iban_check() {
        assert!(iban_valid("NL91ABNA0417164300"));
        assert!(!iban_valid("NL91ABNA0417164301"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("XX00"));
    }
}
