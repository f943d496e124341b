//! The bot's own words in Dutch, English and German: titles, button labels, refusals and notices.
//! The assistant writes the answers; these are only the frame around them.

use std::time::Duration;

use crate::domain::{Language, Outcome};

/// The Discord locale of an interaction (`nl`, `en-GB`, `de`, …) as one of our languages. Another
/// locale falls back to the server's, then to Dutch, the language of the province.
pub fn language_of_locale(locale: &str, guild_locale: Option<&str>) -> Language {
    let of = |l: &str| match l.split('-').next().unwrap_or("") {
        "nl" => Some(Language::Nl),
        "en" => Some(Language::En),
        "de" => Some(Language::De),
        _ => None,
    };
    of(locale)
        .or_else(|| guild_locale.and_then(of))
        .unwrap_or_default()
}

pub fn title(lang: Language, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Answered => lang.pick(
            "Dit aanbod past bij uw vraag",
            "These offers fit your question",
            "Diese Angebote passen zu Ihrer Frage",
        ),
        Outcome::Clarify => lang.pick("Eén vraag terug", "One question back", "Eine Rückfrage"),
        Outcome::Handoff => lang.pick(
            "Een adviseur helpt u verder",
            "An adviser will help you",
            "Ein Berater hilft Ihnen weiter",
        ),
        Outcome::Gap => lang.pick(
            "Geen passend aanbod gevonden",
            "No fitting offer found",
            "Kein passendes Angebot gefunden",
        ),
        Outcome::OutOfScope => lang.pick(
            "Daar kan Wegwijzer niet bij helpen",
            "Wegwijzer cannot help with that",
            "Dabei kann Wegwijzer nicht helfen",
        ),
    }
}

pub fn helped(lang: Language) -> &'static str {
    lang.pick("Dit hielp", "This helped", "Das hat geholfen")
}

pub fn not_helped(lang: Language) -> &'static str {
    lang.pick(
        "Dit hielp niet",
        "This did not help",
        "Das hat nicht geholfen",
    )
}

pub fn adviser(lang: Language) -> &'static str {
    lang.pick(
        "Spreek een adviseur",
        "Talk to an adviser",
        "Mit einem Berater sprechen",
    )
}

pub fn follow_up(lang: Language) -> &'static str {
    lang.pick("Verder vragen", "Ask more", "Weiter fragen")
}

pub fn apply(lang: Language) -> &'static str {
    lang.pick("Aanvragen", "How to apply", "Antrag")
}

pub fn closed_since(lang: Language, date: Option<&str>) -> String {
    match date {
        Some(d) => {
            lang.pick("gesloten sinds ", "closed since ", "geschlossen seit ")
                .to_owned()
                + d
        }
        None => lang.pick("gesloten", "closed", "geschlossen").to_owned(),
    }
}

pub fn check_status(lang: Language) -> &'static str {
    lang.pick(
        "status nagaan bij IBDO",
        "check status with IBDO",
        "Status bei IBDO prüfen",
    )
}

pub fn conversation(lang: Language) -> &'static str {
    lang.pick("Gesprek", "Conversation", "Gespräch")
}

pub fn report(lang: Language) -> &'static str {
    lang.pick("melding", "report", "Meldung")
}

pub fn more_offers(lang: Language, n: usize) -> String {
    lang.pick(
        format!("…en nog {n} aanbod; stel uw vraag specifieker."),
        format!("…and {n} more; make your question more specific."),
        format!("…und {n} weitere; stellen Sie Ihre Frage genauer."),
    )
}

/// Asker's side of a handoff: what happens next.
pub fn adviser_notified(lang: Language) -> &'static str {
    lang.pick(
        "Ik heb een adviseur van IBDO gevraagd mee te kijken. Hij of zij reageert in deze thread; \
         u hoeft niets te doen. Uw naam en gebruikersnaam gaan niet mee, alleen uw vraag zonder \
         persoonsgegevens.",
        "I have asked an IBDO adviser to look at this. They will reply in this thread; you need \
         not do anything. Your name and user name are not passed on, only your question without \
         personal data.",
        "Ich habe einen IBDO-Berater gebeten, sich das anzusehen. Er oder sie antwortet in \
         diesem Thread; Sie müssen nichts tun. Ihr Name und Benutzername werden nicht \
         weitergegeben, nur Ihre Frage ohne persönliche Daten.",
    )
}

/// Asker's side of a handoff where no adviser can reply in place (a DM, an ephemeral reply, or no
/// adviser channel configured): how to reach IBDO themselves.
pub fn contact_ibdo(lang: Language) -> &'static str {
    lang.pick(
        "Een adviseur van IBDO helpt u verder: neem contact op via \
         https://ikbendrentsondernemer.nl/ en noem het gespreksnummer hieronder.",
        "An IBDO adviser will help you further: get in touch via \
         https://ikbendrentsondernemer.nl/ and mention the conversation number below.",
        "Ein IBDO-Berater hilft Ihnen weiter: Kontakt über \
         https://ikbendrentsondernemer.nl/ mit der Gesprächsnummer unten.",
    )
}

pub fn too_long(lang: Language, max: usize) -> String {
    lang.pick(
        format!(
            "Sorry, dat bericht is te lang voor mij: houd het onder de {max} tekens. Vertel \
             kort wat uw bedrijf doet, waar het zit en wat u zoekt."
        ),
        format!(
            "Sorry, that message is too long for me: please keep it under {max} characters. Say \
             briefly what your business does, where it is and what you are looking for."
        ),
        format!(
            "Entschuldigung, die Nachricht ist zu lang für mich: bitte unter {max} Zeichen. \
             Sagen Sie kurz, was Ihr Unternehmen macht, wo es ist und was Sie suchen."
        ),
    )
}

pub fn empty(lang: Language) -> &'static str {
    lang.pick(
        "Typ uw vraag achter het commando, bijvoorbeeld: waar vind ik geld voor een nieuwe machine?",
        "Type your question after the command, for example: where can I find money for a new machine?",
        "Schreiben Sie Ihre Frage hinter den Befehl, zum Beispiel: Wo finde ich Geld für eine neue Maschine?",
    )
}

pub fn slow_down(lang: Language, wait: Duration) -> String {
    let s = wait.as_secs().max(1);
    lang.pick(
        format!("U stelt veel vragen achter elkaar. Probeer het over {s} seconden opnieuw."),
        format!("You are asking a lot of questions in a row. Please try again in {s} seconds."),
        format!("Sie stellen viele Fragen hintereinander. Bitte in {s} Sekunden erneut versuchen."),
    )
}

pub fn thread_opened(lang: Language, thread: u64) -> String {
    lang.pick(
        format!("Ik heb een privé-thread voor u geopend: <#{thread}>. Alleen u (en moderatoren) zien die."),
        format!("I opened a private thread for you: <#{thread}>. Only you (and moderators) can see it."),
        format!("Ich habe einen privaten Thread für Sie geöffnet: <#{thread}>. Nur Sie (und Moderatoren) sehen ihn."),
    )
}

pub fn thanks(lang: Language) -> &'static str {
    lang.pick(
        "Dank u, fijn dat het hielp!",
        "Thank you, glad it helped!",
        "Danke, schön, dass es geholfen hat!",
    )
}

pub fn thanks_not_helped(lang: Language, report_id: i64) -> String {
    lang.pick(
        format!("Dank u. We geven door dat dit niet hielp (melding #{report_id}), zodat het aanbod beter kan."),
        format!("Thank you. We pass on that this did not help (report #{report_id}), so the offers can improve."),
        format!("Danke. Wir geben weiter, dass das nicht geholfen hat (Meldung #{report_id}), damit das Angebot besser wird."),
    )
}

pub fn expired(lang: Language) -> &'static str {
    lang.pick(
        "Dit gesprek is verlopen. Stel uw vraag opnieuw met /vraag.",
        "This conversation has expired. Please ask again with /ask.",
        "Dieses Gespräch ist abgelaufen. Bitte fragen Sie erneut mit /frage.",
    )
}

pub fn failed(lang: Language) -> &'static str {
    lang.pick(
        "Er ging iets mis aan onze kant. Probeer het zo nog eens, of neem contact op met IBDO via https://ikbendrentsondernemer.nl/.",
        "Something went wrong on our side. Please try again shortly, or contact IBDO via https://ikbendrentsondernemer.nl/.",
        "Bei uns ist etwas schiefgegangen. Bitte gleich noch einmal versuchen oder IBDO über https://ikbendrentsondernemer.nl/ kontaktieren.",
    )
}

/// What the "Spreek een adviseur" button asks the assistant in the conversation's language, so the
/// request is answered and logged as every other handoff is.
pub fn adviser_request(lang: Language) -> &'static str {
    lang.pick(
        "Ik wil een adviseur spreken",
        "I want to talk to an adviser",
        "Ich möchte mit einem Berater sprechen",
    )
}

pub fn reason_title(lang: Language) -> &'static str {
    lang.pick("Wat miste u?", "What was missing?", "Was hat gefehlt?")
}

pub fn reason_label(lang: Language) -> &'static str {
    lang.pick(
        "Waarom hielp dit niet? (mag leeg)",
        "Why did this not help? (optional)",
        "Warum hat das nicht geholfen? (optional)",
    )
}

pub fn follow_up_title(lang: Language) -> &'static str {
    lang.pick("Verder vragen", "Ask more", "Weiter fragen")
}

pub fn follow_up_label(lang: Language) -> &'static str {
    lang.pick(
        "Uw vervolgvraag of antwoord",
        "Your follow-up question or answer",
        "Ihre Folgefrage oder Antwort",
    )
}

pub fn offer_not_found(lang: Language) -> &'static str {
    lang.pick(
        "Dat aanbod ken ik niet. Kies een naam uit de lijst die verschijnt terwijl u typt, of stel uw vraag met /vraag.",
        "I do not know that offer. Pick a name from the list that appears while you type, or ask with /ask.",
        "Dieses Angebot kenne ich nicht. Wählen Sie einen Namen aus der Liste beim Tippen oder fragen Sie mit /frage.",
    )
}

pub fn help(lang: Language) -> &'static str {
    lang.pick(
        "Wegwijzer helpt ondernemers in Drenthe het juiste steunaanbod te vinden: financiering, \
         subsidies, advies, netwerken en meer.\n\n\
         • **/vraag** — stel uw vraag in gewone woorden; ik open een privé-thread zodat niemand \
         meeleest. Daar kunt u doorvragen met de knop *Verder vragen* of opnieuw /vraag.\n\
         • **/aanbod** — zoek een regeling of organisatie op naam.\n\
         • **Spreek een adviseur** — een adviseur van IBDO kijkt met u mee.\n\n\
         Wegwijzer geeft informatie, geen besluit: de voorwaarden van de aanbieder gelden.",
        "Wegwijzer helps entrepreneurs in Drenthe find the right support: financing, grants, \
         advice, networks and more.\n\n\
         • **/ask** — ask in your own words; I open a private thread so nobody else reads along. \
         Continue there with the *Ask more* button or /ask again.\n\
         • **/offers** — look up a scheme or organisation by name.\n\
         • **Talk to an adviser** — an IBDO adviser helps you further.\n\n\
         Wegwijzer informs, it does not decide: the provider's conditions apply.",
        "Wegwijzer hilft Unternehmern in Drenthe, die passende Unterstützung zu finden: \
         Finanzierung, Zuschüsse, Beratung, Netzwerke und mehr.\n\n\
         • **/frage** — fragen Sie in eigenen Worten; ich öffne einen privaten Thread, damit \
         niemand mitliest. Dort geht es mit *Weiter fragen* oder erneut /frage weiter.\n\
         • **/angebot** — eine Regelung oder Organisation nach Namen suchen.\n\
         • **Mit einem Berater sprechen** — ein IBDO-Berater hilft weiter.\n\n\
         Wegwijzer informiert, entscheidet aber nicht: es gelten die Bedingungen des Anbieters.",
    )
}

pub fn privacy_heading(lang: Language) -> &'static str {
    lang.pick("Privacy", "Privacy", "Datenschutz")
}
