//! One offer file (TOML front matter + Markdown body) through the real parser and validator, against
//! the real taxonomy. Must never panic; an accepted offer must render its body.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wegwijzer::knowledge::{Offer, Taxonomy};

static TAXONOMY: LazyLock<Taxonomy> = LazyLock::new(|| {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../knowledge/taxonomy.toml");
    let text = std::fs::read_to_string(&path).expect("read taxonomy.toml");
    Taxonomy::parse(&text, "taxonomy.toml").expect("taxonomy parses")
});

fuzz_target!(|data: &[u8]| {
    // Files are read with read_to_string: anything not UTF-8 never reaches the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = time::macros::date!(2025 - 06 - 01);
    let mut problems = Vec::new();
    // The corpus files are real offers, so the file name matches the id when the fuzzer keeps it.
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id = \""))
        .and_then(|r| r.split('"').next())
        .filter(|s| !s.contains('/'))
        .unwrap_or("fuzz");
    let name = format!("{id}.md");
    if let Some(offer) = Offer::parse(
        text,
        Path::new(&name),
        &name,
        &TAXONOMY,
        today,
        &mut problems,
    ) {
        let _ = offer.body_html();
        let _ = offer.body_text();
    }
    for p in &problems {
        let _ = p.to_string();
    }
});
