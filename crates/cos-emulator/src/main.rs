//! The `cos-emulator` binary: serves the emulator until stopped (Ctrl-C, or
//! `POST /-/emulator/shutdown`).

use std::io::Write;
use std::process::ExitCode;

use cos_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig};
use cos_proto::Credentials;

const USAGE: &str = "\
cos-emulator: a local Tencent Cloud COS-compatible server (127.0.0.1 only)

USAGE:
    cos-emulator [OPTIONS]

OPTIONS:
    --port <PORT>            Port on 127.0.0.1 (default 0: any free port)
    --data-dir <DIR>         Keep objects under DIR (default: in memory)
    --secret-id <ID>         Accepted SecretId (default: $COS_EMULATOR_SECRET_ID,
                             else AKIDCOSEMULATOR00000000000000000000)
    --secret-key <KEY>       Accepted SecretKey (default: $COS_EMULATOR_SECRET_KEY,
                             else cosemulatorsecretkey000000000000)
    --token <TOKEN>          Require this STS token (default: $COS_EMULATOR_TOKEN)
    --anonymous              Accept unsigned requests
    --bucket <NAME>          Create this bucket at start (repeatable)
    --versioned-bucket <NAME>
                             Create this bucket with versioning enabled (repeatable)
    --no-auto-create         A bucket exists only once PUT Bucket creates it; others
                             are 404 NoSuchBucket (default: created on first use)
    --fault-seed <N>         Seed of the fault generator (default 0)
    --min-part-size <BYTES>  Smallest non-final multipart part (default 1048576)
    --cvm-role <NAME>        Serve this CVM role on the metadata endpoint
                             (/latest/meta-data/cam/security-credentials/)
    --sts-max-duration <SECS>
                             Longest lifetime of issued temporary keys (default 43200)
    --web-identity-token <TOKEN>
                             The only token AssumeRoleWithWebIdentity accepts
                             (default: any non-empty token)
    --kms-key <KEY_ID>       A KMS key that exists (repeatable; default: every key id)
    --bench-no-hash          For benchmarks only: store bodies without computing their
                             MD5 (ETags from CRC-64 and length; Content-MD5 still
                             checked). Refused with --data-dir
    -h, --help               Show this help

The same port serves the Cloud API (a request with an X-TC-Action header: STS
AssumeRole, AssumeRoleWithWebIdentity, GetFederationToken; KMS GenerateDataKey,
Encrypt, Decrypt) and the CVM metadata endpoint (/latest/...).

Lifecycle rules stored with PUT Bucket lifecycle run when the clock moves
(POST /-/emulator/clock) or on POST /-/emulator/lifecycle.

The first line printed is the endpoint, e.g. `http://127.0.0.1:9000`. Faults and
resets go through the admin endpoint, e.g.
    curl -X POST http://127.0.0.1:9000/-/emulator/faults \\
         -d '{\"method\":\"PUT\",\"times\":2,\"action\":{\"kind\":\"status\",\"status\":503,\"code\":\"SlowDown\"}}'
";

struct Args {
    config: EmulatorConfig,
}

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: {text:?} is not a valid number"))
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = EmulatorConfig::new();
    let mut secret_id = std::env::var("COS_EMULATOR_SECRET_ID").ok();
    let mut secret_key = std::env::var("COS_EMULATOR_SECRET_KEY").ok();
    let mut token = std::env::var("COS_EMULATOR_TOKEN").ok();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => config = config.port(number(&value(&mut args, &arg)?, &arg)?),
            "--data-dir" => config = config.data_dir(value(&mut args, &arg)?),
            "--secret-id" => secret_id = Some(value(&mut args, &arg)?),
            "--secret-key" => secret_key = Some(value(&mut args, &arg)?),
            "--token" => token = Some(value(&mut args, &arg)?),
            "--anonymous" => config = config.anonymous(true),
            "--bucket" => config = config.bucket(value(&mut args, &arg)?, false),
            "--versioned-bucket" => config = config.bucket(value(&mut args, &arg)?, true),
            "--no-auto-create" => config = config.auto_create_buckets(false),
            "--fault-seed" => config = config.fault_seed(number(&value(&mut args, &arg)?, &arg)?),
            "--min-part-size" => {
                config = config.min_part_size(number(&value(&mut args, &arg)?, &arg)?);
            }
            "--cvm-role" => config = config.cvm_role(value(&mut args, &arg)?),
            "--sts-max-duration" => {
                let secs: u64 = number(&value(&mut args, &arg)?, &arg)?;
                config = config.sts_max_duration(std::time::Duration::from_secs(secs));
            }
            "--web-identity-token" => config = config.web_identity_token(value(&mut args, &arg)?),
            "--kms-key" => config = config.kms_key(value(&mut args, &arg)?),
            "--bench-no-hash" => config = config.bench_no_hash(true),
            other => return Err(format!("unknown option {other:?} (see --help)")),
        }
    }
    let id = secret_id.unwrap_or_else(|| DEFAULT_SECRET_ID.to_owned());
    let key = secret_key.unwrap_or_else(|| DEFAULT_SECRET_KEY.to_owned());
    let mut credentials = Credentials::new(id, key).map_err(|e| e.to_string())?;
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        credentials = credentials.with_token(token).map_err(|e| e.to_string())?;
    }
    Ok(Some(Args {
        config: config.credentials(credentials),
    }))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            let _ = std::io::stdout().write_all(USAGE.as_bytes());
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "cos-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(args.config) {
        Ok(emulator) => emulator,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "cos-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", emulator.endpoint());
        let _ = out.flush();
    }
    emulator.wait();
    ExitCode::SUCCESS
}
