//! `imap-decode --quirks`: after each response that relied on a server
//! quirk, a `quirks:` line names the quirks (`imap-codec/QUIRKS.md`), and
//! the summary counts those responses; conforming responses get no line.

use imap_examples::trace::{decode_stream, Options, Summary};
use imapkit_codec::framer::Direction;

fn trace(input: &[u8], quiet: bool) -> (String, Summary) {
    let mut o = Options::new(Direction::ServerToClient);
    o.quirks = true;
    o.quiet = quiet;
    let mut out = Vec::new();
    let mut s = Summary::default();
    decode_stream(input, &o, &mut out, &mut s).expect("write to a Vec");
    (String::from_utf8(out).expect("UTF-8 output"), s)
}

const INPUT: &[u8] = b"* 3 EXISTS\r\n\
    * STATUS Deleted Items (MESSAGES 0)\r\n\
    a1 OK done\r\n\
    *  4 EXISTS\r\n\
    * ID (\"name\", ProtonMail \"os\" NIL)\r\n";

#[test]
fn quirky_responses_are_named_and_counted() {
    let (out, s) = trace(INPUT, false);
    let quirk_lines: Vec<&str> = out.lines().filter(|l| l.contains("quirks:")).collect();
    assert_eq!(
        quirk_lines,
        [
            "      12 quirks: {SPACE_IN_MAILBOX}",
            "      61 quirks: {EXTRA_SPACE}",
            "      74 quirks: {ATOM_FOR_STRING, COMMA_SEPARATOR}",
        ],
        "{out}"
    );
    // Each follows its response's line.
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("quirks: {SPACE"))
        .unwrap();
    assert!(
        lines[at - 1].starts_with("      12 S: Data(Status"),
        "{out}"
    );
    assert_eq!((s.messages, s.errors, s.quirky), (5, 0, 3));
}

#[test]
fn quirk_lines_are_printed_when_quiet_too() {
    let (out, s) = trace(INPUT, true);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.lines().all(|l| l.contains("quirks:")), "{out}");
    assert_eq!(s.quirky, 3);
}

#[test]
fn without_the_option_nothing_is_named() {
    let mut out = Vec::new();
    let mut s = Summary::default();
    decode_stream(
        INPUT,
        &Options::new(Direction::ServerToClient),
        &mut out,
        &mut s,
    )
    .unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("quirks:"));
    assert_eq!(s.quirky, 0);
}
