//! `/over`: how Wegwijzer works, set out like an entry in the Dutch Algoritmeregister (purpose and
//! legal basis, how it works, what is logged, human oversight, evaluation, objection, contact). The
//! evaluation figures come from `knowledge/evaluation.toml`, written by `wegwijzer eval --record`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, Ctx};
use crate::domain::Language;
use crate::http::AppState;
use crate::knowledge::evaluation::SetRecord;

#[derive(Template)]
#[template(path = "about.html")]
struct About {
    page: Chrome,
    heading: String,
    lead: String,
    sections: Vec<Section>,
    eval_heading: &'static str,
    eval_intro: &'static str,
    eval_none: &'static str,
    eval_caption: &'static str,
    eval_columns: Vec<&'static str>,
    evaluation: Vec<Vec<String>>,
}

struct Section {
    heading: &'static str,
    paragraphs: Vec<String>,
}

pub async fn about(State(app): State<AppState>, ctx: Ctx) -> Response {
    let lang = ctx.lang;
    let catalog = app.catalog.load_full();
    let kb = &catalog.kb;
    let task = kb
        .taxonomy
        .opgaven
        .iter()
        .find(|o| o.id == 3)
        .map(|o| o.label.get(lang).to_owned())
        .unwrap_or_default();
    let heading = lang.pick("Over Wegwijzer", "About Wegwijzer", "Über Wegwijzer");
    let page = About {
        page: ctx.chrome(heading),
        heading: heading.to_owned(),
        lead: crate::texts::disclosure(lang).to_owned(),
        sections: sections(lang, &task, kb.offers.len()),
        eval_heading: lang.pick("Hoe goed het werkt", "How well it works", "Wie gut es funktioniert"),
        eval_intro: lang.pick(
            "Wegwijzer wordt getoetst op vragen waarvan vaststaat welk aanbod past. De cijfers hieronder maakt het programma zelf (wegwijzer eval), over de vragensets die met de broncode worden meegeleverd; ze worden niet met de hand ingevuld. 'Eerste goed' is het deel van de vragen waarbij het eerst genoemde aanbod het juiste is.",
            "Wegwijzer is tested on questions for which the fitting offer is known. The program itself produces the figures below (wegwijzer eval), over the question sets shipped with the source code; nobody types them in. 'First right' is the share of questions where the first offer named is the right one.",
            "Wegwijzer wird an Fragen geprüft, bei denen feststeht, welches Angebot passt. Die Zahlen unten erzeugt das Programm selbst (wegwijzer eval) über die mit dem Quellcode gelieferten Fragensätze; niemand tippt sie ein. 'Erstes richtig' ist der Anteil der Fragen, bei denen das erste genannte Angebot das richtige ist.",
        ),
        eval_none: lang.pick(
            "Er zijn nog geen cijfers vastgelegd.",
            "No figures have been recorded yet.",
            "Es sind noch keine Zahlen erfasst.",
        ),
        eval_caption: lang.pick("Evaluatie per vragenset", "Evaluation per question set", "Auswertung je Fragensatz"),
        eval_columns: vec![
            lang.pick("Vragenset", "Question set", "Fragensatz"),
            lang.pick("Zoeken", "Search", "Suche"),
            lang.pick("Vastgelegd", "Recorded", "Erfasst"),
            lang.pick("Vragen", "Questions", "Fragen"),
            lang.pick("Eerste goed", "First right", "Erstes richtig"),
            lang.pick("Bij de eerste drie", "In the first three", "Unter den ersten drei"),
            lang.pick("Terecht 'geen aanbod'", "Right 'no offer'", "Richtig 'kein Angebot'"),
            lang.pick("Taal goed", "Language right", "Sprache richtig"),
        ],
        evaluation: kb.evaluation.sets.iter().map(|s| row(s, lang)).collect(),
    };
    ctx.page(&page)
}

/// One set's figures as the table shows them, in percent with the counts.
pub fn row(s: &SetRecord, lang: Language) -> Vec<String> {
    let pct = |f: crate::knowledge::evaluation::Fraction| {
        format!("{:.0}% ({}/{})", f.value() * 100.0, f.hits, f.total)
    };
    let mode = match s.mode.as_str() {
        "semantic" => lang.pick(
            "woorden en betekenis",
            "words and meaning",
            "Wörter und Bedeutung",
        ),
        _ => lang.pick("alleen woorden", "words only", "nur Wörter"),
    };
    vec![
        s.file.clone(),
        mode.to_owned(),
        s.recorded.clone(),
        s.rows.to_string(),
        pct(s.top1),
        pct(s.top3),
        pct(s.gap_precision),
        pct(s.language),
    ]
}

fn sections(lang: Language, task: &str, offers: usize) -> Vec<Section> {
    let s = |heading: &'static str, paragraphs: Vec<String>| Section {
        heading,
        paragraphs,
    };
    vec![
        s(
            lang.pick("Doel en grondslag", "Purpose and legal basis", "Zweck und Rechtsgrundlage"),
            vec![lang.pick(
                format!("Wegwijzer helpt ondernemers in Drenthe de weg te vinden in het aanbod van ondersteuning, en laat de provincie zien waar vraag en aanbod niet op elkaar aansluiten. Het is een uitvoering van de Economische Koers Drenthe 2024-2027, opgave 3: {task}."),
                format!("Wegwijzer helps entrepreneurs in Drenthe find their way in the support on offer, and shows the province where demand and supply do not meet. It carries out the Economische Koers Drenthe 2024-2027, policy task 3: {task}."),
                format!("Wegwijzer hilft Unternehmern in Drenthe, sich im Unterstützungsangebot zurechtzufinden, und zeigt der Provinz, wo Nachfrage und Angebot nicht zusammenpassen. Es setzt die Economische Koers Drenthe 2024-2027 um, Aufgabe 3: {task}."),
            )],
        ),
        s(
            lang.pick("Hoe het werkt", "How it works", "Wie es funktioniert"),
            vec![
                lang.pick(
                    format!("Wegwijzer zoekt in een kennisbank van {offers} regelingen en loketten, die medewerkers schrijven en nakijken, elk met zijn bronnen. Het zoekt op woorden (een zoekindex) en op betekenis (een meertalig taalmodel dat vragen en aanbod als getallen vergelijkt, multilingual-e5-small), en past vaste regels toe: wanneer het een vraag terugstelt, wanneer het naar een adviseur verwijst en wanneer er geen passend aanbod is."),
                    format!("Wegwijzer searches a knowledge base of {offers} schemes and services, written and reviewed by staff, each with its sources. It searches by words (a search index) and by meaning (a multilingual language model that compares questions and offers as numbers, multilingual-e5-small), and applies fixed rules: when to ask a question back, when to refer to an adviser and when no offer fits."),
                    format!("Wegwijzer sucht in einer Wissensdatenbank mit {offers} Regelungen und Anlaufstellen, die Mitarbeitende schreiben und prüfen, jede mit ihren Quellen. Es sucht nach Wörtern (ein Suchindex) und nach Bedeutung (ein mehrsprachiges Sprachmodell, das Fragen und Angebote als Zahlen vergleicht, multilingual-e5-small), und wendet feste Regeln an: wann es zurückfragt, wann es an eine Beratung verweist und wann kein Angebot passt."),
                ),
                lang.pick(
                    "Er is geen generatief model: elke zin in een antwoord staat zo in de kennisbank of in de programmatekst. Wegwijzer neemt geen besluiten: of u voor een regeling in aanmerking komt, beslist de aanbieder.",
                    "There is no generative model: every sentence of an answer is written as such in the knowledge base or the program's texts. Wegwijzer takes no decisions: whether you qualify for a scheme is decided by its provider.",
                    "Es gibt kein generatives Modell: jeder Satz einer Antwort steht so in der Wissensdatenbank oder in den Texten des Programms. Wegwijzer trifft keine Entscheidungen: ob Sie für eine Regelung in Frage kommen, entscheidet der Anbieter.",
                ).to_owned(),
            ],
        ),
        s(
            lang.pick("Wat wordt vastgelegd, en hoe lang", "What is logged, and for how long", "Was gespeichert wird, und wie lange"),
            vec![
                crate::texts::privacy_notice(lang).to_owned(),
                lang.pick(
                    "De tekst van een vraag wordt na de bewaartermijn gewist (standaard 180 dagen); de tellingen zonder tekst blijven. Meer op de pagina Privacy.",
                    "A question's text is deleted after the retention period (180 days by default); the counts without text stay. More on the Privacy page.",
                    "Der Text einer Frage wird nach der Aufbewahrungsfrist gelöscht (standardmäßig 180 Tage); die Zählungen ohne Text bleiben. Mehr auf der Seite Datenschutz.",
                ).to_owned(),
            ],
        ),
        s(
            lang.pick("Menselijk toezicht", "Human oversight", "Menschliche Aufsicht"),
            vec![lang.pick(
                "Adviseurs van IBDO nemen over waar Wegwijzer naar een mens verwijst, en loggen zelf vragen uit gesprekken. Medewerkers van de provincie bekijken de vragen zonder passend aanbod, beoordelen ze en houden de kennisbank bij; elke regeling heeft een eigenaar die haar actueel houdt.",
                "IBDO advisers take over where Wegwijzer refers to a person, and log questions from their own conversations. Provincial staff review the questions without a fitting offer, triage them and keep the knowledge base up to date; every scheme has an owner who keeps it current.",
                "Beraterinnen und Berater von IBDO übernehmen, wo Wegwijzer an einen Menschen verweist, und erfassen Fragen aus eigenen Gesprächen. Mitarbeitende der Provinz sichten die Fragen ohne passendes Angebot, bewerten sie und pflegen die Wissensdatenbank; jede Regelung hat eine Eigentümerin, die sie aktuell hält.",
            ).to_owned()],
        ),
        s(
            lang.pick("Bezwaar en verwijdering", "Objection and erasure", "Widerspruch und Löschung"),
            vec![lang.pick(
                "Wilt u dat uw gesprek wordt gewist, of bent u het oneens met hoe Wegwijzer uw vraag behandelde? Vraag het IBDO en noem het gespreksnummer onder het antwoord; dan worden de vastgelegde gegevens van dat gesprek verwijderd.",
                "Want your conversation erased, or do you disagree with how Wegwijzer handled your question? Ask IBDO and give the conversation number shown under the answer; the recorded data of that conversation are then removed.",
                "Soll Ihr Gespräch gelöscht werden, oder sind Sie mit der Behandlung Ihrer Frage nicht einverstanden? Fragen Sie IBDO und nennen Sie die Gesprächsnummer unter der Antwort; dann werden die gespeicherten Daten dieses Gesprächs entfernt.",
            ).to_owned()],
        ),
        s(
            lang.pick("Contact", "Contact", "Kontakt"),
            vec![lang.pick(
                "Verantwoordelijk is de Provincie Drenthe. Vragen over Wegwijzer stelt u via Ik Ben Drents Ondernemer (ikbendrentsondernemer.nl).",
                "The Province of Drenthe is responsible. Questions about Wegwijzer go through Ik Ben Drents Ondernemer (ikbendrentsondernemer.nl).",
                "Verantwortlich ist die Provinz Drenthe. Fragen zu Wegwijzer richten Sie über Ik Ben Drents Ondernemer (ikbendrentsondernemer.nl).",
            ).to_owned()],
        ),
    ]
}
