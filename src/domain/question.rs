/// The most a question may hold; longer messages are refused with a clear error.
pub const MAX_QUESTION_CHARS: usize = 2000;

/// A question as typed, trimmed, with control characters turned into spaces. Never empty, at most
/// [`MAX_QUESTION_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    #[error("the question is empty")]
    Empty,
    #[error("the question is {0} characters long; the maximum is {MAX_QUESTION_CHARS}")]
    TooLong(usize),
}

impl Question {
    pub fn parse(raw: &str) -> Result<Question, QuestionError> {
        let cleaned = clean_text(raw);
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            return Err(QuestionError::Empty);
        }
        let n = trimmed.chars().count();
        if n > MAX_QUESTION_CHARS {
            return Err(QuestionError::TooLong(n));
        }
        Ok(Question(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text as we keep it: control characters (NUL among them, which PostgreSQL refuses in text)
/// and invisible marks become spaces. Not trimmed.
pub fn clean_text(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_control() || is_invisible(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Bidirectional marks and zero-width characters: invisible, and a way to disguise text.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A conversation's id: 1-64 characters of ASCII letters, digits, `-` and `_` (we hand out UUIDs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConversationId(String);

impl ConversationId {
    pub fn new() -> ConversationId {
        ConversationId(uuid::Uuid::new_v4().to_string())
    }

    pub fn parse(raw: &str) -> Result<ConversationId, String> {
        if !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(ConversationId(raw.to_owned()))
        } else {
            Err("conversation_id must be 1-64 letters, digits, '-' or '_'".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ConversationId {
    fn default() -> Self {
        ConversationId::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_trimmed_and_bounded() {
        assert_eq!(Question::parse("  hoi \u{202E} ").unwrap().as_str(), "hoi");
        assert_eq!(Question::parse(" \t\n"), Err(QuestionError::Empty));
        assert!(matches!(
            Question::parse(&"a".repeat(2001)),
            Err(QuestionError::TooLong(2001))
        ));
        assert!(Question::parse(&"é".repeat(2000)).is_ok());
    }

    #[test]
    fn free_text_loses_nul_and_other_controls() {
        // Found by tests/hostile.rs: a NUL in a feedback comment made PostgreSQL refuse the gap (500).
        assert_eq!(clean_text("a\u{0}b\u{7}c\u{202e}d\r\n"), "a b c d  ");
    }

    #[test]
    fn conversation_ids_are_strict() {
        assert!(ConversationId::parse("0b7c-aa_1").is_ok());
        assert!(ConversationId::parse("../../x").is_err());
        assert!(ConversationId::parse(&"a".repeat(65)).is_err());
    }
}
