//! The slash commands, with names and descriptions in Dutch, English and German: `/vraag` (`/ask`,
//! `/frage`), `/aanbod` (`/offers`, `/angebot`) with autocomplete on offer names, and `/wegwijzer`
//! for help and the privacy text. Thin adapters: the work is in [`super::Bot`] and the pure
//! modules. [`Bot::command_question`] turns a `/vraag` into a question for the answering path
//! (`answer.rs`), placed by [`super::thread::placement`].

use poise::serenity_prelude::{self as serenity, AutocompleteChoice, CreateAutocompleteResponse};
use serenity::ChannelType;

use super::answer::{Incoming, Responder};
use super::bot::lock;
use super::reply::{Reply, help_reply, offer_reply};
use super::thread::{self, Origin, Placement};
use super::{Bot, Context, Error, words};
use crate::domain::Language;
use crate::knowledge::Offer;

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<Bot, Error>> {
    vec![ask(), offers(), wegwijzer()]
}

/// Ask Wegwijzer where to find support for your business
#[poise::command(
    slash_command,
    name_localized("nl", "vraag"),
    name_localized("en-US", "ask"),
    name_localized("en-GB", "ask"),
    name_localized("de", "frage"),
    description_localized("nl", "Vraag Wegwijzer waar u steun voor uw bedrijf vindt"),
    description_localized("en-US", "Ask Wegwijzer where to find support for your business"),
    description_localized("en-GB", "Ask Wegwijzer where to find support for your business"),
    description_localized(
        "de",
        "Fragen Sie Wegwijzer, wo Sie Unterstützung für Ihr Unternehmen finden"
    )
)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, in your own words"]
    #[name_localized("nl", "vraag")]
    #[name_localized("en-US", "question")]
    #[name_localized("en-GB", "question")]
    #[name_localized("de", "frage")]
    #[description_localized("nl", "Uw vraag, in uw eigen woorden")]
    #[description_localized("en-US", "Your question, in your own words")]
    #[description_localized("en-GB", "Your question, in your own words")]
    #[description_localized("de", "Ihre Frage, in Ihren eigenen Worten")]
    question: String,
) -> Result<(), Error> {
    let poise::Context::Application(actx) = ctx else {
        return Ok(());
    };
    ctx.data()
        .command_question(ctx.serenity_context(), actx.interaction, question)
        .await;
    Ok(())
}

impl Bot {
    /// `/vraag` (`/ask`, `/frage`).
    pub async fn command_question(
        &self,
        ctx: &serenity::Context,
        i: &serenity::CommandInteraction,
        text: String,
    ) {
        let lang = words::language_of_locale(&i.locale, i.guild_locale.as_deref());
        let kind = i.channel.as_ref().map(|c| c.kind);
        let thread_conversation = i
            .channel
            .as_ref()
            .filter(|c| thread::is_thread(c.kind))
            .and_then(|c| self.thread_conversation_cached(c.id, c.name.as_deref()));
        let origin = Origin {
            in_guild: i.guild_id.is_some(),
            kind: kind.unwrap_or(ChannelType::Unknown(0)),
            permissions: i.app_permissions,
            thread_conversation,
        };
        let placement = thread::placement(&origin);
        let conversation = match &placement {
            Placement::InThread(c) => Some(c.clone()),
            Placement::Direct => lock(&self.directs).get(&i.channel_id).cloned(),
            _ => None,
        };
        let q = Incoming {
            user: i.user.id,
            text,
            lang,
            placement,
            guild: i.guild_id,
            channel: i.channel_id,
            conversation,
            adviser_button: false,
        };
        self.question(ctx, Responder::Command(i), q).await;
    }
}

/// Look up a support offer by name
#[poise::command(
    slash_command,
    name_localized("nl", "aanbod"),
    name_localized("en-US", "offers"),
    name_localized("en-GB", "offers"),
    name_localized("de", "angebot"),
    description_localized("nl", "Zoek een regeling of organisatie op naam"),
    description_localized("en-US", "Look up a support offer by name"),
    description_localized("en-GB", "Look up a support offer by name"),
    description_localized("de", "Ein Förderangebot nach Namen suchen")
)]
pub async fn offers(
    ctx: Context<'_>,
    #[description = "Name of the scheme or organisation"]
    #[name_localized("nl", "naam")]
    #[name_localized("en-US", "name")]
    #[name_localized("en-GB", "name")]
    #[name_localized("de", "name")]
    #[description_localized("nl", "Naam van de regeling of organisatie")]
    #[description_localized("en-US", "Name of the scheme or organisation")]
    #[description_localized("en-GB", "Name of the scheme or organisation")]
    #[description_localized("de", "Name der Regelung oder Organisation")]
    #[autocomplete = "complete_offer"]
    name: String,
) -> Result<(), Error> {
    let lang = language(ctx);
    let catalog = ctx.data().app.catalog.load();
    let reply = match find_offer(&catalog.kb.offers, &name) {
        Some(offer) => offer_reply(offer, lang),
        None => Reply::text(words::offer_not_found(lang)).ephemeral(true),
    };
    ctx.send(reply.to_poise()).await?;
    Ok(())
}

/// What Wegwijzer does, and what it keeps of your questions
#[poise::command(
    slash_command,
    name_localized("nl", "wegwijzer"),
    name_localized("en-US", "wegwijzer"),
    name_localized("en-GB", "wegwijzer"),
    name_localized("de", "wegwijzer"),
    description_localized("nl", "Wat Wegwijzer doet en wat het bewaart van uw vragen"),
    description_localized("en-US", "What Wegwijzer does, and what it keeps of your questions"),
    description_localized("en-GB", "What Wegwijzer does, and what it keeps of your questions"),
    description_localized("de", "Was Wegwijzer macht und was es von Ihren Fragen speichert")
)]
pub async fn wegwijzer(ctx: Context<'_>) -> Result<(), Error> {
    ctx.send(help_reply(language(ctx)).to_poise()).await?;
    Ok(())
}

async fn complete_offer(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let lang = language(ctx);
    let catalog = ctx.data().app.catalog.load();
    let choices = offer_choices(&catalog.kb.offers, partial, lang)
        .into_iter()
        .map(|(name, id)| AutocompleteChoice::new(name, id))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

fn language(ctx: Context<'_>) -> Language {
    match ctx {
        poise::Context::Application(a) => {
            words::language_of_locale(&a.interaction.locale, a.interaction.guild_locale.as_deref())
        }
        poise::Context::Prefix(_) => Language::default(),
    }
}

/// Discord shows at most 25 autocomplete choices, each name at most 100 characters.
const MAX_CHOICES: usize = 25;

/// Offers whose name (in any language) or id contains what was typed, names in the asker's
/// language; the value sent back is the offer id.
pub fn offer_choices(
    offers: &[std::sync::Arc<Offer>],
    partial: &str,
    lang: Language,
) -> Vec<(String, String)> {
    let needle = partial.trim().to_lowercase();
    let mut hits: Vec<(usize, &Offer)> = offers
        .iter()
        .filter_map(|o| {
            let names = [
                o.name.to_lowercase(),
                o.name_en.to_lowercase(),
                o.name_de.clone().unwrap_or_default().to_lowercase(),
                o.id.as_str().to_owned(),
            ];
            names
                .iter()
                .filter_map(|n| n.find(&needle))
                .min()
                .map(|pos| (pos, o.as_ref()))
        })
        .collect();
    // Names that start with what was typed first, then alphabetical.
    hits.sort_by(|a, b| (a.0 > 0, a.1.name_in(lang)).cmp(&(b.0 > 0, b.1.name_in(lang))));
    hits.into_iter()
        .take(MAX_CHOICES)
        .map(|(_, o)| {
            (
                super::reply::clip(o.name_in(lang), 100),
                o.id.as_str().to_owned(),
            )
        })
        .collect()
}

/// The offer for an autocomplete value (an id) or, when someone typed without picking, the one
/// name that matches.
pub fn find_offer<'a>(offers: &'a [std::sync::Arc<Offer>], value: &str) -> Option<&'a Offer> {
    let v = value.trim();
    if let Some(o) = offers.iter().find(|o| o.id.as_str() == v) {
        return Some(o.as_ref());
    }
    let lower = v.to_lowercase();
    let named: Vec<&'a std::sync::Arc<Offer>> = offers
        .iter()
        .filter(|o| {
            [Some(&o.name), Some(&o.name_en), o.name_de.as_ref()]
                .into_iter()
                .flatten()
                .any(|n| n.to_lowercase() == lower)
        })
        .collect();
    match named.as_slice() {
        [one] => Some(&***one),
        _ => None,
    }
}
