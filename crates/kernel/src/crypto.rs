//! Personal data encrypted at rest: AES-256-GCM under keys that live outside the database
//! (the `TIANGONG_ENCRYPTION_KEYS` environment variable or a key file in the data folder, never
//! logged), plus a keyed blind index (HMAC-SHA-256) so exact search by phone or email still
//! works without the plain value being stored.
//!
//! Keys form a ring: one current key encrypts; every key of the ring decrypts, so that
//! `tiangong keys rotate` can re-encrypt row by row while the server runs. A stored value is
//! `v1.<key id>.<base64(nonce ‖ ciphertext)>`.

use std::collections::BTreeMap;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{Error, Result};

/// The key ring as stored in the key file or the environment (JSON).
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyRing {
    /// The id of the key that encrypts new values.
    pub current: String,
    /// Key id → 32 random bytes, base64.
    pub keys: BTreeMap<String, String>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing {{ current: {}, keys: {} (hidden) }}", self.current, self.keys.len())
    }
}

fn random_key() -> String {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

impl KeyRing {
    pub fn generate() -> KeyRing {
        let id = format!("k{}", time::OffsetDateTime::now_utc().unix_timestamp());
        KeyRing { current: id.clone(), keys: BTreeMap::from([(id, random_key())]) }
    }

    /// Adds a new key and makes it current (the old ones still decrypt).
    pub fn rotate(&mut self) -> String {
        let mut id = format!("k{}", time::OffsetDateTime::now_utc().unix_timestamp());
        while self.keys.contains_key(&id) {
            id.push('x');
        }
        self.keys.insert(id.clone(), random_key());
        self.current = id.clone();
        id
    }

    /// Loads the ring: `TIANGONG_ENCRYPTION_KEYS` (JSON) if set, else the key file, created
    /// with a fresh key (mode 0600) on first use.
    pub fn load_or_create(file: &Path) -> Result<KeyRing> {
        if let Ok(json) = std::env::var("TIANGONG_ENCRYPTION_KEYS") {
            return serde_json::from_str(&json).map_err(|_| Error::invalid("kernel.crypto.keys_invalid"));
        }
        if file.exists() {
            let text = std::fs::read_to_string(file).map_err(Error::internal)?;
            return serde_json::from_str(&text).map_err(|_| Error::invalid("kernel.crypto.keys_invalid"));
        }
        let ring = KeyRing::generate();
        ring.save(file)?;
        Ok(ring)
    }

    /// Writes the ring to its file, readable by the owner only.
    pub fn save(&self, file: &Path) -> Result<()> {
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(Error::internal)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(Error::internal)?;
        let temporary = file.with_extension("tmp");
        std::fs::write(&temporary, text).map_err(Error::internal)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600)).map_err(Error::internal)?;
        }
        std::fs::rename(&temporary, file).map_err(Error::internal)
    }
}

/// Encrypts, decrypts and blind-indexes personal data with a key ring.
#[derive(Clone)]
pub struct Vault {
    current: String,
    ciphers: BTreeMap<String, (Aes256Gcm, Vec<u8>)>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault {{ current: {} }}", self.current)
    }
}

fn crypto_error() -> Error {
    Error::internal("encrypted value cannot be read with the available keys")
}

impl Vault {
    pub fn new(ring: &KeyRing) -> Result<Vault> {
        let mut ciphers = BTreeMap::new();
        for (id, encoded) in &ring.keys {
            let bytes = B64.decode(encoded).map_err(|_| Error::invalid("kernel.crypto.keys_invalid"))?;
            if bytes.len() != 32 {
                return Err(Error::invalid("kernel.crypto.keys_invalid"));
            }
            // The blind-index key is derived from the encryption key, never equal to it.
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&bytes).map_err(|_| crypto_error())?;
            mac.update(b"tiangong blind index v1");
            let index_key = mac.finalize().into_bytes().to_vec();
            ciphers.insert(id.clone(), (Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)), index_key));
        }
        if !ciphers.contains_key(&ring.current) {
            return Err(Error::invalid("kernel.crypto.keys_invalid"));
        }
        Ok(Vault { current: ring.current.clone(), ciphers })
    }

    pub fn current_key(&self) -> &str {
        &self.current
    }

    /// Encrypts with the current key; a fresh random nonce every time.
    pub fn encrypt(&self, plain: &str) -> Result<String> {
        let (cipher, _) = self.ciphers.get(&self.current).ok_or_else(crypto_error)?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, plain.as_bytes()).map_err(|_| crypto_error())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1.{}.{}", self.current, B64.encode(out)))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String> {
        let mut parts = stored.splitn(3, '.');
        let (Some("v1"), Some(key), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(crypto_error());
        };
        let (cipher, _) = self.ciphers.get(key).ok_or_else(crypto_error)?;
        let bytes = B64.decode(body).map_err(|_| crypto_error())?;
        if bytes.len() < 12 {
            return Err(crypto_error());
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = cipher.decrypt(Nonce::from_slice(nonce), sealed).map_err(|_| crypto_error())?;
        String::from_utf8(plain).map_err(|_| crypto_error())
    }

    /// Whether a stored value was encrypted with an older key (rotation still to do).
    pub fn is_stale(&self, stored: &str) -> bool {
        !stored.starts_with(&format!("v1.{}.", self.current))
    }

    fn index_with(&self, key: &[u8], field: &str, normalized: &str) -> String {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The blind index of a value under the current key (what is stored).
    pub fn blind_index(&self, field: &str, normalized: &str) -> String {
        let key = self.ciphers.get(&self.current).map(|(_, k)| k.as_slice()).unwrap_or_default();
        self.index_with(key, field, normalized)
    }

    /// The blind indexes of a value under every key of the ring (what a search looks for,
    /// so that rows not yet re-encrypted during a rotation are still found).
    pub fn blind_indexes(&self, field: &str, normalized: &str) -> Vec<String> {
        self.ciphers.values().map(|(_, key)| self.index_with(key, field, normalized)).collect()
    }
}

/// Phone numbers as compared: digits only, without a leading +86 / 0086.
pub fn normalize_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
        .unwrap_or(&digits)
        .to_string()
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Masks a value for roles without the personal-data permission: 138****1234, z***@qq.com.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if let Some(at) = value.find('@') {
        let (name, domain) = value.split_at(at);
        let first: String = name.chars().take(1).collect();
        return format!("{first}***{domain}");
    }
    match chars.len() {
        0 => String::new(),
        1..=4 => "*".repeat(chars.len()),
        5..=7 => format!("{}****", chars[..2].iter().collect::<String>()),
        n => format!("{}****{}", chars[..3].iter().collect::<String>(), chars[n - 4..].iter().collect::<String>()),
    }
}

pub const MESSAGES: &[crate::i18n::Message] = &[crate::msg!(
    "kernel.crypto.keys_invalid",
    "加密密钥无效（检查 TIANGONG_ENCRYPTION_KEYS 或密钥文件）",
    "Invalid encryption keys (check TIANGONG_ENCRYPTION_KEYS or the key file)"
)];

/// Where the running server gets its vault: the key file (re-read when it changes, so that a
/// rotation made by `tiangong keys rotate` is picked up without a restart) or the environment.
pub struct KeySource {
    file: std::path::PathBuf,
    cached: std::sync::RwLock<Option<(Option<std::time::SystemTime>, std::sync::Arc<Vault>)>>,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySource({})", self.file.display())
    }
}

impl KeySource {
    pub fn new(file: std::path::PathBuf) -> KeySource {
        KeySource { file, cached: std::sync::RwLock::new(None) }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    fn modified(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(&self.file).and_then(|m| m.modified()).ok()
    }

    /// The current vault, reloaded if the key file changed since last time.
    pub fn vault(&self) -> Result<std::sync::Arc<Vault>> {
        let stamp = self.modified();
        if let Ok(guard) = self.cached.read()
            && let Some((seen, vault)) = guard.as_ref()
            && *seen == stamp
        {
            return Ok(vault.clone());
        }
        let vault = std::sync::Arc::new(Vault::new(&KeyRing::load_or_create(&self.file)?)?);
        if let Ok(mut guard) = self.cached.write() {
            *guard = Some((self.modified(), vault.clone()));
        }
        Ok(vault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypts_decrypts_and_rotates() {
        let mut ring = KeyRing::generate();
        let vault = Vault::new(&ring).unwrap();
        let sealed = vault.encrypt("13812341234").unwrap();
        assert!(!sealed.contains("1381234"));
        assert_ne!(sealed, vault.encrypt("13812341234").unwrap(), "a fresh nonce every time");
        assert_eq!(vault.decrypt(&sealed).unwrap(), "13812341234");
        ring.rotate();
        let rotated = Vault::new(&ring).unwrap();
        assert!(rotated.is_stale(&sealed));
        assert_eq!(rotated.decrypt(&sealed).unwrap(), "13812341234", "old keys still decrypt");
        assert!(!rotated.is_stale(&rotated.encrypt("x").unwrap()));
        assert_eq!(rotated.blind_indexes("phone", "13812341234").len(), 2);
        assert!(rotated.blind_indexes("phone", "13812341234").contains(&vault.blind_index("phone", "13812341234")));
        let mut tampered = sealed.clone();
        tampered.pop();
        assert!(vault.decrypt(&tampered).is_err());
    }

    #[test]
    fn masks_and_normalises() {
        assert_eq!(mask("13812341234"), "138****1234");
        assert_eq!(mask("zhang@qq.com"), "z***@qq.com");
        assert_eq!(normalize_phone("+86 138-1234-1234"), "13812341234");
        assert_eq!(normalize_phone("010-6552 9988"), "01065529988");
        assert_eq!(normalize_email(" Zhang@QQ.com "), "zhang@qq.com");
    }
}
