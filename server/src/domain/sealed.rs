//! Secrets kept at rest (a connector's credentials): sealed with AES-256-GCM under the server's credentials key,
//! a fresh random nonce each time, stored as `v1.<base64url(nonce ‖ ciphertext ‖ tag)>`. Without the key the
//! database holds nothing usable; a changed byte fails to open.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

/// The server's credentials key (32 bytes). Its `Debug` never shows it.
#[derive(Clone)]
pub struct CredentialsKey([u8; 32]);

impl std::fmt::Debug for CredentialsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsKey(<redacted>)")
    }
}

impl CredentialsKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        CredentialsKey(bytes)
    }

    /// A key written as base64 (standard or URL-safe, padded or not) of exactly 32 bytes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bytes = STANDARD
            .decode(t)
            .or_else(|_| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')))
            .map_err(|_| "the credentials key must be base64".to_string())?;
        let key: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!("the credentials key must be 32 bytes (base64 of 32 bytes), not {}", b.len())
        })?;
        Ok(CredentialsKey(key))
    }

    fn aead(&self) -> Option<LessSafeKey> {
        UnboundKey::new(&AES_256_GCM, &self.0).ok().map(LessSafeKey::new)
    }
}

const VERSION: &str = "v1.";

/// Seal `plain`; `None` only if the system's random source fails.
pub fn seal(key: &CredentialsKey, plain: &[u8]) -> Option<String> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut data = plain.to_vec();
    key.aead()?.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data).ok()?;
    let mut out = nonce.to_vec();
    out.extend(data);
    Some(format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(out)))
}

/// Open what `seal` wrote with the same key; `None` for another key, a changed byte or another format.
pub fn open(key: &CredentialsKey, sealed: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(VERSION)?).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, rest) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut data = rest.to_vec();
    let plain = key.aead()?.open_in_place(nonce, Aad::empty(), &mut data).ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_unchanged() {
        let key = CredentialsKey::from_bytes([7; 32]);
        let sealed = seal(&key, b"{\"bearer_token\":\"s3cret\"}").unwrap();
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, seal(&key, b"{\"bearer_token\":\"s3cret\"}").unwrap(), "a fresh nonce each time");
        assert_eq!(open(&key, &sealed).unwrap(), b"{\"bearer_token\":\"s3cret\"}");
        assert_eq!(open(&CredentialsKey::from_bytes([8; 32]), &sealed), None);
        let mut changed = sealed.clone();
        let last = changed.pop().unwrap();
        changed.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(open(&key, &changed), None);
        assert_eq!(open(&key, "v2.abc"), None);
        assert!(CredentialsKey::parse(&STANDARD.encode([1u8; 32])).is_ok());
        assert!(CredentialsKey::parse("short").is_err());
        assert!(format!("{key:?}").contains("redacted"));
    }
}
