//! Turns the assistant's [`Answer`] into a Discord reply: one embed (the answer text, one field per
//! offer with its badges, the conversation and report number in the footer) and the buttons
//! (clarifying options, 👍 / 👎, "Spreek een adviseur", "Verder vragen"). Pure: the same structure
//! the web shows, cut to Discord's limits, serialisable for snapshot tests.

use poise::serenity_prelude::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse,
    ReactionType,
};
use serde::Serialize;

use super::custom_id::Action;
use super::words;
use crate::assistant::{Answer, OfferCard};
use crate::domain::{ConversationId, Language, Outcome, Status};
use crate::knowledge::Offer;

/// Discord's limits on messages, embeds and components.
pub mod limits {
    pub const CONTENT: usize = 2000;
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    /// Title, description, field names and values, footer and author together.
    pub const TOTAL: usize = 6000;
    pub const BUTTONS_PER_ROW: usize = 5;
    pub const ROWS: usize = 5;
    pub const LABEL: usize = 80;
}

/// At most this many offers become fields; the assistant shows four, the rest is a safeguard.
const MAX_OFFER_FIELDS: usize = 10;
/// Clarifying options shown as buttons: two rows, leaving room for the action row.
const MAX_OPTIONS: usize = 2 * limits::BUTTONS_PER_ROW;

/// What the asker is told after a handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// An adviser was notified and will reply in the thread.
    AdviserNotified,
    /// No adviser can reply where the asker is: they get IBDO's contact.
    ContactIbdo,
}

/// A reply in Discord's terms, before it is sent as an interaction response, a follow-up or a
/// channel message.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub embeds: Vec<CreateEmbed>,
    pub components: Vec<CreateActionRow>,
    /// Always set: the bot never pings anyone from text it repeats.
    pub allowed_mentions: CreateAllowedMentions,
    pub ephemeral: bool,
}

/// No mentions at all: no @everyone, @here, roles or users, whatever a question contains.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .everyone(false)
        .all_users(false)
        .all_roles(false)
        .replied_user(false)
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            content: Some(clip(&text.into(), limits::CONTENT)),
            embeds: vec![],
            components: vec![],
            allowed_mentions: no_mentions(),
            ephemeral: false,
        }
    }

    pub fn ephemeral(mut self, ephemeral: bool) -> Reply {
        self.ephemeral = ephemeral;
        self
    }

    /// Quotes the asker's question above the answer (used for the first message of a thread, so
    /// the thread reads as a conversation).
    pub fn quoting(mut self, question: &str) -> Reply {
        let quoted: String = question
            .lines()
            .map(|l| format!("> {l}\n"))
            .collect::<String>();
        self.content = Some(clip(quoted.trim_end(), limits::CONTENT));
        self
    }

    pub fn to_poise(&self) -> poise::CreateReply {
        let mut r = self
            .embeds
            .iter()
            .fold(poise::CreateReply::default(), |r, e| r.embed(e.clone()))
            .components(self.components.clone())
            .allowed_mentions(self.allowed_mentions.clone())
            .ephemeral(self.ephemeral);
        if let Some(c) = &self.content {
            r = r.content(c.clone());
        }
        r
    }

    pub fn to_message(&self) -> CreateMessage {
        let mut m = CreateMessage::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(self.allowed_mentions.clone());
        if let Some(c) = &self.content {
            m = m.content(c.clone());
        }
        m
    }

    pub fn to_response(&self) -> CreateInteractionResponseMessage {
        let mut m = CreateInteractionResponseMessage::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(self.allowed_mentions.clone())
            .ephemeral(self.ephemeral);
        if let Some(c) = &self.content {
            m = m.content(c.clone());
        }
        m
    }

    /// For a deferred interaction: the edit that fills in the "thinking…" message.
    pub fn to_edit(&self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(self.allowed_mentions.clone())
    }
}

/// An embed as plain text parts, so the limits can be enforced (and tested) before building it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedParts {
    pub title: String,
    pub description: String,
    pub fields: Vec<(String, String)>,
    pub footer: String,
    pub colour: u32,
}

impl EmbedParts {
    fn total(&self) -> usize {
        chars(&self.title)
            + chars(&self.description)
            + chars(&self.footer)
            + self
                .fields
                .iter()
                .map(|(n, v)| chars(n) + chars(v))
                .sum::<usize>()
    }

    /// Cuts every part to its limit, then drops offers from the end until the whole fits.
    pub fn fit(mut self, lang: Language) -> EmbedParts {
        self.title = clip(&self.title, limits::TITLE);
        self.description = clip(&self.description, limits::DESCRIPTION);
        self.footer = clip(&self.footer, limits::FOOTER);
        for (n, v) in &mut self.fields {
            *n = clip(n, limits::FIELD_NAME);
            *v = clip(v, limits::FIELD_VALUE);
        }
        let mut dropped = 0;
        loop {
            let note = match dropped {
                0 => 0,
                n => chars(&words::more_offers(lang, n)) + 1,
            };
            let count = self.fields.len() + usize::from(dropped > 0);
            if self.fields.is_empty()
                || (count <= limits::FIELDS && self.total() + note <= limits::TOTAL)
            {
                break;
            }
            self.fields.pop();
            dropped += 1;
        }
        if dropped > 0 {
            self.fields
                .push(("…".to_owned(), words::more_offers(lang, dropped)));
        }
        if self.total() > limits::TOTAL {
            // Only a pathological description gets here: shorten it to what is left.
            let rest = self.total() - chars(&self.description);
            self.description = clip(&self.description, limits::TOTAL.saturating_sub(rest));
        }
        self
    }

    pub fn build(self) -> CreateEmbed {
        let mut e = CreateEmbed::new()
            .title(self.title)
            .description(self.description)
            .colour(self.colour);
        for (n, v) in self.fields {
            e = e.field(n, v, false);
        }
        if !self.footer.is_empty() {
            e = e.footer(CreateEmbedFooter::new(self.footer));
        }
        e
    }
}

fn colour(outcome: Outcome) -> u32 {
    match outcome {
        Outcome::Answered => 0x2e7d32,
        Outcome::Clarify => 0x1565c0,
        Outcome::Handoff => 0xef6c00,
        Outcome::Gap => 0x8d6e63,
        Outcome::OutOfScope => 0x757575,
    }
}

/// The field for one offer: its name with badges, then why it fits, how to apply and the link.
pub fn offer_field(card: &OfferCard, lang: Language) -> (String, String) {
    let badge = match card.status {
        Status::Open if card.rounds => format!(" · 🔁 {}", crate::texts::rounds_note(lang)),
        Status::Open => String::new(),
        Status::Closed => format!(
            " · 🔒 {}",
            words::closed_since(lang, card.closed_on.as_deref())
        ),
        Status::Unknown => format!(" · ❓ {}", words::check_status(lang)),
    };
    let name = format!(
        "{}{badge}",
        clip(&card.name, limits::FIELD_NAME - chars(&badge))
    );
    let figures: String = card
        .figures
        .iter()
        .map(|f| format!("\n📊 {}", f.text))
        .collect();
    let tail = format!(
        "\n**{}:** {}{}\n🔗 {}",
        words::apply(lang),
        clip(&card.how_to_apply, limits::FIELD_VALUE / 2),
        clip(&figures, limits::FIELD_VALUE / 4),
        card.url
    );
    let why = clip(&card.why, limits::FIELD_VALUE.saturating_sub(chars(&tail)));
    (name, format!("{why}{tail}"))
}

/// The reply to an answer. `next` says what a handoff leads to; ignored for other outcomes.
pub fn answer_reply(answer: &Answer, next: Option<NextStep>) -> Reply {
    let lang = answer.language;
    let mut description = answer.answer.clone();
    if let Some(c) = &answer.clarify {
        description.push_str(&format!("\n\n**{}**", c.question));
    }
    if answer.outcome == Outcome::Handoff || next.is_some() {
        let step = match next.unwrap_or(NextStep::ContactIbdo) {
            NextStep::AdviserNotified => words::adviser_notified(lang),
            NextStep::ContactIbdo => words::contact_ibdo(lang),
        };
        description.push_str(&format!("\n\n{step}"));
    }
    if let Some(n) = &answer.notice {
        description.push_str(&format!("\n\n*{n}*"));
    }
    if let Some(d) = &answer.disclosure {
        description.push_str(&format!("\n\nℹ️ *{d}*"));
    }
    let mut footer = format!("{} {}", words::conversation(lang), answer.conversation_id);
    if let Some(id) = answer.gap.as_ref().and_then(|g| g.id) {
        footer.push_str(&format!(" · {} #{id}", words::report(lang)));
    }
    let shown = answer.offers.len().min(MAX_OFFER_FIELDS);
    let mut fields: Vec<_> = answer.offers[..shown]
        .iter()
        .map(|c| offer_field(c, lang))
        .collect();
    if answer.offers.len() > shown {
        fields.push((
            "…".to_owned(),
            words::more_offers(lang, answer.offers.len() - shown),
        ));
    }
    let embed = EmbedParts {
        title: words::title(lang, answer.outcome).to_owned(),
        description,
        fields,
        footer,
        colour: colour(answer.outcome),
    }
    .fit(lang)
    .build();
    let components = match ConversationId::parse(&answer.conversation_id) {
        Ok(c) => buttons(answer, &c),
        Err(_) => vec![],
    };
    Reply {
        content: None,
        embeds: vec![embed],
        components,
        allowed_mentions: no_mentions(),
        ephemeral: false,
    }
}

fn button(action: Action, label: &str, emoji: Option<char>, style: ButtonStyle) -> CreateButton {
    let mut b = CreateButton::new(action.to_custom_id())
        .label(clip(label, limits::LABEL))
        .style(style);
    if let Some(e) = emoji {
        b = b.emoji(ReactionType::Unicode(e.to_string()));
    }
    b
}

fn buttons(answer: &Answer, c: &ConversationId) -> Vec<CreateActionRow> {
    let lang = answer.language;
    let mut rows = Vec::new();
    if let Some(clarify) = &answer.clarify {
        let options: Vec<CreateButton> = clarify
            .options
            .iter()
            .take(MAX_OPTIONS)
            .enumerate()
            .map(|(i, o)| {
                button(
                    Action::Choose {
                        conversation: c.clone(),
                        index: i as u8,
                    },
                    o,
                    None,
                    ButtonStyle::Primary,
                )
            })
            .collect();
        for chunk in options.chunks(limits::BUTTONS_PER_ROW) {
            rows.push(CreateActionRow::Buttons(chunk.to_vec()));
        }
    }
    let mut actions = Vec::new();
    if matches!(
        answer.outcome,
        Outcome::Answered | Outcome::Gap | Outcome::Handoff
    ) {
        actions.push(button(
            Action::Feedback {
                conversation: c.clone(),
                helpful: true,
            },
            words::helped(lang),
            Some('👍'),
            ButtonStyle::Success,
        ));
        actions.push(button(
            Action::Feedback {
                conversation: c.clone(),
                helpful: false,
            },
            words::not_helped(lang),
            Some('👎'),
            ButtonStyle::Secondary,
        ));
    }
    if matches!(
        answer.outcome,
        Outcome::Answered | Outcome::Gap | Outcome::Clarify
    ) {
        actions.push(button(
            Action::Adviser {
                conversation: c.clone(),
            },
            words::adviser(lang),
            Some('🙋'),
            ButtonStyle::Primary,
        ));
    }
    actions.push(button(
        Action::FollowUp {
            conversation: c.clone(),
        },
        words::follow_up(lang),
        Some('✍'),
        ButtonStyle::Secondary,
    ));
    rows.push(CreateActionRow::Buttons(actions));
    rows
}

/// The label of the clicked option, as the message it was on shows it: the assistant is asked the
/// option's text, which the custom id only points to.
pub fn option_label(
    rows: &[poise::serenity_prelude::ActionRow],
    custom_id: &str,
) -> Option<String> {
    use poise::serenity_prelude::{ActionRowComponent, ButtonKind};
    rows.iter()
        .flat_map(|r| &r.components)
        .find_map(|c| match c {
            ActionRowComponent::Button(b) => match &b.data {
                ButtonKind::NonLink { custom_id: id, .. } if id == custom_id => b.label.clone(),
                _ => None,
            },
            _ => None,
        })
}

/// One offer looked up with `/aanbod`: its summary, how to apply, status and link.
pub fn offer_reply(offer: &Offer, lang: Language) -> Reply {
    let card = OfferCard {
        id: offer.id.as_str().to_owned(),
        name: offer.name_in(lang).to_owned(),
        provider: offer.provider.clone(),
        status: offer.status,
        why: offer.summary.get(lang).to_owned(),
        how_to_apply: non_empty_or(offer.how_to_apply.get(lang), &offer.how_to_apply.nl),
        url: offer.url.clone(),
        contact: offer.contact.clone(),
        score: 0.0,
        closed_on: offer.closed_on.map(crate::knowledge::format_date),
        rounds: offer.rounds && offer.status == Status::Open,
        figures: crate::assistant::figure_cards(offer, lang),
    };
    let (name, value) = offer_field(&card, lang);
    let embed = EmbedParts {
        title: name,
        description: value,
        fields: vec![],
        footer: offer.provider.clone(),
        colour: if offer.status == Status::Closed {
            colour(Outcome::Gap)
        } else {
            colour(Outcome::Answered)
        },
    }
    .fit(lang)
    .build();
    Reply {
        content: None,
        embeds: vec![embed],
        components: vec![],
        allowed_mentions: no_mentions(),
        ephemeral: true,
    }
}

fn non_empty_or(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() { fallback } else { s }.to_owned()
}

/// `/wegwijzer`: what the bot does, and the privacy notice in the same words as the web.
pub fn help_reply(lang: Language) -> Reply {
    let embed = EmbedParts {
        title: "Wegwijzer".to_owned(),
        description: words::help(lang).to_owned(),
        fields: vec![(
            words::privacy_heading(lang).to_owned(),
            crate::texts::privacy_notice(lang).to_owned(),
        )],
        footer: String::new(),
        colour: colour(Outcome::Clarify),
    }
    .fit(lang)
    .build();
    Reply {
        content: None,
        embeds: vec![embed],
        components: vec![],
        allowed_mentions: no_mentions(),
        ephemeral: true,
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to at most `max` characters, marking a cut with "…".
pub fn clip(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_marks_cuts_and_keeps_short_text() {
        assert_eq!(clip("kort", 10), "kort");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ééééé", 3).chars().count(), 3);
        assert_eq!(clip("x", 0), "");
    }

    #[test]
    fn too_many_fields_are_dropped_with_a_note() {
        let parts = EmbedParts {
            title: "t".into(),
            description: "d".repeat(5000),
            fields: (0..40)
                .map(|i| (format!("n{i}"), "v".repeat(900)))
                .collect(),
            footer: "f".into(),
            colour: 0,
        }
        .fit(Language::Nl);
        assert!(parts.fields.len() <= limits::FIELDS);
        assert!(parts.total() <= limits::TOTAL, "{}", parts.total());
        assert!(parts.fields.last().unwrap().1.contains("nog"));
    }
}
