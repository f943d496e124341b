//! The assistant's understanding of an arbitrary message, on the real knowledge base: must never
//! panic, whatever the text.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wegwijzer::assistant::understand_only;
use wegwijzer::catalog::Catalog;
use wegwijzer::domain::Question;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../knowledge");
    Catalog::load(&dir).expect("knowledge base loads").0
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Only what the API accepts reaches the assistant: a parsed question.
    if let Ok(q) = Question::parse(&text) {
        let (_language, understood) = understand_only(&CATALOG, &q);
        let _ = serde_json::to_string(&understood);
    }
});
