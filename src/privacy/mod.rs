//! Personal-data redaction (AVG/GDPR): owns turning a user's question into text that may be stored or
//! logged. Each detector lives in its own module and claims the spans it recognises; this module runs
//! them in order, most specific first, so a value is reported once, as its most specific kind (the
//! digits inside an IBAN are not also a phone number, a date of birth is not a KvK number).
//!
//! Person names are found the other way round (see [`name`]): what the knowledge base and the three
//! languages know stays, a capitalised or known name that they do not know goes.

mod birth_date;
mod claims;
mod document;
mod email;
mod iban;
mod introduction;
mod known;
mod lists;
mod name;
mod numbers;
mod postcode;
pub mod report;
mod street;
mod url;
mod vat;
mod words;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arc_swap::ArcSwap;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use claims::Claims;
pub use known::Known;

/// Longer input is refused by [`Redactor::redact_or_none`]: no real question is this long, and the
/// cost of the recognisers should stay bounded.
pub const MAX_CHARS: usize = 10_000;

/// A kind of personal data, as recorded next to a stored question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    Email,
    Phone,
    Iban,
    Bsn,
    Kvk,
    VatId,
    Postcode,
    Address,
    Name,
    Url,
    BirthDate,
    Document,
    Number,
}

impl PiiKind {
    pub const ALL: [PiiKind; 13] = [
        PiiKind::Email,
        PiiKind::Phone,
        PiiKind::Iban,
        PiiKind::Bsn,
        PiiKind::Kvk,
        PiiKind::VatId,
        PiiKind::Postcode,
        PiiKind::Address,
        PiiKind::Name,
        PiiKind::Url,
        PiiKind::BirthDate,
        PiiKind::Document,
        PiiKind::Number,
    ];

    /// What replaces the value in the text. Dutch, because the stored questions are read by Dutch
    /// analysts; none contains a digit, so a second pass cannot mistake one for a number.
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[e-mail]",
            PiiKind::Phone => "[telefoon]",
            PiiKind::Iban => "[iban]",
            PiiKind::Bsn => "[bsn]",
            PiiKind::Kvk => "[kvk]",
            PiiKind::VatId => "[btw-id]",
            PiiKind::Postcode => "[postcode]",
            PiiKind::Address => "[adres]",
            PiiKind::Name => "[naam]",
            PiiKind::Url => "[url]",
            PiiKind::BirthDate => "[geboortedatum]",
            PiiKind::Document => "[documentnummer]",
            PiiKind::Number => "[nummer]",
        }
    }
}

/// A question with its personal data replaced by placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// The kinds replaced, in the order they occur in the text; repeats are kept so callers can count.
    pub found: Vec<PiiKind>,
}

/// Spaces that may sit inside one value; a line break never does, so values never span lines.
const SP: &str = r"[\t\p{Zs}]";
/// Hyphens and dashes people (and word processors) put between digit groups; the hyphen is escaped
/// so that inside a character class it never reads as a range.
const DASH: &str = "\\-\u{2010}\u{2011}\u{2013}\u{2014}";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("privacy pattern compiles")
}

/// The detectors, in the order they claim text.
#[derive(Debug)]
struct Detectors {
    urls: url::Urls,
    emails: email::Emails,
    vat_ids: vat::VatIds,
    ibans: iban::Ibans,
    birth_dates: birth_date::BirthDates,
    postcodes: postcode::Postcodes,
    streets: street::Streets,
    documents: document::Documents,
    numbers: numbers::Numbers,
    introductions: introduction::Introductions,
    names: name::Names,
}

/// Finds and replaces personal data. Compiling the patterns is the expensive part, so build one and
/// share it; clones share the patterns and the knowledge.
#[derive(Debug, Clone)]
pub struct Redactor {
    detectors: Arc<Detectors>,
    /// What the knowledge base knows, swapped in on every reload.
    known: Arc<ArcSwap<Known>>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl Redactor {
    /// A redactor that knows no places or offers: every capitalised unknown word mid-sentence is
    /// taken for a name. Services use [`Redactor::with_known`].
    pub fn new() -> Redactor {
        Redactor::with_known(Known::default())
    }

    pub fn with_known(known: Known) -> Redactor {
        Redactor {
            detectors: Arc::new(Detectors {
                urls: url::Urls::new(),
                emails: email::Emails::new(),
                vat_ids: vat::VatIds::new(),
                ibans: iban::Ibans::new(),
                birth_dates: birth_date::BirthDates::new(),
                postcodes: postcode::Postcodes::new(),
                streets: street::Streets::new(),
                documents: document::Documents::new(),
                numbers: numbers::Numbers::new(),
                introductions: introduction::Introductions::new(),
                names: name::Names,
            }),
            known: Arc::new(ArcSwap::from_pointee(known)),
        }
    }

    /// Replaces what the knowledge knows, for this redactor and every clone of it.
    pub fn set_known(&self, known: Known) {
        self.known.store(Arc::new(known));
    }

    /// Replaces every recognised piece of personal data with its placeholder.
    pub fn redact(&self, text: &str) -> Redacted {
        let text = normalise(text);
        let known = self.known.load();
        let d = &self.detectors;
        let mut claims = Claims::default();
        d.urls.detect(&text, &mut claims);
        d.emails.detect(&text, &mut claims);
        d.vat_ids.detect(&text, &mut claims);
        d.ibans.detect(&text, &mut claims);
        d.birth_dates.detect(&text, &mut claims);
        d.postcodes.detect(&text, &mut claims);
        d.streets.detect(&text, &mut claims);
        d.documents.detect(&text, &known, &mut claims);
        d.numbers.detect(&text, &known, &mut claims);
        d.introductions.detect(&text, &mut claims);
        d.names.detect(&text, &known, &mut claims);
        claims.render(&text)
    }

    /// Like [`Redactor::redact`], but `None` whenever the result cannot be trusted, so the caller
    /// stores no text at all: input over [`MAX_CHARS`] characters, a recogniser that panics, or
    /// output that still contains personal data after a few passes.
    pub fn redact_or_none(&self, text: &str) -> Option<Redacted> {
        if text.chars().count() > MAX_CHARS {
            return None;
        }
        guarded(|| self.redact_settled(text))
    }

    /// A second pass should find nothing; if it does (two values that overlapped hid each other),
    /// its findings are applied too rather than trusting the first pass.
    fn redact_settled(&self, text: &str) -> Option<Redacted> {
        let mut result = self.redact(text);
        for _ in 0..2 {
            let again = self.redact(&result.text);
            if again.found.is_empty() {
                return Some(result);
            }
            result.text = again.text;
            result.found.extend(again.found);
        }
        None
    }
}

/// Runs `f` so that a panic becomes `None`: a bug in a recogniser must lose the question, never
/// let it through unredacted.
fn guarded(f: impl FnOnce() -> Option<Redacted>) -> Option<Redacted> {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten()
}

/// NFC so that a name typed with combining accents ("Mu\u{308}ller") is one word to `\p{L}`;
/// full-width digits, `＠` and `＋` folded and invisible characters dropped so they cannot split a
/// number or an address past the patterns. Ordinary text comes out unchanged.
fn normalise(text: &str) -> String {
    text.nfc()
        .filter(|c| !matches!(c, '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'))
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF20}' | '\u{FF0B}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A shared redactor for the unit tests, knowing a few Drenthe places, offers and providers the way
/// the knowledge base does, and one published regulation number.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub static REDACTOR: std::sync::LazyLock<Redactor> = std::sync::LazyLock::new(|| {
        Redactor::with_known(Known::from_texts(
            [
                "Assen",
                "Emmen",
                "Meppel",
                "Hoogeveen",
                "Coevorden",
                "Klazienaveen",
                "Beilen",
                "Gasselte",
                "De Wolden",
                "Borger-Odoorn",
                "Nieuw-Amsterdam",
                "Vries",
                "Roden",
                "Zuidlaren",
                "Anloo",
                "Ruinen",
                "Dwingeloo",
                "Valthermond",
                "Schoonebeek",
                "Greenwise Campus",
                "Kredietunie Reest & Wieden",
                "MKB Fonds Drenthe",
                "Qredits",
                "NOM",
                "SLIM",
                "EIA",
                "WBSO",
                "Bbz",
                "Lbv-plus",
                "IBDO",
                "Werkgeversservicepunt",
            ],
            ["Regeling 20231234 van de provincie Drenthe voor ondernemers."],
        ))
    });

    pub fn redact(text: &str) -> Redacted {
        REDACTOR.redact(text)
    }

    pub fn assert_redacts(input: &str, expected: &str, kinds: &[PiiKind]) {
        let r = redact(input);
        assert_eq!(r.text, expected, "input: {input}");
        assert_eq!(r.found, kinds, "input: {input}");
    }

    pub fn assert_unchanged(input: &str) {
        let r = redact(input);
        assert_eq!(r.text, input);
        assert!(r.found.is_empty(), "{input}: found {:?}", r.found);
    }
}

#[cfg(test)]
mod tests {
    use super::iban::mod97;
    use super::postcode::POSTCODE_LOWER_STOP;
    use super::testing::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn placeholders_are_distinct_and_digit_free() {
        let all: std::collections::HashSet<_> =
            PiiKind::ALL.iter().map(|k| k.placeholder()).collect();
        assert_eq!(all.len(), PiiKind::ALL.len());
        assert!(all.iter().all(|p| !p.chars().any(|c| c.is_ascii_digit())));
        assert_eq!(PiiKind::VatId.placeholder(), "[btw-id]");
        assert_eq!(PiiKind::Phone.placeholder(), "[telefoon]");
    }

    #[test]
    fn redactor_can_be_shared_between_request_handlers() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Redactor>();
    }

    #[test]
    fn kinds_serialise_snake_case() {
        assert_eq!(
            serde_json::to_string(&PiiKind::VatId).unwrap(),
            "\"vat_id\""
        );
        assert_eq!(serde_json::to_string(&PiiKind::Email).unwrap(), "\"email\"");
    }

    #[test]
    fn found_lists_kinds_in_text_order() {
        let r = redact(
            "Ik ben Jan Bakker, bel 06-12345678 of mail jan@bakker.nl; KvK 12345678, \
             IBAN NL91ABNA0417164300, Kerkweg 3, 9401 AB Assen.",
        );
        assert_eq!(
            r.text,
            "Ik ben [naam], bel [telefoon] of mail [e-mail]; KvK [kvk], \
             IBAN [iban], [adres], 9401 [postcode] Assen."
        );
        assert_eq!(
            r.found,
            [
                PiiKind::Name,
                PiiKind::Phone,
                PiiKind::Email,
                PiiKind::Kvk,
                PiiKind::Iban,
                PiiKind::Address,
                PiiKind::Postcode
            ]
        );
    }

    #[test]
    fn too_long_input_is_refused() {
        let r = Redactor::new();
        let long = "a".repeat(MAX_CHARS + 1);
        assert!(r.redact_or_none(&long).is_none());
        let limit = "é".repeat(MAX_CHARS);
        assert!(r.redact_or_none(&limit).is_some());
    }

    #[test]
    fn a_panicking_recogniser_yields_none() {
        assert!(guarded(|| panic!("recogniser bug")).is_none());
    }

    #[test]
    fn redact_or_none_matches_redact_on_ordinary_input() {
        let r = Redactor::default();
        let q = "Mijn BSN is 123456782 en ik woon op de Kerkweg 3.";
        assert_eq!(r.redact_or_none(q), Some(r.redact(q)));
    }

    const ORDINARY: &[&str] = &[
        "Ik wil in 2025 een bakkerij starten in Emmen en heb € 50.000 nodig. Welke lening past?",
        "Mijn omzet groeide met 15% naar 2 miljoen euro in 2024.",
        "Is er subsidie voor zonnepanelen? Ik denk aan een investering van 40k.",
        "Ik ben starter in Klazienaveen en zoek een bedrijfspand van 200 m2.",
        "Ik ben zzp'er en wil mijn eerste medewerker aannemen. Wat kost dat?",
        "We zijn een mkb-bedrijf in Hoogeveen met een omzet van € 1.250.000 per jaar.",
        "Hoeveel subsidie krijg ik voor 30% energiebesparing in 2026?",
        "I am looking for a loan of 20.000 euro for my shop in Emmen.",
        "I'm a freelancer in Assen. Can I get a grant for 2025?",
        "Ich bin Unternehmer in Emmen und suche 100.000 Euro Förderung.",
        "Kan ik in 2025 nog gebruik maken van de MKB Advies Voucher van € 2.500?",
        "Onze melkveehouderij in Klazienaveen heeft 120 koeien; moeten we in 2030 stoppen?",
        "Tussen 2020 en 2024 is de omzet met 25 procent gestegen.",
        "We willen 3 miljoen investeren in een nieuwe fabriek op bedrijvenpark A37 bij Emmen.",
        "Welke regelingen zijn er voor bedrijven met minder dan 50 werknemers in Nieuw-Amsterdam?",
        "De bank vraagt 12,5% rente; is dat normaal voor een lening van 75.000?",
        "Ik zoek 2 à 3 ton financiering voor mijn restaurant in Coevorden.",
        "Wat betekent de WBSO voor 2025 en 2026?",
        "In Q3 2025 willen we 10.000 stuks per maand produceren in Meppel.",
        "Wij exporteren 1500 ton per jaar naar Duitsland. Is er hulp bij de Duitse markt?",
        "Alvast bedankt, groeten uit Klazienaveen!",
        "Hoe digitaal volwassen is mijn productiebedrijf? Wie kan dat scannen?",
        "om een schoonheidssalon te beginnen, zo'n 20.000 euro",
        "Is er nog geld voor energiebesparing bij Drentse mkb'ers, zoals die subsidie van 40 procent?",
    ];

    #[test]
    fn ordinary_questions_pass_unchanged() {
        for q in ORDINARY {
            assert_unchanged(q);
        }
    }

    // ---- property tests -----------------------------------------------------------------------

    fn bsn() -> impl Strategy<Value = String> {
        proptest::collection::vec(0u32..10, 8).prop_filter_map("no valid check digit", |d| {
            let sum: u32 = d.iter().zip((2..=9).rev()).map(|(v, w)| v * w).sum();
            let check = sum % 11;
            (check < 10 && d.iter().any(|&v| v != 0)).then(|| {
                d.iter()
                    .chain(std::iter::once(&check))
                    .map(|v| char::from_digit(*v, 10).unwrap_or('0'))
                    .collect()
            })
        })
    }

    fn formatted_bsn() -> impl Strategy<Value = String> {
        (bsn(), 0..4usize).prop_map(|(b, f)| match f {
            0 => b,
            1 => format!("{}.{}.{}", &b[..3], &b[3..6], &b[6..]),
            2 => format!("{} {} {}", &b[..3], &b[3..6], &b[6..]),
            _ => format!("{}.{}.{}", &b[..4], &b[4..6], &b[6..]),
        })
    }

    fn with_check_digits(country: &str, bban: &str) -> String {
        let rem = mod97(bban, &format!("{country}00")).unwrap_or(0);
        format!("{country}{:02}{bban}", 98 - rem)
    }

    fn iban() -> impl Strategy<Value = String> {
        let bban = prop_oneof![
            ("[A-Z]{4}", "[0-9]{10}").prop_map(|(b, a)| ("NL", format!("{b}{a}"))),
            "[0-9]{18}".prop_map(|s| ("DE", s)),
            "[0-9]{12}".prop_map(|s| ("BE", s)),
            ("[A-Z]{4}", "[0-9]{14}").prop_map(|(b, a)| ("GB", format!("{b}{a}"))),
            "[0-9]{10}[A-Z0-9]{11}[0-9]{2}".prop_map(|s| ("FR", s)),
        ];
        (bban, 0..3usize).prop_map(|((cc, bban), f)| {
            let iban = with_check_digits(cc, &bban);
            match f {
                0 => iban,
                1 => iban.to_lowercase(),
                _ => iban
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            }
        })
    }

    fn phone() -> impl Strategy<Value = String> {
        let subscriber = prop_oneof![
            "[0-9]{8}".prop_map(|s| ("6".to_string(), s)),
            ("(50|20|10|70|30|40|13)", "[1-9][0-9]{6}").prop_map(|(a, s)| (a, s)),
            ("(592|591|524|528|522|593)", "[1-9][0-9]{5}").prop_map(|(a, s)| (a, s)),
        ];
        (subscriber, 0..8usize).prop_map(|((area, rest), f)| {
            let spaced = match rest.len() {
                8 => format!(
                    "{} {} {} {}",
                    &rest[..2],
                    &rest[2..4],
                    &rest[4..6],
                    &rest[6..]
                ),
                7 => format!("{} {} {}", &rest[..3], &rest[3..5], &rest[5..]),
                _ => format!("{} {}", &rest[..3], &rest[3..]),
            };
            match f {
                0 => format!("0{area}-{rest}"),
                1 => format!("0{area} {spaced}"),
                2 => format!("(0{area}) {spaced}"),
                3 => format!("+31 {area} {rest}"),
                4 => format!("+31{area}{rest}"),
                5 => format!("0031 {area} {spaced}"),
                6 => format!("+31 (0){area} {rest}"),
                _ => format!("0{area}{rest}"),
            }
        })
    }

    fn email() -> impl Strategy<Value = String> {
        "[a-z]{1,10}(\\.[a-z]{1,8})?@[a-z]{2,10}(-[a-z]{2,6})?\\.(nl|com|de|eu)"
    }

    fn postcode() -> impl Strategy<Value = (String, String)> {
        (1000u32..10000, "[A-Z]{2}", 1u32..1000, "[a-z]?", 0..3usize)
            .prop_filter("letter pairs PostNL never issues", |(_, l, ..)| {
                !matches!(l.as_str(), "SA" | "SD" | "SS")
            })
            .prop_filter("lowercase pairs that are words", |(_, l, _, _, f)| {
                *f != 2 || !POSTCODE_LOWER_STOP.contains(&l.to_lowercase().as_str())
            })
            .prop_map(|(area, letters, num, suffix, f)| {
                let raw = match f {
                    0 => format!("{area} {letters} {num}{suffix}"),
                    1 => format!("{area}{letters} {num}{suffix}"),
                    _ => format!("{area} {} {num}{suffix}", letters.to_lowercase()),
                };
                (area.to_string(), raw)
            })
    }

    fn kvk() -> impl Strategy<Value = (String, bool)> {
        ("[0-9]{8}", any::<bool>())
            // "0800 1234" is also a free-phone number and is (rightly) reported as one.
            .prop_filter("service-number prefixes", |(k, _)| {
                !["0800", "0900", "0906", "0909"]
                    .iter()
                    .any(|p| k.starts_with(p))
            })
            .prop_map(|(k, grouped)| {
                if grouped {
                    (format!("{} {}", &k[..4], &k[4..]), true)
                } else {
                    (k, false)
                }
            })
    }

    fn btw() -> impl Strategy<Value = String> {
        ("[0-9]{9}", "[0-9]{2}", any::<bool>()).prop_map(|(n, s, spaced)| {
            if spaced {
                format!("NL {n} B{s}")
            } else {
                format!("NL{n}B{s}")
            }
        })
    }

    const SENTENCES: &[&str] = &[
        "Goedendag, {} is mijn gegeven; kan ik subsidie krijgen voor mijn bakkerij in Emmen?",
        "Hello, please use {} for the grant application for my shop in Assen.",
        "Guten Tag, hier ist {} für den Antrag, wir haben 12 Mitarbeiter.",
        "Wij willen in 2025 uitbreiden, gegevens: {}. Wie helpt ons?",
    ];

    fn sentence() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(SENTENCES)
    }

    fn assert_gone(raw: &str, sentence: &str, placeholder: &str) -> Result<(), TestCaseError> {
        let input = sentence.replace("{}", raw);
        let out = redact(&input);
        prop_assert!(!out.text.contains(raw), "{input:?} -> {:?}", out.text);
        prop_assert!(
            out.text.contains(placeholder),
            "{input:?} -> {:?}",
            out.text
        );
        let again = redact(&out.text);
        prop_assert!(
            again.found.is_empty(),
            "second pass found {:?}",
            again.found
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn generated_bsn_disappears(b in formatted_bsn(), s in sentence()) {
            assert_gone(&b, s, "[bsn]")?;
        }

        #[test]
        fn generated_iban_disappears(i in iban(), s in sentence()) {
            assert_gone(&i, s, "[iban]")?;
        }

        #[test]
        fn generated_phone_disappears(p in phone(), s in sentence()) {
            assert_gone(&p, s, "[telefoon]")?;
        }

        #[test]
        fn generated_email_disappears(e in email(), s in sentence()) {
            assert_gone(&e, s, "[e-mail]")?;
        }

        #[test]
        fn generated_postcode_disappears((area, raw) in postcode(), s in sentence()) {
            let tail = raw[4..].trim().to_string();
            let input = s.replace("{}", &raw);
            let out = redact(&input);
            prop_assert!(!out.text.contains(&tail), "{input:?} -> {:?}", out.text);
            // With the house number that every generated postcode carries, the area goes too.
            prop_assert!(!out.text.contains(&area), "{input:?} -> {:?}", out.text);
            prop_assert!(out.text.contains("[postcode]"), "{input:?} -> {:?}", out.text);
        }

        #[test]
        fn generated_kvk_disappears((k, grouped) in kvk(), s in sentence()) {
            // A grouped number is only a KvK number when the text says so.
            let input = s.replace("{}", &if grouped { format!("KvK-nummer {k}") } else { k.clone() });
            let out = redact(&input);
            prop_assert!(!out.text.contains(&k), "{input:?} -> {:?}", out.text);
            prop_assert!(out.text.contains("[kvk]"), "{input:?} -> {:?}", out.text);
        }

        #[test]
        fn generated_btw_disappears(b in btw(), s in sentence()) {
            assert_gone(&b, s, "[btw-id]")?;
        }

        #[test]
        fn amounts_years_and_percentages_stay(
            amount in 1u64..1_000_000_000,
            year in 1990u32..2031,
            pct in 0u32..101,
            workers in 1u32..500,
            style in 0..4usize,
        ) {
            let dotted = {
                let digits = amount.to_string();
                let mut out = String::new();
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i) % 3 == 0 {
                        out.push('.');
                    }
                    out.push(c);
                }
                out
            };
            let q = match style {
                0 => format!("Wij verwachten in {year} een omzet van € {dotted} en een groei van {pct}%."),
                1 => format!("Kan ik {amount} euro lenen voor {workers} medewerkers in Emmen in {year}?"),
                2 => format!("Onze kosten stegen in {year} met {pct} procent tot EUR {amount}."),
                _ => format!("Sinds {year} hebben we {workers} mensen in Klazienaveen en € {amount} omzet."),
            };
            let out = redact(&q);
            prop_assert_eq!(&out.text, &q);
            prop_assert!(out.found.is_empty());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            prop_assert!(REDACTOR.redact_or_none(&text).is_some());
        }

        #[test]
        fn number_soup_never_panics(text in "[0-9 .()+\\-a-zA-Z€:,/]{0,120}") {
            prop_assert!(REDACTOR.redact_or_none(&text).is_some());
        }
    }
}
