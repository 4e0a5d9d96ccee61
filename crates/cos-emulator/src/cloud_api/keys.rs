//! Temporary keys: the ones STS and the metadata endpoint issue, and what the COS and
//! Cloud API signature checks ask about them. Also the generator their values (and
//! request ids, data keys, nonces) come from.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// At most this many temporary keys are remembered; issuing more first forgets the
/// expired ones, then the ones that expire first.
const MAX_KEYS: usize = 100_000;
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unique, random-looking bytes: SHA-256 of a per-emulator seed and a counter. Not
/// secret against someone who knows the seed, which is fine for an emulator.
#[derive(Debug)]
pub(crate) struct Generator {
    seed: [u8; 32],
    counter: AtomicU64,
}

impl Generator {
    /// A generator whose output depends on `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let seed = Sha256::digest(format!("cos-emulator cloud api {seed}").as_bytes()).into();
        Self {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// `n` bytes never produced before by this generator.
    pub(crate) fn bytes(&self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 32);
        while out.len() < n {
            let count = self.counter.fetch_add(1, Ordering::Relaxed);
            let mut hasher = Sha256::new();
            hasher.update(self.seed);
            hasher.update(count.to_le_bytes());
            out.extend_from_slice(&hasher.finalize());
        }
        out.truncate(n);
        out
    }

    /// `n` characters of `alphabet` (whose length must divide 256 for an even spread;
    /// 62 is close enough here).
    fn text(&self, n: usize, alphabet: &[u8]) -> String {
        self.bytes(n)
            .into_iter()
            .map(|b| char::from(alphabet[usize::from(b) % alphabet.len()]))
            .collect()
    }

    /// A version-4 UUID, as Cloud API request ids are.
    pub(crate) fn uuid(&self) -> String {
        let mut random = [0; 16];
        random.copy_from_slice(&self.bytes(16)[..16]);
        cos_proto::cloud_api::uuid_v4(random)
    }
}

/// One issued key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemporaryKey {
    /// `TmpSecretId`.
    pub(crate) secret_id: String,
    /// `TmpSecretKey`.
    pub(crate) secret_key: String,
    /// `Token`: must accompany every request signed with the key.
    pub(crate) token: String,
    /// `ExpiredTime`: the key works while the emulator clock is before this.
    pub(crate) expired_time: u64,
}

/// What a request signed with a secret id that may be temporary gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// Not an issued id.
    Unknown,
    /// Issued, but the request's token is absent or another one.
    WrongToken,
    /// Issued with this token, but its time is over.
    Expired,
    /// Valid: the secret key to check the signature with.
    Valid(String),
}

/// Every temporary key issued and not yet forgotten.
#[derive(Debug, Default)]
pub(crate) struct TemporaryKeys {
    keys: Mutex<HashMap<String, TemporaryKey>>,
}

impl TemporaryKeys {
    /// Issues a key valid from `now` for `lifetime` seconds.
    pub(crate) fn issue(&self, generator: &Generator, now: u64, lifetime: u64) -> TemporaryKey {
        let key = TemporaryKey {
            secret_id: format!("AKID{}", generator.text(32, ALNUM)),
            secret_key: generator.text(32, ALNUM),
            token: generator.text(192, TOKEN_CHARS),
            expired_time: now.saturating_add(lifetime),
        };
        let mut keys = self.lock();
        if keys.len() >= MAX_KEYS {
            keys.retain(|_, k| k.expired_time > now);
        }
        while keys.len() >= MAX_KEYS {
            let Some(first) = keys
                .values()
                .min_by_key(|k| k.expired_time)
                .map(|k| k.secret_id.clone())
            else {
                break;
            };
            keys.remove(&first);
        }
        keys.insert(key.secret_id.clone(), key.clone());
        key
    }

    /// How a request by `secret_id` carrying `token` stands at `now`.
    pub(crate) fn check(&self, secret_id: &str, token: Option<&str>, now: u64) -> Check {
        let keys = self.lock();
        let Some(key) = keys.get(secret_id) else {
            return Check::Unknown;
        };
        if token != Some(key.token.as_str()) {
            Check::WrongToken
        } else if now >= key.expired_time {
            Check::Expired
        } else {
            Check::Valid(key.secret_key.clone())
        }
    }

    /// Makes every key expire at `now`; returns how many were still valid.
    pub(crate) fn expire_all(&self, now: u64) -> usize {
        let mut keys = self.lock();
        let mut valid = 0;
        for key in keys.values_mut() {
            if key.expired_time > now {
                key.expired_time = now;
                valid += 1;
            }
        }
        valid
    }

    /// Forgets every key.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TemporaryKey>> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_expire() {
        let generator = Generator::new(1);
        let keys = TemporaryKeys::default();
        let a = keys.issue(&generator, 100, 10);
        let b = keys.issue(&generator, 100, 10);
        assert_ne!(a.secret_id, b.secret_id);
        assert!(a.secret_id.starts_with("AKID") && a.secret_id.len() == 36);
        assert_eq!(a.expired_time, 110);
        let token = Some(a.token.as_str());
        assert_eq!(
            keys.check(&a.secret_id, token, 109),
            Check::Valid(a.secret_key.clone())
        );
        assert_eq!(keys.check(&a.secret_id, token, 110), Check::Expired);
        assert_eq!(keys.check(&a.secret_id, None, 100), Check::WrongToken);
        assert_eq!(
            keys.check(&a.secret_id, Some(&b.token), 100),
            Check::WrongToken
        );
        assert_eq!(keys.check("AKIDnope", token, 100), Check::Unknown);
        assert_eq!(keys.expire_all(105), 2);
        assert_eq!(
            keys.check(&b.secret_id, Some(&b.token), 105),
            Check::Expired
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let id = Generator::new(7).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }
}
