//! Fixed texts that every channel shows in the same words (the web helper, the Discord bot), so
//! what people are told about their data never differs between doors.

use crate::domain::Language;

/// What is kept of a question and of the person asking, in plain words. Mirrors the README's
/// "What is logged, and what is not"; change both together.
pub fn privacy_notice(lang: Language) -> &'static str {
    lang.pick(
        "Wegwijzer bewaart uw vraag alleen als er geen passend aanbod is of als u een adviseur \
         vraagt. De tekst wordt dan eerst ontdaan van de persoonsgegevens die Wegwijzer herkent \
         (naam, e-mail, telefoonnummer, adres, IBAN, BSN, KvK-nummer, geboortedatum, \
         documentnummer) en na de bewaartermijn gewist. Herkennen lukt niet altijd: typ ze liever \
         niet. Wie u bent, slaan we \
         niet op: alleen een code die elke maand verandert. Beantwoorde vragen tellen we alleen, \
         zonder tekst. Wilt u dat uw gesprek gewist wordt? Vraag het IBDO en noem het \
         gespreksnummer.",
        "Wegwijzer keeps your question only when no offer fits or when you ask for an adviser. \
         The text is first stripped of the personal data Wegwijzer recognises (name, e-mail, \
         phone number, address, IBAN, citizen service number, KvK number, date of birth, \
         document number) and deleted after the retention period. Recognition is not perfect: \
         please do not type them. Who you are \
         is not stored: only a code that changes every month. Answered questions are only \
         counted, without their text. Want your conversation erased? Ask IBDO and give the \
         conversation number.",
        "Wegwijzer speichert Ihre Frage nur, wenn kein passendes Angebot da ist oder Sie nach \
         einem Berater fragen. Der Text wird vorher von den persönlichen Daten befreit, \
         die Wegwijzer erkennt (Name, E-Mail, Telefonnummer, Adresse, IBAN, Bürgerservicenummer, \
         KvK-Nummer, Geburtsdatum, Ausweisnummer), und nach der Aufbewahrungsfrist gelöscht. Das \
         Erkennen gelingt nicht immer: geben Sie sie lieber nicht ein. Wer Sie sind, speichern wir nicht: nur einen Code, der sich \
         jeden Monat ändert. Beantwortete Fragen werden nur gezählt, ohne Text. Soll Ihr Gespräch \
         gelöscht werden? Fragen Sie IBDO und nennen Sie die Gesprächsnummer.",
    )
}

/// Said with the first answer of every conversation, in every channel (EU AI Act, art. 50): this is
/// an automated assistant, it points to offers and decides nothing, and how to reach a person.
pub fn disclosure(lang: Language) -> &'static str {
    lang.pick(
        "U praat met Wegwijzer, een geautomatiseerde assistent van de provincie Drenthe. Wegwijzer \
         wijst u de weg naar aanbod uit zijn kennisbank, schrijft geen teksten met AI en beslist \
         niet of u ergens recht op heeft: dat doet de aanbieder. Een mens spreken? Vraag om een \
         adviseur van IBDO.",
        "You are talking to Wegwijzer, an automated assistant of the province of Drenthe. It points \
         you to support offers from its knowledge base, writes no text with AI and does not decide \
         whether you qualify: the provider does. Want to talk to a person? Ask for an IBDO adviser.",
        "Sie sprechen mit Wegwijzer, einem automatisierten Assistenten der Provinz Drenthe. Er zeigt \
         Ihnen Angebote aus seiner Wissensdatenbank, schreibt keine Texte mit KI und entscheidet \
         nicht, ob Sie Anspruch haben: das tut der Anbieter. Sie möchten mit einem Menschen \
         sprechen? Fragen Sie nach einer Beraterin oder einem Berater von IBDO.",
    )
}

/// What every channel says of a scheme that opens in rounds, wherever it would say "open".
pub fn rounds_note(lang: Language) -> &'static str {
    lang.pick(
        "open in rondes; check of er nu een ronde open is",
        "open in rounds; check whether a round is open now",
        "offen in Runden; prüfen Sie, ob gerade eine Runde offen ist",
    )
}

/// A figure with where it comes from: "60% (bron: rvo.nl, 2024)".
pub fn figure_line(lang: Language, label: &str, value: &str, source: &str, date: &str) -> String {
    match lang {
        // The labels are written in Dutch; the other languages show the value and its source.
        Language::Nl => format!("{label}: {value} (bron: {source}, {date})"),
        Language::En => format!("{value} (source: {source}, {date})"),
        Language::De => format!("{value} (Quelle: {source}, {date})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_privacy_notice_exists_in_every_language_and_names_the_pseudonym() {
        for (lang, word) in [
            (Language::Nl, "code"),
            (Language::En, "code"),
            (Language::De, "Code"),
        ] {
            let text = privacy_notice(lang);
            assert!(text.contains(word), "{lang}: {text}");
            assert!(text.chars().count() < 1000);
        }
    }
}
