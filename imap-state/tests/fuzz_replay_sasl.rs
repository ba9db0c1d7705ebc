//! Replays the `sasl` fuzz target's seed corpus (`fuzz/corpus/sasl/`) and
//! every input a fuzzer ever found a problem with
//! (`tests/data/fuzz/sasl/`) through the same checks the target runs
//! (`imapkit_state::sasl::fuzzing::sasl`), so that CI checks them on the
//! stable toolchain without a fuzzer.

use std::path::Path;

use imapkit_state::sasl::fuzzing;

#[test]
fn sasl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../fuzz/corpus/sasl"),
        root.join("tests/data/fuzz/sasl"),
    ];
    let checks = fuzzing::check_count();
    let mut seen = vec![0; checks];
    let mut n = 0;
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("read corpus file");
            let result = std::panic::catch_unwind(|| fuzzing::sasl(&data));
            assert!(result.is_ok(), "sasl: {} fails", path.display());
            if let Some(&selector) = data.first() {
                seen[usize::from(selector) % checks] += 1;
            }
            n += 1;
        }
    }
    eprintln!("sasl: {n} inputs, per check {seen:?}");
    assert!(
        seen.iter().all(|&k| k > 0),
        "every check has a seed: {seen:?}"
    );
}
