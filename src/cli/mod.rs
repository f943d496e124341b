//! The terminal commands: thin wrappers that load the knowledge base and print results.

mod eval;

pub use eval::{EvalFlags, eval, tune};

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::assistant::{Assistant, MemoryConversations};
use crate::catalog::{Catalog, CatalogError};
use crate::domain::{Kind, Language, Question, Status};
use crate::knowledge::KnowledgeBase;
use crate::search::Filters;

pub(crate) fn load(dir: &Path) -> anyhow::Result<Catalog> {
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

pub fn ask(
    dir: &Path,
    question: &str,
    json: bool,
    explain: bool,
    embed: Option<&crate::config::EmbedConfig>,
) -> anyhow::Result<ExitCode> {
    let lexical = load(dir)?;
    let q = Question::parse(question)?;
    if explain {
        let lang = crate::assistant::detect_language(q.as_str(), None).0;
        let a = lexical.lexicon.analyse(
            q.as_str(),
            lang,
            lexical.index.analyzers(),
            lexical.index.decompounder(),
        );
        for line in lexical.lexicon.explain(&a) {
            println!("  {line}");
        }
    }
    let assistant = Assistant::new(MemoryConversations::default());
    let (catalog, vector) = match embed {
        Some(config) => eval::semantic_one(&lexical, config, q.as_str())?,
        None => (lexical.clone(), None),
    };
    let a = assistant.ask_with(&catalog, &q, None, vector.as_deref());
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

/// Runs one async job against the database on a small runtime, closing the pool after.
fn with_store<T>(
    database_url: &str,
    job: impl AsyncFnOnce(&crate::store::Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let store = crate::store::Store::connect(database_url).await?;
        let out = job(&store).await;
        store.close().await;
        out
    })
}

/// The operator at the terminal, as the audit trail names them.
fn operator() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

pub fn erase(database_url: &str, conversation_id: &str) -> anyhow::Result<ExitCode> {
    let id = crate::domain::ConversationId::parse(conversation_id).map_err(anyhow::Error::msg)?;
    let n = with_store(database_url, async |store| {
        let n = store.erase_conversation(id.as_str()).await?;
        store
            .audit(
                &operator(),
                "erasure",
                Some(id.as_str()),
                Some(&format!("{n} record(s)")),
            )
            .await?;
        Ok(n)
    })?;
    println!("erased {n} gap record(s) of conversation {}", id.as_str());
    Ok(ExitCode::SUCCESS)
}

/// Adds a user (or resets one's password and role); the password is read from stdin, one line.
pub fn user_add(database_url: &str, name: &str, role: &str) -> anyhow::Result<ExitCode> {
    use crate::auth::{Role, hash_password, parse_name};
    let name = parse_name(name)?;
    let role = Role::parse(role).map_err(anyhow::Error::msg)?;
    let mut password = String::new();
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("password for {name}: ");
    }
    std::io::stdin().read_line(&mut password)?;
    let hash = hash_password(password.trim_end_matches(['\r', '\n']))?;
    let new = with_store(database_url, async |store| {
        let new = store.upsert_user(&name, role, &hash).await?;
        let action = if new { "user.add" } else { "user.reset" };
        store
            .audit(&operator(), action, Some(&name), Some(role.as_str()))
            .await?;
        Ok(new)
    })?;
    println!(
        "{} {name} ({})",
        if new { "added" } else { "updated" },
        role.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates an API token valid for `expires_in_days` and prints it on the last line; only its hash
/// is stored.
pub fn token_create(
    database_url: &str,
    name: &str,
    role: &str,
    expires_in_days: u32,
) -> anyhow::Result<ExitCode> {
    use crate::auth::{Role, new_secret, parse_name};
    let name = parse_name(name)?;
    let role = Role::parse(role).map_err(anyhow::Error::msg)?;
    let token = new_secret()?;
    let lifetime = time::Duration::days(i64::from(expires_in_days));
    let (id, expires_at) = with_store(database_url, async |store| {
        let (id, expires_at) = store.create_token(&name, role, &token, lifetime).await?;
        store
            .audit(
                &operator(),
                "token.create",
                Some(&id.to_string()),
                Some(&format!("{name} {} expires {expires_at}", role.as_str())),
            )
            .await?;
        Ok((id, expires_at))
    })?;
    println!(
        "token {id} for {name} ({}), valid until {expires_at}; it is shown only now:",
        role.as_str()
    );
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

pub fn token_list(database_url: &str) -> anyhow::Result<ExitCode> {
    let tokens = with_store(database_url, async |store| Ok(store.tokens().await?))?;
    let now = time::OffsetDateTime::now_utc();
    println!(
        "{:>4}  {:<24} {:<8} {:<30} {:<30} {:<30} {:<30}",
        "id", "name", "role", "created", "last used", "expires", "revoked"
    );
    for t in tokens {
        let expires = match (&t.expires_at, t.expired(now)) {
            (Some(at), true) => format!("{at} (expired)"),
            (Some(at), false) => at.clone(),
            (None, _) => "never".into(),
        };
        println!(
            "{:>4}  {:<24} {:<8} {:<30} {:<30} {:<30} {}",
            t.id,
            t.name,
            t.role,
            t.created_at,
            t.last_used_at.as_deref().unwrap_or("-"),
            expires,
            t.revoked_at.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn token_revoke(database_url: &str, id: i64) -> anyhow::Result<ExitCode> {
    let revoked = with_store(database_url, async |store| {
        let revoked = store.revoke_token(id).await?;
        if revoked {
            store
                .audit(&operator(), "token.revoke", Some(&id.to_string()), None)
                .await?;
        }
        Ok(revoked)
    })?;
    if revoked {
        println!("revoked token {id}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("no active token {id}");
        Ok(ExitCode::FAILURE)
    }
}

/// What `gaps export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportWhat {
    /// The gap records (redacted texts included), as officers see them.
    Gaps,
    /// The white-spot matrix for partners, small cells suppressed.
    Matrix,
}

pub struct ExportFlags {
    pub format: ExportFormat,
    pub what: ExportWhat,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: String,
    pub cols: String,
}

/// The same exports as the API, written to stdout.
pub fn gaps_export(
    database_url: &str,
    knowledge_dir: &Path,
    f: ExportFlags,
) -> anyhow::Result<ExitCode> {
    use crate::insights::{Dimension, Period, export, matrix};
    let today = time::OffsetDateTime::now_utc().date();
    let period =
        Period::parse(f.from.as_deref(), f.to.as_deref(), today).map_err(anyhow::Error::msg)?;
    let (from, to) = period.bounds();
    let out = match f.what {
        ExportWhat::Gaps => with_store(database_url, async |store| {
            let filter = crate::store::GapFilter {
                from: Some(from.clone()),
                to: Some(to.clone()),
                limit: i64::MAX,
                ..crate::store::GapFilter::default()
            };
            let (_, gaps) = store.list_gaps(&filter).await?;
            store
                .audit(
                    &operator(),
                    "export",
                    Some("gaps"),
                    Some(&format!("from={from} to={to} rows={}", gaps.len())),
                )
                .await?;
            Ok(match f.format {
                ExportFormat::Csv => export::gaps_csv(&gaps),
                ExportFormat::Json => serde_json::to_string_pretty(&gaps)?,
            })
        })?,
        ExportWhat::Matrix => {
            let (kb, _) = crate::knowledge::KnowledgeBase::load(knowledge_dir, today)?;
            let rows = Dimension::parse(&f.rows).map_err(anyhow::Error::msg)?;
            let cols = Dimension::parse(&f.cols).map_err(anyhow::Error::msg)?;
            with_store(database_url, async |store| {
                let m = matrix::build(
                    store,
                    &kb,
                    rows,
                    cols,
                    period,
                    crate::domain::Language::Nl,
                    true,
                )
                .await?;
                store
                    .audit(
                        &operator(),
                        "export",
                        Some("matrix"),
                        Some(&format!(
                            "rows={} cols={} from={from} to={to}",
                            rows.as_str(),
                            cols.as_str()
                        )),
                    )
                    .await?;
                Ok(match f.format {
                    ExportFormat::Csv => export::matrix_csv(&m),
                    ExportFormat::Json => serde_json::to_string_pretty(
                        &serde_json::json!({"codebook": export::codebook(), "matrix": m}),
                    )?,
                })
            })?
        }
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `wegwijzer redaction`: the redactor, knowing this knowledge base, over the shipped battery of
/// planted personal data and the business questions. Fails when anything leaks or precision drops
/// under 95 %.
pub fn redaction(dir: &Path, json: bool, questions: Option<&Path>) -> anyhow::Result<ExitCode> {
    let today = time::OffsetDateTime::now_utc().date();
    let (kb, _) = KnowledgeBase::load(dir, today)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("loading {}", dir.display()))?;
    let redactor = crate::app::redactor_for(&kb);
    if let Some(path) = questions {
        // A TSV with a `question` column (the routing sets): how many of its words stay.
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let col = header
            .iter()
            .position(|h| *h == "question")
            .with_context(|| format!("{} has no `question` column", path.display()))?;
        let rows: Vec<&str> = lines.filter_map(|l| l.split('\t').nth(col)).collect();
        let (total, kept, changed) = crate::privacy::report::kept_words(&redactor, rows);
        for (input, output) in &changed {
            println!("  changed: {input}\n       ->  {output}");
        }
        println!(
            "{}: {kept}/{total} words kept = {:.3}",
            path.display(),
            if total == 0 {
                1.0
            } else {
                kept as f64 / total as f64
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let report = crate::privacy::report::evaluate(&redactor);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for (title, b) in [
            ("battery (tuned on)", &report.battery),
            ("held-out rows (never tuned on)", &report.holdout),
        ] {
            println!("{title}");
            println!("  {:<22} {:>9} {:>7}", "class", "fragments", "masked");
            for (class, c) in &b.classes {
                println!("  {class:<22} {:>9} {:>7}", c.fragments, c.masked);
            }
            println!("  recall: {}/{} = {:.3}", b.masked, b.fragments, b.recall());
            for leak in &b.leaks {
                println!(
                    "    leak {}: {:?} in {:?}",
                    leak.id, leak.fragment, leak.output
                );
            }
        }
        println!(
            "business precision: {}/{} words kept = {:.3}",
            report.business_kept,
            report.business_words,
            report.precision()
        );
        for (input, output) in &report.business_changed {
            println!("  changed: {input}\n       ->  {output}");
        }
    }
    // The held-out rows are reported, not held to zero: they measure, the battery guards.
    Ok(
        if report.battery.leaks.is_empty() && report.precision() >= 0.95 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

/// `wegwijzer review`: the offers due for a check with their owners and demand, as Markdown or
/// CSV. Without a reachable database the list comes without demand.
pub fn review(dir: &Path, database_url: &str, csv: bool) -> anyhow::Result<ExitCode> {
    let today = time::OffsetDateTime::now_utc().date();
    let (kb, _) = KnowledgeBase::load(dir, today)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("loading {}", dir.display()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (rows, known) = rt.block_on(async {
        let store = match crate::store::Store::connect(database_url).await {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("no demand figures: {e}");
                None
            }
        };
        let out = crate::insights::review::list(&kb, store.as_ref(), today).await;
        if let Some(s) = store {
            s.close().await;
        }
        out
    });
    if csv {
        print!("{}", crate::insights::review::csv(&rows)?);
    } else {
        print!("{}", crate::insights::review::markdown(&rows, known));
    }
    Ok(ExitCode::SUCCESS)
}

/// `wegwijzer examples export`: the triaged gaps as labelled questions in the eval format.
pub fn examples_export(database_url: &str) -> anyhow::Result<ExitCode> {
    let records = with_store(database_url, async |store| {
        Ok(store.triaged_examples().await?)
    })?;
    print!("{}", crate::insights::examples::to_eval_tsv(&records));
    eprintln!("{} labelled question(s)", records.len());
    Ok(ExitCode::SUCCESS)
}
