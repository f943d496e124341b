//! The redactor on arbitrary text. `redact` must never panic; what `redact_or_none` returns (the
//! text that reaches the database) must be a fixed point: redacting it again finds nothing.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wegwijzer::privacy::Redactor;

static REDACTOR: LazyLock<Redactor> = LazyLock::new(Redactor::new);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = REDACTOR.redact(&text);
    if once.found.is_empty() {
        // Nothing found: the text comes back as normalised, and stays so.
        assert!(REDACTOR.redact(&once.text).found.is_empty());
    }
    if let Some(stored) = REDACTOR.redact_or_none(&text) {
        let again = REDACTOR.redact(&stored.text);
        assert!(
            again.found.is_empty(),
            "stored text still holds {:?}: {:?}",
            again.found,
            stored.text
        );
        assert_eq!(again.text, stored.text);
    }
});
