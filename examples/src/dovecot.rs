//! A throw-away Dovecot on loopback for interop tests (`scripts/dovecot.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Environment variable that turns a missing peer into a test failure (CI sets it).
pub const REQUIRE_ENV: &str = "IMAP_REQUIRE_INTEROP";

/// A running Dovecot started by [`start`].
#[derive(Debug, Clone)]
pub struct Dovecot {
    /// Loopback address.
    pub host: String,
    /// Plain IMAP port (STARTTLS offered).
    pub port: u16,
    /// Implicit TLS port.
    pub tls_port: u16,
    /// PEM file of the CA that signed the server certificate.
    pub ca_cert: PathBuf,
    /// Directory holding config, mail and logs.
    pub dir: PathBuf,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("examples/ lies inside the workspace")
        .to_path_buf()
}

/// Starts (or reuses) the Dovecot for `name` on the given ports.
///
/// Returns `None`, after printing why, when Dovecot is not installed and
/// [`REQUIRE_ENV`] is not set; panics when it is set, so that CI never skips.
pub fn start(name: &str, port: u16, tls_port: u16) -> Option<Dovecot> {
    start_with(name, port, tls_port, &[], |_| {})
}

/// [`start`] with environment variables for `scripts/dovecot.sh` (such as
/// `DOVECOT_DISABLE_PLAINTEXT_AUTH=yes`, or `IMAP_HOST=127.0.0.2`, which
/// becomes [`Dovecot::host`]) and a hook run on the instance's
/// directory before the script, e.g. to place `tls/server.pem`,
/// `tls/server.key` and `tls/ca.pem` of the test's own making (the script
/// serves a certificate found there instead of generating one).
///
/// The instance is reused when it already runs: the environment applies to
/// its first start only, and `prepare` runs every time, so it must leave
/// existing files alone (or the served certificate and `ca.pem` could
/// disagree).
pub fn start_with(
    name: &str,
    port: u16,
    tls_port: u16,
    env: &[(&str, &str)],
    prepare: impl FnOnce(&Path),
) -> Option<Dovecot> {
    // Tests of one binary run on several threads; the script is idempotent
    // but not safe to run twice at once.
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let installed = Command::new("sh")
        .args(["-c", "command -v dovecot"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !installed {
        let why = "dovecot is not installed (apt-get install -y dovecot-imapd)";
        if std::env::var_os(REQUIRE_ENV).is_some() {
            panic!("{REQUIRE_ENV} is set but {why}");
        }
        eprintln!("skipping interop test: {why}");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("imap-interop-{name}"));
    std::fs::create_dir_all(&dir).expect("create the Dovecot directory");
    prepare(&dir);
    let out = Command::new("bash")
        .arg(workspace_root().join("scripts/dovecot.sh"))
        .arg("start")
        .arg(&dir)
        .env("IMAP_PORT", port.to_string())
        .env("IMAPS_PORT", tls_port.to_string())
        .envs(env.iter().copied())
        .output()
        .expect("run scripts/dovecot.sh");
    assert!(
        out.status.success(),
        "scripts/dovecot.sh start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let host = env
        .iter()
        .find(|(k, _)| *k == "IMAP_HOST")
        .map_or("127.0.0.1", |(_, v)| *v);
    Some(Dovecot {
        host: host.into(),
        port,
        tls_port,
        ca_cert: dir.join("tls/ca.pem"),
        dir,
    })
}
