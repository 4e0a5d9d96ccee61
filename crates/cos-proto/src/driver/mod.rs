//! What every driver (`cos-tokio`, `cos-blocking`, or your own) needs around the
//! operations, written once: the call state machine that retries and re-signs
//! ([`call`]), the client error type ([`error`]) and options ([`options`]), credentials
//! caching ([`credentials_cache`]), body pacing ([`pace`]), pagination ([`pages`]), the
//! resuming GET ([`resume`]) and the Select event stream ([`select_stream`]). A driver
//! performs the I/O these ask for and nothing else.

pub mod call;
pub mod credentials_cache;
pub mod error;
pub mod options;
pub mod pace;
pub mod pages;
pub mod resume;
pub mod select_stream;
