//! Person names without a cue, found the other way round: a word is masked as `[naam]` because it is
//! a known name, or because it is written like one (capitalised mid-sentence) and neither the
//! knowledge base nor the three languages know it. Runs of such words, with their particles and
//! initials, are masked as one name. Titles ("mevr.", "Herr", "Dr.") stay, as the cue detector
//! leaves them.
//!
//! The evidence, strongest first:
//! - a known first name or an unambiguous surname, in any case ("henk", "DIJKSTRA");
//! - the word after a title or an initial ("Frau Hinrichs", "J. Visser");
//! - an unknown word capitalised mid-sentence ("met Wouter Hoekstra");
//! - next to one of those: an ambiguous surname ("Jan Bakker"), particles ("van der"), another
//!   unknown word, and a capitalised word just before ("Said Bouzid").

use super::PiiKind;
use super::claims::Claims;
use super::known::Known;
use super::lists::LISTS;
use super::words::{fold, word_end};

/// Longer words are not split into compounds: no name is that long, and the split is quadratic.
const MAX_COMPOUND: usize = 48;

#[derive(Debug, Default)]
pub struct Names;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// "henk", and every word of a text written in capitals.
    Lower,
    /// "Henk", "O'Brien".
    Title,
    /// "MKB", "HENK" in an ordinary text: an acronym unless a list knows it.
    Upper,
    /// A lone capital or a word without letters after folding.
    Other,
}

#[derive(Debug)]
struct Token {
    start: usize,
    end: usize,
    folded: String,
    shape: Shape,
    /// Only inline spaces (and a title's full stop) separate it from the token before.
    joined: bool,
    sentence_start: bool,
    initial: bool,
    /// A capital after a small letter inside the word ("GrensInfoPunt", "USt-IdNr", "TechZone"):
    /// brands and abbreviations are written so, names seldom ("McDonald" is the price).
    camel: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    None,
    Title,
    Particle,
    Initial,
    Conjunction,
}

impl Names {
    pub fn detect(&self, text: &str, known: &Known, claims: &mut Claims) {
        let tokens = tokens(text);
        if tokens.is_empty() {
            return;
        }
        let roles: Vec<Role> = tokens.iter().map(role).collect();
        let mut masked: Vec<bool> = tokens.iter().map(|t| seed(t, known)).collect();
        after_titles_and_initials(&tokens, &roles, known, &mut masked);
        // Each pass can only add, so this ends; a handful of passes covers any real run.
        for _ in 0..6 {
            if !grow(&tokens, &roles, known, &mut masked) {
                break;
            }
        }
        claim_runs(&tokens, &roles, &masked, claims);
    }
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut pos = 0;
    let mut gap_start = 0;
    while pos < text.len() {
        let Some(c) = text[pos..].chars().next() else {
            break;
        };
        if !c.is_alphabetic() {
            pos += c.len_utf8();
            continue;
        }
        let end = word_end(text, pos)
            .unwrap_or(pos + c.len_utf8())
            .max(pos + c.len_utf8());
        let word = &text[pos..end];
        let gap = &text[gap_start..pos];
        let prev = out.last();
        let after_abbreviation = prev.is_some_and(|p| {
            p.initial
                || LISTS.titles.contains(&p.folded)
                || (p.shape == Shape::Lower && p.folded.len() <= 4)
        });
        let sentence_start = prev.is_none()
            || gap.contains(['!', '?', ';', ':', '\n', '\r', '•'])
            || (gap.contains('.') && !after_abbreviation);
        let spaces = gap.trim_start_matches('.');
        let joined = prev.is_some()
            && !spaces.is_empty()
            && spaces.chars().all(super::words::is_inline_space)
            && (spaces.len() == gap.len() || after_abbreviation);
        let initial = word.ends_with('.');
        let camel = word
            .chars()
            .zip(word.chars().skip(1))
            .any(|(a, b)| a.is_lowercase() && b.is_uppercase());
        out.push(Token {
            start: pos,
            end,
            folded: fold(word.trim_end_matches('.')),
            shape: shape(word),
            joined,
            sentence_start,
            initial,
            camel,
        });
        pos = end;
        gap_start = end;
    }
    let letters = |t: &Token| t.folded.chars().filter(|c| c.is_alphabetic()).count();
    let long: Vec<&Token> = out.iter().filter(|t| letters(t) >= 2).collect();
    let upper = long.iter().filter(|t| t.shape == Shape::Upper).count();
    // A text written in capitals says nothing by its capitals: read it as lower case.
    if upper >= 3 && upper * 10 >= long.len() * 6 {
        for t in &mut out {
            if matches!(t.shape, Shape::Upper | Shape::Title) {
                t.shape = Shape::Lower;
            }
        }
    }
    out
}

fn shape(word: &str) -> Shape {
    let first_part = word.split('-').find(|p| !p.is_empty()).unwrap_or(word);
    let letters: Vec<char> = first_part.chars().filter(|c| c.is_alphabetic()).collect();
    match letters.first() {
        None => Shape::Other,
        Some(c) if c.is_lowercase() => Shape::Lower,
        Some(_) if word.ends_with('.') => Shape::Title,
        Some(_) if letters.len() == 1 => Shape::Other,
        Some(_) if letters.iter().all(|c| !c.is_lowercase()) => Shape::Upper,
        Some(_) => Shape::Title,
    }
}

fn role(t: &Token) -> Role {
    if t.initial
        && t.folded.chars().filter(|c| c.is_alphabetic()).count() <= 3
        && t.shape != Shape::Lower
    {
        Role::Initial
    } else if LISTS.titles.contains(&t.folded) {
        Role::Title
    } else if LISTS.particles.contains(&t.folded) {
        Role::Particle
    } else if matches!(
        t.folded.as_str(),
        "en" | "and" | "und" | "&" | "of" | "or" | "oder"
    ) {
        Role::Conjunction
    } else {
        Role::None
    }
}

/// An ordinary word: in the three languages' lists, in the knowledge, or a compound of ordinary
/// words ("Zimmereibetrieb", "werkgeversservicepunt").
fn ordinary(folded: &str, known: &Known) -> bool {
    folded.split('-').filter(|p| !p.is_empty()).all(|part| {
        LISTS.common.contains(part)
            || known.word(part)
            || compound(part)
            || part.chars().count() < 2
    }) || known.word(folded)
}

fn strong(folded: &str, known: &Known) -> bool {
    folded.split('-').any(|part| {
        (LISTS.first_names.contains(part) || LISTS.surnames.contains(part)) && !known.word(part)
    }) && !known.word(folded)
}

/// Name evidence of the word on its own.
fn seed(t: &Token, known: &Known) -> bool {
    if matches!(role(t), Role::Title | Role::Conjunction) || t.initial {
        return false;
    }
    if strong(&t.folded, known) {
        return true;
    }
    t.shape == Shape::Title
        && !t.sentence_start
        && !t.camel
        && !ordinary(&t.folded, known)
        && !particle_only(&t.folded)
}

fn particle_only(folded: &str) -> bool {
    folded
        .split('-')
        .filter(|p| !p.is_empty())
        .all(|p| LISTS.particles.contains(p))
}

/// Could be a surname where a name is expected (after a title, an initial or a first name).
fn name_like(t: &Token, known: &Known) -> bool {
    if matches!(role(t), Role::Title | Role::Conjunction | Role::Initial) {
        return false;
    }
    match t.shape {
        Shape::Title => true,
        Shape::Lower | Shape::Upper => {
            strong(&t.folded, known)
                || LISTS.ambiguous_surnames.contains(&t.folded)
                || (t.shape == Shape::Lower && !ordinary(&t.folded, known))
        }
        Shape::Other => false,
    }
}

/// Skips joined particles from `i`; returns the first token after them, if still joined.
fn past_particles(tokens: &[Token], roles: &[Role], mut i: usize) -> Option<usize> {
    for _ in 0..4 {
        if i >= tokens.len() || !tokens[i].joined {
            return None;
        }
        if roles[i] != Role::Particle {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn after_titles_and_initials(tokens: &[Token], roles: &[Role], known: &Known, masked: &mut [bool]) {
    for i in 0..tokens.len() {
        if !matches!(roles[i], Role::Title | Role::Initial) {
            continue;
        }
        // "Frau Dr. Müller": several titles in a row lead to one name.
        let mut j = i + 1;
        while j < tokens.len() && tokens[j].joined && roles[j] == Role::Title {
            j += 1;
        }
        let Some(k) = past_particles(tokens, roles, j) else {
            continue;
        };
        if name_like(&tokens[k], known) {
            masked[k] = true;
            if roles[i] == Role::Initial {
                masked[i] = true;
            }
            for m in masked.iter_mut().take(k).skip(j) {
                *m = true;
            }
        }
    }
}

/// One pass of growing the masked runs by their neighbours. Returns whether anything was added.
fn grow(tokens: &[Token], roles: &[Role], known: &Known, masked: &mut [bool]) -> bool {
    let mut added = false;
    for i in 0..tokens.len() {
        if !masked[i] || roles[i] == Role::Particle {
            continue;
        }
        // Forwards: particles, then a surname-like word ("Bram van der Veen", "jan de vries").
        if let Some(k) = past_particles(tokens, roles, i + 1)
            && !masked[k]
        {
            let t = &tokens[k];
            let follows = strong(&t.folded, known)
                || LISTS.ambiguous_surnames.contains(&t.folded)
                // Right after a name, a capitalised word is its next part, ordinary or not
                // ("Jeroen Kamphuis", "Jan Bakker").
                || t.shape == Shape::Title
                || (t.shape == Shape::Lower && !ordinary(&t.folded, known));
            if follows && roles[k] == Role::None {
                for m in masked.iter_mut().take(k + 1).skip(i + 1) {
                    *m = true;
                }
                added = true;
            }
        }
        // Backwards: an initial, or a capitalised word just before ("Said Bouzid", "Ní Bhriain").
        if i > 0 && tokens[i].joined && !masked[i - 1] {
            let p = &tokens[i - 1];
            let before_conjunction = i >= 2
                && roles[i - 2] == Role::Conjunction
                && tokens[i - 1].joined
                && i >= 3
                && masked[i - 3];
            let takes = match roles[i - 1] {
                Role::Initial => true,
                // "Mevr. De Vries" is handled by the title; a capitalised particle opens a surname.
                Role::Particle => p.shape == Shape::Title && !p.sentence_start,
                Role::None => {
                    p.shape == Shape::Title
                        && (LISTS.ambiguous_first_names.contains(&p.folded)
                            || (!p.sentence_start
                                && (!LISTS.common_de.contains(&p.folded) || before_conjunction))
                            || !ordinary(&p.folded, known))
                }
                Role::Title | Role::Conjunction => false,
            };
            if takes {
                masked[i - 1] = true;
                added = true;
            }
        }
    }
    // A capitalised particle mid-sentence before a surname-like word opens a name ("van De Vries").
    for i in 0..tokens.len().saturating_sub(1) {
        let t = &tokens[i];
        if roles[i] == Role::Particle
            && t.shape == Shape::Title
            && !t.sentence_start
            && !masked[i]
            && let Some(k) = past_particles(tokens, roles, i + 1)
        {
            let w = &tokens[k];
            let surname = LISTS.ambiguous_surnames.contains(&w.folded)
                || strong(&w.folded, known)
                || masked[k];
            if surname && w.shape != Shape::Lower {
                for m in masked.iter_mut().take(k + 1).skip(i) {
                    *m = true;
                }
                added = true;
            }
        }
    }
    added
}

/// Masks each run of masked tokens as one name; particles are taken only between or before name
/// words, never trailing ("Hoekstra van het loket").
fn claim_runs(tokens: &[Token], roles: &[Role], masked: &[bool], claims: &mut Claims) {
    let mut i = 0;
    while i < tokens.len() {
        if !masked[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < tokens.len() && masked[j + 1] && tokens[j + 1].joined {
            j += 1;
        }
        let mut last = j;
        while last > i && roles[last] == Role::Particle {
            last -= 1;
        }
        let (start, end) = (tokens[i].start, tokens[last].end);
        if !claims.claim(start, end, PiiKind::Name) {
            // Part of the run is already something else (an address, a cue name): mask the rest
            // word by word.
            for t in &tokens[i..=last] {
                claims.claim(t.start, t.end, PiiKind::Name);
            }
        }
        i = j + 1;
    }
}

/// Splits a folded word into ordinary words of three letters or more, with the linking letters of
/// Dutch and German compounds between them ("investitions-abzug", "werkgevers-service-punt").
fn compound(folded: &str) -> bool {
    let b = folded.as_bytes();
    let n = b.len();
    if !(8..=MAX_COMPOUND).contains(&n) || !folded.is_ascii() {
        return false;
    }
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for i in 0..n {
        if !reach[i] {
            continue;
        }
        for j in (i + 3)..=n {
            if j - i == n {
                break;
            }
            if LISTS.common.contains(&folded[i..j]) {
                reach[j] = true;
                for link in ["s", "e", "n", "en", "es", "er"] {
                    if folded[j..].starts_with(link) && j + link.len() < n {
                        reach[j + link.len()] = true;
                    }
                }
            }
        }
    }
    reach[n]
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::{assert_redacts, redact};

    fn masked(input: &str, names: &[&str]) {
        let out = redact(input).text;
        for n in names {
            assert!(!out.contains(n), "{n} kept in {out:?}");
        }
        assert!(out.contains("[naam]"), "{out:?}");
    }

    #[test]
    fn names_mid_sentence_without_a_cue() {
        assert_redacts(
            "Kan ik een afspraak maken met Wouter Hoekstra van het loket in Assen?",
            "Kan ik een afspraak maken met [naam] van het loket in Assen?",
            &[PiiKind::Name],
        );
        masked("Could you forward this to Thijs? He helped us.", &["Thijs"]);
        masked(
            "Unsere Buchhalterin Heike Schröder fragt nach der EIA.",
            &["Heike", "Schröder"],
        );
    }

    #[test]
    fn names_in_any_case_and_with_particles() {
        assert_redacts(
            "ik heb een vraag namens jan de vries, hij wil verduurzamen",
            "ik heb een vraag namens [naam], hij wil verduurzamen",
            &[PiiKind::Name],
        );
        masked(
            "KAN IK BELLEN MET HENK BAKKER OVER DE LENING?",
            &["HENK", "BAKKER"],
        );
        masked(
            "Met vriendelijke groet, Bram van der Veen, eigenaar",
            &["Bram", "Veen"],
        );
    }

    #[test]
    fn titles_and_initials_lead_to_a_name_and_stay() {
        assert_redacts(
            "Telefonat mit Frau Hinrichs über die Gärtnerei.",
            "Telefonat mit Frau [naam] über die Gärtnerei.",
            &[PiiKind::Name],
        );
        masked(
            "Naam contactpersoon: mevr. A. Jansen-Bos, graag terugbellen.",
            &["Jansen", "Bos"],
        );
        masked(
            "Frau Dr. Müller from Osnabrück wants to open a practice.",
            &["Müller"],
        );
    }

    #[test]
    fn coordinated_first_names_share_the_surname() {
        masked(
            "Afspraak: Fatima en Said Bouzid, cateringbedrijf.",
            &["Fatima", "Said", "Bouzid"],
        );
    }

    #[test]
    fn ordinary_capitalised_words_places_and_offers_stay() {
        for q in [
            "Unser Onlineshop läuft über Shopify, gibt es einen Zuschuss für Marketing?",
            "Kan de NOM investeren in een start-up op de Greenwise Campus in Emmen?",
            "Wir haben einen Zimmereibetrieb und suchen Aufträge in Drenthe.",
            "Is there funding for training staff through SLIM in October?",
            "Hoeveel rente vraagt de Kredietunie Reest & Wieden?",
            "Ons vakantiepark in Gasselte wil verduurzamen.",
            "Wij zitten in De Wolden en in Borger-Odoorn.",
        ] {
            let out = redact(q);
            assert_eq!(out.text, q);
        }
    }

    #[test]
    fn compounds_of_ordinary_words() {
        assert!(super::compound("zimmereibetrieb"));
        assert!(super::compound("werkgeversservicepunt"));
        assert!(!super::compound("xqzvbnmlkpw"));
        assert!(!super::compound(&"ab".repeat(200)));
    }
}
