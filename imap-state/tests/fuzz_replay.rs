//! Replays the seed corpora of this crate's fuzz targets
//! (`fuzz/corpus/{client_session,server_session,pair,sasl}/`) and every
//! input a fuzzer ever found a problem with (`tests/data/fuzz/<target>/`)
//! through the same checks the targets run (`imapkit_state::fuzzing`), so
//! that CI checks them on the stable toolchain without a fuzzer.

use std::path::{Path, PathBuf};
use std::time::Instant;

use imapkit_state::fuzzing;

/// The target's seeds and regression inputs, sorted by path in each
/// directory; at least one.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../fuzz/corpus").join(target),
        root.join("tests/data/fuzz").join(target),
    ];
    let mut all = Vec::new();
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("read corpus file");
            all.push((path, data));
        }
    }
    assert!(!all.is_empty(), "{target}: no corpus found");
    eprintln!("{target}: {} inputs", all.len());
    all
}

/// Runs `check` on every input of `target`; names the one that fails.
fn replay(target: &str, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    for (path, data) in inputs(target) {
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(result.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn client_session() {
    let epoch = Instant::now();
    replay("client_session", |data| {
        fuzzing::client_session(epoch, data)
    });
}

#[test]
fn server_session() {
    let epoch = Instant::now();
    replay("server_session", |data| {
        fuzzing::server_session(epoch, data)
    });
}

#[test]
fn pair() {
    let epoch = Instant::now();
    replay("pair", |data| fuzzing::pair(epoch, data));
}

#[test]
fn sasl() {
    replay("sasl", fuzzing::sasl);
    // The first byte selects the check: every check has a seed.
    let checks = imapkit_state::sasl::fuzzing::check_count();
    let mut seen = vec![0; checks];
    for (_, data) in inputs("sasl") {
        if let Some(&selector) = data.first() {
            seen[usize::from(selector) % checks] += 1;
        }
    }
    assert!(
        seen.iter().all(|&k| k > 0),
        "every check has a seed: {seen:?}"
    );
}
