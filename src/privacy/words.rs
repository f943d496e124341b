//! Text helpers the detectors share: folding words for list lookups, word and space boundaries,
//! and the context tests for numbers (amounts, years, words nearby).

/// The folding every list in `data/` is written in: the knowledge base's own, so "Jürgen",
/// "JURGEN" and "jurgen" look up the same line.
pub use crate::knowledge::fold;

pub fn is_inline_space(c: char) -> bool {
    c.is_whitespace()
        && !matches!(
            c,
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
}

pub fn skip_inline_space(text: &str, pos: usize) -> usize {
    pos + text[pos..]
        .chars()
        .take_while(|&c| is_inline_space(c))
        .map(char::len_utf8)
        .sum::<usize>()
}

/// End of the word starting at `pos`: letters with inner apostrophes and hyphens ("O'Brien",
/// "Jan-Willem"), or initials ("J.", "J.P."). Always past `pos` when `Some`.
pub fn word_end(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    if !first.is_alphabetic() {
        return None;
    }
    let mut end = rest
        .char_indices()
        .take_while(|&(_, c)| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    if end == first.len_utf8() && rest[end..].starts_with('.') {
        end += 1;
        loop {
            let mut it = rest[end..].chars();
            match (it.next(), it.next()) {
                (Some(c), Some('.')) if c.is_alphabetic() => end += c.len_utf8() + 1,
                _ => break,
            }
        }
    }
    let word = rest[..end].trim_end_matches(['\'', '’', '-']);
    // The first character is a letter, so the trimmed word is never empty.
    Some(pos + word.len().max(first.len_utf8()))
}

/// Part of a longer number: "1.234.567.890", "123456782,50", "15:00".
pub fn continues_number(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    let (b1, b2) = (before.next(), before.next());
    let (a1, a2) = (after.next(), after.next());
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let joiner = |c: Option<char>| matches!(c, Some('.' | ',' | ':'));
    digit(b1) || (joiner(b1) && digit(b2)) || digit(a1) || (joiner(a1) && digit(a2))
}

/// Money or a percentage, which must survive: "€ 123.456.782", "12345678 euro", "40 %".
pub fn amount_context(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end();
    let tail_from = before.char_indices().rev().nth(4).map_or(0, |(i, _)| i);
    let before = before[tail_from..].to_lowercase();
    let after: String = text[end..]
        .trim_start()
        .chars()
        .take(8)
        .collect::<String>()
        .to_lowercase();
    before.ends_with(['€', '$', '£'])
        || before.ends_with("eur")
        || before.ends_with("euro")
        || before.ends_with("eur.")
        || after.starts_with(['€', '$', '£', '%'])
        || [
            "eur", "procent", "percent", "prozent", "miljoen", "mln", "million", "mio", "duizend",
            "thousand", "tausend", "miljard", "billion",
        ]
        .iter()
        .any(|w| after.starts_with(w))
        || text[end..].starts_with(",-")
}

pub fn year_like(num: &str) -> bool {
    num.len() == 4 && num.parse::<u32>().is_ok_and(|y| (1800..=2099).contains(&y))
}

/// The few words around a span, lowercased and stripped of punctuation ("(BSN):" → "bsn").
pub fn words_near(text: &str, start: usize, end: usize) -> impl Iterator<Item = String> + '_ {
    let before = text[..start].split_whitespace().rev().take(6);
    let after = text[end..].split_whitespace().take(4);
    before.chain(after).map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    })
}

/// The words just before a span, nearest first, lowercased and stripped of punctuation.
pub fn words_before(text: &str, start: usize, n: usize) -> impl Iterator<Item = String> + '_ {
    text[..start].split_whitespace().rev().take(n).map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_the_lists() {
        assert_eq!(fold("Jürgen"), "jurgen");
        assert_eq!(fold("GÜLSEN"), "gulsen");
        assert_eq!(fold("Yıldız"), "yildiz");
        assert_eq!(fold("Strauß"), "strauss");
        assert_eq!(fold("Małgorzata"), "malgorzata");
        assert_eq!(fold("O’Brien"), "o'brien");
        assert_eq!(fold("Çelik"), "celik");
    }

    #[test]
    fn word_end_always_moves_forward() {
        for text in ["a", "J.", "J.P. de", "O'Brien", "-", "x'-", "é"] {
            if let Some(e) = word_end(text, 0) {
                assert!(e > 0, "{text}");
            }
        }
        assert_eq!(word_end("J.P. de Vries", 0), Some(4));
        assert_eq!(word_end("Jan-Willem,", 0), Some(10));
        assert_eq!(word_end("1abc", 0), None);
    }
}
