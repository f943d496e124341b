//! Personal-data redaction (AVG/GDPR): owns turning a user's question into text that may be stored or logged.

use std::panic::{AssertUnwindSafe, catch_unwind};

use regex::{Captures, Regex};
use unicode_normalization::UnicodeNormalization;

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
}

impl PiiKind {
    pub const ALL: [PiiKind; 10] = [
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

/// Finds and replaces personal data. Compiling the patterns is the expensive part, so build one and
/// share it.
#[derive(Debug, Clone)]
pub struct Redactor {
    url: Regex,
    email: Regex,
    vat_nl: Regex,
    vat_other: Regex,
    iban: Regex,
    iban_nl: Regex,
    postcode: Regex,
    street: Regex,
    street_en: Regex,
    number_chunk: Regex,
    number_token: Regex,
    name_loose: Regex,
    name_strict: Regex,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

/// Spaces that may sit inside one value; a line break never does, so values never span lines.
const SP: &str = r"[\t\p{Zs}]";
/// Hyphens and dashes people (and word processors) put between digit groups; the hyphen is escaped
/// so that inside a character class it never reads as a range.
const DASH: &str = "\\-\u{2010}\u{2011}\u{2013}\u{2014}";

impl Redactor {
    pub fn new() -> Redactor {
        let re = |pattern: &str| Regex::new(pattern).expect("privacy pattern compiles");
        let token = r"[(+]{0,2}[0-9][0-9()]*";
        let sep = format!(r"(?:{SP}{{0,2}}[{DASH}./]{SP}{{0,2}}|{SP}{{1,3}})");
        Redactor {
            url: re(r#"(?i)\b(?:https?://|www\.)[^\s<>"'{}|\\^`\[\]]+"#),
            email: re(&format!(
                r"(?i)[\p{{L}}\p{{N}}._%+'\-]+(?:@|{SP}?[\[(]{SP}?(?:at|apenstaartje){SP}?[\])]{SP}?)[\p{{L}}\p{{N}}\-]+(?:\.[\p{{L}}\p{{N}}\-]+)*\.\p{{L}}{{2,}}"
            )),
            vat_nl: re(&format!(
                r"(?i)\bNL{SP}?[.{DASH}]?(?:[0-9]{SP}?[.{DASH}]?){{9}}B{SP}?[.{DASH}]?[0-9]{{2}}\b"
            )),
            vat_other: re(r"\b(?:DE[0-9]{9}|BE[01][0-9]{9}|ATU[0-9]{8})\b"),
            iban: re(&format!(
                r"(?i)\b[A-Z]{{2}}[0-9]{{2}}(?:[A-Z0-9]{{11,30}}|(?:[{DASH}\t\p{{Zs}}][A-Z0-9]{{4}}){{2,7}}(?:[{DASH}\t\p{{Zs}}][A-Z0-9]{{1,4}})?)\b"
            )),
            // At most ten account digits, so a phone number written right after it is not partly eaten.
            iban_nl: re(&format!(
                r"(?i)\bNL[0-9]{{2}}[{DASH}\t\p{{Zs}}]?[A-Z]{{4}}(?:[{DASH}\t\p{{Zs}}]?[0-9]){{8,10}}"
            )),
            postcode: re(&format!(
                r"\b(?P<area>[1-9][0-9]{{3}})(?P<gap>{SP}?)(?P<letters>[A-Za-z]{{2}})(?P<rest>{SP}*,?{SP}*(?P<num>[0-9]{{1,5}})(?:-?[A-Za-z]\b|[-/][0-9]{{1,4}}\b)?)?"
            )),
            street: re(&format!(
                r"\b(?P<street>(?:\p{{L}}[\p{{L}}'’\-]*?)?(?i:straat|weg|laan|plein|dijk|kade|gracht|singel|steeg|pad|hof|dreef|markt|straße|strasse|str\.|street|road|allee|gasse|avenue))(?:{SP}+(?i:nr|no|nummer)\.?)?{SP}+(?P<num>[0-9]{{1,5}})(?:-?[A-Za-z]\b|[-/][0-9]{{1,4}}\b)?"
            )),
            street_en: re(&format!(
                r"\b(?P<num>[0-9]{{1,5}})[A-Za-z]?{SP}+(?:\p{{Lu}}[\p{{L}}'’\-]*{SP}+){{1,3}}(?:Street|Road|Avenue|Lane|Drive|Boulevard)\b"
            )),
            number_chunk: re(&format!("{token}(?:{sep}{token})*")),
            number_token: re(token),
            name_loose: re(&format!(
                r"\b(?:(?i:mijn\s+naam\s+is|ik\s+heet|my\s+name\s+is|my\s+name['’]s|mein\s+name\s+ist|ich\s+hei(?:ß|ss)e|je\s+m['’]appelle)(?:{SP}*[:,{DASH}]{SP}*|\s+)|(?i:(?:voor|achter)?naam|(?:first|last|full){SP}+name|name|vorname|nachname){SP}*:\s*)"
            )),
            name_strict: re(&format!(
                r"\b(?:(?i:ik\s+ben|i\s+am|i['’]m|ich\s+bin)\s+|(?i:met\s+vriendelijke\s+groet(?:en)?|vriendelijke\s+groet(?:en)?|hartelijke\s+groet(?:en)?|groet(?:en|jes)?|mvg|kind\s+regards|best\s+regards|warm\s+regards|regards|best\s+wishes|cheers|sincerely|mit\s+freundlichen\s+grü(?:ß|ss)en|freundliche\s+grü(?:ß|ss)e|viele\s+grü(?:ß|ss)e|beste\s+grü(?:ß|ss)e|liebe\s+grü(?:ß|ss)e|grü(?:ß|ss)e|mfg)(?:{SP}*[,:!.{DASH}]\s*|\s+))"
            )),
        }
    }

    /// Replaces every recognised piece of personal data with its placeholder.
    ///
    /// Recognisers run in priority order on the same text and claim non-overlapping spans, so a value
    /// is reported once, as its most specific kind (the digits inside an IBAN are not also a phone
    /// number).
    pub fn redact(&self, text: &str) -> Redacted {
        let text = normalise(text);
        let mut claims = Claims::default();
        self.urls(&text, &mut claims);
        self.emails(&text, &mut claims);
        self.vat_ids(&text, &mut claims);
        self.ibans(&text, &mut claims);
        self.postcodes(&text, &mut claims);
        self.streets(&text, &mut claims);
        self.numbers(&text, &mut claims);
        self.names(&text, &mut claims);
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

    fn urls(&self, text: &str, claims: &mut Claims) {
        for m in self.url.find_iter(text) {
            // Sentence punctuation after a link is not part of it: "…?id=3." or "zie https://x.nl?".
            let url = m
                .as_str()
                .trim_end_matches(|c: char| ".,;:!?)]}'\"".contains(c));
            // Only a query string carries per-user data (tokens, e-mail addresses, ids); a bare link
            // to a scheme page is useful context and stays.
            let has_query = url.split_once('?').is_some_and(|(_, q)| !q.is_empty());
            if has_query {
                claims.claim(m.start(), m.start() + url.len(), PiiKind::Url);
            }
        }
    }

    fn emails(&self, text: &str, claims: &mut Claims) {
        for m in self.email.find_iter(text) {
            claims.claim(m.start(), m.end(), PiiKind::Email);
        }
    }

    fn vat_ids(&self, text: &str, claims: &mut Claims) {
        for re in [&self.vat_nl, &self.vat_other] {
            for m in re.find_iter(text) {
                claims.claim(m.start(), m.end(), PiiKind::VatId);
            }
        }
    }

    fn ibans(&self, text: &str, claims: &mut Claims) {
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

    fn postcodes(&self, text: &str, claims: &mut Claims) {
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
            // The four-digit area stays: it is a region, not a household, and the analysis of
            // unmet demand needs to know where a question came from.
            claims
                .claim_span(Span {
                    start: area.end(),
                    end,
                    kind: PiiKind::Postcode,
                    spaced: true,
                })
                .then_some(end)
        });
    }

    fn streets(&self, text: &str, claims: &mut Claims) {
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

    /// Phone numbers, BSNs and KvK numbers share one tokeniser: a run of digit groups joined by
    /// single separators, in which every stretch of whole groups is a candidate. That way
    /// "050-1234567 06-12345678" yields two numbers and "€ 50.000" never yields a partial one.
    fn numbers(&self, text: &str, claims: &mut Claims) {
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
                    let (start, end, kind) = classify(text, &tokens[i..=j])?;
                    claims.claim(start, end, kind).then_some(j)
                });
                i = hit.map_or(i + 1, |j| j + 1);
            }
        }
    }

    fn names(&self, text: &str, claims: &mut Claims) {
        for (re, strict) in [(&self.name_loose, false), (&self.name_strict, true)] {
            for m in re.find_iter(text) {
                let from = skip_titles(text, m.end());
                if let Some(end) = name_end(text, from, strict) {
                    claims.claim(from, end, PiiKind::Name);
                }
            }
        }
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

/// Like `captures_iter`, but a rejected candidate only skips one character, so a real value that
/// starts inside a rejected one is still found. `accept` returns where the accepted value ends.
fn scan<'t>(re: &Regex, text: &'t str, mut accept: impl FnMut(&Captures<'t>) -> Option<usize>) {
    let mut pos = 0;
    while pos <= text.len() {
        let Some(caps) = re.captures_at(text, pos) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        pos = match accept(&caps) {
            Some(end) if end > m.start() => end,
            _ => next_boundary(text, m.start()),
        };
    }
}

fn next_boundary(text: &str, i: usize) -> usize {
    i + text
        .get(i..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8)
}

struct Span {
    start: usize,
    end: usize,
    kind: PiiKind,
    /// The postcode keeps its area digits and always reads "9401 [postcode]", written joined or not.
    spaced: bool,
}

#[derive(Default)]
struct Claims(Vec<Span>);

impl Claims {
    fn claim(&mut self, start: usize, end: usize, kind: PiiKind) -> bool {
        self.claim_span(Span {
            start,
            end,
            kind,
            spaced: false,
        })
    }

    /// First come, first served: recognisers run most specific first.
    fn claim_span(&mut self, span: Span) -> bool {
        let free = span.start < span.end
            && self
                .0
                .iter()
                .all(|s| span.end <= s.start || s.end <= span.start);
        if free {
            self.0.push(span);
        }
        free
    }

    fn render(mut self, text: &str) -> Redacted {
        self.0.sort_by_key(|s| s.start);
        let mut out = String::with_capacity(text.len());
        let mut found = Vec::with_capacity(self.0.len());
        let mut last = 0;
        for span in &self.0 {
            out.push_str(&text[last..span.start]);
            if span.spaced {
                out.push(' ');
            }
            out.push_str(span.kind.placeholder());
            found.push(span.kind);
            last = span.end;
        }
        out.push_str(&text[last..]);
        Redacted { text: out, found }
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
fn mod97(head: &str, tail: &str) -> Option<u32> {
    head.chars().chain(tail.chars()).try_fold(0u32, |rem, c| {
        let v = c.to_digit(36)?;
        Some(if v < 10 {
            (rem * 10 + v) % 97
        } else {
            (rem * 100 + v) % 97
        })
    })
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
fn classify(text: &str, tokens: &[(usize, usize)]) -> Option<(usize, usize, PiiKind)> {
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
            || (tokens.len() == 1 && !amount_context(text, start, end)) =>
        {
            PiiKind::Kvk
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

/// Part of a longer number: "1.234.567.890", "123456782,50", "15:00".
fn continues_number(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    let (b1, b2) = (before.next(), before.next());
    let (a1, a2) = (after.next(), after.next());
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let joiner = |c: Option<char>| matches!(c, Some('.' | ',' | ':'));
    digit(b1) || (joiner(b1) && digit(b2)) || digit(a1) || (joiner(a1) && digit(a2))
}

/// Money or a percentage, which must survive: "€ 123.456.782", "12345678 euro", "40 %".
fn amount_context(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end();
    let tail_from = before.char_indices().rev().nth(4).map_or(0, |(i, _)| i);
    let before = before[tail_from..].to_lowercase();
    let after: String = text[end..]
        .trim_start()
        .chars()
        .take(8)
        .collect::<String>()
        .to_lowercase();
    before.ends_with(['€', '$', '£'])
        || before.ends_with("eur")
        || before.ends_with("euro")
        || before.ends_with("eur.")
        || after.starts_with(['€', '$', '£', '%'])
        || [
            "eur", "procent", "percent", "prozent", "miljoen", "mln", "million", "mio", "duizend",
            "thousand", "tausend", "miljard", "billion",
        ]
        .iter()
        .any(|w| after.starts_with(w))
        || text[end..].starts_with(",-")
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

fn year_like(num: &str) -> bool {
    num.len() == 4 && num.parse::<u32>().is_ok_and(|y| (1800..=2099).contains(&y))
}

/// The few words around a number, lowercased and stripped of punctuation ("(BSN):" → "bsn").
fn words_near(text: &str, start: usize, end: usize) -> impl Iterator<Item = String> + '_ {
    let before = text[..start].split_whitespace().rev().take(6);
    let after = text[end..].split_whitespace().take(4);
    before.chain(after).map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
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

/// Two-letter words and units that follow a number in ordinary text ("2025 is", "1000 km").
#[rustfmt::skip]
const POSTCODE_LOWER_STOP: &[&str] = &[
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
const PARTICLES: &[&str] = &[
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

fn is_inline_space(c: char) -> bool {
    c.is_whitespace()
        && !matches!(
            c,
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
}

fn skip_inline_space(text: &str, pos: usize) -> usize {
    pos + text[pos..]
        .chars()
        .take_while(|&c| is_inline_space(c))
        .map(char::len_utf8)
        .sum::<usize>()
}

/// End of the word starting at `pos`: letters with inner apostrophes and hyphens ("O'Brien",
/// "Jan-Willem"), or initials ("J.", "J.P.").
fn word_end(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    if !first.is_alphabetic() {
        return None;
    }
    let mut end = rest
        .char_indices()
        .take_while(|&(_, c)| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    if end == first.len_utf8() && rest[end..].starts_with('.') {
        end += 1;
        loop {
            let mut it = rest[end..].chars();
            match (it.next(), it.next()) {
                (Some(c), Some('.')) if c.is_alphabetic() => end += c.len_utf8() + 1,
                _ => break,
            }
        }
    }
    let word = rest[..end].trim_end_matches(['\'', '’', '-']);
    Some(pos + word.len())
}

#[rustfmt::skip]
const TITLES: &[&str] = &[
    "dr", "drs", "ir", "ing", "mr", "prof", "dhr", "mevr", "mw", "mevrouw", "meneer", "heer", "mrs",
    "ms", "miss", "mister", "herr", "frau",
];

/// Titles stay in the text like the introduction does ("ik ben mevrouw [naam]").
fn skip_titles(text: &str, mut pos: usize) -> usize {
    for _ in 0..2 {
        let Some(we) = word_end(text, pos) else { break };
        let word = text[pos..we].trim_end_matches('.').to_lowercase();
        let de_heer = word == "de"
            && word_end(text, skip_inline_space(text, we))
                .is_some_and(|e| text[skip_inline_space(text, we)..e].eq_ignore_ascii_case("heer"));
        if !TITLES.contains(&word.as_str()) && !de_heer {
            break;
        }
        let mut after = we;
        if text[after..].starts_with('.') {
            after += 1;
        }
        let next = skip_inline_space(text, after);
        if next == after {
            break;
        }
        pos = next;
    }
    pos
}

/// End of the name at `pos`, up to four name words with particles between them. `strict` is for
/// introductions that also precede ordinary words ("ik ben starter"): then every word must be
/// capitalised and not a known ordinary word.
fn name_end(text: &str, pos: usize, strict: bool) -> Option<usize> {
    let word_pos = leading_particles(text, pos, strict);
    let first = word_end(text, word_pos)?;
    if !name_word_ok(&text[word_pos..first], strict) {
        return None;
    }
    let mut end = first;
    let mut words = 1;
    while words < 4 {
        let mut p = end;
        let mut particles = 0;
        let mut next = None;
        loop {
            let ws = skip_inline_space(text, p);
            if ws == p {
                break;
            }
            let Some(we) = word_end(text, ws) else { break };
            if particles < 3 && PARTICLES.contains(&text[ws..we].to_lowercase().as_str()) {
                particles += 1;
                p = we;
                continue;
            }
            next = Some((ws, we));
            break;
        }
        match next {
            Some((ws, we)) if name_word_ok(&text[ws..we], strict) => {
                end = we;
                words += 1;
            }
            _ => break,
        }
    }
    Some(end)
}

/// A surname may open with its particles ("ik ben De Vries", "mijn naam is van Dijk"): returns where
/// the first real name word starts, so that word is the one judged. In strict mode the first
/// particle must be capitalised, as it is when it opens a surname.
fn leading_particles(text: &str, pos: usize, strict: bool) -> usize {
    let mut p = pos;
    for n in 0..3 {
        let Some(we) = word_end(text, p) else { break };
        let word = &text[p..we];
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if !PARTICLES.contains(&word.to_lowercase().as_str()) || (strict && n == 0 && !capitalised)
        {
            break;
        }
        let next = skip_inline_space(text, we);
        if next == we {
            break;
        }
        p = next;
    }
    p
}

fn name_word_ok(word: &str, strict: bool) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    let lower = word.to_lowercase().replace('’', "'");
    if !first.is_alphabetic() || is_common_word(lower.trim_end_matches('.')) {
        return false;
    }
    if !strict {
        return true;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    // Acronyms ("ik ben ZZP'er", "I am CEO") and a lone capital ("I am A…") are not names; an
    // initial with its full stop is.
    first.is_uppercase()
        && (word.contains('.') || !(letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())))
        && (letters.len() >= 2 || word.ends_with('.'))
}

/// Words that follow "ik ben", "I am", "ich bin" (or a name introduction) without being a name.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    // Dutch
    "een", "de", "het", "van", "der", "den", "niet", "geen", "nog", "al", "ook", "net", "nu",
    "hier", "daar", "er", "zelf", "bezig", "benieuwd", "geïnteresseerd", "geinteresseerd", "op",
    "in", "uit", "bij", "met", "voor", "sinds", "werkzaam", "actief", "afgestudeerd", "nieuw",
    "nieuwe", "blij", "ik", "wij", "we", "u", "je", "jij", "jullie", "iedereen", "welkom", "en",
    "of", "maar", "dus", "want", "is", "ben", "heb", "wil", "zoek", "woon", "werk", "boer",
    "boerin", "agrariër", "mkb", "mkb'er", "mkber", "horeca", "interim", "zzp", "nederlander",
    "nederlandse", "duitser", "duitse", "belg", "drent", "drentse", "emmenaar", "assenaar",
    "groninger", "fries", "hollander", "limburger", "brabander", "amsterdammer", "rotterdammer",
    "gepensioneerd", "werkloos", "klaar", "aan", "naar", "te", "om", "onze", "mijn", "ons", "dat",
    "die", "dit", "deze", "wat", "wie", "waar", "hoe", "belangrijk", "onbekend", "anoniem",
    "eenmanszaak", "bedrijf", "webshop", "winkel", "ondernemend", "startende", "beginnende",
    "ervaren", "jonge", "kleine", "lokale", "jong", "oud", "zwanger", "ziek", "alleen", "samen",
    "momenteel", "binnenkort", "team",
    // English
    "a", "an", "the", "not", "from", "at", "on", "with", "looking", "interested", "new", "here",
    "currently", "also", "just", "still", "trying", "planning", "happy", "sorry", "writing",
    "wondering", "based", "self-employed", "dutch", "german", "british", "english", "american",
    "belgian", "french", "polish", "ceo", "cto", "cfo", "going", "starting", "running", "working",
    "thinking", "considering", "hoping", "calling", "contacting", "reaching", "important",
    "unknown", "anonymous", "and", "or", "but", "i", "me", "my", "you", "it", "this", "that",
    "unemployed", "retired", "moving", "relocating", "opening", "setting", "about", "very", "glad",
    "sure", "able", "unable", "ready", "small", "one", "part", "responsible",
    // German
    "ein", "eine", "einer", "kein", "keine", "das", "sie", "ihr", "ihre", "ihnen", "seit", "neu",
    "auf", "aus", "im", "am", "an", "bei", "mit", "noch", "auch", "schon", "sehr", "interessiert",
    "dabei", "gerade", "selbstständig", "selbständig", "mitte", "anfang", "ende", "teil",
    "mitglied", "rentner", "arzt", "ärztin", "deutscher", "deutsche", "niederländer", "und", "oder",
    "aber", "ich", "egal", "zur", "zum", "alt", "allein", "startup", "start-up", "anfänger", "koch",
];

/// Roles and occupations, matched as word endings so compounds count too ("mkb-ondernemer",
/// "Existenzgründerin", "Bäckermeister").
#[rustfmt::skip]
const ROLE_ENDINGS: &[&str] = &[
    "ondernemer", "ondernemster", "eigenaar", "eigenares", "oprichter", "oprichtster", "directeur",
    "directrice", "starter", "zzp'er", "zzper", "zzp-er", "freelancer", "zelfstandige", "werkgever",
    "werknemer", "adviseur", "franchisenemer", "student", "studente", "unternehmer", "gründer",
    "grunder", "inhaber", "geschäftsführer", "freiberufler", "selbstständiger", "selbständiger",
    "handwerker", "landwirt", "mitarbeiter", "arbeitgeber", "berater", "meister", "händler",
    "founder", "owner", "entrepreneur", "manager", "director", "consultant", "employer", "employee",
    "contractor", "partner", "vennoot", "gesellschafter", "eigentümer", "kaufmann", "kauffrau",
];

fn is_common_word(lower: &str) -> bool {
    let role = |w: &str| ROLE_ENDINGS.iter().any(|r| w.ends_with(r));
    COMMON_WORDS.contains(&lower)
        || role(lower)
        // German feminine forms: "Gründerin", "Inhaberin".
        || lower.strip_suffix("in").is_some_and(role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Compiled once: building a redactor per proptest case would dominate the run time.
    static REDACTOR: std::sync::LazyLock<Redactor> = std::sync::LazyLock::new(Redactor::new);

    fn redact(text: &str) -> Redacted {
        REDACTOR.redact(text)
    }

    fn assert_redacts(input: &str, expected: &str, kinds: &[PiiKind]) {
        let r = redact(input);
        assert_eq!(r.text, expected, "input: {input}");
        assert_eq!(r.found, kinds, "input: {input}");
    }

    fn assert_unchanged(input: &str) {
        let r = redact(input);
        assert_eq!(r.text, input);
        assert!(r.found.is_empty(), "{input}: found {:?}", r.found);
    }

    // ---- placeholders and serialisation -------------------------------------------------------

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

    // ---- e-mail and URLs ----------------------------------------------------------------------

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
    fn urls_only_with_query_string() {
        assert_redacts(
            "Ik kreeg deze link: https://portal.example.nl/aanvraag?id=8812&email=jan@x.nl. Klopt die?",
            "Ik kreeg deze link: [url]. Klopt die?",
            &[PiiKind::Url],
        );
        assert_unchanged("Zie https://www.rvo.nl/subsidies-financiering/wbso voor de WBSO.");
        assert_unchanged("Is https://www.ibdo.nl/ de goede site?");
    }

    // ---- phone numbers ------------------------------------------------------------------------

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

    // ---- IBAN ---------------------------------------------------------------------------------

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

    // ---- BSN ----------------------------------------------------------------------------------

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
        assert_unchanged("Ons ordernummer 123456789 is nog niet geleverd.");
    }

    // ---- KvK and BTW --------------------------------------------------------------------------

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
    fn btw_ids() {
        assert_redacts(
            "Ons btw-nummer is NL123456789B01.",
            "Ons btw-nummer is [btw-id].",
            &[PiiKind::VatId],
        );
        assert_redacts(
            "VAT number NL 8512.34.567.B.02 on the invoice",
            "VAT number [btw-id] on the invoice",
            &[PiiKind::VatId],
        );
        assert_redacts(
            "Unsere USt-IdNr. lautet DE123456789.",
            "Unsere USt-IdNr. lautet [btw-id].",
            &[PiiKind::VatId],
        );
    }

    // ---- postcode and address -----------------------------------------------------------------

    #[test]
    fn postcodes_keep_the_area() {
        assert_redacts(
            "Ons bedrijf zit op 9401 AB 12 in Assen.",
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
            "postcode 9401 [postcode], is daar een regeling?",
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

    // ---- names --------------------------------------------------------------------------------

    #[test]
    fn dutch_names() {
        assert_redacts(
            "Goedemiddag, mijn naam is Jan de Vries en ik wil een bakkerij starten.",
            "Goedemiddag, mijn naam is [naam] en ik wil een bakkerij starten.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Ik ben Anna, eigenaar van een kapsalon in Emmen.",
            "Ik ben [naam], eigenaar van een kapsalon in Emmen.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "ik heet pieter en heb een vraag",
            "ik heet [naam] en heb een vraag",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Hallo, ik ben mevrouw Bakker uit Klazienaveen.",
            "Hallo, ik ben mevrouw [naam] uit Klazienaveen.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Ik ben J.P. de Vries, bakker in Assen.",
            "Ik ben [naam], bakker in Assen.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Mijn naam is van Dijk.",
            "Mijn naam is [naam].",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Met vriendelijke groet,\nPiet Jansen",
            "Met vriendelijke groet,\n[naam]",
            &[PiiKind::Name],
        );
    }

    #[test]
    fn ik_ben_before_an_ordinary_word_stays() {
        for q in [
            "Ik ben starter en zoek financiering.",
            "Ik ben zzp'er in Emmen.",
            "Ik ben eigenaar van een webshop.",
            "Ik ben Eigenaar van een webshop.",
            "Ik ben ZZP'er sinds 2020.",
            "Ik ben MKB-ondernemer in Hoogeveen.",
            "Ik ben net begonnen.",
            "Ik ben de eigenaar van De Vries Bouw.",
            "Ik ben Drentse ondernemer met 3 medewerkers.",
        ] {
            assert_unchanged(q);
        }
    }

    #[test]
    fn english_names() {
        assert_redacts(
            "Hi, my name is Sarah Johnson and I run a bakery.",
            "Hi, my name is [naam] and I run a bakery.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "I'm Tom, I need a loan for my shop.",
            "I'm [naam], I need a loan for my shop.",
            &[PiiKind::Name],
        );
        assert_unchanged("I am Dutch and I'm looking for a grant. I'm a freelancer.");
        assert_unchanged("My name is not important, I need a 40k loan.");
    }

    #[test]
    fn german_names() {
        assert_redacts(
            "Ich heiße Jürgen Schmidt und habe eine Frage.",
            "Ich heiße [naam] und habe eine Frage.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Ich bin Klaus, Inhaber einer Bäckerei.",
            "Ich bin [naam], Inhaber einer Bäckerei.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Mein Name ist Anna Weber.",
            "Mein Name ist [naam].",
            &[PiiKind::Name],
        );
        for q in [
            "Ich bin Inhaber einer Bäckerei in Emmen.",
            "Ich bin Gründerin eines Start-ups.",
            "Ich bin Unternehmer und suche Förderung.",
            "Ich bin Existenzgründer aus Meppen.",
        ] {
            assert_unchanged(q);
        }
    }

    #[test]
    fn decomposed_accents_are_one_name() {
        let r = redact("Ich heiße Mu\u{308}ller.");
        assert_eq!(r.text, "Ich heiße [naam].");
    }

    // ---- several kinds, order -----------------------------------------------------------------

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

    // ---- fail closed --------------------------------------------------------------------------

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

    // ---- ordinary questions -------------------------------------------------------------------

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
            let kept = format!("{area} [postcode]");
            prop_assert!(out.text.contains(&kept), "{input:?} -> {:?}", out.text);
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
