//! `wegwijzer eval`: runs a questions file through the assistant (never logging) and scores it the
//! way `../shared/eval/README.md` describes.

use std::path::Path;

use anyhow::{Context, bail};

use crate::assistant::{Answer, Assistant, MemoryConversations};
use crate::catalog::Catalog;
use crate::domain::{ConversationId, Language, Outcome, Question, Status};

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub langs: Vec<Language>,
    pub outcomes: Vec<Outcome>,
    pub offers: Vec<String>,
    pub question: String,
}

impl Row {
    fn continues(&self) -> bool {
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

#[derive(Debug, Default)]
pub struct Report {
    pub top1: Ratio,
    pub top3: Ratio,
    pub gap_recall: Ratio,
    pub gap_precision: Ratio,
    pub out_of_scope: Ratio,
    pub clarify: Ratio,
    pub handoff: Ratio,
    pub language: Ratio,
    pub misses: Vec<String>,
    pub lines: Vec<String>,
}

/// Scores one answer against its row; returns whether the row was fully right.
fn score_row(r: &mut Report, row: &Row, a: &Answer) -> bool {
    let ids: Vec<&str> = a.offers.iter().map(|o| o.id.as_str()).collect();
    let accepted = row.outcomes.contains(&a.outcome);
    let mut ok = accepted;
    let lang_ok = row.langs.contains(&a.language);
    r.language.add(lang_ok);
    ok &= lang_ok;
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
        ok &= first;
    }
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
        ok &= hit || a.outcome != Outcome::Gap;
    }
    if a.outcome == Outcome::Gap {
        r.gap_precision.add(row.outcomes.contains(&Outcome::Gap));
    }
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
    ok
}

pub fn run(catalog: &Catalog, rows: &[Row]) -> Report {
    let assistant = Assistant::new(MemoryConversations::default());
    let mut report = Report::default();
    let mut conversation: Option<ConversationId> = None;
    for row in rows {
        let cid = if row.continues() {
            conversation.clone()
        } else {
            None
        };
        let answer = match Question::parse(&row.question) {
            Ok(q) => assistant.ask(catalog, &q, cid.as_ref()),
            Err(e) => {
                report
                    .misses
                    .push(format!("{}: invalid question: {e}", row.id));
                continue;
            }
        };
        conversation = ConversationId::parse(&answer.conversation_id).ok();
        let ok = score_row(&mut report, row, &answer);
        let ids: Vec<&str> = answer
            .offers
            .iter()
            .take(3)
            .map(|o| o.id.as_str())
            .collect();
        let line = format!(
            "{} {} [{} {}] got {} {} [{}] want {} [{}] themes={:?} | {}",
            if ok { "ok  " } else { "MISS" },
            row.id,
            answer.language,
            row.langs
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join("|"),
            answer.outcome.as_str(),
            answer
                .offers
                .first()
                .map(|o| format!("{:.2}", o.score))
                .unwrap_or_default(),
            ids.join(","),
            row.outcomes
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            row.offers.join(","),
            answer.understood.themes,
            row.question
        );
        if !ok {
            report.misses.push(line.clone());
        }
        report.lines.push(line);
    }
    report
}

pub fn run_file(catalog: &Catalog, path: &Path) -> anyhow::Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(run(catalog, &parse(&text)?))
}

impl Report {
    pub fn summary(&self) -> String {
        format!(
            "top1          {}\ntop3          {}\ngap_recall    {}\ngap_precision {}\nout_of_scope  {}\nclarify       {}\nhandoff       {}\nlanguage      {}",
            self.top1,
            self.top3,
            self.gap_recall,
            self.gap_precision,
            self.out_of_scope,
            self.clarify,
            self.handoff,
            self.language
        )
    }
}
