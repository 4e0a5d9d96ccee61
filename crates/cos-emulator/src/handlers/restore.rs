//! POST Object ?restore: temporary readable copies of ARCHIVE and DEEP_ARCHIVE objects.
//!
//! A restore takes [`crate::EmulatorConfig::restore_delay`] on the emulator clock
//! (whatever the tier), then the object is readable for `Days` days.

use http::{Response, StatusCode};

use super::MAX_DOCUMENT;
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::{RestoreState, RestoreStatus};
use crate::xml_in;

/// Parses `<RestoreRequest><Days>n</Days><CASJobParameters><Tier>…</Tier>…`.
fn parse_request(body: &[u8]) -> Result<(u64, String), CosError> {
    let root = xml_in::parse_root(body, "RestoreRequest")?;
    let malformed = |what: &str| CosError::with_message(ErrorCode::MalformedXML, what.to_owned());
    let days: u64 = root
        .child_text("Days")
        .and_then(|d| d.trim().parse().ok())
        .filter(|d| (1..=36_500).contains(d))
        .ok_or_else(|| malformed("Days must be a positive integer."))?;
    // COS documents Tier as required; SDKs omit it and COS then uses Standard.
    let tier = root
        .child("CASJobParameters")
        .and_then(|p| p.child_text("Tier"))
        .map_or_else(|| "Standard".to_owned(), |t| t.trim().to_owned());
    if !["Expedited", "Standard", "Bulk"].contains(&tier.as_str()) {
        return Err(malformed("Tier must be Expedited, Standard or Bulk."));
    }
    Ok((days, tier))
}

/// Restore Object: 202 when started, 200 when an existing copy is extended.
pub(crate) async fn restore_object(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let (days, tier) = parse_request(&document)?;
    let now = req.now;
    let delay = req.app.settings.restore_seconds;
    let status =
        req.app
            .store
            .update_version(&req.bucket, &req.key, req.version_id(), |version| {
                if !version.is_archived() {
                    return Err(CosError::new(ErrorCode::RestoreNonArchiveObject));
                }
                if version.storage_class() == "DEEP_ARCHIVE" && tier == "Expedited" {
                    return Err(CosError::with_message(
                        ErrorCode::InvalidArgument,
                        "DEEP_ARCHIVE objects cannot be restored with the Expedited tier.",
                    ));
                }
                match version.restore_status(now) {
                    RestoreStatus::InProgress => {
                        Err(CosError::new(ErrorCode::RestoreAlreadyInProgress))
                    }
                    RestoreStatus::Restored { .. } => {
                        version.restore = Some(RestoreState {
                            completes_at: now,
                            expires_at: now.saturating_add(days.saturating_mul(86_400)),
                        });
                        Ok(StatusCode::OK)
                    }
                    RestoreStatus::None => {
                        let completes_at = now.saturating_add(delay);
                        version.restore = Some(RestoreState {
                            completes_at,
                            expires_at: completes_at.saturating_add(days.saturating_mul(86_400)),
                        });
                        Ok(StatusCode::ACCEPTED)
                    }
                }
            })?;
    Ok(empty(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_requests() {
        let body = b"<RestoreRequest><Days>7</Days><CASJobParameters><Tier>Bulk</Tier></CASJobParameters></RestoreRequest>";
        assert_eq!(parse_request(body).expect("ok"), (7, "Bulk".to_owned()));
        let no_tier = b"<RestoreRequest><Days>7</Days></RestoreRequest>";
        assert_eq!(
            parse_request(no_tier).expect("ok"),
            (7, "Standard".to_owned())
        );
        for bad in [
            &b"<RestoreRequest><Days>0</Days><CASJobParameters><Tier>Bulk</Tier></CASJobParameters></RestoreRequest>"[..],
            b"<RestoreRequest><Days>7</Days><CASJobParameters><Tier>Fast</Tier></CASJobParameters></RestoreRequest>",
            b"<RestoreRequest>",
        ] {
            assert!(parse_request(bad).is_err());
        }
    }
}
