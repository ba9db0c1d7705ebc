//! SEARCH evaluation (RFC 9051 §6.4.4) for the keys real clients send.
//!
//! Flag, size, date, UID and sequence keys read the message list only.
//! String keys parse the message (with `mail-parser`) on demand and match
//! case-insensitive substrings of the decoded text (RFC 9051 §6.4.4):
//! header fields unfolded and their encoded words decoded together (the
//! library's `encoded_word::decode_header_with`, with `mail-parser`'s
//! charsets: adjacent words are joined before decoding, so a character a
//! sender split between two words still reads), bodies with their transfer
//! encodings and charsets decoded; so `SUBJECT 日本` finds an ISO-2022-JP
//! subject, and `SUBJECT 2022` does not find it by its charset's name.

use std::time::{SystemTime, UNIX_EPOCH};

use imapkit_proto::encoded_word::decode_header_with;
use imapkit_proto::{AString, SearchKey};
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{MessageParser, PartType};

use crate::store::date::date_of;
use crate::store::error::{Result, StoreError};
use crate::store::mailbox::Msg;
use crate::store::message::MessageMeta;
use crate::store::Store;

/// What a search needs besides the message.
pub(crate) struct Scope<'a> {
    pub(crate) store: &'a Store,
    pub(crate) largest_seq: u32,
    pub(crate) largest_uid: u32,
    pub(crate) saved: Option<&'a [u32]>,
    /// `\Recent` UIDs of the session, ascending.
    pub(crate) recent: &'a [u32],
}

/// Text of a message for string keys, built once per message per search.
#[derive(Default)]
struct Texts {
    /// `(lowercase field name, decoded value)`, lowercase.
    headers: Vec<(String, String)>,
    /// The whole header decoded, a `name: value` line per field, lowercase
    /// (for TEXT).
    header_block: String,
    /// The decoded text parts, lowercase.
    body: String,
}

/// Whether message `m` (number `seq`) matches `key`.
pub(crate) fn matches(scope: &Scope<'_>, key: &SearchKey<'_>, seq: u32, m: &Msg) -> Result<bool> {
    let mut texts = None;
    eval(scope, key, seq, m, &mut texts)
}

fn eval(
    scope: &Scope<'_>,
    key: &SearchKey<'_>,
    seq: u32,
    m: &Msg,
    texts: &mut Option<Texts>,
) -> Result<bool> {
    use imapkit_proto::Flag;
    use SearchKey as K;
    let recent = scope.recent.binary_search(&m.uid).is_ok();
    let internal = m.core.internal_date;
    let internal_date = date_of(internal.unix_timestamp(), internal.zone_minutes());
    Ok(match key {
        K::All => true,
        K::Answered => m.flags.contains(&Flag::Answered),
        K::Deleted => m.flags.contains(&Flag::Deleted),
        K::Draft => m.flags.contains(&Flag::Draft),
        K::Flagged => m.flags.contains(&Flag::Flagged),
        K::Seen => m.flags.contains(&Flag::Seen),
        K::Unanswered => !m.flags.contains(&Flag::Answered),
        K::Undeleted => !m.flags.contains(&Flag::Deleted),
        K::Undraft => !m.flags.contains(&Flag::Draft),
        K::Unflagged => !m.flags.contains(&Flag::Flagged),
        K::Unseen => !m.flags.contains(&Flag::Seen),
        K::Keyword(k) => m.flags.has_keyword(k.as_str()),
        K::Unkeyword(k) => !m.flags.has_keyword(k.as_str()),
        K::New => recent && !m.flags.seen(),
        K::Old => !recent,
        K::Recent => recent,
        K::Before(d) => internal_date < *d,
        K::On(d) => internal_date == *d,
        K::Since(d) => internal_date >= *d,
        K::SentBefore(d) => sent(scope, m)?.is_some_and(|s| s < *d),
        K::SentOn(d) => sent(scope, m)?.is_some_and(|s| s == *d),
        K::SentSince(d) => sent(scope, m)?.is_some_and(|s| s >= *d),
        K::Larger(n) => m.core.size > *n,
        K::Smaller(n) => m.core.size < *n,
        K::Uid(set) => match set {
            imapkit_proto::SequenceSet::LastResult => {
                scope.saved.is_some_and(|s| s.binary_search(&m.uid).is_ok())
            }
            set => set.contains(m.uid, scope.largest_uid),
        },
        K::SequenceSet(set) => match set {
            imapkit_proto::SequenceSet::LastResult => {
                scope.saved.is_some_and(|s| s.binary_search(&m.uid).is_ok())
            }
            set => set.contains(seq, scope.largest_seq),
        },
        K::Not(k) => !eval(scope, k, seq, m, texts)?,
        K::Or(a, b) => eval(scope, a, seq, m, texts)? || eval(scope, b, seq, m, texts)?,
        K::And(keys) => {
            for k in keys.iter() {
                if !eval(scope, k, seq, m, texts)? {
                    return Ok(false);
                }
            }
            true
        }
        K::ModSeq { modseq, .. } => m.modseq >= *modseq,
        K::EmailId(id) => id.as_bytes() == m.core.email_id.as_bytes(),
        K::Older(secs) => now() - internal.unix_timestamp() >= i64::from(secs.get()),
        K::Younger(secs) => now() - internal.unix_timestamp() <= i64::from(secs.get()),
        K::From(s) => header_has(text_of(scope, m, texts)?, "from", s),
        K::To(s) => header_has(text_of(scope, m, texts)?, "to", s),
        K::Cc(s) => header_has(text_of(scope, m, texts)?, "cc", s),
        K::Bcc(s) => header_has(text_of(scope, m, texts)?, "bcc", s),
        K::Subject(s) => header_has(text_of(scope, m, texts)?, "subject", s),
        K::Header(field, s) => {
            let field = String::from_utf8_lossy(field.as_bytes()).to_lowercase();
            header_has(text_of(scope, m, texts)?, &field, s)
        }
        K::Body(s) => text_of(scope, m, texts)?.body.contains(&needle(s)),
        K::Text(s) => {
            let t = text_of(scope, m, texts)?;
            let n = needle(s);
            t.header_block.contains(&n) || t.body.contains(&n)
        }
        K::ThreadId(_) => false,
        _ => {
            return Err(StoreError::Cannot {
                what: "search with this key",
            })
        }
    })
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn needle(s: &AString<'_>) -> String {
    String::from_utf8_lossy(s.as_bytes()).to_lowercase()
}

/// Whether a field `name` holds `s` (an empty `s` matches any message
/// that has the field, RFC 9051 §6.4.4 HEADER).
fn header_has(t: &Texts, name: &str, s: &AString<'_>) -> bool {
    let n = needle(s);
    t.headers.iter().any(|(f, v)| f == name && v.contains(&n))
}

/// The `Date:` field's date (parsed once with the message metadata).
fn sent(scope: &Scope<'_>, m: &Msg) -> Result<Option<imapkit_proto::Date>> {
    Ok(meta(scope, m)?.sent.map(|s| s.1))
}

fn meta(scope: &Scope<'_>, m: &Msg) -> Result<std::sync::Arc<MessageMeta>> {
    if let Some(meta) = m.core.meta.get() {
        return Ok(meta.clone());
    }
    let raw = scope.store.read(&m.core.path)?;
    let meta = std::sync::Arc::new(MessageMeta::parse(&raw));
    Ok(m.core.meta.get_or_init(|| meta).clone())
}

fn text_of<'t>(scope: &Scope<'_>, m: &Msg, cache: &'t mut Option<Texts>) -> Result<&'t Texts> {
    if cache.is_none() {
        let raw = scope.store.read(&m.core.path)?;
        *cache = Some(build_texts(&raw));
    }
    // Filled just above.
    Ok(cache.get_or_insert_with(Texts::default))
}

fn build_texts(raw: &[u8]) -> Texts {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Texts {
            body: String::from_utf8_lossy(raw).to_lowercase(),
            ..Default::default()
        };
    };
    let root = &msg.parts[0];
    let mut t = Texts::default();
    for h in &root.headers {
        let start = (h.offset_start as usize).min(raw.len());
        let end = (h.offset_end as usize).clamp(start, raw.len());
        let name = h.name.as_str().to_lowercase();
        let value = header_text(&raw[start..end]).to_lowercase();
        t.header_block.push_str(&name);
        t.header_block.push_str(": ");
        t.header_block.push_str(&value);
        t.header_block.push('\n');
        t.headers.push((name, value));
    }
    let mut body = String::new();
    collect_text(&msg, &mut body);
    t.body = body.to_lowercase();
    t
}

/// A header field's raw value as text: unfolded (RFC 5322 §2.2.3), its
/// encoded words decoded (RFC 2047) in any charset `mail-parser` knows,
/// bytes outside them read as UTF-8 (lossily).
fn header_text(raw: &[u8]) -> String {
    let mut unfolded = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match &raw[i..] {
            [b'\r', b'\n', b' ' | b'\t', ..] => i += 2,
            [b'\n', b' ' | b'\t', ..] => i += 1,
            [b'\r' | b'\n', ..] => i += 1,
            [b, ..] => {
                unfolded.push(*b);
                i += 1;
            }
            [] => break,
        }
    }
    let text = decode_header_with(&unfolded, |label, bytes| {
        charset_decoder(label.as_bytes()).map(|decode| decode(bytes))
    });
    text.as_str().trim().to_owned()
}

/// The text of every text part, encapsulated messages included.
fn collect_text(msg: &mail_parser::Message<'_>, out: &mut String) {
    for p in &msg.parts {
        match &p.body {
            PartType::Text(s) | PartType::Html(s) => {
                out.push_str(s);
                out.push('\n');
            }
            PartType::Message(inner) => collect_text(inner, out),
            _ => {}
        }
    }
}
