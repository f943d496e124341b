//! The terminal commands: thin wrappers that load the knowledge base and print results.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::assistant::{Assistant, MemoryConversations};
use crate::catalog::{Catalog, CatalogError};
use crate::domain::{Kind, Language, Question, Status};
use crate::knowledge::KnowledgeBase;
use crate::search::Filters;

fn load(dir: &Path) -> anyhow::Result<Catalog> {
    match Catalog::load(dir) {
        Ok((catalog, _warnings)) => Ok(catalog),
        Err(CatalogError::Knowledge(e)) => {
            for p in &e.problems {
                eprintln!("{p}");
            }
            anyhow::bail!(
                "the knowledge base in {} has errors; run `wegwijzer check`",
                dir.display()
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub fn serve(config: crate::config::Config) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(crate::startup::run(config))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints one line per problem; non-zero exit when any is an error.
pub fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    let today = time::OffsetDateTime::now_utc().date();
    match KnowledgeBase::load(dir, today) {
        Ok((kb, warnings)) => {
            for w in &warnings {
                println!("{w}");
            }
            println!(
                "ok: {} offers, {} themes, {} audiences, {} stages, {} municipalities ({} warning(s))",
                kb.offers.len(),
                kb.taxonomy.themes.len(),
                kb.taxonomy.audiences.len(),
                kb.taxonomy.stages.len(),
                kb.taxonomy.municipalities.len(),
                warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            for p in &e.problems {
                println!("{p}");
            }
            let errors = e.problems.iter().filter(|p| p.is_error()).count();
            println!("{errors} error(s)");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub struct SearchFlags {
    pub theme: Option<String>,
    pub audience: Option<String>,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub status: Option<String>,
    pub limit: usize,
}

pub fn search(dir: &Path, query: &str, flags: SearchFlags) -> anyhow::Result<ExitCode> {
    let catalog = load(dir)?;
    let status = match flags.status.as_deref() {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .with_context(|| format!("unknown status `{s}` (open, closed, unknown)"))?,
        ),
    };
    let filters = Filters {
        theme: flags.theme,
        audience: flags.audience,
        stage: flags.stage,
        region: flags.region,
        kind: None::<Kind>,
        status,
    };
    let r = catalog.index.search(
        &catalog.kb,
        query,
        &Language::ALL,
        &filters,
        flags.limit,
        false,
    )?;
    println!(
        "{:>3}  {:<38} {:<13} {:<8} {:>7}",
        "#", "offer", "kind", "status", "score"
    );
    for (i, h) in r.hits.iter().enumerate() {
        let o = &catalog.kb.offers[h.ord];
        println!(
            "{:>3}  {:<38} {:<13} {:<8} {:>7.2}",
            i + 1,
            o.id.as_str(),
            o.kind.as_str(),
            o.status.as_str(),
            h.score
        );
    }
    println!("{} of {} offers match", r.hits.len(), r.total);
    Ok(ExitCode::SUCCESS)
}

pub fn ask(dir: &Path, question: &str, json: bool, explain: bool) -> anyhow::Result<ExitCode> {
    let catalog = load(dir)?;
    let q = Question::parse(question)?;
    if explain {
        let lang = crate::assistant::detect_language(q.as_str(), None).0;
        let a = catalog.lexicon.analyse(
            q.as_str(),
            lang,
            catalog.index.analyzers(),
            catalog.index.decompounder(),
        );
        for line in catalog.lexicon.explain(&a) {
            println!("  {line}");
        }
    }
    let assistant = Assistant::new(MemoryConversations::default());
    let a = assistant.ask(&catalog, &q, None);
    if json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("[{} · {}] {}", a.outcome.as_str(), a.language, a.answer);
    if let Some(c) = &a.clarify {
        for (i, o) in c.options.iter().enumerate() {
            println!("  {}. {o}", i + 1);
        }
    }
    for o in &a.offers {
        let badge = match o.status {
            Status::Closed => " [GESLOTEN/CLOSED]",
            Status::Unknown => " [status navragen]",
            Status::Open => "",
        };
        println!(
            "\n* {}{badge} — {}\n  {}\n  {}\n  {}",
            o.name, o.provider, o.why, o.how_to_apply, o.url
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn eval(dir: &Path, file: &Path, verbose: bool) -> anyhow::Result<ExitCode> {
    let catalog = load(dir)?;
    let report = crate::eval::run_file(&catalog, file)?;
    if verbose {
        for l in &report.lines {
            println!("{l}");
        }
    } else {
        for m in &report.misses {
            println!("{m}");
        }
    }
    println!("{}", report.summary());
    Ok(ExitCode::SUCCESS)
}

pub fn erase(database_url: &str, conversation_id: &str) -> anyhow::Result<ExitCode> {
    let id = crate::domain::ConversationId::parse(conversation_id).map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let n = rt.block_on(async {
        let store = crate::store::Store::connect(database_url).await?;
        let n = store.erase_conversation(id.as_str()).await?;
        store.close().await;
        anyhow::Ok(n)
    })?;
    println!("erased {n} gap record(s) of conversation {}", id.as_str());
    Ok(ExitCode::SUCCESS)
}
