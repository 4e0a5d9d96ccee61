//! The harness of the CLI's integration tests: an emulator on 127.0.0.1, the built `cos`
//! binary run against it (keys in the environment, a private empty home so that no
//! credential file of this machine is read), and a client to set up and check objects.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::{GetObject, HeadObject, ListObjects, PutObject};
use cos_tokio::{Client, UploadBody};

/// The bucket every test works in.
pub const BUCKET: &str = "examplebucket-1250000000";

/// An emulator, a scratch directory and a client.
pub struct Env {
    pub emulator: Emulator,
    pub dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    client: Client,
}

/// What a run of `cos` did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`-1`: killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the whole run unless it exited with `code`.
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{self:#?}");
        self
    }

    /// Panics with the whole run unless it succeeded.
    pub fn ok(self) -> Run {
        self.expect_code(0)
    }

    /// The JSON lines of standard output.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
            .collect()
    }
}

impl Env {
    /// A fresh emulator with [`BUCKET`].
    pub fn new() -> Env {
        Env::with(EmulatorConfig::new().bucket(BUCKET, false))
    }

    /// A fresh emulator configured by `config`.
    pub fn with(config: EmulatorConfig) -> Env {
        let emulator = Emulator::start(config).expect("the emulator starts");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let config = Config::builder("ap-guangzhou", BUCKET)
            .path_style(emulator.authority())
            .build()
            .expect("config");
        let client = Client::builder(config)
            .credentials(emulator.credentials().clone())
            .proxy_from_env(false)
            .build()
            .expect("client");
        Env {
            emulator,
            dir: tempfile::tempdir().expect("tempdir"),
            runtime,
            client,
        }
    }

    /// `cos://BUCKET/key`.
    pub fn url(&self, key: &str) -> String {
        format!("cos://{BUCKET}/{key}")
    }

    /// A path in the scratch directory.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The `cos` command with the emulator's endpoint and keys, ready for arguments.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cos"));
        let home = self.dir.path().join(".home");
        std::fs::create_dir_all(&home).expect("home");
        for (name, _) in std::env::vars() {
            if name.starts_with("COS_")
                || name.starts_with("TENCENTCLOUD_")
                || name.starts_with("TKE_")
            {
                command.env_remove(name);
            }
        }
        let credentials = self.emulator.credentials();
        command
            .env("HOME", &home)
            .env("COS_ENDPOINT", self.emulator.endpoint())
            .env("COS_SECRET_ID", credentials.secret_id())
            .env("COS_SECRET_KEY", credentials.secret_key())
            .env("NO_PROXY", "*")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .current_dir(self.dir.path());
        command
    }

    /// Runs `cos args…` to the end.
    pub fn cos(&self, args: &[&str]) -> Run {
        finish(self.command().args(args).output().expect("cos runs"))
    }

    /// Puts `body` at `key` (setup, through the client).
    pub fn put(&self, key: &str, body: impl Into<Bytes>) {
        let body = body.into();
        let put = PutObject::new(key, None);
        self.runtime
            .block_on(self.client.put_object(&put, UploadBody::bytes(body)))
            .expect("put");
    }

    /// The object at `key`, if any.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.runtime.block_on(async {
            match self.client.get_object(&GetObject::new(key)).await {
                Ok((_, body)) => Some(body.bytes().await.expect("body").to_vec()),
                Err(err) if err.is_not_found() => None,
                Err(err) => panic!("get {key}: {err}"),
            }
        })
    }

    /// The object's HEAD.
    pub fn head(&self, key: &str) -> Option<cos_proto::ops::ObjectInfo> {
        self.runtime.block_on(async {
            match self.client.head_object(&HeadObject::new(key)).await {
                Ok(info) => Some(info),
                Err(err) if err.is_not_found() => None,
                Err(err) => panic!("head {key}: {err}"),
            }
        })
    }

    /// Every key under `prefix`, in order.
    pub fn keys(&self, prefix: &str) -> Vec<String> {
        self.runtime.block_on(async {
            let mut keys = Vec::new();
            let mut pages = self.client.paginate(ListObjects::new().prefix(prefix));
            while let Some(page) = pages.next_page().await {
                keys.extend(page.expect("list").contents.into_iter().map(|o| o.key));
            }
            keys
        })
    }

    /// The client (for what the helpers above do not cover).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs a future of the test on the harness's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// A finished process as a [`Run`].
pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Writes `files` (relative path, contents) below `root`.
pub fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
    for (relative, contents) in files {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, contents).expect("write");
    }
}
