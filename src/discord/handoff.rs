//! The notice an IBDO adviser sees in the adviser channel when someone asks for a person (a
//! `handoff` answer or the "Spreek een adviseur" button): the question after PII redaction, what
//! was understood, the report number and a link to the thread. Nothing that identifies the asker:
//! no user id, name or mention; only the thread link, which works only for those allowed to see the
//! private thread.

use poise::serenity_prelude::{
    ChannelId, CreateAllowedMentions, CreateEmbed, CreateEmbedFooter, CreateMessage, GuildId,
    RoleId,
};

use super::reply::{clip, limits};
use crate::assistant::Answer;

/// Where the asker is, for the adviser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A private thread the adviser can open.
    Thread { guild: GuildId, thread: ChannelId },
    /// A direct message or an ephemeral reply: no adviser can follow; the asker got IBDO's contact.
    Unreachable,
}

pub struct Notice<'a> {
    /// The question after redaction; `None` when redaction could not vouch for it.
    pub redacted_question: Option<&'a str>,
    pub answer: &'a Answer,
    pub place: Place,
    pub role: Option<RoleId>,
}

pub fn thread_link(guild: GuildId, thread: ChannelId) -> String {
    format!("https://discord.com/channels/{guild}/{thread}")
}

/// The adviser channel's message. Advisers work in Dutch, so the notice is in Dutch. Only the
/// configured role may be pinged; never @everyone, @here or a user.
pub fn adviser_notice(n: &Notice<'_>) -> CreateMessage {
    let a = n.answer;
    let question = match n.redacted_question {
        Some(q) => clip(
            &q.lines().map(|l| format!("> {l}\n")).collect::<String>(),
            limits::FIELD_VALUE,
        ),
        None => "*(tekst niet doorgegeven: persoonsgegevens konden niet betrouwbaar worden \
                 verwijderd; lees de vraag in de thread)*"
            .to_owned(),
    };
    let where_ = match n.place {
        Place::Thread { guild, thread } => {
            format!("Reageer in de privé-thread: {}", thread_link(guild, thread))
        }
        Place::Unreachable => "Gesteld in een privébericht of alleen-voor-de-vrager-antwoord: \
                               de vrager kreeg de contactgegevens van IBDO en neemt zelf contact \
                               op."
        .to_owned(),
    };
    let u = &a.understood;
    let understood = [
        (!u.themes.is_empty()).then(|| format!("thema's: {}", u.themes.join(", "))),
        (!u.audiences.is_empty()).then(|| format!("doelgroep: {}", u.audiences.join(", "))),
        (!u.stages.is_empty()).then(|| format!("fase: {}", u.stages.join(", "))),
        u.municipality.as_ref().map(|m| format!("gemeente: {m}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let mut embed = CreateEmbed::new()
        .title("Vraag voor een adviseur")
        .description(where_)
        .field("Vraag (zonder persoonsgegevens)", question, false)
        .colour(0xef6c00_u32);
    if !understood.is_empty() {
        embed = embed.field("Begrepen", clip(&understood, limits::FIELD_VALUE), false);
    }
    let mut footer = format!("Gesprek {} · taal {}", a.conversation_id, a.language.code());
    if let Some(id) = a.gap.as_ref().and_then(|g| g.id) {
        footer.push_str(&format!(" · melding #{id}"));
    }
    embed = embed.footer(CreateEmbedFooter::new(footer));
    let mentions = CreateAllowedMentions::new()
        .everyone(false)
        .all_users(false)
        .replied_user(false);
    let (content, mentions) = match n.role {
        Some(role) => (
            format!("<@&{role}> nieuwe vraag voor een adviseur"),
            mentions.roles([role]),
        ),
        None => (
            "Nieuwe vraag voor een adviseur".to_owned(),
            mentions.all_roles(false),
        ),
    };
    CreateMessage::new()
        .content(content)
        .embed(embed)
        .allowed_mentions(mentions)
}
