//! The custom ids of the bot's buttons and modals. Everything a click needs travels in the id
//! itself (versioned, at most Discord's 100 characters), so buttons keep working after a restart
//! and no click depends on an in-memory collector.

use crate::domain::ConversationId;

/// Discord's limit on a component's custom id.
pub const MAX_LEN: usize = 100;
/// Bumped when the format changes; ids of an unknown version are refused, not misread.
const PREFIX: &str = "wz1";

/// What a button or modal of the bot asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// 👍 / 👎 under an answer. 👎 opens the reason modal.
    Feedback {
        conversation: ConversationId,
        helpful: bool,
    },
    /// One of a clarifying question's options, by its position.
    Choose {
        conversation: ConversationId,
        index: u8,
    },
    /// "Spreek een adviseur".
    Adviser { conversation: ConversationId },
    /// "Verder vragen": opens the follow-up modal.
    FollowUp { conversation: ConversationId },
    /// The submitted "why did it not help" modal.
    Reason { conversation: ConversationId },
    /// The submitted follow-up modal.
    Question { conversation: ConversationId },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomIdError {
    #[error("custom id is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("custom id is not one of the bot's (version or kind unknown)")]
    Unknown,
    #[error("custom id has a malformed conversation id")]
    Conversation,
    #[error("custom id has a malformed argument")]
    Argument,
}

/// The text input inside the reason modal.
pub const REASON_INPUT: &str = "reason";
/// The text input inside the follow-up modal.
pub const QUESTION_INPUT: &str = "question";

impl Action {
    pub fn conversation(&self) -> &ConversationId {
        match self {
            Action::Feedback { conversation, .. }
            | Action::Choose { conversation, .. }
            | Action::Adviser { conversation }
            | Action::FollowUp { conversation }
            | Action::Reason { conversation }
            | Action::Question { conversation } => conversation,
        }
    }

    /// The custom id; never longer than [`MAX_LEN`] since conversation ids are at most 64.
    pub fn to_custom_id(&self) -> String {
        let c = self.conversation().as_str();
        match self {
            Action::Feedback { helpful, .. } => {
                format!("{PREFIX}:fb:{c}:{}", if *helpful { "y" } else { "n" })
            }
            Action::Choose { index, .. } => format!("{PREFIX}:opt:{c}:{index}"),
            Action::Adviser { .. } => format!("{PREFIX}:human:{c}"),
            Action::FollowUp { .. } => format!("{PREFIX}:more:{c}"),
            Action::Reason { .. } => format!("{PREFIX}:why:{c}"),
            Action::Question { .. } => format!("{PREFIX}:ask:{c}"),
        }
    }

    pub fn parse(id: &str) -> Result<Action, CustomIdError> {
        if id.len() > MAX_LEN {
            return Err(CustomIdError::TooLong);
        }
        let mut parts = id.split(':');
        if parts.next() != Some(PREFIX) {
            return Err(CustomIdError::Unknown);
        }
        let kind = parts.next().ok_or(CustomIdError::Unknown)?;
        let conversation = parts
            .next()
            .ok_or(CustomIdError::Conversation)
            .and_then(|c| ConversationId::parse(c).map_err(|_| CustomIdError::Conversation))?;
        let arg = parts.next();
        if parts.next().is_some() {
            return Err(CustomIdError::Argument);
        }
        let action = match (kind, arg) {
            ("fb", Some("y")) => Action::Feedback {
                conversation,
                helpful: true,
            },
            ("fb", Some("n")) => Action::Feedback {
                conversation,
                helpful: false,
            },
            ("opt", Some(n)) => Action::Choose {
                conversation,
                // Only plain digits: no sign, no spaces, so an id has exactly one spelling.
                index: n
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| n.parse().ok())
                    .flatten()
                    .ok_or(CustomIdError::Argument)?,
            },
            ("human", None) => Action::Adviser { conversation },
            ("more", None) => Action::FollowUp { conversation },
            ("why", None) => Action::Reason { conversation },
            ("ask", None) => Action::Question { conversation },
            ("fb" | "opt" | "human" | "more" | "why" | "ask", _) => {
                return Err(CustomIdError::Argument);
            }
            _ => return Err(CustomIdError::Unknown),
        };
        Ok(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv() -> ConversationId {
        ConversationId::parse("0b7c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4").unwrap()
    }

    #[test]
    fn every_action_round_trips_within_the_length_limit() {
        let long = ConversationId::parse(&"a".repeat(64)).unwrap();
        for c in [conv(), long] {
            let actions = [
                Action::Feedback {
                    conversation: c.clone(),
                    helpful: true,
                },
                Action::Feedback {
                    conversation: c.clone(),
                    helpful: false,
                },
                Action::Choose {
                    conversation: c.clone(),
                    index: 255,
                },
                Action::Adviser {
                    conversation: c.clone(),
                },
                Action::FollowUp {
                    conversation: c.clone(),
                },
                Action::Reason {
                    conversation: c.clone(),
                },
                Action::Question {
                    conversation: c.clone(),
                },
            ];
            for a in actions {
                let id = a.to_custom_id();
                assert!(id.len() <= MAX_LEN, "{id}");
                assert_eq!(Action::parse(&id), Ok(a));
            }
        }
    }

    #[test]
    fn garbage_and_foreign_ids_are_rejected() {
        let c = conv();
        for bad in [
            "",
            "wz1",
            "wz1:fb",
            "wz0:fb:abc:y",
            "open_modal",
            "wz1:fb:abc:maybe",
            "wz1:fb:abc",
            "wz1:fb:abc:y:extra",
            "wz1:opt:abc:-1",
            "wz1:opt:abc:+1",
            "wz1:opt:abc:256",
            "wz1:opt:abc: 1",
            "wz1:human:abc:1",
            "wz1:human:../../etc",
            "wz1:nope:abc",
            "wz1:human:",
        ] {
            assert!(Action::parse(bad).is_err(), "{bad:?} parsed");
        }
        let too_long = format!("wz1:human:{}{}", c.as_str(), "x".repeat(80));
        assert_eq!(Action::parse(&too_long), Err(CustomIdError::TooLong));
    }
}
