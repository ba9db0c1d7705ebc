//! Shared by the mailbox tests: feeds server lines, decoded by the codec, to
//! a `SelectedMailbox` the way a client routes them.

#![allow(dead_code)] // each test file uses a part

use imapkit_codec::decode;
use imapkit_proto::Response;
use imapkit_state::error::ViolationKind;
use imapkit_state::mailbox::{MailboxChange, SelectedMailbox};

/// What one response did to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Out {
    Change(MailboxChange),
    Violation(ViolationKind),
}

/// Feeds one server line (without CRLF): data to `handle_data`, a code to
/// `handle_code`, a tagged response then to `select_completed` or
/// `command_completed`.
pub(crate) fn feed(mb: &mut SelectedMailbox, line: &str) -> Vec<Out> {
    let bytes = format!("{line}\r\n");
    let (response, used) = decode::response(bytes.as_bytes())
        .unwrap_or_else(|e| panic!("{line:?} does not decode: {e:?}"))
        .complete()
        .unwrap_or_else(|| panic!("{line:?} is incomplete"));
    assert_eq!(used, bytes.len(), "{line:?} decodes to its end");
    let mut out = Vec::new();
    let mut push = |r: Result<Option<MailboxChange>, ViolationKind>| match r {
        Ok(Some(c)) => out.push(Out::Change(c)),
        Ok(None) => {}
        Err(v) => out.push(Out::Violation(v)),
    };
    match response {
        Response::Data(data) => push(mb.handle_data(&data)),
        Response::Status(status) => {
            if let Some(code) = status.code() {
                push(mb.handle_code(code));
            }
            if status.tag().is_some() {
                if mb.is_selecting() {
                    out.extend(mb.select_completed().into_iter().map(Out::Change));
                } else {
                    out.extend(mb.command_completed().map(Out::Change));
                }
            }
        }
        Response::Continue(_) => {}
    }
    out
}

/// Feeds the `S: ` lines of a transcript (`C: ` lines and others are
/// skipped) and returns everything they did, in order.
pub(crate) fn script(mb: &mut SelectedMailbox, transcript: &str) -> Vec<Out> {
    transcript
        .lines()
        .filter_map(|l| l.trim().strip_prefix("S: "))
        .flat_map(|l| feed(mb, l))
        .collect()
}

/// Only the changes; panics on a violation.
pub(crate) fn changes(mb: &mut SelectedMailbox, transcript: &str) -> Vec<MailboxChange> {
    script(mb, transcript)
        .into_iter()
        .map(|o| match o {
            Out::Change(c) => c,
            Out::Violation(v) => panic!("unexpected violation: {v}"),
        })
        .collect()
}

/// The message numbers and UIDs of the model, `None` for unknown UIDs.
pub(crate) fn uids(mb: &SelectedMailbox) -> Vec<Option<u32>> {
    (1..=mb.exists()).map(|s| mb.uid(s)).collect()
}
