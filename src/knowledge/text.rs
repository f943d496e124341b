//! Plain-text normalisation shared by validation, analysis and understanding: the same folding
//! everywhere, so a word in the taxonomy and the same word in a question compare equal.

use unicode_normalization::UnicodeNormalization;

/// Lowercases and strips accents (financiële → financiele, Förderung → forderung, ß → ss), and
/// spells the letters that carry no accent to strip in ASCII (Yıldız → yildiz, Małgorzata →
/// malgorzata); a typographic apostrophe is the plain one (O’Brien → o'brien).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Most characters are ASCII: lowercase those directly, decompose only the rest.
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ı' => out.push('i'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            '’' | '‘' => out.push('\''),
            _ => {
                for d in std::iter::once(c).nfd() {
                    if !unicode_normalization::char::is_combining_mark(d) {
                        out.extend(d.to_lowercase());
                    }
                }
            }
        }
    }
    out
}

/// Splits folded text into words of letters and digits; `&` and `'` inside words are kept out.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_strips_accents_and_case() {
        assert_eq!(
            fold("Financiële Förderung Straße"),
            "financiele forderung strasse"
        );
        assert_eq!(fold("coöperatie"), "cooperatie");
    }

    #[test]
    fn words_split_on_punctuation() {
        let f = fold("mkb-fonds, Drenthe?");
        assert_eq!(words(&f).collect::<Vec<_>>(), ["mkb", "fonds", "drenthe"]);
    }
}
