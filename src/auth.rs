//! Who may see what: the two roles, password hashing (argon2) and API/session secrets, which are
//! stored only as hashes. The store keeps users, tokens, sessions and the audit trail; the HTTP
//! layer turns a bearer token or session cookie into a [`Caller`].

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use sha2::{Digest, Sha256};

/// A role, lowest first: an officer may do all an adviser may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// IBDO advisers: read gaps, log gaps by hand, search offers.
    Adviser,
    /// Province officers: all of the above, triage, insights and exports.
    Officer,
}

impl Role {
    pub fn parse(s: &str) -> Result<Role, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "adviser" | "adviseur" => Ok(Role::Adviser),
            "officer" | "medewerker" => Ok(Role::Officer),
            other => Err(format!(
                "unknown role `{other}`: use `adviser` or `officer`"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Adviser => "adviser",
            Role::Officer => "officer",
        }
    }
}

/// Someone known to the service, from a session or an API token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// How the audit trail names this caller.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.role.as_str(), self.name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("a name needs 1 to 64 letters, digits, dots, dashes or underscores")]
    BadName,
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the system's random source failed: {0}")]
    Random(String),
}

pub const MIN_PASSWORD_CHARS: usize = 12;

/// A user or token name: short and plain, so it can be shown and logged safely.
pub fn parse_name(s: &str) -> Result<String, AuthError> {
    let s = s.trim();
    let ok = (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(AuthError::BadName)
    }
}

/// Hashes a password with argon2id and a fresh salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooShort);
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Spends about as long as verifying a real password, so a wrong user name cannot be told from a
/// wrong password by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// A new random secret (API token, session id, CSRF token): 32 bytes, URL-safe base64.
pub fn new_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a secret: its SHA-256. Secrets are long and random, so no salt is needed.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(matches!(
            hash_password("short"),
            Err(AuthError::PasswordTooShort)
        ));
    }

    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }

    #[test]
    fn roles_and_names_parse() {
        assert_eq!(Role::parse("Officer"), Ok(Role::Officer));
        assert!(Role::parse("admin").is_err());
        assert!(Role::Officer > Role::Adviser);
        assert!(parse_name("anne.dejong").is_ok());
        assert!(parse_name("anne dejong").is_err());
        assert!(parse_name("").is_err());
    }
}
