//! `wegwijzer check` and the loader: the real knowledge base passes; each broken fixture fails
//! with a line naming the file, the field and the reason.

use std::path::{Path, PathBuf};
use std::process::Command;

use wegwijzer::knowledge::{KnowledgeBase, Severity};

fn today() -> time::Date {
    time::macros::date!(2026 - 12 - 04)
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A knowledge dir with the real taxonomy and intents, one valid offer and the given broken file.
fn dir_with(broken: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let real = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    for f in ["taxonomy.toml", "intents.toml"] {
        std::fs::copy(real.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir(dir.path().join("offers")).unwrap();
    std::fs::copy(
        fixtures().join("valid-offer.md"),
        dir.path().join("offers/valid-offer.md"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("broken").join(format!("{broken}.md")),
        dir.path().join("offers").join(format!("{broken}.md")),
    )
    .unwrap();
    dir
}

fn problems(dir: &Path) -> Vec<String> {
    match KnowledgeBase::load(dir, today()) {
        Ok((_, warnings)) => warnings.iter().map(|p| p.to_string()).collect(),
        Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn the_real_knowledge_base_passes_with_every_catalogue_offer() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let (kb, warnings) = KnowledgeBase::load(&dir, today()).expect("knowledge base loads");
    // Only cut-short source addresses may warn: they are listed for review, not hidden.
    assert!(
        warnings
            .iter()
            .all(|w| w.to_string().contains("is cut short (partial = true)")),
        "{warnings:?}"
    );
    assert_eq!(kb.offers.len(), 52);
    // Every id in the shared catalogue exists, when the catalogue is there to compare with.
    let catalogue = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/catalogue.md");
    if let Ok(text) = std::fs::read_to_string(catalogue) {
        for line in text.lines().filter(|l| l.starts_with("| `")) {
            let id = line.split('`').nth(1).unwrap();
            assert!(kb.get(id).is_some(), "catalogue offer `{id}` is missing");
        }
    }
    for closed in kb
        .offers
        .iter()
        .filter(|o| o.status == wegwijzer::domain::Status::Closed)
    {
        assert!(closed.closed_on.is_some(), "{}", closed.id);
    }
}

#[test]
fn each_broken_fixture_names_file_field_and_reason() {
    let cases = [
        (
            "unknown-theme",
            "field `themes`: unknown theme `astrologie`",
        ),
        (
            "unknown-audience",
            "field `audiences`: unknown audience `marsmannetjes`",
        ),
        (
            "unknown-region",
            "field `regions`: unknown region `atlantis`",
        ),
        ("bad-kind", "field `kind`: unknown kind `lottery`"),
        ("bad-status", "field `status`: unknown status `maybe`"),
        ("bad-date", "field `last_reviewed`: bad date `2026-13-45`"),
        (
            "closed-without-closed-on",
            "field `closed_on`: a closed offer needs `closed_on`",
        ),
        ("missing-summary", "field `summary`: missing de text"),
        ("unknown-field", "unknown field `colour`"),
        ("missing-field", "missing field `themes`"),
        (
            "bad-url",
            "field `url`: `example.org` is not an http(s) address",
        ),
        ("bad-opgave", "field `opgaven`: unknown policy task 7"),
        (
            "id-mismatch",
            "field `id`: id `something-else` does not match the file name `id-mismatch.md`",
        ),
        ("duplicate-id", "field `id`: duplicate id `valid-offer`"),
        ("no-front-matter", "missing front matter"),
        ("bad-source-date", "field `sources`: bad date `around 2023`"),
        (
            "open-until-passed",
            "field `open_until`: open_until 2025-01-31 has passed",
        ),
        ("missing-needs", "field `needs`: missing `[needs]`"),
        // Three German lines: below the five a language needs.
        ("short-needs", "field `needs.de`: needs 5-12 lines, found 3"),
        // A line valid-offer has too.
        (
            "repeated-need",
            "line `probleem valid-offer een` is also a need of",
        ),
        // Every figure a text states is a sourced [[figures]] entry ...
        (
            "unsourced-figure",
            "field `summary.nl`: states €50.000 but no [[figures]] entry gives it with a source",
        ),
        // ... that names a source the offer has ...
        (
            "figure-without-source",
            "field `figures`: figure `maximum` names source 3, but the offer has 1 source(s)",
        ),
        // ... and the three languages state the same figures.
        (
            "figure-language-mismatch",
            "field `summary`: the languages state different figures",
        ),
        (
            "rounds-without-date",
            "field `round_checked`: a scheme with rounds = true needs `round_checked`",
        ),
    ];
    for (fixture, expected) in cases {
        let dir = dir_with(fixture);
        let found = problems(dir.path());
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("error: ") && p.contains(".md") && p.contains(expected)),
            "{fixture}: expected an error containing {expected:?}, got {found:#?}"
        );
        assert!(
            KnowledgeBase::load(dir.path(), today()).is_err(),
            "{fixture} must fail"
        );
    }
}

#[test]
fn a_stale_review_is_a_warning_not_an_error() {
    let dir = dir_with("stale-review");
    let (_, warnings) =
        KnowledgeBase::load(dir.path(), today()).expect("warnings do not fail the load");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert!(warnings[0].to_string().contains("field `last_reviewed`"));
    assert!(warnings[0].file.ends_with("stale-review.md"));
}

#[test]
fn a_partial_source_is_a_warning_naming_the_source() {
    let dir = dir_with("partial-source");
    let (_, warnings) =
        KnowledgeBase::load(dir.path(), today()).expect("warnings do not fail the load");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].to_string();
    assert!(
        w.starts_with("warning: ") && w.contains("partial-source.md"),
        "{w}"
    );
    assert!(
        w.contains("field `sources`: source 1 is cut short (partial = true)"),
        "{w}"
    );
}

#[test]
fn the_check_command_exits_non_zero_with_one_line_per_problem() {
    let bin = env!("CARGO_BIN_EXE_wegwijzer");
    let ok = Command::new(bin)
        .args(["check", "--knowledge-dir"])
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge"))
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let dir = dir_with("unknown-theme");
    let out = Command::new(bin)
        .args(["check", "--knowledge-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("astrologie"))
        .expect("a line for the problem");
    assert!(
        line.contains("offers/unknown-theme.md") && line.contains("field `themes`"),
        "{line}"
    );
}
