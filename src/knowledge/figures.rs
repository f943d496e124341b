//! Figures and where they come from. Every amount, percentage, maximum, deadline and date an offer's
//! summary, how-to-apply or need lines state must be one of its `[[figures]]`, and each figure names
//! the source it comes from. So a reviewer sees at once what to check against which page, and an
//! answer can show a figure with its source and that source's date.
//!
//! ```toml
//! [[figures]]
//! label = "subsidiepercentage"   # what the figure is, in Dutch
//! percent = 60                   # exactly one of: eur, percent, date, month, year, number
//! source = 4                     # 1-based index into [[sources]]
//! ```

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use time::Date;

use super::dates::{format_date, parse_date};
use crate::domain::Language;

/// A figure as written in the front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFigure {
    pub label: String,
    pub eur: Option<f64>,
    pub percent: Option<f64>,
    pub date: Option<String>,
    pub month: Option<String>,
    pub year: Option<i32>,
    pub number: Option<f64>,
    pub source: usize,
}

/// The value of a figure, or a figure found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Value {
    Eur(f64),
    Percent(f64),
    Date(Date),
    /// Year and month.
    Month(i32, u8),
    Year(i32),
    Number(f64),
}

impl Value {
    /// Whether a figure with this value gives the value `found` in a text. A year or month in a text
    /// is given by a date in it ("tot 1 januari 2030" gives "2030").
    pub fn gives(&self, found: &Value) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * a.abs().max(1.0);
        match (self, found) {
            (Value::Eur(a), Value::Eur(b))
            | (Value::Percent(a), Value::Percent(b))
            | (Value::Number(a), Value::Number(b)) => close(*a, *b),
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::Date(a), Value::Month(y, m)) => a.year() == *y && u8::from(a.month()) == *m,
            (Value::Date(a), Value::Year(y)) => a.year() == *y,
            (Value::Month(y1, m1), Value::Month(y2, m2)) => y1 == y2 && m1 == m2,
            (Value::Month(y1, _), Value::Year(y2)) => y1 == y2,
            (Value::Year(a), Value::Year(b)) => a == b,
            _ => false,
        }
    }

    /// A key that is equal for equal values, to compare the figures of two languages.
    fn key(&self) -> String {
        match self {
            Value::Eur(v) => format!("eur:{v}"),
            Value::Percent(v) => format!("percent:{v}"),
            Value::Date(d) => format!("date:{}", format_date(*d)),
            Value::Month(y, m) => format!("month:{y}-{m:02}"),
            Value::Year(y) => format!("year:{y}"),
            Value::Number(v) => format!("number:{v}"),
        }
    }

    /// The value written for a reader of `lang` ("€ 24.999", "60%", "1 januari 2030").
    pub fn display(&self, lang: Language) -> String {
        let grouped = |v: f64| {
            let whole = v.trunc() as i64;
            let digits = whole.abs().to_string();
            let sep = if lang == Language::En { ',' } else { '.' };
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(sep);
                }
                out.push(c);
            }
            let frac = v - v.trunc();
            if frac.abs() > 1e-9 {
                let dec = if lang == Language::En { '.' } else { ',' };
                let f = format!("{:.2}", frac.abs());
                out.push(dec);
                out.push_str(f.trim_start_matches("0.").trim_end_matches('0'));
            }
            out
        };
        match self {
            Value::Eur(v) => match lang {
                Language::De => format!("{} €", grouped(*v)),
                _ => format!("€{}", grouped(*v)),
            },
            Value::Percent(v) => match lang {
                Language::De => format!("{} %", grouped(*v)),
                _ => format!("{}%", grouped(*v)),
            },
            Value::Number(v) => grouped(*v),
            Value::Year(y) => y.to_string(),
            Value::Month(y, m) => format!("{} {y}", month_name(lang, *m)),
            Value::Date(d) => match lang {
                Language::De => format!(
                    "{}. {} {}",
                    d.day(),
                    month_name(lang, d.month().into()),
                    d.year()
                ),
                _ => format!(
                    "{} {} {}",
                    d.day(),
                    month_name(lang, d.month().into()),
                    d.year()
                ),
            },
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(Language::Nl))
    }
}

fn month_name(lang: Language, m: u8) -> &'static str {
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    let i = usize::from(m.clamp(1, 12) - 1);
    lang.pick(NL[i], EN[i], DE[i])
}

/// A validated figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: Value,
    /// 0-based index into the offer's sources.
    pub source: usize,
}

impl RawFigure {
    /// The figure, or what is wrong with it. `sources` is how many sources the offer has.
    pub fn validate(&self, sources: usize) -> Result<Figure, String> {
        let mut values = Vec::new();
        if let Some(v) = self.eur {
            values.push(Value::Eur(v));
        }
        if let Some(v) = self.percent {
            values.push(Value::Percent(v));
        }
        if let Some(d) = &self.date {
            values.push(Value::Date(
                parse_date(d).ok_or_else(|| format!("bad date `{d}` (YYYY-MM-DD)"))?,
            ));
        }
        if let Some(m) = &self.month {
            let (y, mo) = m
                .split_once('-')
                .and_then(|(y, mo)| Some((y.parse().ok()?, mo.parse::<u8>().ok()?)))
                .filter(|(_, mo)| (1..=12).contains(mo))
                .ok_or_else(|| format!("bad month `{m}` (YYYY-MM)"))?;
            values.push(Value::Month(y, mo));
        }
        if let Some(y) = self.year {
            values.push(Value::Year(y));
        }
        if let Some(v) = self.number {
            values.push(Value::Number(v));
        }
        let [value] = values[..] else {
            return Err(format!(
                "figure `{}` needs exactly one of eur, percent, date, month, year, number",
                self.label
            ));
        };
        if self.label.trim().is_empty() {
            return Err("a figure needs a `label`".into());
        }
        if self.source == 0 || self.source > sources {
            return Err(format!(
                "figure `{}` names source {}, but the offer has {sources} source(s) (1-based)",
                self.label, self.source
            ));
        }
        Ok(Figure {
            label: self.label.clone(),
            value,
            source: self.source - 1,
        })
    }
}

const MONTHS: &[(&str, u8)] = &[
    ("januari", 1),
    ("january", 1),
    ("januar", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("februar", 2),
    ("feb", 2),
    ("maart", 3),
    ("march", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mrt", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("mei", 5),
    ("may", 5),
    ("mai", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augustus", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dezember", 12),
    ("dec", 12),
    ("dez", 12),
];

fn month(word: &str) -> Option<u8> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == w).map(|&(_, m)| m)
}

static MONTH_ALT: LazyLock<String> = LazyLock::new(|| {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.join("|")
});

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<d>[0-3]?[0-9])\.?\s+(?P<m>{})\.?\s+(?P<y>(?:19|20)[0-9]{{2}})\b",
        *MONTH_ALT
    ))
    .expect("figure pattern")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<m>{})\s+(?P<d>[0-3]?[0-9]),?\s+(?P<y>(?:19|20)[0-9]{{2}})\b",
        *MONTH_ALT
    ))
    .expect("figure pattern")
});
static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<m>{})\.?\s+(?P<y>(?:19|20)[0-9]{{2}})\b",
        *MONTH_ALT
    ))
    .expect("figure pattern")
});
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?P<d>[0-3]?[0-9])[-./](?P<m>[01]?[0-9])[-./](?P<y>(?:19|20)[0-9]{2})\b|\b(?P<y2>(?:19|20)[0-9]{2})-(?P<m2>[01][0-9])-(?P<d2>[0-3][0-9])\b")
        .expect("figure pattern")
});
/// "2025/26", "2025-2026", "2021–2027": two years.
static YEAR_SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?P<a>(?:19|20)[0-9]{2})\s*[/\-–]\s*(?P<b>(?:19|20)?[0-9]{2})\b")
        .expect("figure pattern")
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]+(?:[.,][0-9]+)*").expect("figure pattern"));

/// The figures a text states, read as a reader of `lang` reads them: "€24.999" is twenty-four
/// thousand in Dutch and German, "€24,999" in English; "1,2 miljoen" is 1,200,000.
pub fn in_text(text: &str, lang: Language) -> Vec<Value> {
    let mut out = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let free =
        |taken: &[(usize, usize)], s: usize, e: usize| taken.iter().all(|&(a, b)| e <= a || b <= s);
    let date = |y: &str, m: u8, d: &str| -> Option<Date> {
        let month = time::Month::try_from(m).ok()?;
        Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
    };
    for re in [&*DAY_MONTH_YEAR, &*MONTH_DAY_YEAR] {
        for c in re.captures_iter(text) {
            let (Some(all), Some(m)) = (c.get(0), c.name("m").and_then(|m| month(m.as_str())))
            else {
                continue;
            };
            if let Some(d) = date(&c["y"], m, &c["d"])
                && free(&taken, all.start(), all.end())
            {
                out.push(Value::Date(d));
                taken.push((all.start(), all.end()));
            }
        }
    }
    for c in NUMERIC_DATE.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        let parsed = match (c.name("y"), c.name("y2")) {
            (Some(y), _) => c["m"]
                .parse()
                .ok()
                .and_then(|m| date(y.as_str(), m, &c["d"])),
            (_, Some(y)) => c["m2"]
                .parse()
                .ok()
                .and_then(|m| date(y.as_str(), m, &c["d2"])),
            _ => None,
        };
        if let Some(d) = parsed
            && free(&taken, all.start(), all.end())
        {
            out.push(Value::Date(d));
            taken.push((all.start(), all.end()));
        }
    }
    for c in MONTH_YEAR.captures_iter(text) {
        let (Some(all), Some(m)) = (c.get(0), c.name("m").and_then(|m| month(m.as_str()))) else {
            continue;
        };
        if free(&taken, all.start(), all.end()) {
            out.push(Value::Month(c["y"].parse().unwrap_or(0), m));
            taken.push((all.start(), all.end()));
        }
    }
    for c in YEAR_SPAN.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        if !free(&taken, all.start(), all.end()) {
            continue;
        }
        let a: i32 = c["a"].parse().unwrap_or(0);
        let b_raw = &c["b"];
        let b: i32 = if b_raw.len() == 2 {
            a / 100 * 100 + b_raw.parse::<i32>().unwrap_or(0)
        } else {
            b_raw.parse().unwrap_or(0)
        };
        if b > a && b - a <= 20 {
            out.push(Value::Year(a));
            out.push(Value::Year(b));
            taken.push((all.start(), all.end()));
        }
    }
    for m in NUMBER.find_iter(text) {
        if !free(&taken, m.start(), m.end()) {
            continue;
        }
        // Digits inside a word are part of a name ("CO2", "A37", "BMKB-2"), not a figure.
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(char::is_alphabetic) || after.is_some_and(char::is_alphabetic) {
            continue;
        }
        let raw = m.as_str().trim_end_matches(['.', ',']);
        let Some(mut v) = parse_number(raw, lang) else {
            continue;
        };
        let rest = text[m.end()..].trim_start().to_lowercase();
        let head = text[..m.start()].trim_end().to_lowercase();
        for (word, factor) in [
            ("miljard", 1e9),
            ("billion", 1e9),
            ("milliarde", 1e9),
            ("miljoen", 1e6),
            ("million", 1e6),
            ("mln", 1e6),
            ("mio", 1e6),
            ("duizend", 1e3),
            ("thousand", 1e3),
            ("tausend", 1e3),
        ] {
            if rest.starts_with(word) {
                v *= factor;
                break;
            }
        }
        let euro = head.ends_with('€')
            || head.ends_with("eur")
            || head.ends_with("euro")
            || rest.starts_with('€')
            || rest.starts_with("eur")
            || rest
                .split_whitespace()
                .nth(1)
                .is_some_and(|w| w.starts_with("euro") || w.starts_with('€'));
        let percent = rest.starts_with('%')
            || rest.starts_with("procent")
            || rest.starts_with("percent")
            || rest.starts_with("prozent");
        let value = if percent {
            Value::Percent(v)
        } else if euro {
            Value::Eur(v)
        } else if raw.len() == 4 && (1900.0..=2100.0).contains(&v) && v.fract() == 0.0 {
            Value::Year(v as i32)
        } else {
            Value::Number(v)
        };
        out.push(value);
    }
    out
}

/// "24.999" and "1.250.000" group thousands in Dutch and German, "24,999" in English; the other
/// mark is the decimal one.
fn parse_number(raw: &str, lang: Language) -> Option<f64> {
    let (thousands, decimal) = if lang == Language::En {
        (',', '.')
    } else {
        ('.', ',')
    };
    let grouped = raw
        .split(thousands)
        .skip(1)
        .all(|g| g.len() == 3 && !g.contains(decimal));
    let s: String = if raw.contains(thousands) && grouped {
        raw.replace(thousands, "")
    } else {
        raw.to_owned()
    };
    s.replace(decimal, ".").parse().ok()
}

/// The figures of `text` that no figure in `given` gives.
pub fn unsourced(text: &str, lang: Language, given: &[Figure]) -> Vec<Value> {
    in_text(text, lang)
        .into_iter()
        .filter(|found| !given.iter().any(|f| f.value.gives(found)))
        .collect()
}

/// The sets of figures of the three languages' texts, when they differ.
pub fn language_mismatch(nl: &str, en: &str, de: &str) -> Option<String> {
    let keys = |t: &str, l: Language| {
        let mut k: Vec<String> = in_text(t, l).iter().map(Value::key).collect();
        k.sort();
        k.dedup();
        k
    };
    let (a, b, c) = (
        keys(nl, Language::Nl),
        keys(en, Language::En),
        keys(de, Language::De),
    );
    (a != b || a != c).then(|| format!("nl has {a:?}, en has {b:?}, de has {c:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn figures_are_read_as_their_language_writes_them() {
        assert_eq!(
            in_text("maximaal €24.999 per bedrijf", Language::Nl),
            [Value::Eur(24999.0)]
        );
        assert_eq!(
            in_text("up to €24,999 per company", Language::En),
            [Value::Eur(24999.0)]
        );
        assert_eq!(
            in_text("bis zu 24.999 € je Betrieb", Language::De),
            [Value::Eur(24999.0)]
        );
        assert_eq!(
            in_text("60% subsidie", Language::Nl),
            [Value::Percent(60.0)]
        );
        assert_eq!(
            in_text("Zuschuss von 60 %", Language::De),
            [Value::Percent(60.0)]
        );
        assert_eq!(
            in_text("€1,2 miljoen", Language::Nl),
            [Value::Eur(1_200_000.0)]
        );
        assert_eq!(
            in_text("loopt tot 1 januari 2030", Language::Nl),
            [Value::Date(date!(2030 - 01 - 01))]
        );
        assert_eq!(
            in_text("läuft bis zum 1. Januar 2030", Language::De),
            [Value::Date(date!(2030 - 01 - 01))]
        );
        assert_eq!(
            in_text("schooljaar 2025/26", Language::Nl),
            [Value::Year(2025), Value::Year(2026)]
        );
        assert_eq!(
            in_text("sinds 2024, maximaal 12 maanden", Language::Nl),
            [Value::Year(2024), Value::Number(12.0)]
        );
        assert!(in_text("CO2-neutraal op bedrijvenpark A37", Language::Nl).is_empty());
    }

    #[test]
    fn a_date_gives_its_year_and_month() {
        let d = Value::Date(date!(2030 - 01 - 01));
        assert!(d.gives(&Value::Year(2030)) && d.gives(&Value::Month(2030, 1)));
        assert!(!d.gives(&Value::Year(2029)));
        assert!(!Value::Eur(60.0).gives(&Value::Percent(60.0)));
    }

    #[test]
    fn languages_must_state_the_same_figures() {
        assert!(language_mismatch("60% en €500", "60% and €500", "60 % und 500 €").is_none());
        let m = language_mismatch("60%", "80%", "60 %").unwrap();
        assert!(m.contains("percent:80"), "{m}");
    }

    #[test]
    fn values_display_per_language() {
        assert_eq!(Value::Eur(24999.0).display(Language::Nl), "€24.999");
        assert_eq!(Value::Eur(24999.0).display(Language::En), "€24,999");
        assert_eq!(Value::Eur(24999.0).display(Language::De), "24.999 €");
        assert_eq!(
            Value::Date(date!(2030 - 01 - 01)).display(Language::De),
            "1. Januar 2030"
        );
    }
}
