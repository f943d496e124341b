use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One thing wrong with a knowledge file, naming the file and, where there is one, the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    pub field: Option<String>,
    pub message: String,
}

/// Reads a TOML knowledge file; a syntax or shape error is one problem naming the file.
pub fn from_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, Vec<Problem>> {
    toml::from_str(text).map_err(|e| {
        vec![Problem::error(
            file.to_owned(),
            None,
            e.message().to_owned(),
        )]
    })
}

impl Problem {
    pub fn error(file: String, field: Option<&str>, message: String) -> Problem {
        Problem {
            severity: Severity::Error,
            file,
            field: field.map(str::to_owned),
            message,
        }
    }

    pub fn warning(file: String, field: Option<&str>, message: String) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, field, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}", self.file)?;
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}
