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
