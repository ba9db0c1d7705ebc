//! The bench inputs are deterministic and every side decodes every message of
//! the inputs it is measured on (so a fast number is never a parser that
//! stopped early).

use imap_benches::inputs::{self, Input};
use imap_benches::sides;

fn assert_all(input: &Input, f: fn(&[u8]) -> Result<usize, sides::StreamError>) {
    assert_eq!(f(&input.stream), Ok(input.count()), "{}", input.name);
}

#[test]
fn deterministic() {
    assert_eq!(inputs::sync_full().stream, inputs::sync_full().stream);
    assert_eq!(inputs::client_full().stream, inputs::client_full().stream);
}

#[test]
fn sync_variants_differ_only_by_modseq() {
    let (full, nm) = (inputs::sync_full(), inputs::sync_no_modseq());
    assert_eq!(full.count(), nm.count());
    for (a, b) in full.messages.iter().zip(&nm.messages) {
        let a = String::from_utf8_lossy(a);
        let k = a.rfind(" MODSEQ (").expect("full has MODSEQ");
        let e = k + a[k..].find(')').expect("closing paren") + 1;
        assert_eq!(format!("{}{}", &a[..k], &a[e..]).as_bytes(), &b[..]);
    }
}

#[test]
fn every_side_decodes_its_inputs() {
    for input in [inputs::sync_full(), inputs::mixed_full()] {
        assert_all(&input, sides::ours_responses);
        assert_all(&input, sides::imap_proto_responses);
    }
    for input in [
        inputs::sync_no_modseq(),
        inputs::bodies_full(),
        inputs::mixed_no_modseq(),
    ] {
        assert_all(&input, sides::ours_responses);
        assert_all(&input, sides::imap_codec_responses);
        assert_all(&input, sides::imap_proto_responses);
    }
    assert_all(&inputs::client_no_condstore(), sides::imap_codec_commands);
}

#[test]
fn left_out_shapes_are_the_documented_ones() {
    // imap-codec 1.0 fails on exactly the messages the subsets leave out.
    for m in &inputs::mixed_full().messages {
        let unsupported = String::from_utf8_lossy(m).contains(" MODSEQ (");
        assert_eq!(sides::imap_codec_responses(m).is_err(), unsupported);
    }
    let subset = inputs::client_no_condstore();
    assert!(subset.count() > inputs::CLIENT_COUNT as usize / 2);
}

#[test]
fn encoders_round_trip() {
    let input = inputs::mixed_no_modseq();
    let mut out = Vec::new();
    let ours = sides::ours_decode_all(&input.stream);
    sides::ours_encode(&ours, &mut out);
    assert_eq!(sides::ours_responses(&out), Ok(input.count()));
    let theirs = sides::imap_codec_decode_all(&input.stream);
    sides::imap_codec_encode(&theirs, &mut out);
    assert_eq!(sides::imap_codec_responses(&out), Ok(input.count()));
}

/// The session benchmarks' setups and streams run through a `Client`
/// without a violation (their setups follow the calling contract: events
/// taken after each input), and every update is delivered.
#[test]
fn client_bench_sessions_run_without_a_violation() {
    use imap_benches::client::{full_sync, idling_client, syncing_client, updates, updates_stream};
    let now = std::time::Instant::now();
    let (stream, messages) = updates_stream(7, 20_000, 10_000);
    let mut c = idling_client(20_000, now);
    assert!(updates(&mut c, now, &stream, 16 * 1024) >= messages);
    let input = inputs::sync_full();
    let mut c = syncing_client(input.count() as u32, now);
    assert_eq!(
        full_sync(&mut c, now, &input.stream, 16 * 1024),
        input.count()
    );
}
