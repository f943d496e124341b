//! One support offer: TOML front matter between `+++` lines, then a Markdown body.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::Date;

use super::problem::Problem;
use super::taxonomy::Taxonomy;
use crate::domain::{Kind, Language, OfferId, Status};

/// A short text in each of the three languages.
#[derive(Debug, Clone, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    // Optional in the front matter, always present in what the API sends.
    #[serde(default)]
    #[schema(required = true)]
    pub nl: String,
    #[serde(default)]
    #[schema(required = true)]
    pub en: String,
    #[serde(default)]
    #[schema(required = true)]
    pub de: String,
}

impl Texts {
    pub fn get(&self, lang: Language) -> &str {
        lang.pick(&self.nl, &self.en, &self.de)
    }
}

/// The problems an offer solves, in each language: short lines in an entrepreneur's own words.
/// They are what the semantic signal compares a question with, so they say what the offer is for.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    #[serde(default)]
    pub nl: Vec<String>,
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub de: Vec<String>,
}

/// How many need lines each language must have.
pub const NEEDS_PER_LANGUAGE: std::ops::RangeInclusive<usize> = 5..=12;

impl Needs {
    pub fn get(&self, lang: Language) -> &[String] {
        match lang {
            Language::Nl => &self.nl,
            Language::En => &self.en,
            Language::De => &self.de,
        }
    }

    /// Every line with its language.
    pub fn iter(&self) -> impl Iterator<Item = (Language, &str)> {
        Language::ALL
            .into_iter()
            .flat_map(move |l| self.get(l).iter().map(move |s| (l, s.as_str())))
    }

    /// Problems with the lists: a language missing or out of range, an empty or repeated line.
    /// The languages without a single non-empty line (for phrasing lists that need no 5-12).
    pub fn empty_languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|&l| self.get(l).iter().all(|line| line.trim().is_empty()))
            .collect()
    }

    pub fn problems(&self, field: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for lang in Language::ALL {
            let lines = self.get(lang);
            let n = lines.len();
            if !NEEDS_PER_LANGUAGE.contains(&n) {
                out.push((
                    format!("{field}.{lang}"),
                    format!(
                        "needs {}-{} lines, found {n}",
                        NEEDS_PER_LANGUAGE.start(),
                        NEEDS_PER_LANGUAGE.end()
                    ),
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for line in lines {
                if line.trim().is_empty() {
                    out.push((format!("{field}.{lang}"), "empty line".into()));
                } else if !seen.insert(crate::knowledge::fold(line)) {
                    out.push((
                        format!("{field}.{lang}"),
                        format!("line repeated: `{line}`"),
                    ));
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub url: String,
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `undated`: the date of the source page.
    pub date: String,
    /// The address is cut short (it came so from the research): shown without a link, listed by
    /// `check` and `review`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// The facts mark what this source says as uncertain or stale: `review` lists the offer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
}

impl Source {
    /// The year of the source, when it has a date.
    pub fn year(&self) -> Option<i32> {
        self.date.get(..4)?.parse().ok()
    }

    /// "2024", "2025-02-20", or "zonder datum"/"undated"/"undatiert".
    pub fn date_in(&self, lang: Language) -> &str {
        if self.date == "undated" {
            lang.pick("zonder datum", "undated", "undatiert")
        } else {
            &self.date
        }
    }

    /// The host of the address, for a short mention ("rvo.nl").
    pub fn host(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        host.strip_prefix("www.").unwrap_or(host)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    name: String,
    name_en: String,
    name_de: Option<String>,
    provider: String,
    kind: String,
    themes: Vec<String>,
    audiences: Vec<String>,
    stages: Vec<String>,
    regions: Vec<String>,
    opgaven: Vec<i64>,
    status: String,
    open_until: Option<String>,
    closed_on: Option<String>,
    amount_min_eur: Option<i64>,
    amount_max_eur: Option<i64>,
    url: String,
    contact: String,
    keywords: Vec<String>,
    last_reviewed: String,
    summary: Texts,
    how_to_apply: Texts,
    needs: Option<Needs>,
    sources: Vec<Source>,
    /// Which partner keeps this offer current.
    owner: String,
    #[serde(default)]
    rounds: bool,
    next_round: Option<String>,
    round_checked: Option<String>,
    #[serde(default)]
    figures: Vec<super::figures::RawFigure>,
}

/// A validated offer.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    pub id: OfferId,
    pub name: String,
    pub name_en: String,
    pub name_de: Option<String>,
    pub provider: String,
    pub kind: Kind,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub stages: Vec<String>,
    pub regions: Vec<String>,
    pub opgaven: Vec<u8>,
    pub status: Status,
    pub open_until: Option<Date>,
    pub closed_on: Option<Date>,
    pub amount_min_eur: Option<u64>,
    pub amount_max_eur: Option<u64>,
    pub url: String,
    pub contact: String,
    pub keywords: Vec<String>,
    pub last_reviewed: Date,
    pub summary: Texts,
    pub how_to_apply: Texts,
    pub needs: Needs,
    pub sources: Vec<Source>,
    /// Which partner keeps this offer current (who `review` asks).
    pub owner: String,
    /// The scheme opens in application rounds: "open" never stands alone.
    pub rounds: bool,
    /// The next round's opening date, when a source gives it.
    pub next_round: Option<Date>,
    /// When the round information was last checked.
    pub round_checked: Option<Date>,
    /// Every figure the texts state, each with its source.
    pub figures: Vec<super::figures::Figure>,
    /// The Markdown body after the front matter (Dutch).
    pub body: String,
}

pub use super::dates::{format_date, parse_date};

fn valid_source_date(s: &str) -> bool {
    if s == "undated" {
        return true;
    }
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&m.parse::<u8>().unwrap_or(0)),
        [_, _, _] => parse_date(s).is_some(),
        _ => false,
    }
}

/// Splits `+++\n<toml>\n+++\n<body>`. Returns None when the delimiters are missing.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

impl Offer {
    /// Parses and validates one file, pushing every problem found. Returns the offer when it has
    /// no errors (warnings allowed).
    pub fn parse(
        text: &str,
        path: &Path,
        file: &str,
        taxonomy: &Taxonomy,
        today: Date,
        problems: &mut Vec<Problem>,
    ) -> Option<Offer> {
        let before = problems.iter().filter(|p| p.is_error()).count();
        let err = |problems: &mut Vec<Problem>, field: &str, msg: String| {
            problems.push(Problem::error(file.to_owned(), Some(field), msg));
        };
        let Some((front, body)) = split_front_matter(text) else {
            problems.push(Problem::error(
                file.to_owned(),
                None,
                "missing front matter: the file must start with a `+++` line and close it with another".into(),
            ));
            return None;
        };
        let fm: FrontMatter = match toml::from_str(front) {
            Ok(fm) => fm,
            Err(e) => {
                problems.push(Problem::error(
                    file.to_owned(),
                    None,
                    format!("front matter: {}", e.message()),
                ));
                return None;
            }
        };

        let id = match OfferId::parse(&fm.id) {
            Ok(id) => Some(id),
            Err(m) => {
                err(problems, "id", m);
                None
            }
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if fm.id != stem {
            err(
                problems,
                "id",
                format!("id `{}` does not match the file name `{stem}.md`", fm.id),
            );
        }
        for (field, value) in [
            ("name", &fm.name),
            ("name_en", &fm.name_en),
            ("provider", &fm.provider),
            ("contact", &fm.contact),
        ] {
            if value.trim().is_empty() {
                err(problems, field, "must not be empty".into());
            }
        }
        let kind = Kind::parse(&fm.kind);
        if kind.is_none() {
            err(problems, "kind", format!("unknown kind `{}`", fm.kind));
        }
        let status = Status::parse(&fm.status);
        if status.is_none() {
            err(
                problems,
                "status",
                format!("unknown status `{}` (open, closed or unknown)", fm.status),
            );
        }
        type Lookup<'a> = &'a dyn Fn(&str) -> bool;
        let checks: [(&str, &Vec<String>, Lookup); 4] = [
            ("themes", &fm.themes, &|t| taxonomy.theme(t).is_some()),
            ("audiences", &fm.audiences, &|t| {
                taxonomy.audience(t).is_some()
            }),
            ("stages", &fm.stages, &|t| taxonomy.stage(t).is_some()),
            ("regions", &fm.regions, &|t| taxonomy.is_region(t)),
        ];
        for (field, values, known) in checks {
            if values.is_empty() {
                err(problems, field, "must name at least one".into());
            }
            for v in values {
                if !known(v) {
                    let what = field.trim_end_matches('s');
                    err(problems, field, format!("unknown {what} `{v}`"));
                }
            }
        }
        if fm.opgaven.is_empty() {
            err(
                problems,
                "opgaven",
                "must name at least one policy task (1-5)".into(),
            );
        }
        for o in &fm.opgaven {
            if !(1..=5).contains(o) {
                err(
                    problems,
                    "opgaven",
                    format!("unknown policy task {o} (1-5)"),
                );
            }
        }
        let mut date = |field: &str, value: &Option<String>| -> Option<Date> {
            let v = value.as_deref()?;
            let d = parse_date(v);
            if d.is_none() {
                err(
                    problems,
                    field,
                    format!("bad date `{v}` (expected YYYY-MM-DD)"),
                );
            }
            d
        };
        let open_until = date("open_until", &fm.open_until);
        let closed_on = date("closed_on", &fm.closed_on);
        let last_reviewed = date("last_reviewed", &Some(fm.last_reviewed.clone()));
        let next_round = date("next_round", &fm.next_round);
        let round_checked = date("round_checked", &fm.round_checked);
        match status {
            Some(Status::Closed) if fm.closed_on.is_none() => {
                err(
                    problems,
                    "closed_on",
                    "a closed offer needs `closed_on`".into(),
                );
            }
            Some(Status::Open) if fm.closed_on.is_some() => {
                err(
                    problems,
                    "closed_on",
                    "an open offer cannot have `closed_on`; set status = \"closed\"".into(),
                );
            }
            Some(Status::Open) if open_until.is_some_and(|d| d < today) => {
                err(
                    problems,
                    "open_until",
                    format!(
                        "open_until {} has passed but status is \"open\"; mark it closed",
                        format_date(open_until.unwrap_or(today))
                    ),
                );
            }
            _ => {}
        }
        if let Some(r) = last_reviewed {
            if r > today {
                err(
                    problems,
                    "last_reviewed",
                    format!("{} is in the future", format_date(r)),
                );
            } else if (today - r).whole_days() > 365 {
                problems.push(Problem::warning(
                    file.to_owned(),
                    Some("last_reviewed"),
                    format!("last reviewed {} — more than 12 months ago", format_date(r)),
                ));
            }
        }
        let amount = |problems: &mut Vec<Problem>, field: &str, v: Option<i64>| -> Option<u64> {
            let v = v?;
            if v <= 0 {
                err(problems, field, format!("amount must be positive, got {v}"));
                return None;
            }
            Some(v as u64)
        };
        let amount_min = amount(problems, "amount_min_eur", fm.amount_min_eur);
        let amount_max = amount(problems, "amount_max_eur", fm.amount_max_eur);
        if let (Some(lo), Some(hi)) = (amount_min, amount_max)
            && lo > hi
        {
            err(
                problems,
                "amount_min_eur",
                format!("minimum {lo} is above maximum {hi}"),
            );
        }
        if !is_web_address(&fm.url) {
            err(
                problems,
                "url",
                format!("`{}` is not an http(s) address", fm.url),
            );
        }
        if fm.keywords.iter().all(|k| k.trim().is_empty()) {
            err(
                problems,
                "keywords",
                "must list the words people use for this offer".into(),
            );
        }
        for (field, texts) in [("summary", &fm.summary), ("how_to_apply", &fm.how_to_apply)] {
            for lang in Language::ALL {
                if texts.get(lang).trim().is_empty() {
                    err(problems, field, format!("missing {lang} text"));
                }
            }
        }
        match &fm.needs {
            None => err(
                problems,
                "needs",
                "missing `[needs]`: list the problems the offer solves in nl, en and de".into(),
            ),
            Some(needs) => {
                for (field, msg) in needs.problems("needs") {
                    err(problems, &field, msg);
                }
            }
        }
        if fm.sources.is_empty() {
            err(problems, "sources", "must give at least one source".into());
        }
        for s in &fm.sources {
            if !is_web_address(&s.url) {
                err(
                    problems,
                    "sources",
                    format!("`{}` is not an http(s) address", s.url),
                );
            }
            if !valid_source_date(&s.date) {
                err(
                    problems,
                    "sources",
                    format!(
                        "bad date `{}` for {} (YYYY, YYYY-MM, YYYY-MM-DD or undated)",
                        s.date, s.url
                    ),
                );
            }
        }
        if body.trim().is_empty() {
            err(problems, "body", "the Markdown body is empty".into());
        }
        if fm.owner.trim().is_empty() {
            err(
                problems,
                "owner",
                "name the partner that keeps this offer current".into(),
            );
        }
        for (i, s) in fm.sources.iter().enumerate() {
            if s.partial {
                problems.push(Problem::warning(
                    file.to_owned(),
                    Some("sources"),
                    format!(
                        "source {} is cut short (partial = true): {}; find the full address",
                        i + 1,
                        s.url
                    ),
                ));
            }
        }
        let figures: Vec<super::figures::Figure> = fm
            .figures
            .iter()
            .filter_map(|f| match f.validate(fm.sources.len()) {
                Ok(f) => Some(f),
                Err(m) => {
                    err(problems, "figures", m);
                    None
                }
            })
            .collect();
        if figures.len() == fm.figures.len() {
            check_figures(&fm, &figures, &mut |field, msg| err(problems, field, msg));
        }
        if fm.rounds && fm.round_checked.is_none() {
            err(
                problems,
                "round_checked",
                "a scheme with rounds = true needs `round_checked`: the date its rounds were last checked"
                    .into(),
            );
        }
        if !fm.rounds && (fm.next_round.is_some() || fm.round_checked.is_some()) {
            err(
                problems,
                "rounds",
                "`next_round` and `round_checked` belong to a scheme with rounds = true".into(),
            );
        }
        if let Some(d) = next_round
            && d < today
        {
            problems.push(Problem::warning(
                file.to_owned(),
                Some("next_round"),
                format!("next_round {} has passed; check the rounds", format_date(d)),
            ));
        }

        let after = problems.iter().filter(|p| p.is_error()).count();
        if after > before {
            return None;
        }
        Some(Offer {
            id: id?,
            name: fm.name,
            name_en: fm.name_en,
            name_de: fm.name_de,
            provider: fm.provider,
            kind: kind?,
            themes: fm.themes,
            audiences: fm.audiences,
            stages: fm.stages,
            regions: fm.regions,
            opgaven: fm.opgaven.into_iter().map(|o| o as u8).collect(),
            status: status?,
            open_until,
            closed_on,
            amount_min_eur: amount_min,
            amount_max_eur: amount_max,
            url: fm.url,
            contact: fm.contact,
            keywords: fm.keywords,
            last_reviewed: last_reviewed?,
            summary: fm.summary,
            how_to_apply: fm.how_to_apply,
            needs: fm.needs.unwrap_or_default(),
            sources: fm.sources,
            owner: fm.owner,
            rounds: fm.rounds,
            next_round,
            round_checked,
            figures,
            body: body.trim().to_owned(),
        })
    }

    pub fn name_in(&self, lang: Language) -> &str {
        match lang {
            Language::Nl => &self.name,
            Language::En => &self.name_en,
            Language::De => self.name_de.as_deref().unwrap_or(&self.name_en),
        }
    }

    /// The body rendered to HTML with an allow-list sanitiser (reviewed files still get sanitised:
    /// a mistake in review must not become script on the province's site).
    pub fn body_html(&self) -> String {
        let parser = pulldown_cmark::Parser::new(&self.body);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, parser);
        ammonia::clean(&html)
    }

    /// Plain text of the body for indexing: Markdown markup removed.
    pub fn body_text(&self) -> String {
        use pulldown_cmark::{Event, Parser};
        let mut out = String::new();
        for ev in Parser::new(&self.body) {
            match ev {
                Event::Text(t) | Event::Code(t) => {
                    out.push_str(&t);
                    out.push(' ');
                }
                Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
                _ => {}
            }
        }
        out
    }
}

/// The figure rules: every figure a summary or how-to-apply text states is a sourced `[[figures]]`
/// entry, the three languages state the same figures, need lines state none, and the amount range
/// used by the search filters is sourced too.
fn check_figures(
    fm: &FrontMatter,
    figures: &[super::figures::Figure],
    err: &mut dyn FnMut(&str, String),
) {
    use super::figures::{Value, in_text, language_mismatch, unsourced};
    for (field, texts) in [("summary", &fm.summary), ("how_to_apply", &fm.how_to_apply)] {
        for lang in Language::ALL {
            for v in unsourced(texts.get(lang), lang, figures) {
                err(
                    &format!("{field}.{lang}"),
                    format!("states {v} but no [[figures]] entry gives it with a source"),
                );
            }
        }
        if let Some(m) = language_mismatch(&texts.nl, &texts.en, &texts.de) {
            err(field, format!("the languages state different figures: {m}"));
        }
    }
    if let Some(needs) = &fm.needs {
        for (lang, line) in needs.iter() {
            if !in_text(line, lang).is_empty() {
                err(
                    &format!("needs.{lang}"),
                    format!("need lines state no numbers or dates: `{line}`"),
                );
            }
        }
    }
    for (field, v) in [
        ("amount_min_eur", fm.amount_min_eur),
        ("amount_max_eur", fm.amount_max_eur),
    ] {
        if let Some(v) = v
            && !figures.iter().any(|f| f.value.gives(&Value::Eur(v as f64)))
        {
            err(
                field,
                format!("€{v} has no [[figures]] entry with its source"),
            );
        }
    }
}

fn is_web_address(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > 10
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_on_plus_lines() {
        let (f, b) = split_front_matter("+++\nid = \"x\"\n+++\n\nbody\n").unwrap();
        assert_eq!(f, "id = \"x\"\n");
        assert_eq!(b.trim(), "body");
        assert!(split_front_matter("id = \"x\"\n").is_none());
        assert!(split_front_matter("+++\nid = \"x\"\n").is_none());
    }

    #[test]
    fn source_dates_accept_partial_dates() {
        for ok in ["2024", "2024-06", "2024-06-18", "undated"] {
            assert!(valid_source_date(ok), "{ok}");
        }
        for bad in ["24", "2024-13", "2024-02-30", "~2023", ""] {
            assert!(!valid_source_date(bad), "{bad}");
        }
    }
}
