//! Exports for partners and officers: CSV that Dutch Excel opens as it is (UTF-8 with BOM, `;`
//! separators) with formula-looking cells neutralised, JSON, and the codebook explaining every
//! column.

use serde::Serialize;

use super::matrix::Matrix;
use crate::store::GapRecord;

/// Excel reads a leading BOM as "this is UTF-8".
const BOM: &str = "\u{feff}";

/// A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection).
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn write_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing into memory cannot fail; a row that somehow does is skipped rather than panicking.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| neutralise(c)));
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("{BOM}{}", String::from_utf8_lossy(&bytes))
}

pub const GAP_COLUMNS: [&str; 17] = [
    "id",
    "created_at",
    "language",
    "channel",
    "reason",
    "themes",
    "audiences",
    "stages",
    "opgaven",
    "municipality",
    "subregion",
    "offers",
    "status",
    "covered_by",
    "note",
    "updated_at",
    "question",
];

pub fn gaps_csv(gaps: &[GapRecord]) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    write_csv(
        &GAP_COLUMNS,
        gaps.iter().map(|g| {
            vec![
                g.id.to_string(),
                g.created_at.clone(),
                g.language.clone(),
                g.channel.clone(),
                g.reason.clone(),
                g.themes.join(","),
                g.audiences.join(","),
                g.stages.join(","),
                g.opgaven
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                opt(&g.municipality),
                opt(&g.subregion),
                g.offers.join(","),
                g.status.clone(),
                opt(&g.covered_by),
                opt(&g.note),
                opt(&g.updated_at),
                opt(&g.question),
            ]
        }),
    )
}

pub const MATRIX_COLUMNS: [&str; 13] = [
    "row_dimension",
    "row",
    "row_label",
    "col_dimension",
    "col",
    "col_label",
    "questions",
    "gaps",
    "handoffs",
    "gap_share",
    "supply",
    "previous_questions",
    "trend",
];

pub fn matrix_csv(m: &Matrix) -> String {
    let label = |values: &[super::matrix::Value], id: &str| {
        values
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.label.clone())
            .unwrap_or_default()
    };
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let float = |v: Option<f64>| v.map(|n| format!("{n:.3}")).unwrap_or_default();
    write_csv(
        &MATRIX_COLUMNS,
        m.cells.iter().map(|c| {
            vec![
                m.rows.as_str().to_owned(),
                c.row.clone(),
                label(&m.row_values, &c.row),
                m.cols.as_str().to_owned(),
                c.col.clone(),
                label(&m.col_values, &c.col),
                num(c.questions),
                num(c.gaps),
                num(c.handoffs),
                float(c.gap_share),
                c.supply.map(|n| n.to_string()).unwrap_or_default(),
                num(c.previous_questions),
                float(c.trend),
            ]
        }),
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Codebook {
    pub about: &'static str,
    pub gaps_csv: Vec<Column>,
    pub matrix: Vec<Column>,
    pub values: Vec<Column>,
}

fn cols(pairs: &[(&'static str, &'static str)]) -> Vec<Column> {
    pairs
        .iter()
        .map(|&(name, description)| Column { name, description })
        .collect()
}

/// What every exported column means, for partners who receive the files.
pub fn codebook() -> Codebook {
    Codebook {
        about: "Wegwijzer Drenthe: questions from entrepreneurs and where no support offer answered them (gaps). \
                Counts only; question texts are PII-redacted and deleted after the retention period. \
                CSV files are UTF-8 with BOM and ';' as separator; cells that start with = + - @ get a leading apostrophe. \
                In partner exports, cells with fewer than 5 questions are suppressed (empty).",
        gaps_csv: cols(&[
            (
                "id",
                "Number of the gap record; stable, also shown to the person who asked.",
            ),
            ("created_at", "When it was recorded (UTC, RFC 3339)."),
            ("language", "Language of the question: nl, en or de."),
            (
                "channel",
                "Where it came in: web, discord, api, cli, or adviser (logged by an IBDO adviser).",
            ),
            (
                "reason",
                "no_offer (nothing fits), offer_closed (the scheme asked for is closed), audience_mismatch, region_mismatch (offers exist but not for this audience/place), not_helpful (the asker said the answer did not help), handoff (the asker wanted a person).",
            ),
            (
                "themes",
                "Themes understood (comma-separated taxonomy ids, see knowledge/taxonomy.toml).",
            ),
            (
                "audiences",
                "Audiences understood (comma-separated taxonomy ids).",
            ),
            (
                "stages",
                "Business stages understood (comma-separated taxonomy ids).",
            ),
            (
                "opgaven",
                "Policy tasks of the Economische Koers Drenthe the themes belong to (numbers 1-5).",
            ),
            (
                "municipality",
                "Municipality recognised in the question, if any.",
            ),
            ("subregion", "Sub-region of Drenthe of that municipality."),
            ("offers", "Offers that were suggested (ids), if any."),
            ("status", "Triage: new, reviewed, addressed, not-a-gap."),
            (
                "covered_by",
                "The offer that now covers this need, set at triage.",
            ),
            ("note", "Triage note (redacted)."),
            ("updated_at", "Last triage change (UTC)."),
            (
                "question",
                "The question with personal data replaced by placeholders such as [telefoon]; empty when redaction could not vouch for it or after the retention period.",
            ),
        ]),
        matrix: cols(&[
            (
                "row_dimension",
                "What the rows are: theme, audience, stage, subregion, municipality, opgave or channel.",
            ),
            ("row", "Row value id; empty means not understood."),
            ("row_label", "Row value in words."),
            ("col_dimension", "What the columns are."),
            ("col", "Column value id; empty means not understood."),
            ("col_label", "Column value in words."),
            (
                "questions",
                "Questions asked in the period (answered, handed over or unanswered; clarifying questions not counted). A question about two themes counts in both rows.",
            ),
            (
                "gaps",
                "Unmet demand: no_offer, offer_closed, audience_mismatch, region_mismatch and not_helpful feedback.",
            ),
            (
                "handoffs",
                "Questions where the asker wanted to speak to a person.",
            ),
            (
                "gap_share",
                "gaps / questions, 0 to 1 (not_helpful feedback can push it above the share of unanswered questions).",
            ),
            (
                "supply",
                "Open (or status unknown) offers in the knowledge base that serve both the row and the column value; empty where that has no meaning.",
            ),
            (
                "previous_questions",
                "Questions in the previous period of the same length.",
            ),
            (
                "trend",
                "Relative change of questions against the previous period (0.5 = 50% more).",
            ),
        ]),
        values: cols(&[
            (
                "subregion",
                "noord-drenthe, zuidwest-drenthe, zuidoost-drenthe as in knowledge/taxonomy.toml.",
            ),
            (
                "opgave",
                "1-5: the tasks of the Economische Koers Drenthe, labels in the matrix JSON.",
            ),
            (
                "suppression",
                "Partner exports leave counts empty where a cell has fewer than 5 questions.",
            ),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_excel_gets_a_bom() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("gewoon"), "gewoon");
        let csv = write_csv(&["a", "b"], [vec!["=1+1".into(), "x;y".into()]].into_iter());
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("'=1+1;\"x;y\""), "{csv}");
    }
}
