//! Replays the seed corpora of the session fuzz targets
//! (`fuzz/corpus/{client_session,server_session,pair}/`) and every input a
//! fuzzer ever found a problem with (`tests/data/fuzz/<target>/`) through
//! the same checks the targets run (`imapkit_state::fuzzing`), so that CI
//! checks them on the stable toolchain without a fuzzer.

use std::path::Path;
use std::time::Instant;

use imapkit_state::fuzzing;

fn replay(target: &str, check: fn(Instant, &[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../fuzz/corpus").join(target),
        root.join("tests/data/fuzz").join(target),
    ];
    let epoch = Instant::now();
    let mut n = 0;
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("read corpus file");
            let result = std::panic::catch_unwind(|| check(epoch, &data));
            assert!(result.is_ok(), "{target}: {} fails", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "{target}: no corpus found");
    eprintln!("{target}: {n} inputs");
}

#[test]
fn client_session() {
    replay("client_session", fuzzing::client_session);
}

#[test]
fn server_session() {
    replay("server_session", fuzzing::server_session);
}

#[test]
fn pair() {
    replay("pair", fuzzing::pair);
}
