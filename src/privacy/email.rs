//! E-mail addresses, written normally or spelled out ("jan punt devries at gmail dot com",
//! "gerda(at)hofmanadvies(punt)nl").

use regex::Regex;

use super::claims::Claims;
use super::{PiiKind, SP};

#[derive(Debug)]
pub struct Emails {
    email: Regex,
    spelled: Regex,
}

/// Top-level domains people spell out; a spelled address must end in one, so "at the office" never
/// reads as an address.
const TLDS: &str = "com|nl|de|net|org|eu|be|uk|me|io|info|biz|at|ch|fr|online|nu|email|co";

impl Emails {
    pub fn new() -> Emails {
        let label = r"[\p{L}\p{N}_%+\-]+";
        // A spelled dot: " dot ", " punt ", " punkt ", "(dot)", "[punt]", or a real dot.
        let dot = format!(
            r"(?:{SP}*[\[(]{SP}*(?:dot|punt|punkt){SP}*[\])]{SP}*|{SP}+(?:dot|punt|punkt){SP}+|\.)"
        );
        let at = format!(
            r"(?:{SP}*[\[(]{SP}*(?:at|apenstaartje|ät){SP}*[\])]{SP}*|{SP}+(?:at|apenstaartje|ät){SP}+|{SP}*@{SP}*)"
        );
        Emails {
            email: super::re(&format!(
                r"(?i)[\p{{L}}\p{{N}}._%+'\-]+(?:@|{SP}?[\[(]{SP}?(?:at|apenstaartje){SP}?[\])]{SP}?)[\p{{L}}\p{{N}}\-]+(?:\.[\p{{L}}\p{{N}}\-]+)*\.\p{{L}}{{2,}}"
            )),
            spelled: super::re(&format!(
                r"(?i)\b{label}(?:{dot}{label}){{0,3}}{at}{label}(?:{dot}{label}){{0,3}}{dot}(?:{TLDS})\b"
            )),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        for m in self.email.find_iter(text) {
            claims.claim(m.start(), m.end(), PiiKind::Email);
        }
        for m in self.spelled.find_iter(text) {
            claims.claim(m.start(), m.end(), PiiKind::Email);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn email_addresses() {
        assert_redacts(
            "Mail mij op jan.jansen@bakkerij-jansen.nl voor een afspraak.",
            "Mail mij op [e-mail] voor een afspraak.",
            &[PiiKind::Email],
        );
        assert_redacts(
            "You can reach me at sarah_o'brien+grants@example.co.uk.",
            "You can reach me at [e-mail].",
            &[PiiKind::Email],
        );
        assert_redacts(
            "Schreiben Sie an info [at] firma-mueller.de, danke.",
            "Schreiben Sie an [e-mail], danke.",
            &[PiiKind::Email],
        );
    }

    #[test]
    fn spelled_out_addresses() {
        for (input, gone) in [
            (
                "Je kunt me mailen op jan punt devries at gmail dot com voor de offerte.",
                "devries",
            ),
            (
                "Mail naar j.devries [at] ziggo [dot] nl, dan stuur ik het door.",
                "devries",
            ),
            (
                "Mijn mailadres is gerda(at)hofmanadvies(punt)nl, bel liever niet.",
                "hofmanadvies",
            ),
            (
                "Reach me at sarah dot obrien at outlook dot com if it fails.",
                "obrien",
            ),
            (
                "Send it to m.kowalski AT proton DOT me, thanks.",
                "kowalski",
            ),
            (
                "Schreiben Sie an thomas punkt becker at web punkt de, bitte.",
                "becker",
            ),
            (
                "stuur het naar henkbakker1962 apenstaartje hotmail punt com",
                "henkbakker1962",
            ),
            (
                "my email is priya_r at yahoo dot co dot uk, I check it daily",
                "priya_r",
            ),
        ] {
            let out = redact(input);
            assert!(!out.text.contains(gone), "{input} -> {}", out.text);
            assert!(
                out.found.contains(&PiiKind::Email),
                "{input} -> {:?}",
                out.found
            );
        }
    }

    #[test]
    fn at_and_dot_in_ordinary_sentences_stay() {
        assert_unchanged("We met at the fair in Hamburg and talked about a dot on the map.");
        assert_unchanged("Ik werk bij de gemeente punt uit, at least that is the plan.");
    }
}
