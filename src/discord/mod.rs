//! The Discord bot: Wegwijzer in the entrepreneurs' Discord servers, on poise and serenity.
//!
//! Everything that decides something is a plain function in a submodule, tested without Discord:
//! [`reply`] (answer → embed and buttons), [`custom_id`] (what a click means), [`thread`] (private
//! thread, ephemeral reply or DM), [`handoff`] (the adviser notice), [`limit`] (per-user rate
//! limit), [`commands`] (the localised slash commands) and [`words`] (the bot's own phrases). The
//! rest is the thin gateway glue, one file per kind of interaction, turning events into calls of
//! [`App::ask`](crate::app::App::ask) and [`App::feedback`](crate::app::App::feedback), the same
//! desk the web goes through. It never writes SQL and never logs a question's text.
//!
//! Which file owns what:
//! - `gateway.rs`: start-up and shutdown ([`run`]), reconnect [`backoff`], the [`intents`], and
//!   the event loop that dispatches each event to the files below;
//! - `commands.rs`: the slash commands `/vraag`, `/aanbod` and `/wegwijzer`, and
//!   [`Bot::command_question`], where a `/vraag` becomes a question;
//! - `components.rs`: the buttons under an answer (feedback, follow-up, options, adviser);
//! - `modals.rs`: the modals those buttons open ([`text_modal`]) and their submissions;
//! - `messages.rs`: plain follow-up messages in the bot's threads and in direct messages;
//! - `answer.rs`: asking the assistant and delivering the answer, whatever the question came by;
//! - `bot.rs`: [`Bot`], the shared state and what the bot remembers between events.

mod answer;
mod bot;
pub mod commands;
mod components;
mod config;
pub mod custom_id;
mod gateway;
pub mod handoff;
pub mod limit;
mod messages;
mod modals;
pub mod reply;
pub mod thread;
pub mod words;

pub use bot::Bot;
pub use config::{DiscordConfig, Secret};
pub use gateway::{backoff, intents, run};
pub use modals::text_modal;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Bot, Error>;
