//! Where a question is answered: a new private thread, the bot's thread it was asked in, a direct
//! message, or an ephemeral reply where threads cannot be opened. Also which free-text messages the
//! bot answers at all. Plain functions of plain data; the gateway glue only gathers the facts.

use poise::serenity_prelude::{ChannelType, Permissions};

use crate::domain::ConversationId;

/// Where a command or message came from, as far as the decision needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `false` in a direct message.
    pub in_guild: bool,
    pub kind: ChannelType,
    /// The bot's own permissions in the channel, as the interaction reports them.
    pub permissions: Option<Permissions>,
    /// The conversation of the thread, when it is one the bot opened.
    pub thread_conversation: Option<ConversationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Open a private thread for this question and answer there.
    OpenPrivateThread,
    /// Answer in the bot's thread, continuing its conversation.
    InThread(ConversationId),
    /// Answer in the direct message.
    Direct,
    /// Only the asker sees the answer: no thread can be opened here.
    Ephemeral,
}

/// What the bot needs to open a private thread and talk in it.
pub fn thread_permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::CREATE_PRIVATE_THREADS
        | Permissions::SEND_MESSAGES_IN_THREADS
}

pub fn placement(origin: &Origin) -> Placement {
    if !origin.in_guild {
        return Placement::Direct;
    }
    if let Some(c) = &origin.thread_conversation
        && is_thread(origin.kind)
    {
        return Placement::InThread(c.clone());
    }
    // Private threads exist only under ordinary text channels (not announcements, forums, voice).
    let may = origin
        .permissions
        .is_some_and(|p| p.contains(thread_permissions()));
    if origin.kind == ChannelType::Text && may {
        Placement::OpenPrivateThread
    } else {
        Placement::Ephemeral
    }
}

pub fn is_thread(kind: ChannelType) -> bool {
    matches!(
        kind,
        ChannelType::PrivateThread | ChannelType::PublicThread | ChannelType::NewsThread
    )
}

/// Whether an answer to a button or modal is shown to the asker only: yes in a guild channel that
/// is not a thread (the original answer was ephemeral there), no in threads and direct messages.
pub fn follow_up_is_ephemeral(in_guild: bool, kind: Option<ChannelType>) -> bool {
    in_guild && !kind.is_some_and(is_thread)
}

const THREAD_PREFIX: &str = "Wegwijzer · ";

/// The name of a question's private thread. It carries the conversation id, so follow-ups in the
/// thread find their conversation after a restart without storing anything; it holds nothing of
/// the question.
pub fn thread_name(conversation: &ConversationId) -> String {
    format!("{THREAD_PREFIX}{}", conversation.as_str())
}

/// The conversation a thread belongs to, when the bot named it.
pub fn conversation_of_thread(name: &str) -> Option<ConversationId> {
    name.strip_prefix(THREAD_PREFIX)
        .and_then(|c| ConversationId::parse(c).ok())
}

/// A free-text message the bot may answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming<'a> {
    pub author_is_bot: bool,
    pub in_guild: bool,
    /// Empty when Discord withheld it (no MESSAGE_CONTENT intent, no mention).
    pub content: &'a str,
    /// The conversation of the thread the message is in, if the bot opened it.
    pub thread_conversation: Option<ConversationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRoute {
    Ignore,
    /// Continue the thread's conversation.
    Thread(ConversationId),
    /// A direct message: continue the DM's conversation, if any.
    Direct,
}

pub fn route_message(m: &Incoming<'_>) -> MessageRoute {
    if m.author_is_bot || m.content.trim().is_empty() {
        return MessageRoute::Ignore;
    }
    if !m.in_guild {
        return MessageRoute::Direct;
    }
    match &m.thread_conversation {
        Some(c) => MessageRoute::Thread(c.clone()),
        None => MessageRoute::Ignore,
    }
}

/// The message text without mentions of the bot (`<@id>`, `<@!id>`), which Discord puts in when
/// someone addresses it.
pub fn strip_mention(content: &str, bot: u64) -> String {
    content
        .replace(&format!("<@{bot}>"), " ")
        .replace(&format!("<@!{bot}>"), " ")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv() -> ConversationId {
        ConversationId::parse("5b1c0d3e-aaaa-4bbb-8ccc-0123456789ab").unwrap()
    }

    fn origin(kind: ChannelType, perms: Option<Permissions>) -> Origin {
        Origin {
            in_guild: true,
            kind,
            permissions: perms,
            thread_conversation: None,
        }
    }

    #[test]
    fn a_text_channel_with_permissions_gets_a_private_thread() {
        let o = origin(ChannelType::Text, Some(thread_permissions()));
        assert_eq!(placement(&o), Placement::OpenPrivateThread);
    }

    #[test]
    fn without_thread_permissions_or_in_other_channels_the_reply_is_ephemeral() {
        let missing = Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES;
        for o in [
            origin(ChannelType::Text, Some(missing)),
            origin(ChannelType::Text, None),
            origin(ChannelType::News, Some(Permissions::all())),
            origin(ChannelType::Voice, Some(Permissions::all())),
            origin(ChannelType::Forum, Some(Permissions::all())),
            // Someone else's thread: no thread inside a thread.
            origin(ChannelType::PublicThread, Some(Permissions::all())),
        ] {
            assert_eq!(placement(&o), Placement::Ephemeral, "{o:?}");
        }
    }

    #[test]
    fn direct_messages_and_own_threads_continue_in_place() {
        let dm = Origin {
            in_guild: false,
            kind: ChannelType::Private,
            permissions: None,
            thread_conversation: None,
        };
        assert_eq!(placement(&dm), Placement::Direct);
        let mut own = origin(ChannelType::PrivateThread, None);
        own.thread_conversation = Some(conv());
        assert_eq!(placement(&own), Placement::InThread(conv()));
    }

    #[test]
    fn thread_names_carry_the_conversation_and_nothing_else() {
        let name = thread_name(&conv());
        assert!(name.chars().count() <= 100);
        assert_eq!(conversation_of_thread(&name), Some(conv()));
        assert_eq!(conversation_of_thread("general chat"), None);
        assert_eq!(conversation_of_thread("Wegwijzer · ../etc"), None);
    }

    #[test]
    fn messages_from_bots_empty_or_elsewhere_are_ignored() {
        let base = Incoming {
            author_is_bot: false,
            in_guild: true,
            content: "en in Emmen?",
            thread_conversation: Some(conv()),
        };
        assert_eq!(route_message(&base), MessageRoute::Thread(conv()));
        let bot = Incoming {
            author_is_bot: true,
            ..base.clone()
        };
        assert_eq!(route_message(&bot), MessageRoute::Ignore);
        let withheld = Incoming {
            content: "",
            ..base.clone()
        };
        assert_eq!(route_message(&withheld), MessageRoute::Ignore);
        let elsewhere = Incoming {
            thread_conversation: None,
            ..base.clone()
        };
        assert_eq!(route_message(&elsewhere), MessageRoute::Ignore);
        let dm = Incoming {
            in_guild: false,
            thread_conversation: None,
            ..base
        };
        assert_eq!(route_message(&dm), MessageRoute::Direct);
    }

    #[test]
    fn follow_ups_are_ephemeral_only_in_plain_guild_channels() {
        assert!(follow_up_is_ephemeral(true, Some(ChannelType::Text)));
        assert!(follow_up_is_ephemeral(true, None));
        assert!(!follow_up_is_ephemeral(
            true,
            Some(ChannelType::PrivateThread)
        ));
        assert!(!follow_up_is_ephemeral(false, Some(ChannelType::Private)));
    }

    #[test]
    fn mentions_of_the_bot_are_stripped() {
        assert_eq!(strip_mention("<@42> en in Emmen?", 42), "en in Emmen?");
        assert_eq!(strip_mention("hoi <@!42>", 42), "hoi");
        assert_eq!(strip_mention("<@43> hoi", 42), "<@43> hoi");
    }
}
