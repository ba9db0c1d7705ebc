//! `imapflow` (Node.js) against the demo server: connect over implicit TLS
//! trusting the demo's certificate, list with special-use, append, fetch
//! (byte-exact source, flags, envelope, body structure), and IDLE receiving
//! another connection's APPEND as EXISTS (`tests/js/imapflow.js`).
//!
//! The npm packages are installed with `npm ci` from the committed
//! `package-lock.json` when `tests/js/node_modules` is missing.

mod demo_util;

use std::process::Command;

use demo_util::{have, tests_dir, DemoServer};

#[test]
fn imapflow_against_the_demo_server() {
    if !have("node", "apt-get install -y nodejs npm") || !have("npm", "apt-get install -y npm") {
        return;
    }
    let js = tests_dir().join("js");
    if !js.join("node_modules/imapflow").exists() {
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&js)
            .output()
            .expect("run npm ci");
        assert!(
            out.status.success(),
            "npm ci failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let demo = DemoServer::start("imapflow", 12140, 12141);
    let out = Command::new("node")
        .arg(js.join("imapflow.js"))
        .arg(demo.tls_port.to_string())
        .arg(&demo.cert)
        .current_dir(&js)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "imapflow checks failed:\n{}{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        demo.log()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("all checks passed"));
}
