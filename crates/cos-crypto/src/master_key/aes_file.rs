//! The one convenience that touches the file system: reading an AES key file.
//!
//! Kept apart from the pure core on purpose. Unlike the Python SDK, nothing here creates a
//! key file or falls back to a default path: a missing file is an error, never a silently
//! generated key.

use std::path::Path;

use zeroize::Zeroizing;

use super::AesMasterKey;
use crate::error::CryptoError;

impl AesMasterKey {
    /// Reads a key file whose whole content is the Base64 text of the key (the Python
    /// SDK's `aes_key_path` format; surrounding whitespace and newlines are ignored).
    ///
    /// This is the only function of the crate that does I/O.
    pub fn from_key_file(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            CryptoError::KeyFile {
                path: path.to_path_buf(),
                source,
            }
        })?);
        Self::from_base64(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master_key::MasterKey;

    #[test]
    fn reads_a_python_style_key_file() {
        let path = std::env::temp_dir().join(format!("cos-crypto-key-{}.pem", std::process::id()));
        std::fs::write(&path, "ERERERERERERERERERERERERERERERERERERERERERE=\n").expect("write");
        let key = AesMasterKey::from_key_file(&path).expect("reads");
        assert_eq!(key.bits(), 256);
        assert_eq!(key.wrap_algorithm(), "AESWrap");
        let _ = std::fs::remove_file(&path);
        assert!(matches!(
            AesMasterKey::from_key_file(&path),
            Err(CryptoError::KeyFile { .. })
        ));
    }
}
