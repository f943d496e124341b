//! Signed double-submit CSRF tokens: the browser holds a random seed in an HttpOnly, SameSite=Strict
//! cookie; forms carry HMAC-SHA256(key, seed). A page from another site can neither read the cookie
//! nor compute the token, and a cookie planted by a sibling domain is useless without the key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const CSRF_COOKIE: &str = "wegwijzer_csrf";

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

fn mac(key: &[u8; 32], seed: &str) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(seed.as_bytes());
    m
}

pub fn token(key: &[u8; 32], seed: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, seed).finalize().into_bytes())
}

/// Constant-time check of a form's token against the cookie's seed.
pub fn verify(key: &[u8; 32], seed: &str, sent: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(sent.trim()) {
        Ok(bytes) => mac(key, seed).verify_slice(&bytes).is_ok(),
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
        let t = token(&k, &seed);
        assert!(verify(&k, &seed, &t));
        assert!(!verify(&k, &new_seed(), &t));
        assert!(!verify(&key("other"), &seed, &t));
        assert!(!verify(&k, &seed, ""));
        assert!(!verify(&k, &seed, "not base64!"));
    }
}
