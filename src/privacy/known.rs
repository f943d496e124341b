//! What the knowledge base knows: words of places, offers, providers and the taxonomy, and the long
//! numbers it publishes. The name detector keeps these, so "Greenwise Campus" or "Valthermond" is not
//! taken for a person, and a scheme's reference number is not taken for a customer number.

use std::collections::HashSet;

use super::lists::LISTS;
use super::words::fold;

#[derive(Debug, Default, Clone)]
pub struct Known {
    words: HashSet<String>,
    numbers: HashSet<String>,
}

impl Known {
    /// `names` are proper names (places, offer titles, providers, taxonomy labels): every word of
    /// them is known. `prose` is the knowledge's running text: its words are known too, except the
    /// ones on the name lists, since a sentence that mentions a contact person must not make that
    /// name safe everywhere.
    pub fn from_texts<'a>(
        names: impl IntoIterator<Item = &'a str>,
        prose: impl IntoIterator<Item = &'a str>,
    ) -> Known {
        let mut known = Known::default();
        for text in names {
            known.add(text, true);
        }
        for text in prose {
            known.add(text, false);
        }
        known
    }

    fn add(&mut self, text: &str, proper: bool) {
        for word in text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’')) {
            let f = fold(word.trim_matches(['\'', '’']));
            if f.chars().count() < 2 {
                continue;
            }
            if proper || !(LISTS.first_names.contains(&f) || LISTS.surnames.contains(&f)) {
                self.words.insert(f);
            }
        }
        for run in text.split(|c: char| !c.is_ascii_digit()) {
            if run.len() >= 7 {
                self.numbers.insert(run.to_string());
            }
        }
    }

    pub fn word(&self, folded: &str) -> bool {
        self.words.contains(folded)
    }

    /// A digit run (digits only) that the knowledge itself publishes.
    pub fn number(&self, digits: &str) -> bool {
        self.numbers.contains(digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proper_names_are_known_whole_and_prose_without_person_names() {
        let k = Known::from_texts(
            ["Kredietunie Reest & Wieden", "Borger-Odoorn"],
            ["Bel Henk gerust, telefoon 0800-1234567 of regeling 20231234."],
        );
        assert!(k.word("reest") && k.word("wieden") && k.word("borger") && k.word("odoorn"));
        assert!(k.word("gerust") && k.word("telefoon"));
        assert!(
            !k.word("henk"),
            "a first name in prose does not become safe"
        );
        assert!(k.number("1234567") && k.number("20231234"));
        assert!(!k.number("0800"));
    }
}
