//! Replays the fuzz seed corpora (`fuzz/corpus/<target>/`) and every input a
//! fuzzer ever found a problem with (`tests/data/fuzz/<target>/`) through the
//! same checks the fuzz targets run (`imapkit_codec::fuzzing`), so that CI checks
//! them on the stable toolchain without a fuzzer.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../fuzz/corpus").join(target),
        root.join("tests/data/fuzz").join(target),
    ];
    let mut n = 0;
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("read corpus file");
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{target}: {} fails", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "{target}: no corpus found");
    eprintln!("{target}: {n} inputs");
}

#[test]
fn decode_response() {
    replay("decode_response", imapkit_codec::fuzzing::decode_response);
}

#[test]
fn decode_greeting() {
    replay("decode_greeting", imapkit_codec::fuzzing::decode_greeting);
}

#[test]
fn decode_command() {
    replay("decode_command", imapkit_codec::fuzzing::decode_command);
}

#[test]
fn utf7_mailbox() {
    replay("utf7_mailbox", imapkit_codec::fuzzing::utf7_mailbox);
}

#[test]
fn framer_chunks() {
    replay("framer_chunks", imapkit_codec::fuzzing::framer_chunks);
}

#[test]
fn framer_decoder_agree() {
    replay(
        "framer_decoder_agree",
        imapkit_codec::fuzzing::framer_decoder_agree,
    );
}

fn structured<T: for<'u> arbitrary::Arbitrary<'u>>(data: &[u8]) -> Option<T> {
    T::arbitrary_take_rest(arbitrary::Unstructured::new(data)).ok()
}

#[test]
fn roundtrip_command() {
    replay("roundtrip_command", |data| {
        if let Some(c) = structured::<imapkit_proto::Command<'static>>(data) {
            imapkit_codec::fuzzing::roundtrip_command(&c);
        }
    });
}

#[test]
fn roundtrip_response() {
    replay("roundtrip_response", |data| {
        if let Some(r) = structured::<imapkit_proto::Response<'static>>(data) {
            imapkit_codec::fuzzing::roundtrip_response(&r);
        }
    });
}
