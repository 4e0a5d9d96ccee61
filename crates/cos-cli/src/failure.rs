//! What went wrong, said so that the user knows what to do, and the exit code it gives:
//! 0 success, 1 when an operation (or any file of many) failed, 2 on usage errors.

use std::fmt;
use std::process::ExitCode;

/// A command's failure.
#[derive(Debug)]
pub(crate) struct CliError {
    message: String,
    hint: Option<String>,
    usage: bool,
}

impl CliError {
    /// The command line is wrong (exit code 2).
    pub(crate) fn usage(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: None,
            usage: true,
        }
    }

    /// An operation failed (exit code 1).
    pub(crate) fn failed(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: None,
            usage: false,
        }
    }

    /// Some of many items failed; each was already reported (exit code 1).
    pub(crate) fn partial(failed: u64) -> CliError {
        CliError::failed(format!(
            "{failed} item{} failed (listed above); run the same command again to retry them",
            if failed == 1 { "" } else { "s" }
        ))
    }

    /// Adds what the user can do about it.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// A client error about `what`, with a hint from COS's error code.
    pub(crate) fn cos(what: impl fmt::Display, err: &cos_tokio::Error) -> CliError {
        let error = CliError::failed(format!("{what}: {err}"));
        match hint_for(err) {
            Some(hint) => error.hint(hint),
            None => error,
        }
    }

    /// The process exit code.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(if self.usage { 2 } else { 1 })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// What to do about a COS error code, for the codes users meet most.
pub(crate) fn hint_for(err: &cos_tokio::Error) -> Option<&'static str> {
    let hint = match err.code()? {
        "NoSuchBucket" => {
            "check the bucket name (bucketname-appid) and the region (--region or COS_REGION)"
        }
        "NoSuchKey" => "no object has this key: list the prefix with `cos ls`",
        "AccessDenied" => {
            "the keys lack a permission for this bucket or key: check the CAM policy, or use \
             other keys (--profile, COS_SECRET_ID/COS_SECRET_KEY)"
        }
        "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AccessKeyDisabled" => {
            "the keys are wrong: check COS_SECRET_ID and COS_SECRET_KEY, or --profile"
        }
        "ExpiredToken" | "InvalidToken" => "the temporary keys expired: fetch new ones (COS_TOKEN)",
        "RequestTimeTooSkewed" => "this machine's clock is off: synchronise it (NTP)",
        "BucketAlreadyExists" | "BucketAlreadyOwnedByYou" => "the bucket exists already",
        "BucketNotEmpty" => {
            "delete its objects first (`cos rm -r cos://bucket-appid/`), or `cos rb --force`"
        }
        "NoSuchUpload" => "no pending upload has this id: list them with `cos lsparts`",
        "RestoreNonArchiveObject" => "the object is not archived: it is readable as it is",
        "InvalidObjectState" => "the object is archived: `cos restore` it first",
        _ => return None,
    };
    Some(hint)
}
