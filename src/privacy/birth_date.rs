//! Dates of birth: a full date near "geboren", "born", "geb.", "DOB", "Geburtsdatum", or any full
//! date with a year before 2010, which in a business question is a person's birthday far more often
//! than a deadline.

use regex::Regex;

use super::PiiKind;
use super::claims::Claims;
use super::words::words_near;

/// Years from here on are taken as dates of the business (deadlines, start dates) unless a birth
/// cue is near.
const FIRST_BUSINESS_YEAR: u32 = 2010;

#[derive(Debug)]
pub struct BirthDates {
    numeric: Regex,
    iso: Regex,
    day_month: Regex,
    month_day: Regex,
}

const MONTHS: &str = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec|january|february|march|may|june|july|august|october|mar|oct|januar|jänner|februar|märz|mai|dezember";

impl BirthDates {
    pub fn new() -> BirthDates {
        BirthDates {
            numeric: super::re(
                r"\b(?P<d>[0-3]?[0-9])(?P<s>[-./])(?P<m>[01]?[0-9])[-./](?P<y>(?:19|20)[0-9]{2})\b",
            ),
            iso: super::re(r"\b(?P<y>(?:19|20)[0-9]{2})-(?P<m>[01][0-9])-(?P<d>[0-3][0-9])\b"),
            day_month: super::re(&format!(
                r"(?i)\b(?P<d>[0-3]?[0-9])(?:\.|st|nd|rd|th|e)?\s+(?:of\s+)?(?P<mon>{MONTHS})\.?,?\s+(?P<y>(?:19|20)[0-9]{{2}})\b"
            )),
            month_day: super::re(&format!(
                r"(?i)\b(?P<mon>{MONTHS})\.?\s+(?P<d>[0-3]?[0-9])(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)[0-9]{{2}})\b"
            )),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        for re in [&self.numeric, &self.iso, &self.day_month, &self.month_day] {
            for c in re.captures_iter(text) {
                let (Some(m), Some(d), Some(y)) = (c.get(0), c.name("d"), c.name("y")) else {
                    continue;
                };
                let day: u32 = d.as_str().parse().unwrap_or(0);
                let month_ok = match c.name("m") {
                    Some(mo) => mo
                        .as_str()
                        .parse::<u32>()
                        .is_ok_and(|v| (1..=12).contains(&v)),
                    None => true,
                };
                let year: u32 = y.as_str().parse().unwrap_or(0);
                if !(1..=31).contains(&day) || !month_ok {
                    continue;
                }
                if year < FIRST_BUSINESS_YEAR || birth_cue(text, m.start(), m.end()) {
                    claims.claim(m.start(), m.end(), PiiKind::BirthDate);
                }
            }
        }
    }
}

fn birth_cue(text: &str, start: usize, end: usize) -> bool {
    words_near(text, start, end).any(|w| {
        w.starts_with("geboren")
            || w == "geb"
            || w.starts_with("geboorte")
            || w.starts_with("geburt")
            || w == "born"
            || w == "birth"
            || w.starts_with("birthday")
            || w == "dob"
    })
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn dates_of_birth_in_three_languages() {
        for (input, gone) in [
            ("Ik ben geboren op 12-03-1985, mag ik meedoen?", "1985"),
            (
                "I was born 3 March 1979 and want to know the age limit.",
                "1979",
            ),
            (
                "Geboren am 5. Mai 1988 in Bremen, seit 2019 in Emmen.",
                "1988",
            ),
            (
                "Date of birth: 14/07/1968. Business: a bicycle shop.",
                "1968",
            ),
            ("DOB 1982-09-30, sole trader.", "1982"),
            (
                "Mijn geboortedatum is 7 augustus 1992; telt dat mee?",
                "1992",
            ),
            (
                "Ich bin am 2.3.1965 geboren und möchte wissen, ob es Beratung gibt.",
                "1965",
            ),
            ("Geboren op 1 mei 2012? Dan ben je te jong.", "2012"),
        ] {
            let out = redact(input);
            assert!(!out.text.contains(gone), "{input} -> {}", out.text);
            assert!(
                out.found.contains(&PiiKind::BirthDate),
                "{input} -> {:?}",
                out.found
            );
        }
    }

    #[test]
    fn business_dates_stay() {
        assert_unchanged("Kan ik op 01-06-2025 om 15:00 langskomen?");
        assert_unchanged("De deadline is 1 april 2026 en de regeling liep sinds 2019.");
        assert_unchanged("Opening on March 3, 2027, in Emmen.");
    }
}
