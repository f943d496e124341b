//! The word lists of `data/`, parsed once: names to mask and ordinary words to keep. They are data,
//! each file naming its sources, so they are reviewed and extended without touching code.

use std::sync::LazyLock;

/// A sorted list of folded words, looked up by binary search (a few hundred thousand words take
/// less memory this way than in a hash set, and the lookups are as fast as the text is long).
#[derive(Debug)]
pub struct WordList(Vec<&'static str>);

impl WordList {
    fn parse(sources: &[&'static str]) -> WordList {
        let mut words: Vec<&'static str> = sources
            .iter()
            .flat_map(|s| s.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        words.sort_unstable();
        words.dedup();
        WordList(words)
    }

    pub fn contains(&self, folded: &str) -> bool {
        self.0.binary_search(&folded).is_ok()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

#[derive(Debug)]
pub struct Lists {
    /// Masked in any case ("henk", "HENK", "Henk").
    pub first_names: WordList,
    /// Masked only capitalised and next to other name evidence: first names that are also words.
    pub ambiguous_first_names: WordList,
    /// Masked in any case: surnames that are not ordinary words.
    pub surnames: WordList,
    /// Masked only next to other name evidence: surnames that are also words or places.
    pub ambiguous_surnames: WordList,
    /// Single words of the particles ("van der" gives "van" and "der").
    pub particles: WordList,
    /// Titles and forms of address ("mevr", "herr", "dr"); they stay in the text.
    pub titles: WordList,
    /// Ordinary words of Dutch, English and German.
    pub common: WordList,
    /// The German ones again: German capitalises every noun, so a capitalised German word before a
    /// name is no evidence that it belongs to the name ("Buchhalterin Heike").
    pub common_de: WordList,
}

pub static LISTS: LazyLock<Lists> = LazyLock::new(|| {
    let particles_file = include_str!("data/surname-particles.txt");
    let (particles, titles) = particles_file
        .split_once("\n# [titles]")
        .unwrap_or((particles_file, ""));
    // A particle line of several words ("van der", "von und zu") contributes each particle word, so
    // a run is read word by word; "und" joins two particles and is no particle itself. A title line of
    // several words ("de heer") contributes its last word: "de" alone is an article.
    let words = |s: &'static str, last_only: bool| -> &'static str {
        let lines = s.lines().filter(|l| !l.trim_start().starts_with('#'));
        let picked: Vec<&str> = if last_only {
            lines.filter_map(|l| l.split_whitespace().last()).collect()
        } else {
            lines
                .flat_map(str::split_whitespace)
                .filter(|w| *w != "und")
                .collect()
        };
        Box::leak(picked.join("\n").into_boxed_str())
    };
    let particles = words(particles, false);
    let titles = words(titles, true);
    Lists {
        first_names: WordList::parse(&[include_str!("data/first-names.txt")]),
        ambiguous_first_names: WordList::parse(&[include_str!("data/ambiguous-first-names.txt")]),
        surnames: WordList::parse(&[include_str!("data/common-surnames.txt")]),
        ambiguous_surnames: WordList::parse(&[include_str!("data/ambiguous-surnames.txt")]),
        particles: WordList::parse(&[particles]),
        titles: WordList::parse(&[titles]),
        common: WordList::parse(&[
            include_str!("data/common-words-nl.txt"),
            include_str!("data/common-words-en.txt"),
            include_str!("data/common-words-de.txt"),
        ]),
        common_de: WordList::parse(&[include_str!("data/common-words-de.txt")]),
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_load_and_hold_what_their_headers_promise() {
        let l = &*LISTS;
        assert!(l.first_names.len() > 1000);
        assert!(l.common.len() > 100_000);
        assert!(l.first_names.contains("henk") && l.first_names.contains("mehmet"));
        assert!(l.surnames.contains("dijkstra"));
        assert!(l.ambiguous_surnames.contains("bakker"));
        assert!(l.particles.contains("van") && l.particles.contains("der"));
        assert!(l.titles.contains("mevr") && l.titles.contains("herr"));
        assert!(
            l.common.contains("bakkerij") && l.common.contains("foerderung")
                || l.common.contains("forderung")
        );
        // Names are taken out of the ordinary words when the lists are generated.
        assert!(!l.common.contains("henk"));
    }

    #[test]
    fn every_list_is_folded() {
        for file in [
            include_str!("data/first-names.txt"),
            include_str!("data/common-surnames.txt"),
            include_str!("data/ambiguous-surnames.txt"),
            include_str!("data/ambiguous-first-names.txt"),
        ] {
            for line in file
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
            {
                assert_eq!(
                    crate::privacy::words::fold(line),
                    line,
                    "not folded: {line}"
                );
            }
        }
    }
}
