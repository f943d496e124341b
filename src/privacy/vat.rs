//! VAT identification numbers: Dutch (NL…B..), German, Belgian and Austrian.

use regex::Regex;

use super::claims::Claims;
use super::{DASH, PiiKind, SP};

#[derive(Debug)]
pub struct VatIds {
    vat_nl: Regex,
    vat_other: Regex,
}

impl VatIds {
    pub fn new() -> VatIds {
        VatIds {
            vat_nl: super::re(&format!(
                r"(?i)\bNL{SP}?[.{DASH}]?(?:[0-9]{SP}?[.{DASH}]?){{9}}B{SP}?[.{DASH}]?[0-9]{{2}}\b"
            )),
            vat_other: super::re(r"\b(?:DE[0-9]{9}|BE[01][0-9]{9}|ATU[0-9]{8})\b"),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        for re in [&self.vat_nl, &self.vat_other] {
            for m in re.find_iter(text) {
                claims.claim(m.start(), m.end(), PiiKind::VatId);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn btw_ids() {
        assert_redacts(
            "Ons btw-nummer is NL123456789B01.",
            "Ons btw-nummer is [btw-id].",
            &[PiiKind::VatId],
        );
        assert_redacts(
            "VAT number NL 8512.34.567.B.02 on the invoice",
            "VAT number [btw-id] on the invoice",
            &[PiiKind::VatId],
        );
        assert_redacts(
            "Unsere USt-IdNr. lautet DE123456789.",
            "Unsere USt-IdNr. lautet [btw-id].",
            &[PiiKind::VatId],
        );
    }
}
