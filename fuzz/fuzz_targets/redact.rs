//! The redactor on arbitrary text. `redact` must never panic; what `redact_or_none` returns (the
//! text that reaches the database) must be a fixed point: redacting it again finds nothing.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wegwijzer::privacy::Redactor;

static REDACTOR: LazyLock<Redactor> = LazyLock::new(Redactor::new);
/// `WZ_FUZZ_IDEMPOTENT=1` also demands redact(redact(x)) == redact(x) of the single pass, which
/// `redact_or_none` does not rely on (it repeats until nothing more is found).
static STRICT: LazyLock<bool> = LazyLock::new(|| std::env::var_os("WZ_FUZZ_IDEMPOTENT").is_some());

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = REDACTOR.redact(&text);
    if once.found.is_empty() {
        // Nothing found: the text comes back as normalised, and stays so.
        assert!(REDACTOR.redact(&once.text).found.is_empty());
    }
    if *STRICT {
        let twice = REDACTOR.redact(&once.text);
        assert_eq!(twice.text, once.text, "a second pass changed the text");
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
