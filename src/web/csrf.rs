//! CSRF tokens for the web forms, bound to what identifies the browser to us. Signed in, a form
//! carries HMAC-SHA256(key, "session" ‖ session id); before login, HMAC-SHA256(key, "anonymous" ‖
//! seed), where the seed is a random value in an HttpOnly, SameSite=Strict cookie. A page from
//! another site can neither read the cookies nor compute a token without the key.
//!
//! Why not the seed alone: the seed can be fetched anonymously by anyone, and a sibling subdomain
//! or a plain-HTTP response can plant a cookie in a victim's browser. With a seed-only token an
//! attacker would plant their own seed and submit its (known) token with an officer's session.
//! Binding the token to the session id, which the attacker cannot know or choose (a fresh id at
//! every login), closes that: a token made for a seed never passes on a request with a session.
//! The labels keep the two kinds apart even if a seed and a session id were ever equal.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const CSRF_COOKIE: &str = "wegwijzer_csrf";

/// What a form's token is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Nobody signed in: the browser's seed cookie.
    Seed(String),
    /// Signed in: the session cookie's value (the session id).
    Session(String),
}

impl Basis {
    fn label(&self) -> &'static [u8] {
        match self {
            Basis::Seed(_) => b"wegwijzer csrf anonymous\0",
            Basis::Session(_) => b"wegwijzer csrf session\0",
        }
    }

    fn value(&self) -> &str {
        match self {
            Basis::Seed(v) | Basis::Session(v) => v,
        }
    }
}

/// The HMAC key, derived from the database's secret so that all instances share it.
pub fn key(secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"wegwijzer web csrf v1\0");
    h.update(secret.as_bytes());
    h.finalize().into()
}

pub fn new_seed() -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A seed as we make them: 32 URL-safe base64 characters. Anything else is ignored (and replaced).
pub fn well_formed(seed: &str) -> bool {
    seed.len() == 32
        && seed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn mac(key: &[u8; 32], basis: &Basis) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(basis.label());
    m.update(basis.value().as_bytes());
    m
}

pub fn token(key: &[u8; 32], basis: &Basis) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, basis).finalize().into_bytes())
}

/// Constant-time check of a form's token against the request's basis.
pub fn verify(key: &[u8; 32], basis: &Basis, sent: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(sent.trim()) {
        Ok(bytes) => mac(key, basis).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_seed_and_key() {
        let k = key("secret");
        let seed = new_seed();
        assert!(well_formed(&seed));
        let basis = Basis::Seed(seed);
        let t = token(&k, &basis);
        assert!(verify(&k, &basis, &t));
        assert!(!verify(&k, &Basis::Seed(new_seed()), &t));
        assert!(!verify(&key("other"), &basis, &t));
        assert!(!verify(&k, &basis, ""));
        assert!(!verify(&k, &basis, "not base64!"));
    }

    #[test]
    fn seed_and_session_tokens_never_stand_in_for_each_other() {
        let k = key("secret");
        // Even for the same value, the two kinds of token differ.
        let value = new_seed();
        let anonymous = token(&k, &Basis::Seed(value.clone()));
        let signed_in = token(&k, &Basis::Session(value.clone()));
        assert_ne!(anonymous, signed_in);
        assert!(!verify(&k, &Basis::Session(value.clone()), &anonymous));
        assert!(!verify(&k, &Basis::Seed(value), &signed_in));
        // A session's token fits that session only.
        let s = Basis::Session("session-a".into());
        assert!(verify(&k, &s, &token(&k, &s)));
        assert!(!verify(
            &k,
            &Basis::Session("session-b".into()),
            &token(&k, &s)
        ));
    }
}
