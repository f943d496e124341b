//! The words of an answer, in the asker's language. Every fact comes from the knowledge base; this
//! module only supplies the connecting sentences.

use super::decide::Decision;
use super::rank::{Fit, Scored};
use super::{Answer, Clarify, Gap, OfferCard, Understood};
use crate::domain::{GapReason, Language, Outcome, Status};
use crate::knowledge::{KnowledgeBase, Offer, RegionMatch, Taxonomy, format_date};

/// Joins labels as "a, b en c" / "a, b and c" / "a, b und c".
fn join(items: &[String], lang: Language) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!(
            "{} {} {}",
            init.join(", "),
            lang.pick("en", "and", "und"),
            last
        ),
    }
}

/// One sentence on why an offer fits, built from what matched: the offer's name, the reasons
/// [`fit_reasons`] finds, then its summary. Without any reason, the summary alone.
pub fn why(
    offer: &Offer,
    fit: &Fit,
    tax: &Taxonomy,
    municipality: Option<&str>,
    lang: Language,
) -> String {
    let parts = fit_reasons(offer, fit, tax, municipality, lang);
    if parts.is_empty() {
        return offer.summary.get(lang).to_owned();
    }
    format!(
        "{} {}. {}",
        offer.name_in(lang),
        join(&parts, lang),
        offer.summary.get(lang)
    )
}

/// The reasons an offer fits, in a fixed order (themes, audiences, the asker's municipality, the
/// amount), each a clause that follows the offer's name. Only what actually matched is said, so
/// that a reason is never invented.
fn fit_reasons(
    offer: &Offer,
    fit: &Fit,
    tax: &Taxonomy,
    municipality: Option<&str>,
    lang: Language,
) -> Vec<String> {
    [
        themes_reason(fit, tax, lang),
        audiences_reason(fit, tax, lang),
        region_reason(fit, tax, municipality, lang),
        amount_reason(offer, fit, lang),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// "gaat over financiering en innovatie": the matched themes, by their label.
fn themes_reason(fit: &Fit, tax: &Taxonomy, lang: Language) -> Option<String> {
    let themes: Vec<String> = fit
        .themes
        .iter()
        .filter_map(|t| tax.theme(t))
        .map(|t| t.label.get(lang).to_lowercase())
        .collect();
    (!themes.is_empty()).then(|| {
        format!(
            "{} {}",
            lang.pick("gaat over", "covers", "betrifft"),
            join(&themes, lang)
        )
    })
}

/// "is bedoeld voor starters": the matched audiences, by their label.
fn audiences_reason(fit: &Fit, tax: &Taxonomy, lang: Language) -> Option<String> {
    let auds: Vec<String> = fit
        .audiences
        .iter()
        .filter_map(|a| tax.audience(a))
        .map(|a| a.label.get(lang).to_lowercase())
        .collect();
    (!auds.is_empty()).then(|| {
        format!(
            "{} {}",
            lang.pick("is bedoeld voor", "is meant for", "richtet sich an"),
            join(&auds, lang)
        )
    })
}

/// "is er voor ondernemers in Assen": only for a local offer of the municipality the asker named.
fn region_reason(
    fit: &Fit,
    tax: &Taxonomy,
    municipality: Option<&str>,
    lang: Language,
) -> Option<String> {
    let (Some(RegionMatch::Local), Some(m)) = (fit.region, municipality) else {
        return None;
    };
    let name = tax.region_label(m, lang);
    Some(format!(
        "{} {name}",
        lang.pick(
            "is er voor ondernemers in",
            "serves businesses in",
            "ist für Unternehmen in"
        )
    ))
}

/// "past bij uw bedrag: € 5.000 – € 50.000": only when the asked amount is in the offer's range
/// and the offer states one.
fn amount_reason(offer: &Offer, fit: &Fit, lang: Language) -> Option<String> {
    if fit.amount_in_range != Some(true) {
        return None;
    }
    let range = amount_range(offer, lang);
    (!range.is_empty()).then(|| {
        format!(
            "{} {range}",
            lang.pick(
                "past bij uw bedrag:",
                "fits your amount:",
                "passt zu Ihrem Betrag:"
            )
        )
    })
}

pub fn amount_range(o: &Offer, lang: Language) -> String {
    let eur = |n: u64| format_eur(n, lang);
    match (o.amount_min_eur, o.amount_max_eur) {
        (Some(lo), Some(hi)) => format!("{} – {}", eur(lo), eur(hi)),
        (None, Some(hi)) => format!("{} {}", lang.pick("tot", "up to", "bis"), eur(hi)),
        (Some(lo), None) => format!("{} {}", lang.pick("vanaf", "from", "ab"), eur(lo)),
        (None, None) => String::new(),
    }
}

/// € 250.000 (nl, de) or €250,000 (en).
pub fn format_eur(n: u64, lang: Language) -> String {
    let digits = n.to_string();
    let sep = if lang == Language::En { ',' } else { '.' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if lang == Language::En {
        format!("€{out}")
    } else {
        format!("€ {out}")
    }
}

/// How to apply, with the status caveat where one applies.
pub fn how_to_apply(o: &Offer, lang: Language) -> String {
    let base = o.how_to_apply.get(lang).to_owned();
    match o.status {
        Status::Open => base,
        Status::Unknown => format!(
            "{base} {}",
            lang.pick(
                "Let op: of deze regeling nu open is, is niet zeker; vraag de actuele status na bij IBDO.",
                "Note: whether this scheme is open now is not certain; check its current status with IBDO.",
                "Hinweis: Ob diese Regelung derzeit offen ist, ist nicht sicher; fragen Sie den aktuellen Stand bei IBDO nach.",
            )
        ),
        Status::Closed => closed_sentence(o, lang),
    }
}

pub fn closed_sentence(o: &Offer, lang: Language) -> String {
    match o.closed_on {
        Some(d) => format!(
            "{} {}. {}",
            lang.pick(
                "Deze regeling is gesloten sinds",
                "This scheme closed on",
                "Diese Regelung ist geschlossen seit"
            ),
            format_date(d),
            lang.pick(
                "Aanvragen kan niet meer; IBDO weet of er een opvolger is.",
                "You can no longer apply; IBDO knows whether there is a successor.",
                "Anträge sind nicht mehr möglich; IBDO weiß, ob es eine Nachfolgeregelung gibt.",
            )
        ),
        None => lang
            .pick(
                "Deze regeling is gesloten. IBDO weet of er een opvolger is.",
                "This scheme is closed. IBDO knows whether there is a successor.",
                "Diese Regelung ist geschlossen. IBDO weiß, ob es eine Nachfolgeregelung gibt.",
            )
            .to_owned(),
    }
}

pub fn answered(lang: Language, place: Option<&str>) -> String {
    // "in" is the same word in all three languages.
    let place_part = place.map(|p| format!(" in {p}")).unwrap_or_default();
    lang.pick(
        format!("Voor uw vraag{place_part} passen deze mogelijkheden het best. Per regeling ziet u waarom die past en hoe u aanvraagt; twijfelt u, dan helpt IBDO verder."),
        format!("These are the options that best fit your question{place_part}. For each you see why it fits and how to apply; if in doubt, IBDO helps you further."),
        format!("Diese Angebote passen am besten zu Ihrer Frage{place_part}. Zu jedem sehen Sie, warum es passt und wie Sie es beantragen; im Zweifel hilft IBDO weiter."),
    )
}

pub fn handoff(lang: Language) -> String {
    lang.pick(
        "U wilt graag met een mens spreken. De onafhankelijke adviseurs van IBDO (Ik Ben Drents Ondernemer) helpen Drentse ondernemers en denken met u mee; hieronder staat hoe u hen bereikt.",
        "You would like to talk to a person. The independent advisers of IBDO (Ik Ben Drents Ondernemer) help entrepreneurs in Drenthe; below is how to reach them.",
        "Sie möchten mit einem Menschen sprechen. Die unabhängigen Beraterinnen und Berater von IBDO (Ik Ben Drents Ondernemer) helfen Unternehmern in Drenthe; unten sehen Sie, wie Sie sie erreichen.",
    )
    .to_owned()
}

pub fn gap_closed(lang: Language, name: &str) -> String {
    match lang {
        Language::Nl => format!(
            "{name} is gesloten: aanvragen kan niet meer. Hieronder staat wat er nu wel is; IBDO denkt met u mee. Uw vraag geven we door aan de provincie, zodat zij ziet waar aanbod ontbreekt, zonder de persoonsgegevens die Wegwijzer herkent. Typ liever geen namen, adressen of nummers."
        ),
        Language::En => format!(
            "{name} has closed: you can no longer apply. Below is what is available now; IBDO can advise you. We pass your question on to the province, so it can see where support is missing, without the personal details Wegwijzer recognises. Please do not type names, addresses or numbers."
        ),
        Language::De => format!(
            "{name} ist geschlossen: Anträge sind nicht mehr möglich. Unten steht, was es jetzt gibt; IBDO berät Sie. Ihre Frage geben wir an die Provinz weiter, damit sie sieht, wo Angebote fehlen, ohne die persönlichen Daten, die Wegwijzer erkennt. Bitte geben Sie keine Namen, Adressen oder Nummern ein."
        ),
    }
}

pub fn gap_none(lang: Language) -> String {
    lang.pick(
        "Voor deze vraag vind ik in het Drentse en landelijke aanbod geen regeling die echt past. Een adviseur van IBDO kan met u zoeken naar een oplossing. Uw vraag geven we door aan de provincie, zodat zij ziet waar aanbod ontbreekt, zonder de persoonsgegevens die Wegwijzer herkent. Typ liever geen namen, adressen of nummers.",
        "I cannot find a scheme in the Drenthe or national support that really fits this question. An IBDO adviser can look for a solution with you. We pass your question on to the province, so it can see where support is missing, without the personal details Wegwijzer recognises. Please do not type names, addresses or numbers.",
        "Für diese Frage finde ich im Angebot in Drenthe und landesweit keine passende Regelung. Eine Beraterin oder ein Berater von IBDO sucht mit Ihnen nach einer Lösung. Ihre Frage geben wir an die Provinz weiter, damit sie sieht, wo Angebote fehlen, ohne die persönlichen Daten, die Wegwijzer erkennt. Bitte geben Sie keine Namen, Adressen oder Nummern ein.",
    )
    .to_owned()
}

pub fn gap_region(lang: Language, place: &str) -> String {
    match lang {
        Language::Nl => format!(
            "De regeling die het best past, geldt niet voor ondernemers in {place}. Hieronder staat wat er voor u wel is; IBDO denkt mee. Uw vraag geven we door aan de provincie, zonder de persoonsgegevens die Wegwijzer herkent. Typ liever geen namen, adressen of nummers."
        ),
        Language::En => format!(
            "The scheme that fits best does not cover businesses in {place}. Below is what is available to you; IBDO can advise you. We pass your question on to the province, without the personal details Wegwijzer recognises. Please do not type names, addresses or numbers."
        ),
        Language::De => format!(
            "Die am besten passende Regelung gilt nicht für Unternehmen in {place}. Unten steht, was es für Sie gibt; IBDO berät Sie. Ihre Frage geben wir an die Provinz weiter, ohne die persönlichen Daten, die Wegwijzer erkennt. Bitte geben Sie keine Namen, Adressen oder Nummern ein."
        ),
    }
}

pub fn out_of_scope(lang: Language) -> String {
    lang.pick(
        "Daar kan ik u niet mee helpen. Wegwijzer helpt ondernemers in Drenthe de juiste ondersteuning te vinden: financiering, subsidies, advies, personeel, innovatie, export en meer. Stel gerust een vraag over uw bedrijf.",
        "I can't help with that. Wegwijzer helps entrepreneurs in Drenthe find the right support: financing, grants, advice, staff, innovation, export and more. Feel free to ask a question about your business.",
        "Dabei kann ich Ihnen nicht helfen. Wegwijzer hilft Unternehmern in Drenthe, die passende Unterstützung zu finden: Finanzierung, Förderung, Beratung, Personal, Innovation, Export und mehr. Stellen Sie gern eine Frage zu Ihrem Unternehmen.",
    )
    .to_owned()
}

pub fn new_conversation_notice(lang: Language) -> String {
    lang.pick(
        "Dit gesprek was verlopen of onbekend; ik ben een nieuw gesprek begonnen.",
        "That conversation had expired or was unknown; I started a new one.",
        "Dieses Gespräch war abgelaufen oder unbekannt; ich habe ein neues begonnen.",
    )
    .to_owned()
}

/// What an answer is composed from, besides the decision.
pub struct Render<'a> {
    pub kb: &'a KnowledgeBase,
    pub scored: &'a [Scored],
    pub lang: Language,
    pub municipality: Option<&'a str>,
    pub understood: &'a Understood,
}

impl Render<'_> {
    fn base(&self, outcome: Outcome, answer: String) -> Answer {
        Answer {
            conversation_id: String::new(),
            language: self.lang,
            outcome,
            answer,
            offers: Vec::new(),
            clarify: None,
            gap: None,
            understood: self.understood.clone(),
            notice: None,
            disclosure: None,
            evidence: None,
        }
    }

    fn cards(&self, list: &[usize]) -> Vec<OfferCard> {
        list.iter()
            .map(|&i| {
                let s = &self.scored[i];
                let o = &self.kb.offers[s.ord];
                card(
                    o,
                    Some(&s.fit),
                    self.lang,
                    s.score,
                    &self.kb.taxonomy,
                    self.municipality,
                )
            })
            .collect()
    }

    fn ibdo(&self, score: f32) -> Option<OfferCard> {
        let o = self.kb.get("ibdo")?;
        Some(card(o, None, self.lang, score, &self.kb.taxonomy, None))
    }

    /// The cards, with IBDO added at the end when it is not among them.
    fn with_ibdo(&self, mut cards: Vec<OfferCard>) -> Vec<OfferCard> {
        if !cards.iter().any(|c| c.id == "ibdo")
            && let Some(c) = self.ibdo(0.0)
        {
            cards.push(c);
        }
        cards
    }

    fn gap(&self, outcome_text: String, reason: GapReason, offers: Vec<OfferCard>) -> Answer {
        let mut a = self.base(Outcome::Gap, outcome_text);
        a.offers = offers;
        a.gap = Some(Gap {
            reason,
            themes: self.understood.themes.clone(),
            id: None,
            reference: None,
        });
        a
    }

    fn place_label(&self) -> Option<String> {
        self.municipality
            .map(|m| self.kb.taxonomy.region_label(m, self.lang))
    }
}

/// The answer for a decision, in the asker's language.
pub fn render(d: &Decision, r: &Render) -> Answer {
    let lang = r.lang;
    match d {
        Decision::OutOfScope => r.base(Outcome::OutOfScope, out_of_scope(lang)),
        Decision::Handoff => {
            let mut a = r.base(Outcome::Handoff, handoff(lang));
            a.offers.extend(r.ibdo(1.0));
            a
        }
        Decision::Clarify {
            intro,
            question,
            options,
            ..
        } => {
            let mut a = r.base(Outcome::Clarify, format!("{intro} {question}"));
            a.clarify = Some(Clarify {
                question: question.clone(),
                options: options.clone(),
            });
            a
        }
        Decision::Closed {
            closed,
            alternatives,
        } => {
            let name = r.kb.offers[r.scored[*closed].ord].name_in(lang);
            let mut cards = r.cards(&[*closed]);
            cards.extend(r.cards(alternatives));
            r.gap(
                gap_closed(lang, name),
                GapReason::OfferClosed,
                r.with_ibdo(cards),
            )
        }
        Decision::RegionGap { alternatives } => {
            let place = r.place_label().unwrap_or_else(|| "uw regio".to_owned());
            let cards = r.with_ibdo(r.cards(alternatives));
            r.gap(gap_region(lang, &place), GapReason::RegionMismatch, cards)
        }
        Decision::Gap { near } => {
            let mut cards: Vec<OfferCard> = r.ibdo(0.0).into_iter().collect();
            cards.extend(r.cards(near));
            r.gap(gap_none(lang), GapReason::NoOffer, cards)
        }
        Decision::Answered { shown } => {
            let mut a = r.base(
                Outcome::Answered,
                answered(lang, r.place_label().as_deref()),
            );
            a.offers = r.cards(shown);
            a
        }
    }
}

/// An offer as an answer shows it.
pub fn card(
    o: &Offer,
    fit: Option<&Fit>,
    lang: Language,
    score: f32,
    tax: &Taxonomy,
    municipality: Option<&str>,
) -> OfferCard {
    let why = match fit {
        Some(fit) => why(o, fit, tax, municipality, lang),
        None => o.summary.get(lang).to_owned(),
    };
    OfferCard {
        id: o.id.to_string(),
        name: o.name_in(lang).to_owned(),
        provider: o.provider.clone(),
        status: o.status,
        why,
        how_to_apply: how_to_apply(o, lang),
        url: o.url.clone(),
        contact: o.contact.clone(),
        score: (score * 1000.0).round() / 1000.0,
        closed_on: o.closed_on.map(format_date),
        rounds: o.rounds && o.status == crate::domain::Status::Open,
        figures: figure_cards(o, lang),
    }
}

/// The offer's figures with their sources, as an answer and an offer page show them.
pub fn figure_cards(o: &Offer, lang: Language) -> Vec<super::FigureCard> {
    o.figures
        .iter()
        .filter_map(|f| {
            let s = o.sources.get(f.source)?;
            let value = f.value.display(lang);
            let date = s.date_in(lang).to_owned();
            Some(super::FigureCard {
                text: crate::texts::figure_line(lang, &f.label, &value, s.host(), &date),
                label: f.label.clone(),
                value,
                source: s.host().to_owned(),
                source_url: (!s.partial).then(|| s.url.clone()),
                source_date: date,
            })
        })
        .collect()
}
