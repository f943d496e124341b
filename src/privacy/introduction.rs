//! Names after a cue: an introduction ("mijn naam is", "ich bin", "I'm"), a form field ("naam:"),
//! or a greeting that signs off ("met vriendelijke groet,"). The cue makes the next words a name even
//! when they are ordinary words elsewhere ("ik ben Bakker"); titles after the cue stay.

use regex::Regex;

use super::claims::Claims;
use super::street::PARTICLES;
use super::words::{skip_inline_space, word_end};
use super::{DASH, PiiKind, SP};

#[derive(Debug)]
pub struct Introductions {
    name_loose: Regex,
    name_strict: Regex,
}

impl Introductions {
    pub fn new() -> Introductions {
        Introductions {
            name_loose: super::re(&format!(
                r"\b(?:(?i:mijn\s+naam\s+is|ik\s+heet|my\s+name\s+is|my\s+name['’]s|mein\s+name\s+ist|ich\s+hei(?:ß|ss)e|je\s+m['’]appelle)(?:{SP}*[:,{DASH}]{SP}*|\s+)|(?i:(?:voor|achter)?naam(?:{SP}+contactpersoon)?|(?:first|last|full){SP}+name|name|vorname|nachname){SP}*:\s*)"
            )),
            name_strict: super::re(&format!(
                r"\b(?:(?i:ik\s+ben|i\s+am|i['’]m|ich\s+bin|this\s+is|hier\s+ist)\s+|(?i:met\s+vriendelijke\s+groet(?:en)?|vriendelijke\s+groet(?:en)?|hartelijke\s+groet(?:en)?|groet(?:en|jes)?|mvg|kind\s+regards|best\s+regards|warm\s+regards|regards|best\s+wishes|cheers|thanks|thank\s+you|bedankt|dank\s+je(?:\s+wel)?|sincerely|mit\s+freundlichen\s+grü(?:ß|ss)en|freundliche\s+grü(?:ß|ss)e|viele\s+grü(?:ß|ss)e|beste\s+grü(?:ß|ss)e|liebe\s+grü(?:ß|ss)e|grü(?:ß|ss)e|gru(?:ß|ss)|danke|mfg)(?:{SP}*[,:!.{DASH}]\s*|\s+))"
            )),
        }
    }

    pub fn detect(&self, text: &str, claims: &mut Claims) {
        for (re, strict) in [(&self.name_loose, false), (&self.name_strict, true)] {
            for m in re.find_iter(text) {
                let from = skip_titles(text, m.end());
                if let Some(end) = name_end(text, from, strict) {
                    claims.claim(from, end, PiiKind::Name);
                }
            }
        }
    }
}

#[rustfmt::skip]
const TITLES: &[&str] = &[
    "dr", "drs", "ir", "ing", "mr", "prof", "dhr", "mevr", "mw", "mevrouw", "meneer", "heer", "mrs",
    "ms", "miss", "mister", "herr", "frau",
];

/// Titles stay in the text like the introduction does ("ik ben mevrouw [naam]").
fn skip_titles(text: &str, mut pos: usize) -> usize {
    for _ in 0..2 {
        let Some(we) = word_end(text, pos) else { break };
        let word = text[pos..we].trim_end_matches('.').to_lowercase();
        let de_heer = word == "de"
            && word_end(text, skip_inline_space(text, we))
                .is_some_and(|e| text[skip_inline_space(text, we)..e].eq_ignore_ascii_case("heer"));
        if !TITLES.contains(&word.as_str()) && !de_heer {
            break;
        }
        let mut after = we;
        if text[after..].starts_with('.') {
            after += 1;
        }
        let next = skip_inline_space(text, after);
        if next == after {
            break;
        }
        pos = next;
    }
    pos
}

/// End of the name at `pos`, up to four name words with particles between them. `strict` is for
/// introductions that also precede ordinary words ("ik ben starter"): then every word must be
/// capitalised and not a known ordinary word.
fn name_end(text: &str, pos: usize, strict: bool) -> Option<usize> {
    let word_pos = leading_particles(text, pos, strict);
    let first = word_end(text, word_pos)?;
    if !name_word_ok(&text[word_pos..first], strict) {
        return None;
    }
    let mut end = first;
    let mut words = 1;
    while words < 4 {
        let mut p = end;
        let mut particles = 0;
        let mut next = None;
        loop {
            let ws = skip_inline_space(text, p);
            if ws == p {
                break;
            }
            let Some(we) = word_end(text, ws) else { break };
            if particles < 3 && PARTICLES.contains(&text[ws..we].to_lowercase().as_str()) {
                particles += 1;
                p = we;
                continue;
            }
            next = Some((ws, we));
            break;
        }
        match next {
            Some((ws, we)) if name_word_ok(&text[ws..we], strict) => {
                end = we;
                words += 1;
            }
            _ => break,
        }
    }
    Some(end)
}

/// A surname may open with its particles ("ik ben De Vries", "mijn naam is van Dijk"): returns where
/// the first real name word starts, so that word is the one judged. In strict mode the first
/// particle must be capitalised, as it is when it opens a surname.
fn leading_particles(text: &str, pos: usize, strict: bool) -> usize {
    let mut p = pos;
    for n in 0..3 {
        let Some(we) = word_end(text, p) else { break };
        let word = &text[p..we];
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if !PARTICLES.contains(&word.to_lowercase().as_str()) || (strict && n == 0 && !capitalised)
        {
            break;
        }
        let next = skip_inline_space(text, we);
        if next == we {
            break;
        }
        p = next;
    }
    p
}

fn name_word_ok(word: &str, strict: bool) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    let lower = word.to_lowercase().replace('’', "'");
    if !first.is_alphabetic() || is_common_word(lower.trim_end_matches('.')) {
        return false;
    }
    if !strict {
        return true;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    // Acronyms ("ik ben ZZP'er", "I am CEO") and a lone capital ("I am A…") are not names; an
    // initial with its full stop is.
    first.is_uppercase()
        && (word.contains('.') || !(letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())))
        && (letters.len() >= 2 || word.ends_with('.'))
}

/// Words that follow "ik ben", "I am", "ich bin" (or a name introduction) without being a name.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    // Dutch
    "een", "de", "het", "van", "der", "den", "niet", "geen", "nog", "al", "ook", "net", "nu",
    "hier", "daar", "er", "zelf", "bezig", "benieuwd", "geïnteresseerd", "geinteresseerd", "op",
    "in", "uit", "bij", "met", "voor", "sinds", "werkzaam", "actief", "afgestudeerd", "nieuw",
    "nieuwe", "blij", "ik", "wij", "we", "u", "je", "jij", "jullie", "iedereen", "welkom", "en",
    "of", "maar", "dus", "want", "is", "ben", "heb", "wil", "zoek", "woon", "werk", "boer",
    "boerin", "agrariër", "mkb", "mkb'er", "mkber", "horeca", "interim", "zzp", "nederlander",
    "nederlandse", "duitser", "duitse", "belg", "drent", "drentse", "emmenaar", "assenaar",
    "groninger", "fries", "hollander", "limburger", "brabander", "amsterdammer", "rotterdammer",
    "gepensioneerd", "werkloos", "klaar", "aan", "naar", "te", "om", "onze", "mijn", "ons", "dat",
    "die", "dit", "deze", "wat", "wie", "waar", "hoe", "belangrijk", "onbekend", "anoniem",
    "eenmanszaak", "bedrijf", "webshop", "winkel", "ondernemend", "startende", "beginnende",
    "ervaren", "jonge", "kleine", "lokale", "jong", "oud", "zwanger", "ziek", "alleen", "samen",
    "momenteel", "binnenkort", "team",
    // English
    "a", "an", "the", "not", "from", "at", "on", "with", "looking", "interested", "new", "here",
    "currently", "also", "just", "still", "trying", "planning", "happy", "sorry", "writing",
    "wondering", "based", "self-employed", "dutch", "german", "british", "english", "american",
    "belgian", "french", "polish", "ceo", "cto", "cfo", "going", "starting", "running", "working",
    "thinking", "considering", "hoping", "calling", "contacting", "reaching", "important",
    "unknown", "anonymous", "and", "or", "but", "i", "me", "my", "you", "it", "this", "that",
    "unemployed", "retired", "moving", "relocating", "opening", "setting", "about", "very", "glad",
    "sure", "able", "unable", "ready", "small", "one", "part", "responsible",
    // German
    "ein", "eine", "einer", "kein", "keine", "das", "sie", "ihr", "ihre", "ihnen", "seit", "neu",
    "auf", "aus", "im", "am", "an", "bei", "mit", "noch", "auch", "schon", "sehr", "interessiert",
    "dabei", "gerade", "selbstständig", "selbständig", "mitte", "anfang", "ende", "teil",
    "mitglied", "rentner", "arzt", "ärztin", "deutscher", "deutsche", "niederländer", "und", "oder",
    "aber", "ich", "egal", "zur", "zum", "alt", "allein", "startup", "start-up", "anfänger", "koch",
];

/// Roles and occupations, matched as word endings so compounds count too ("mkb-ondernemer",
/// "Existenzgründerin", "Bäckermeister").
#[rustfmt::skip]
const ROLE_ENDINGS: &[&str] = &[
    "ondernemer", "ondernemster", "eigenaar", "eigenares", "oprichter", "oprichtster", "directeur",
    "directrice", "starter", "zzp'er", "zzper", "zzp-er", "freelancer", "zelfstandige", "werkgever",
    "werknemer", "adviseur", "franchisenemer", "student", "studente", "unternehmer", "gründer",
    "grunder", "inhaber", "geschäftsführer", "freiberufler", "selbstständiger", "selbständiger",
    "handwerker", "landwirt", "mitarbeiter", "arbeitgeber", "berater", "meister", "händler",
    "founder", "owner", "entrepreneur", "manager", "director", "consultant", "employer", "employee",
    "contractor", "partner", "vennoot", "gesellschafter", "eigentümer", "kaufmann", "kauffrau",
];

fn is_common_word(lower: &str) -> bool {
    let role = |w: &str| ROLE_ENDINGS.iter().any(|r| w.ends_with(r));
    COMMON_WORDS.contains(&lower)
        || role(lower)
        // German feminine forms: "Gründerin", "Inhaberin".
        || lower.strip_suffix("in").is_some_and(role)
}

#[cfg(test)]
mod tests {
    use crate::privacy::PiiKind;
    use crate::privacy::testing::*;

    #[test]
    fn dutch_names() {
        assert_redacts(
            "Goedemiddag, mijn naam is Jan de Vries en ik wil een bakkerij starten.",
            "Goedemiddag, mijn naam is [naam] en ik wil een bakkerij starten.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Ik ben Anna, eigenaar van een kapsalon in Emmen.",
            "Ik ben [naam], eigenaar van een kapsalon in Emmen.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "ik heet pieter en heb een vraag",
            "ik heet [naam] en heb een vraag",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Hallo, ik ben mevrouw Bakker uit Klazienaveen.",
            "Hallo, ik ben mevrouw [naam] uit Klazienaveen.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Ik ben J.P. de Vries, bakker in Assen.",
            "Ik ben [naam], bakker in Assen.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Mijn naam is van Dijk.",
            "Mijn naam is [naam].",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Met vriendelijke groet,\nPiet Jansen",
            "Met vriendelijke groet,\n[naam]",
            &[PiiKind::Name],
        );
    }

    #[test]
    fn ik_ben_before_an_ordinary_word_stays() {
        for q in [
            "Ik ben starter en zoek financiering.",
            "Ik ben zzp'er in Emmen.",
            "Ik ben eigenaar van een webshop.",
            "Ik ben Eigenaar van een webshop.",
            "Ik ben ZZP'er sinds 2020.",
            "Ik ben MKB-ondernemer in Hoogeveen.",
            "Ik ben net begonnen.",
            "Ik ben Drentse ondernemer met 3 medewerkers.",
        ] {
            assert_unchanged(q);
        }
    }

    #[test]
    fn a_surname_in_a_company_name_is_still_a_surname() {
        assert_redacts(
            "Ik ben de eigenaar van De Vries Bouw.",
            "Ik ben de eigenaar van [naam].",
            &[PiiKind::Name],
        );
    }

    #[test]
    fn english_names() {
        assert_redacts(
            "Hi, my name is Sarah Johnson and I run a bakery.",
            "Hi, my name is [naam] and I run a bakery.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "I'm Tom, I need a loan for my shop.",
            "I'm [naam], I need a loan for my shop.",
            &[PiiKind::Name],
        );
        assert_unchanged("I am Dutch and I'm looking for a grant. I'm a freelancer.");
        assert_unchanged("My name is not important, I need a 40k loan.");
    }

    #[test]
    fn german_names() {
        assert_redacts(
            "Ich heiße Jürgen Schmidt und habe eine Frage.",
            "Ich heiße [naam] und habe eine Frage.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Ich bin Klaus, Inhaber einer Bäckerei.",
            "Ich bin [naam], Inhaber einer Bäckerei.",
            &[PiiKind::Name],
        );
        assert_redacts(
            "Mein Name ist Anna Weber.",
            "Mein Name ist [naam].",
            &[PiiKind::Name],
        );
        for q in [
            "Ich bin Inhaber einer Bäckerei in Emmen.",
            "Ich bin Gründerin eines Start-ups.",
            "Ich bin Unternehmer und suche Förderung.",
            "Ich bin Existenzgründer aus Meppen.",
        ] {
            assert_unchanged(q);
        }
    }

    #[test]
    fn decomposed_accents_are_one_name() {
        let r = redact("Ich heiße Mu\u{308}ller.");
        assert_eq!(r.text, "Ich heiße [naam].");
    }
}
