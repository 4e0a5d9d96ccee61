//! The admin endpoint under `/-/emulator/` (JSON in, JSON out, no signature): how the
//! binary's users set faults and reset state. `-` is not a valid bucket name, so these
//! paths never collide with path-style COS requests.
//!
//! | Request | Effect |
//! |---|---|
//! | `GET /-/emulator/health` | `{"status":"ok","now":<secs>}` |
//! | `GET /-/emulator/faults` | rules with counters, and the faults fired |
//! | `POST /-/emulator/faults` with a [`crate::FaultRule`] | adds it: `{"id":N}` |
//! | `DELETE /-/emulator/faults` | removes every rule |
//! | `DELETE /-/emulator/faults/N` | removes rule N |
//! | `POST /-/emulator/seed` with `{"seed":N}` | restarts the fault generator |
//! | `POST /-/emulator/clock` with `{"offset_secs":N}` | shifts the clock, then applies lifecycle rules: `{"now":…,"expired":N,"aborted_uploads":M}` |
//! | `POST /-/emulator/lifecycle` | applies every bucket's lifecycle rules now (see `handlers::lifecycle`): `{"expired":N,"aborted_uploads":M}` |
//! | `POST /-/emulator/reset` | deletes all data, recreates configured buckets, clears faults, forgets temporary keys and counters |
//! | `GET /-/emulator/cloud-api` | `{"calls":{"<Action>":N,…},"metadata_requests":N}`: Cloud API calls received per action, metadata requests |
//! | `POST /-/emulator/cloud-api/expire-keys` | every temporary key issued so far expires now: `{"expired":N}` (N were still valid) |
//! | `POST /-/emulator/shutdown` | stops the server |

use http::{Method, Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::body::{RequestBody, ResponseBody};
use crate::context::{App, set_header};
use crate::errors::ErrorCode;
use crate::faults::{FaultId, FaultRule};

const PREFIX: &str = "/-/emulator";
const MAX_BODY: usize = 64 * 1024;

/// `true` for admin paths.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/-/emulator/")
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<ResponseBody> {
    let body = value.to_string();
    let len = body.len();
    let mut response = Response::new(ResponseBody::bytes(body));
    *response.status_mut() = status;
    set_header(&mut response, "content-type", "application/json");
    set_header(&mut response, "content-length", &len.to_string());
    response
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response<ResponseBody> {
    json_response(status, &json!({ "error": message.to_string() }))
}

#[derive(Deserialize)]
struct Seed {
    seed: u64,
}

#[derive(Deserialize)]
struct ClockOffset {
    offset_secs: i64,
}

async fn read_json<T: serde::de::DeserializeOwned>(
    body: &mut RequestBody,
) -> Result<T, Response<ResponseBody>> {
    let bytes = body
        .read_document(MAX_BODY, ErrorCode::EntityTooLarge)
        .await
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.message))?;
    serde_json::from_slice(&bytes).map_err(|e| error(StatusCode::BAD_REQUEST, e))
}

/// Handles an admin request.
pub(crate) async fn handle(
    app: &App,
    parts: &http::request::Parts,
    body: &mut RequestBody,
) -> Response<ResponseBody> {
    let path = parts.uri.path().trim_end_matches('/');
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    match (&parts.method, rest) {
        (&Method::GET, "/health") => {
            json_response(StatusCode::OK, &json!({ "status": "ok", "now": app.now() }))
        }
        (&Method::GET, "/faults") => json_response(
            StatusCode::OK,
            &json!({ "rules": app.faults.rules(), "fired": app.faults.fired() }),
        ),
        (&Method::POST, "/faults") => match read_json::<FaultRule>(body).await {
            Ok(rule) => {
                let id = app.faults.add(rule);
                json_response(StatusCode::OK, &json!({ "id": id.0 }))
            }
            Err(response) => response,
        },
        (&Method::DELETE, "/faults") => {
            app.faults.clear();
            json_response(StatusCode::OK, &json!({ "cleared": true }))
        }
        (&Method::DELETE, other) if other.starts_with("/faults/") => {
            match other["/faults/".len()..].parse::<u64>() {
                Ok(id) => {
                    let removed = app.faults.remove(FaultId(id));
                    json_response(StatusCode::OK, &json!({ "removed": removed }))
                }
                Err(e) => error(StatusCode::BAD_REQUEST, e),
            }
        }
        (&Method::POST, "/seed") => match read_json::<Seed>(body).await {
            Ok(seed) => {
                app.faults.set_seed(seed.seed);
                json_response(StatusCode::OK, &json!({ "seed": seed.seed }))
            }
            Err(response) => response,
        },
        (&Method::POST, "/clock") => match read_json::<ClockOffset>(body).await {
            Ok(offset) => {
                let run = app.set_clock_offset(offset.offset_secs);
                json_response(
                    StatusCode::OK,
                    &json!({
                        "now": app.now(),
                        "expired": run.expired,
                        "aborted_uploads": run.aborted_uploads,
                    }),
                )
            }
            Err(response) => response,
        },
        (&Method::POST, "/lifecycle") => {
            let run = crate::handlers::lifecycle::apply(app);
            json_response(
                StatusCode::OK,
                &json!({ "expired": run.expired, "aborted_uploads": run.aborted_uploads }),
            )
        }
        (&Method::GET, "/cloud-api") => json_response(
            StatusCode::OK,
            &json!({
                "calls": app.cloud.all_calls(),
                "metadata_requests": app.cloud.metadata_requests(),
            }),
        ),
        (&Method::POST, "/cloud-api/expire-keys") => {
            let expired = app.cloud.keys.expire_all(app.now());
            json_response(StatusCode::OK, &json!({ "expired": expired }))
        }
        (&Method::POST, "/reset") => match app.reset() {
            Ok(()) => json_response(StatusCode::OK, &json!({ "reset": true })),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.message),
        },
        (&Method::POST, "/shutdown") => {
            app.request_shutdown();
            json_response(StatusCode::OK, &json!({ "shutdown": true }))
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no admin endpoint {} {path}", parts.method),
        ),
    }
}
