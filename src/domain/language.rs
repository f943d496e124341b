use serde::{Deserialize, Serialize};

/// The three languages Wegwijzer understands and answers in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Nl,
    En,
    De,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Nl, Language::En, Language::De];

    pub fn code(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
            Language::De => "de",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nl" | "nld" | "dutch" | "nederlands" => Some(Language::Nl),
            "en" | "eng" | "english" | "engels" => Some(Language::En),
            "de" | "deu" | "german" | "deutsch" | "duits" => Some(Language::De),
            _ => None,
        }
    }

    /// Picks the text for this language from a (nl, en, de) triple.
    pub fn pick<T>(self, nl: T, en: T, de: T) -> T {
        match self {
            Language::Nl => nl,
            Language::En => en,
            Language::De => de,
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
