use serde::{Serialize, Serializer};

/// An offer's id: lowercase ASCII letters, digits and single dashes, at most 64 characters.
/// It names the knowledge file and appears in URLs, so it is kept strict.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfferId(String);

impl OfferId {
    pub fn parse(s: &str) -> Result<OfferId, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(OfferId(s.to_owned()))
        } else {
            Err(format!(
                "`{}` is not a valid offer id (lowercase letters, digits and dashes)",
                s.chars().take(80).collect::<String>()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OfferId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for OfferId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_ids_are_strict() {
        assert!(OfferId::parse("mkb-fonds-drenthe").is_ok());
        assert!(OfferId::parse("../etc/passwd").is_err());
        assert!(OfferId::parse("Qredits").is_err());
        assert!(OfferId::parse("").is_err());
        assert!(OfferId::parse("-a").is_err());
        assert!(OfferId::parse(&"a".repeat(65)).is_err());
    }
}
