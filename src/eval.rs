//! `wegwijzer eval`: runs a questions file through the assistant (never logging) and scores it the
//! way `../shared/eval/README.md` describes: overall, per language, a confusion matrix of
//! outcomes, and the misses. `tune` scores its candidate weights with the same [`score_row`].

use std::collections::BTreeMap;

use anyhow::{Context, bail};

use crate::assistant::{Answer, Assistant, MemoryConversations};
use crate::catalog::Catalog;
use crate::domain::{ConversationId, Language, Outcome, Question, Status};
use crate::embed::Vector;

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub langs: Vec<Language>,
    pub outcomes: Vec<Outcome>,
    pub offers: Vec<String>,
    pub question: String,
}

impl Row {
    pub fn continues(&self) -> bool {
        self.id.ends_with('+')
    }
}

/// Parses the tab-separated file; names the line of any malformed row.
pub fn parse(text: &str) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 5 {
            bail!(
                "line {}: expected 5 tab-separated columns, found {}",
                n + 1,
                cols.len()
            );
        }
        let langs = cols[1]
            .split('|')
            .map(|l| {
                Language::parse(l)
                    .with_context(|| format!("line {}: unknown language `{l}`", n + 1))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let outcomes = cols[2]
            .split('|')
            .map(|o| {
                Outcome::parse(o).with_context(|| format!("line {}: unknown outcome `{o}`", n + 1))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let offers = cols[3]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        rows.push(Row {
            id: cols[0].to_owned(),
            langs,
            outcomes,
            offers,
            question: cols[4].to_owned(),
        });
    }
    Ok(rows)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Ratio {
    pub hits: usize,
    pub total: usize,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        if hit {
            self.hits += 1;
        }
    }
    pub fn value(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} ({}/{})", self.value(), self.hits, self.total)
    }
}

#[derive(Debug, Default, Clone)]
pub struct Report {
    pub rows: usize,
    pub top1: Ratio,
    pub top3: Ratio,
    pub gap_recall: Ratio,
    pub gap_precision: Ratio,
    pub out_of_scope: Ratio,
    pub clarify: Ratio,
    pub handoff: Ratio,
    pub language: Ratio,
    /// Rows fully right (outcome, first offer, language): what `tune` maximises.
    pub right: Ratio,
    /// (labelled outcome, concluded outcome) → rows.
    pub confusion: BTreeMap<(String, String), usize>,
    pub misses: Vec<String>,
    pub lines: Vec<String>,
}

/// The figures a report prints and floors may name, in order.
pub const FIGURES: [&str; 9] = [
    "top1",
    "top3",
    "gap_precision",
    "gap_recall",
    "out_of_scope",
    "clarify",
    "handoff",
    "language",
    "right",
];

impl Ratio {
    fn merge(&mut self, other: Ratio) {
        self.hits += other.hits;
        self.total += other.total;
    }
}

impl Report {
    /// Adds another report's rows (the two halves of a parallel run).
    pub fn merge(&mut self, other: Report) {
        self.rows += other.rows;
        for (mine, theirs) in [
            (&mut self.top1, other.top1),
            (&mut self.top3, other.top3),
            (&mut self.gap_recall, other.gap_recall),
            (&mut self.gap_precision, other.gap_precision),
            (&mut self.out_of_scope, other.out_of_scope),
            (&mut self.clarify, other.clarify),
            (&mut self.handoff, other.handoff),
            (&mut self.language, other.language),
            (&mut self.right, other.right),
        ] {
            mine.merge(theirs);
        }
        for (k, v) in other.confusion {
            *self.confusion.entry(k).or_default() += v;
        }
        self.misses.extend(other.misses);
        self.lines.extend(other.lines);
    }
}

/// Scores one answer against its row; returns whether the row was fully right.
pub fn score_row(r: &mut Report, row: &Row, a: &Answer) -> bool {
    r.rows += 1;
    let ids: Vec<&str> = a.offers.iter().map(|o| o.id.as_str()).collect();
    let accepted = row.outcomes.contains(&a.outcome);
    let lang_ok = row.langs.contains(&a.language);
    r.language.add(lang_ok);
    let mut ok = accepted && lang_ok;
    if row.outcomes.contains(&Outcome::Answered) && !row.offers.is_empty() {
        let first = ids
            .first()
            .is_some_and(|f| row.offers.iter().any(|o| o == f));
        let in3 = ids
            .iter()
            .take(3)
            .any(|f| row.offers.iter().any(|o| o == f));
        r.top1.add(accepted && first);
        r.top3.add(accepted && in3);
        ok &= first || a.outcome != Outcome::Answered;
    }
    ok &= score_gap(r, row, a);
    for (outcome, ratio) in [
        (Outcome::OutOfScope, &mut r.out_of_scope),
        (Outcome::Clarify, &mut r.clarify),
    ] {
        if row.outcomes == [outcome] {
            ratio.add(a.outcome == outcome);
        }
    }
    if row.outcomes == [Outcome::Handoff] {
        let hit = a.outcome == Outcome::Handoff && ids.iter().take(3).any(|i| *i == "ibdo");
        r.handoff.add(hit);
        ok &= hit;
    }
    let want = row
        .outcomes
        .iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join("|");
    *r.confusion
        .entry((want, a.outcome.as_str().to_owned()))
        .or_default() += 1;
    r.right.add(ok);
    ok
}

/// Gap recall (with the named closed scheme shown) and precision; whether the row's gap was right.
fn score_gap(r: &mut Report, row: &Row, a: &Answer) -> bool {
    let mut ok = true;
    if row.outcomes == [Outcome::Gap]
        || (row.outcomes.contains(&Outcome::Gap) && a.outcome == Outcome::Gap)
    {
        let shown_closed = row.offers.is_empty()
            || a.offers.iter().take(3).any(|o| {
                row.offers.contains(&o.id) && (o.status == Status::Closed || row.outcomes.len() > 1)
            });
        let hit = a.outcome == Outcome::Gap && shown_closed;
        if row.outcomes == [Outcome::Gap] {
            r.gap_recall.add(hit);
        }
        ok = hit || a.outcome != Outcome::Gap;
    }
    if a.outcome == Outcome::Gap {
        r.gap_precision.add(row.outcomes.contains(&Outcome::Gap));
    }
    ok
}

/// Every row answered, in order, continuing conversations where a row's id ends in `+`.
/// `vectors[i]` is row i's question vector (semantic), or `None` (lexical).
pub fn answer_all(
    catalog: &Catalog,
    rows: &[Row],
    vectors: &[Option<Vector>],
) -> Vec<anyhow::Result<Answer>> {
    let assistant = Assistant::new(MemoryConversations::default());
    let mut conversation: Option<ConversationId> = None;
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let cid = if row.continues() {
            conversation.clone()
        } else {
            None
        };
        let vector = vectors.get(i).and_then(|v| v.as_deref());
        let answer = Question::parse(&row.question)
            .map(|q| assistant.ask_with(catalog, &q, cid.as_ref(), vector))
            .map_err(|e| anyhow::anyhow!("{}: invalid question: {e}", row.id));
        if let Ok(a) = &answer {
            conversation = ConversationId::parse(&a.conversation_id).ok();
        }
        out.push(answer);
    }
    out
}

fn line(ok: bool, row: &Row, answer: &Answer) -> String {
    let ids: Vec<&str> = answer
        .offers
        .iter()
        .take(3)
        .map(|o| o.id.as_str())
        .collect();
    let join = |v: Vec<&str>| v.join("|");
    format!(
        "{} {} [{} {}] got {} {} [{}] want {} [{}] themes={:?}{} | {}",
        if ok { "ok  " } else { "MISS" },
        row.id,
        answer.language,
        join(row.langs.iter().map(|l| l.code()).collect()),
        answer.outcome.as_str(),
        answer
            .offers
            .first()
            .map(|o| format!("{:.2}", o.score))
            .unwrap_or_default(),
        ids.join(","),
        join(row.outcomes.iter().map(|o| o.as_str()).collect()),
        row.offers.join(","),
        answer.understood.themes,
        answer
            .evidence
            .map(|e| format!(
                " sim={:.3} open={:.3} need={:.3} off={:+.3}",
                e.scope, e.best_open_offer, e.best_need, e.off_topic_margin
            ))
            .unwrap_or_default(),
        row.question
    )
}

/// The report over the rows `keep` selects.
pub fn report(
    rows: &[Row],
    answers: &[anyhow::Result<Answer>],
    keep: impl Fn(&Row) -> bool,
) -> Report {
    let mut report = Report::default();
    for (row, answer) in rows.iter().zip(answers) {
        if !keep(row) {
            continue;
        }
        match answer {
            Ok(a) => {
                let ok = score_row(&mut report, row, a);
                let l = line(ok, row, a);
                if !ok {
                    report.misses.push(l.clone());
                }
                report.lines.push(l);
            }
            Err(e) => report.misses.push(e.to_string()),
        }
    }
    report
}

/// The overall report and one per language (a row counts for its first language).
pub fn breakdown(rows: &[Row], answers: &[anyhow::Result<Answer>]) -> Vec<(String, Report)> {
    let mut out = vec![("all".to_owned(), report(rows, answers, |_| true))];
    for lang in Language::ALL {
        out.push((
            lang.code().to_owned(),
            report(rows, answers, |r| r.langs.first() == Some(&lang)),
        ));
    }
    out
}

/// Lexical answers for a whole file.
pub fn run(catalog: &Catalog, rows: &[Row]) -> Report {
    report(rows, &answer_all(catalog, rows, &[]), |_| true)
}

impl Report {
    /// A figure by name (see [`FIGURES`]).
    pub fn figure(&self, name: &str) -> Option<Ratio> {
        Some(match name {
            "top1" => self.top1,
            "top3" => self.top3,
            "gap_precision" => self.gap_precision,
            "gap_recall" => self.gap_recall,
            "out_of_scope" => self.out_of_scope,
            "clarify" => self.clarify,
            "handoff" => self.handoff,
            "language" => self.language,
            "right" => self.right,
            _ => return None,
        })
    }

    pub fn summary(&self) -> String {
        FIGURES
            .iter()
            .map(|f| format!("{f:<14}{}", self.figure(f).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The confusion matrix: labelled outcome (rows) against concluded outcome (columns).
    pub fn confusion_table(&self) -> String {
        let got: Vec<&str> = ["answered", "clarify", "handoff", "gap", "out_of_scope"].to_vec();
        let mut out = format!("{:<22}", "labelled \\ concluded");
        for g in &got {
            out.push_str(&format!("{g:>13}"));
        }
        let wants: std::collections::BTreeSet<&String> =
            self.confusion.keys().map(|(w, _)| w).collect();
        for w in wants {
            out.push_str(&format!("\n{w:<22}"));
            for g in &got {
                let n = self.confusion.get(&(w.clone(), (*g).to_owned())).copied();
                out.push_str(&format!("{:>13}", n.unwrap_or(0)));
            }
        }
        out
    }
}

/// Figures side by side: one column per (label, report).
pub fn table(columns: &[(String, &Report)]) -> String {
    let mut out = format!("{:<14}", "figure");
    for (label, _) in columns {
        out.push_str(&format!("{label:>22}"));
    }
    for f in FIGURES {
        out.push_str(&format!("\n{f:<14}"));
        for (_, r) in columns {
            let cell = r.figure(f).map(|x| x.to_string()).unwrap_or_default();
            out.push_str(&format!("{cell:>22}"));
        }
    }
    out
}

/// Minimum figures per mode (`semantic`, `lexical`) and optionally per language: a table per
/// mode with `figure = minimum`, and sub-tables `[semantic.de]` for a language.
pub type Floors = BTreeMap<String, toml::Table>;

/// The figures below their floors, as lines; empty when all hold.
pub fn below_floors(floors: &Floors, mode: &str, reports: &[(String, Report)]) -> Vec<String> {
    let Some(table) = floors.get(mode) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in table {
        let (scope, figures) = match value.as_table() {
            Some(t) => (key.as_str(), t.clone()),
            None => (
                "all",
                toml::Table::from_iter([(key.clone(), value.clone())]),
            ),
        };
        let Some((_, report)) = reports.iter().find(|(l, _)| l == scope) else {
            out.push(format!("{mode}.{scope}: no such language"));
            continue;
        };
        for (figure, min) in figures {
            let min = min
                .as_float()
                .or_else(|| min.as_integer().map(|i| i as f64));
            match (report.figure(&figure), min) {
                (Some(r), Some(min)) if r.value() + 1e-9 < min => out.push(format!(
                    "{mode} {scope} {figure} {r} is below its floor {min:.3}"
                )),
                (Some(_), Some(_)) => {}
                _ => out.push(format!(
                    "{mode}.{scope}.{figure}: not a figure with a number"
                )),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(top1: (usize, usize)) -> Report {
        Report {
            top1: Ratio {
                hits: top1.0,
                total: top1.1,
            },
            ..Report::default()
        }
    }

    #[test]
    fn floors_name_the_figure_below_them() {
        let floors: Floors = toml::from_str(
            "[semantic]\ntop1 = 0.9\n[semantic.de]\ntop1 = 0.5\n[lexical]\ntop1 = 0.1\n",
        )
        .unwrap();
        let reports = vec![
            ("all".to_owned(), report_with((8, 10))),
            ("de".to_owned(), report_with((6, 10))),
        ];
        let below = below_floors(&floors, "semantic", &reports);
        assert_eq!(below.len(), 1, "{below:?}");
        assert!(below[0].contains("top1") && below[0].contains("0.900"));
        assert!(below_floors(&floors, "lexical", &reports).is_empty());
        let typo: Floors = toml::from_str("[semantic]\ntopp1 = 0.9\n").unwrap();
        assert_eq!(below_floors(&typo, "semantic", &reports).len(), 1);
    }
}
