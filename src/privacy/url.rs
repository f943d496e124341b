//! Links: only a query string carries per-user data (tokens, e-mail addresses, ids); a bare link to
//! a scheme page is useful context and stays.

use regex::Regex;

use super::PiiKind;
use super::claims::Claims;

#[derive(Debug)]
pub struct Urls {
    url: Regex,
}

impl Urls {
    pub fn new() -> Urls {
        Urls {
            url: super::re(r#"(?i)\b(?:https?://|www\.)[^\s<>"'{}|\\^`\[\]]+"#),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        for m in self.url.find_iter(text) {
            // Sentence punctuation after a link is not part of it: "…?id=3." or "zie https://x.nl?".
            let url = m
                .as_str()
                .trim_end_matches(|c: char| ".,;:!?)]}'\"".contains(c));
            // Only a query string carries per-user data (tokens, e-mail addresses, ids); a bare link
            // to a scheme page is useful context and stays.
            let has_query = url.split_once('?').is_some_and(|(_, q)| !q.is_empty());
            if has_query {
                claims.claim(m.start(), m.start() + url.len(), PiiKind::Url);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn urls_only_with_query_string() {
        assert_redacts(
            "Ik kreeg deze link: https://portal.example.nl/aanvraag?id=8812&email=jan@x.nl. Klopt die?",
            "Ik kreeg deze link: [url]. Klopt die?",
            &[PiiKind::Url],
        );
        assert_unchanged("Zie https://www.rvo.nl/subsidies-financiering/wbso voor de WBSO.");
        assert_unchanged("Is https://www.ibdo.nl/ de goede site?");
    }
}
