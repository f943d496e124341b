//! Typo tolerance over the index's own vocabulary: which known terms lie within an edit distance
//! of a term that was typed.
//!
//! tantivy's `FuzzyTermQuery` answers the same question by building a Levenshtein automaton for
//! every clause and walking the term dictionary with it; under load that was a sixth of the
//! server's time. The vocabulary of a field is known when the index is built and small (a few
//! thousand terms per language on the real base), so the terms are kept here, bucketed by length
//! with a letter signature each: a lookup reads only the terms of a compatible length, rejects
//! almost all of them on the signature, and computes the distance for the few left. The matches
//! are then searched as plain terms with the constant score the fuzzy query gave.

/// The terms of one field, for typo lookups.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Index = length in characters; each term with its signature.
    by_len: Vec<Vec<(u64, Box<str>)>>,
}

impl Vocabulary {
    pub fn new(terms: impl IntoIterator<Item = String>) -> Vocabulary {
        let mut by_len: Vec<Vec<(u64, Box<str>)>> = Vec::new();
        for term in terms {
            let n = term.chars().count();
            if by_len.len() <= n {
                by_len.resize_with(n + 1, Vec::new);
            }
            by_len[n].push((signature(&term), term.into_boxed_str()));
        }
        Vocabulary { by_len }
    }

    /// The terms within `max` edits of `term` (insertions, deletions, substitutions and swaps of
    /// two neighbouring letters each count one; the term itself, if known, is included), in
    /// vocabulary order.
    pub fn near(&self, term: &str, max: usize) -> Vec<&str> {
        let n = term.chars().count();
        let sig = signature(term);
        let mut out = Vec::new();
        let lengths = n.saturating_sub(max)..=(n + max).min(self.by_len.len().saturating_sub(1));
        for len in lengths {
            for (s, candidate) in &self.by_len[len] {
                // Each edit changes whether at most two letters occur at all, so a term with more
                // letters in or out than twice the distance cannot be near.
                if (s ^ sig).count_ones() as usize > 2 * max {
                    continue;
                }
                if strsim::osa_distance(term, candidate) <= max {
                    out.push(&**candidate);
                }
            }
        }
        out
    }
}

/// Which letters occur in a term: one bit per letter a–z and digit, the rest of the alphabet
/// shares the remaining bits (a collision only makes the filter let more through).
fn signature(term: &str) -> u64 {
    term.chars().fold(0u64, |sig, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            other => 36 + other as u32 % 28,
        };
        sig | 1 << bit
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::new(
            [
                "subsidie",
                "subsidies",
                "innovatie",
                "export",
                "exporteur",
                "financier",
                "starter",
                "garantie",
            ]
            .map(String::from),
        )
    }

    #[test]
    fn finds_each_kind_of_edit() {
        let v = vocab();
        assert_eq!(v.near("subsidie", 1), ["subsidie", "subsidies"]);
        assert_eq!(v.near("subsdie", 1), ["subsidie"]); // deletion
        assert_eq!(v.near("subsiddie", 1), ["subsidie"]); // insertion
        assert_eq!(v.near("subzidie", 1), ["subsidie"]); // substitution
        assert_eq!(v.near("usbsidie", 1), ["subsidie"]); // swap
        assert_eq!(v.near("inovatei", 2), ["innovatie"]);
    }

    #[test]
    fn keeps_to_the_distance() {
        let v = vocab();
        assert!(v.near("subsdei", 1).is_empty());
        assert_eq!(v.near("subsdei", 2), ["subsidie"]);
        assert!(v.near("startup", 1).is_empty());
        assert_eq!(v.near("starten", 1), ["starter"]);
        assert!(v.near("", 1).is_empty());
        assert!(v.near("onbekendwoord", 2).is_empty());
    }

    #[test]
    fn agrees_with_a_full_scan() {
        // The length buckets and the signature filter only skip work: the same terms come out
        // as from computing every distance.
        let v = vocab();
        let all: Vec<&str> = v.by_len.iter().flatten().map(|(_, t)| &**t).collect();
        for probe in [
            "subsidy",
            "expert",
            "exporter",
            "garanties",
            "finacier",
            "stater",
            "x",
        ] {
            for max in 0..=2 {
                let mut expected: Vec<&str> = all
                    .iter()
                    .copied()
                    .filter(|t| strsim::osa_distance(probe, t) <= max)
                    .collect();
                let mut got = v.near(probe, max);
                expected.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, expected, "{probe} within {max}");
            }
        }
    }
}
