//! Properties of the server session under arbitrary input:
//!
//! - the answers and events do not depend on how the input is chunked
//!   (for transcripts of commands the session runs one at a time, where the
//!   order of answers is fixed by the protocol);
//! - arbitrary bytes never panic it, and with an application that answers
//!   everything it never stalls: it either reads on or has closed.

mod util;

use proptest::prelude::*;
use util::{sasl_config, Harness, Split};

use imapkit_state::server::ServerConfig;
use imapkit_state::ConnectionSecurity;

/// Commands whose answers come in a fixed order: each is answered by the
/// session itself or runs alone. (Not NOOP or FETCH after login: the
/// session reads on while they are in flight, so an answer to a later
/// command, such as a `+`, may come before theirs or after, depending on
/// when the application answers. Both orders are valid, RFC 9051 §5.5.)
const VOCABULARY: &[&str] = &[
    "CAPABILITY\r\n",
    "LOGIN alice wonderland\r\n",
    "LOGIN alice nope\r\n",
    "LOGIN {5}\r\nalice {10}\r\nwonderland\r\n",
    "AUTHENTICATE PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\n",
    "AUTHENTICATE PLAIN\r\nAGFsaWNlAHdyb25n\r\n",
    "AUTHENTICATE PLAIN\r\n*\r\n",
    "SELECT INBOX\r\n",
    "SELECT {5}\r\nINBOX\r\n",
    "CREATE x\r\n",
    "APPEND INBOX {5+}\r\nhello\r\n",
    "APPEND INBOX {5}\r\nhello\r\n",
    "APPEND INBOX {5000+}\r\n",
    "STORE 1 +FLAGS (\\Seen)\r\n",
    "EXPUNGE\r\n",
    "IDLE\r\nDONE\r\n",
    "IDLE\r\nNOOP\r\n",
    "ENABLE QRESYNC\r\n",
    "CLOSE\r\n",
    "XYZZY\r\n",
    "FETCH 0 FLAGS\r\n",
    "\r\n",
    "GET / HTTP/1.1\r\n",
];

fn transcript(picks: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, &p) in picks.iter().enumerate() {
        let line = VOCABULARY[p % VOCABULARY.len()];
        // Untagged vocabulary (garbage) goes as is; the rest gets a tag.
        if !line.starts_with("\r\n") && !line.starts_with("GET") {
            out.extend_from_slice(format!("t{k} ").as_bytes());
        }
        out.extend_from_slice(line.as_bytes());
        if line.contains("{5000+}") {
            out.extend(vec![b'x'; 5000]);
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Feeds `input`, letting time run for failed-login delays, until the
/// session has taken everything or closed.
fn run(security: ConnectionSecurity, split: Split, input: &[u8]) -> (String, Vec<String>) {
    let mut h = Harness::new(sasl_config(), security, split);
    h.send(input);
    settle(&mut h);
    (h.take_wire(), h.take_log())
}

/// Lets time run while the session holds input back (a failed-login delay)
/// or input is left, until it has taken everything or closed.
fn settle(h: &mut Harness) {
    for _ in 0..1000 {
        let waiting = !h.inbox.is_empty() || !h.server.wants_read();
        if h.server.is_closed() || !waiting || h.advance().is_none() {
            return;
        }
    }
    panic!("the session does not settle");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn answers_do_not_depend_on_chunking(
        picks in proptest::collection::vec(0usize..VOCABULARY.len(), 1..24),
        seed in any::<u64>(),
        tls in any::<bool>(),
    ) {
        let security = if tls { ConnectionSecurity::Tls } else { ConnectionSecurity::Plaintext };
        let input = transcript(&picks);
        let whole = run(security, Split::Whole, &input);
        prop_assert_eq!(&run(security, Split::Random(seed), &input), &whole);
        prop_assert_eq!(&run(security, Split::Bytes, &input), &whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic_or_stall(
        chunks in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    4 => proptest::sample::select(b"aAt1 {}()[]\"\\*+~.:%-=".to_vec()),
                    2 => Just(b'\r'),
                    2 => Just(b'\n'),
                    1 => any::<u8>(),
                ],
                0..64,
            ),
            1..40,
        ),
        words in proptest::collection::vec(0usize..VOCABULARY.len(), 0..8),
        seed in any::<u64>(),
        state in 0u8..3,
    ) {
        let mut config = sasl_config();
        config.limits.max_line = 256;
        config.limits.max_literal = 512;
        config.limits.max_append_literal = 1024;
        config.limits.max_message = 2048;
        let mut h = match state {
            0 => Harness::new(config, ConnectionSecurity::Plaintext, Split::Random(seed)),
            1 => Harness::logged_in(config, Split::Random(seed)),
            _ => Harness::selected(config, Split::Random(seed)),
        };
        let mut input = transcript(&words);
        for c in &chunks {
            input.extend_from_slice(c);
        }
        h.send(&input);
        settle(&mut h);
        // Everything answered: the session reads on, or it is closed.
        prop_assert!(h.server.is_closed() || h.server.wants_read());
        prop_assert!(h.server.is_closed() || h.inbox.is_empty());
        prop_assert_eq!(h.server.output_len(), 0);
        prop_assert_eq!(h.server.in_flight(), 0);
    }
}

#[test]
fn the_vocabulary_covers_every_kind_of_answer() {
    // A check of the property's input: refusals, literals, exchanges, IDLE,
    // delays and the garbage limit all occur in one long transcript.
    let mut picks: Vec<usize> = vec![2];
    picks.extend(0..VOCABULARY.len());
    let (wire, log) = run(ConnectionSecurity::Tls, Split::Whole, &transcript(&picks));
    for needle in [
        "+ Ready for literal data",
        "+ idling",
        "NO [AUTHENTICATIONFAILED]",
        "BAD",
    ] {
        assert!(wire.contains(needle), "{needle} in {wire}");
    }
    assert!(
        log.iter().any(|l| l.starts_with("authenticated")),
        "{log:?}"
    );
    let _ = ServerConfig::default();
}
