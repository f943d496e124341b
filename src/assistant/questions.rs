//! The wording of the clarifying questions, in the three languages. `decide` picks which question
//! to ask and takes its words from here; `compose` renders the decision.

use crate::domain::Language;

pub fn clarify_topic(lang: Language) -> (String, String, Vec<String>) {
    let q = lang.pick(
        "Waar gaat uw vraag over?",
        "What is your question about?",
        "Worum geht es bei Ihrer Frage?",
    );
    let intro = lang.pick(
        "Ik help u graag verder, maar ik weet nog niet goed waar uw vraag over gaat.",
        "I'm happy to help, but I don't yet know what your question is about.",
        "Ich helfe gern weiter, weiß aber noch nicht genau, worum es geht.",
    );
    let options = match lang {
        Language::Nl => vec![
            "Geld lenen of financiering",
            "Een bedrijf starten",
            "Personeel vinden of opleiden",
            "Innovatie of een nieuw product",
            "Energie en duurzaamheid",
            "Export en buitenland",
        ],
        Language::En => vec![
            "Borrowing money or financing",
            "Starting a business",
            "Finding or training staff",
            "Innovation or a new product",
            "Energy and sustainability",
            "Export and going abroad",
        ],
        Language::De => vec![
            "Kredit oder Finanzierung",
            "Ein Unternehmen gründen",
            "Personal finden oder weiterbilden",
            "Innovation oder ein neues Produkt",
            "Energie und Nachhaltigkeit",
            "Export und Ausland",
        ],
    };
    (
        intro.to_owned(),
        q.to_owned(),
        options.into_iter().map(String::from).collect(),
    )
}

pub fn clarify_stage(lang: Language) -> (String, String, Vec<String>) {
    let q = lang.pick(
        "Voor welke fase van uw bedrijf is het?",
        "For which stage of your business is it?",
        "Für welche Phase Ihres Unternehmens?",
    );
    let intro = lang.pick(
        "Er zijn veel vormen van financiering; welke past, hangt af van waar u staat.",
        "There are many kinds of financing; which fits depends on where you are.",
        "Es gibt viele Finanzierungsformen; welche passt, hängt davon ab, wo Sie stehen.",
    );
    let options = match lang {
        Language::Nl => vec![
            "Een bedrijf starten",
            "Groeien of investeren in mijn bedrijf",
            "Een innovatief product ontwikkelen",
            "Een bedrijf overnemen",
            "Mijn bedrijf zit in financiële problemen",
        ],
        Language::En => vec![
            "Starting a business",
            "Growing or investing in my business",
            "Developing an innovative product",
            "Taking over a business",
            "My business is in financial trouble",
        ],
        Language::De => vec![
            "Ein Unternehmen gründen",
            "Wachsen oder investieren",
            "Ein innovatives Produkt entwickeln",
            "Ein Unternehmen übernehmen",
            "Mein Unternehmen steckt in finanziellen Schwierigkeiten",
        ],
    };
    (
        intro.to_owned(),
        q.to_owned(),
        options.into_iter().map(String::from).collect(),
    )
}

pub fn clarify_offers(lang: Language) -> (String, String) {
    (
        lang.pick(
            "Daar zijn verschillende mogelijkheden voor.",
            "There are several options for that.",
            "Dafür gibt es mehrere Möglichkeiten.",
        )
        .to_owned(),
        lang.pick(
            "Welke past het best bij wat u zoekt?",
            "Which comes closest to what you are looking for?",
            "Was kommt dem, was Sie suchen, am nächsten?",
        )
        .to_owned(),
    )
}
