//! Running the real binary and reading its banner.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn sigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sigil"));
    c.env_remove("SIGIL_HOME")
        .env_remove("SIGIL_IDP_LISTEN")
        .env_remove("SIGIL_DATABASE_URL");
    c
}

pub(crate) fn run(args: &[&str]) -> Output {
    sigil().args(args).output().unwrap()
}

/// A `sigil up` child process, killed on drop if still running.
pub(crate) struct Up {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) installation: String,
    /// `http://ip:port` of the gateway when it runs.
    pub(crate) gateway: Option<String>,
}

impl Up {
    pub(crate) fn start(home: &Path) -> Up {
        Self::start_with(home, &[])
    }

    pub(crate) fn start_with(home: &Path, extra: &[&str]) -> Up {
        Self::start_with_env(home, extra, &[])
    }

    pub(crate) fn start_with_env(home: &Path, extra: &[&str], env: &[(&str, &str)]) -> Up {
        let mut child = sigil()
            .envs(env.iter().copied())
            .args([
                "up",
                "--home",
                home.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .args(extra)
            .env("SIGIL_GATEWAY_HTTP_LISTEN", "127.0.0.1:0")
            .env("SIGIL_GATEWAY_HTTPS_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut installation, mut gateway) = (String::new(), String::new(), None);
        let deadline = Instant::now() + Duration::from_secs(60);
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.trim().strip_prefix("identity provider") {
                url = rest.trim().to_owned();
            }
            if let Some(rest) = line.trim().strip_prefix("gateway") {
                gateway = rest
                    .split_whitespace()
                    .next()
                    .filter(|u| u.starts_with("http://"))
                    .map(str::to_owned);
            }
            if let Some(rest) = line.strip_prefix("installation ") {
                installation = rest.trim().to_owned();
            }
            if line == "sigil is ready" {
                break;
            }
            assert!(Instant::now() < deadline, "sigil up did not become ready");
        }
        assert!(url.starts_with("https://localhost:"), "banner had no URL");
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Up {
            child,
            url,
            installation,
            gateway,
        }
    }

    pub(crate) fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "sigil did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub(crate) fn client_trusting(ca_pem: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap())
        .build()
        .unwrap()
}
