//! `encryption.json`: client-side envelope encryption belongs to `cos-crypto`, not to the
//! core; its cases are checked there.

use serde_json::Value;

use super::Verdict;

pub(super) fn check(_meta: &Value, _case: &Value) -> Verdict {
    Verdict::Skip("client-side encryption is checked by cos-crypto's own tests".into())
}
