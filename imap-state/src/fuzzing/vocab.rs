//! The small vocabularies the operations pick from: typed commands, user
//! names and passwords, the SASL mechanisms of both sides, server responses,
//! and what an application sends. Indices wrap around, so any byte picks
//! something.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use imapkit_codec::{decode, Decoded};
use imapkit_proto::{
    Atom, AuthMechanism, CommandBody, Data, IntoStatic, RespText, Response, Secret, Status,
};

use crate::sasl::login::{LoginClient, LoginServer};
use crate::sasl::oauthbearer::{OAuthBearerClient, OAuthBearerServer};
use crate::sasl::plain::{PlainClient, PlainServer};
use crate::sasl::scram::{ScramClient, ScramHash, ScramServer};
use crate::sasl::xoauth2::{XOAuth2Client, XOAuth2Server};
use crate::sasl::{ChannelBinding, ClientMechanism, ScramSecrets, ServerMechanism};
use crate::server::{Completion, MechanismRequest};

/// The user the application knows, and her password.
pub(super) const USER: &str = "alice";
/// Her password: it must never show in any `Debug` output.
pub(super) const PASSWORD: &str = "wonderland-Zq8";
/// The bearer token of the OAuth mechanisms: never shown either.
pub(super) const TOKEN: &str = "ya29.token-Xv3";
/// The client nonce of SCRAM (RFC 5802 §5.1: printable, no comma).
pub(super) const CLIENT_NONCE: &str = "fyko+d2lbbFgONRv9qkxdawL";
/// The TLS exporter value of the simulated TLS (RFC 9266).
pub(super) const EXPORTER: [u8; 32] = [7; 32];

/// Commands a client may enqueue, one per line (tag left out).
const COMMANDS: &[&str] = &[
    "NOOP",
    "CAPABILITY",
    "SELECT INBOX",
    "EXAMINE Archive",
    "SELECT INBOX (CONDSTORE)",
    "UID FETCH 1:* (UID FLAGS)",
    "FETCH 1:* (UID FLAGS)",
    "FETCH 1 (BODY.PEEK[])",
    "FETCH 2 BODY[]",
    "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)",
    "STORE 1 +FLAGS (\\Seen)",
    "UID STORE 1:3 FLAGS (\\Deleted)",
    "SEARCH UNSEEN",
    "UID SEARCH 1:5 UNSEEN",
    "SEARCH RETURN (SAVE) ALL",
    "UID FETCH $ (FLAGS)",
    "EXPUNGE",
    "UID EXPUNGE 1:3",
    "CLOSE",
    "UNSELECT",
    "LIST \"\" *",
    "STATUS INBOX (MESSAGES UIDNEXT)",
    "APPEND INBOX {11}\r\nHello world",
    "APPEND INBOX (\\Seen) {5+}\r\nabcde",
    "CREATE \"Sent Items\"",
    "COPY 1:2 Archive",
    "MOVE 1 Archive",
    "ENABLE QRESYNC",
    "ENABLE CONDSTORE UTF8=ACCEPT",
    "ID (\"name\" \"fuzz\")",
    "NAMESPACE",
    "CHECK",
    "UNAUTHENTICATE",
    "IDLE",
    "LOGOUT",
    "XFOO bar",
];

/// The enqueued command `k`.
pub(super) fn command(k: usize) -> CommandBody<'static> {
    static PARSED: OnceLock<Vec<CommandBody<'static>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        COMMANDS
            .iter()
            .map(|line| {
                let text = format!("x {line}\r\n");
                match decode::command(text.as_bytes()) {
                    Ok(Decoded::Complete { message, .. }) => message.body.into_static(),
                    other => panic!("vocabulary command {line:?} does not decode: {other:?}"),
                }
            })
            .collect()
    });
    parsed[k % parsed.len()].clone()
}

/// Number of commands in the vocabulary.
pub(super) fn command_count() -> usize {
    COMMANDS.len()
}

/// `(user, password)` for LOGIN: the right one, a wrong one, one that
/// needs literals (non-ASCII, quotes), an empty one.
pub(super) fn login(k: usize) -> (&'static str, Secret<String>) {
    const PAIRS: &[(&str, &str)] = &[
        (USER, PASSWORD),
        (USER, "wrong"),
        ("b\u{f6}b", "p\u{e4}ss \"w\u{f6}rd\""),
        ("", ""),
        ("user\\name", "{5}\r\n"),
    ];
    let (user, password) = PAIRS[k % PAIRS.len()];
    (user, Secret::new(password.to_owned()))
}

/// The client half of mechanism `k` (the library's own mechanisms).
pub(super) fn client_mechanism(k: usize) -> Box<dyn ClientMechanism> {
    let password = || Secret::new(PASSWORD.to_owned());
    let scram = |hash, binding| {
        Box::new(
            ScramClient::new(hash, USER, password(), CLIENT_NONCE.to_owned(), binding)
                .with_max_iterations(4096),
        )
    };
    match k % 9 {
        0 => Box::new(PlainClient::new(USER, password())),
        1 => Box::new(PlainClient::new(USER, password()).with_authzid("admin")),
        2 => Box::new(LoginClient::new(USER, password())),
        3 => Box::new(XOAuth2Client::new(USER, Secret::new(TOKEN.to_owned()))),
        4 => Box::new(
            OAuthBearerClient::new(USER, Secret::new(TOKEN.to_owned()))
                .with_host("imap.example.com")
                .with_port(993),
        ),
        5 => scram(ScramHash::Sha256, ChannelBinding::None),
        6 => scram(
            ScramHash::Sha256,
            ChannelBinding::TlsExporter(EXPORTER.to_vec()),
        ),
        7 => scram(ScramHash::Sha1, ChannelBinding::SupportedNotAdvertised),
        _ => Box::new(PlainClient::new(USER, Secret::new("wrong".to_owned()))),
    }
}

/// The mechanisms a server offers: every one the library has.
pub(super) fn server_mechanisms() -> Vec<AuthMechanism<'static>> {
    let other = |name: &'static str| {
        // Constant atoms.
        AuthMechanism::Other(Atom::try_from(name).expect("a valid atom"))
    };
    vec![
        AuthMechanism::ScramSha256,
        other("SCRAM-SHA-256-PLUS"),
        AuthMechanism::ScramSha1,
        AuthMechanism::Plain,
        AuthMechanism::Login,
        AuthMechanism::XOAuth2,
        AuthMechanism::OAuthBearer,
    ]
}

/// Creates the server half of a mechanism (the factory of the configuration).
pub(super) fn server_mechanism(req: &MechanismRequest<'_>) -> Option<Box<dyn ServerMechanism>> {
    let name = String::from_utf8_lossy(req.mechanism.as_bytes()).to_ascii_uppercase();
    let mut raw = [0u8; 24];
    req.fill_random(&mut raw);
    let nonce: String = raw.iter().map(|b| char::from(b'a' + b % 26)).collect();
    let binding = || match req.channel_binding {
        Some(v) => ChannelBinding::TlsExporter(v.to_vec()),
        None => ChannelBinding::None,
    };
    let plus = req.plus_advertised;
    let mech: Box<dyn ServerMechanism> = match name.as_str() {
        "PLAIN" => Box::new(PlainServer::new()),
        "LOGIN" => Box::new(LoginServer::new()),
        "XOAUTH2" => Box::new(XOAuth2Server::new().with_error("{\"status\":\"401\"}")),
        "OAUTHBEARER" => Box::new(OAuthBearerServer::new()),
        "SCRAM-SHA-256" => Box::new(ScramServer::new(ScramHash::Sha256, nonce, binding(), plus)),
        "SCRAM-SHA-1" => Box::new(ScramServer::new(ScramHash::Sha1, nonce, binding(), plus)),
        "SCRAM-SHA-256-PLUS" => Box::new(
            ScramServer::new(
                ScramHash::Sha256,
                nonce,
                ChannelBinding::TlsExporter(req.channel_binding?.to_vec()),
                true,
            )
            .with_plus_variant(),
        ),
        _ => return None,
    };
    Some(mech)
}

/// A deterministic random source for one run (the server's SCRAM nonces).
pub(super) fn random_source() -> crate::server::RandomSource {
    let state = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    Arc::new(move |buf: &mut [u8]| {
        let mut x = state.fetch_add(0x6A09_E667, Ordering::Relaxed) | 1;
        for b in buf {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    })
}

/// The SCRAM secrets of [`USER`] for `hash` (derived once: PBKDF2 is slow).
pub(super) fn scram_secrets(hash: ScramHash) -> ScramSecrets {
    static SHA1: OnceLock<ScramSecrets> = OnceLock::new();
    static SHA256: OnceLock<ScramSecrets> = OnceLock::new();
    let cell = match hash {
        ScramHash::Sha1 => &SHA1,
        ScramHash::Sha256 => &SHA256,
    };
    cell.get_or_init(|| {
        // A constant password, salt and count: derivation cannot fail.
        ScramSecrets::derive(hash, PASSWORD, b"salt-of-alice", 4096).expect("valid parameters")
    })
    .clone()
}

/// Response codes a tagged answer may carry (with their brackets).
pub(super) fn code(k: usize, n: u16) -> String {
    let n = u32::from(n).max(1);
    match k % 16 {
        0..=2 => String::new(),
        3 => "[CAPABILITY IMAP4rev1 IMAP4rev2 IDLE LITERAL+ SASL-IR ENABLE QRESYNC CONDSTORE UIDPLUS MOVE UNSELECT COMPRESS=DEFLATE] ".into(),
        4 => "[READ-WRITE] ".into(),
        5 => "[READ-ONLY] ".into(),
        6 => format!("[UIDVALIDITY {n}] "),
        7 => format!("[UIDNEXT {n}] "),
        8 => format!("[HIGHESTMODSEQ {n}] "),
        9 => "[CLOSED] ".into(),
        10 => "[ALERT] ".into(),
        11 => "[REFERRAL imap://evil.example.com/] ".into(),
        12 => format!("[APPENDUID 42 {n}] "),
        13 => "[AUTHENTICATIONFAILED] ".into(),
        14 => "[COMPRESSIONACTIVE] ".into(),
        _ => "[CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN AUTH=SCRAM-SHA-256] ".into(),
    }
}

/// A server response for the client: untagged data and status, greetings,
/// continuation requests. `a` and `b` parameterize numbers.
pub(super) fn server_response(k: usize, a: u8, b: u16) -> Vec<u8> {
    let a = u32::from(a).max(1);
    let b = u32::from(b).max(1);
    let c = b.saturating_add(a);
    let text = match k % 34 {
        0 => "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS SASL-IR LITERAL+ IDLE ENABLE QRESYNC CONDSTORE UIDPLUS MOVE UNSELECT COMPRESS=DEFLATE] ready".into(),
        1 => "* OK ready".into(),
        2 => "* PREAUTH [CAPABILITY IMAP4rev2 IDLE] logged in".into(),
        3 => "* BYE going away".into(),
        4 => "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN".into(),
        5 => "* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=SCRAM-SHA-1 SASL-IR IDLE COMPRESS=DEFLATE ENABLE QRESYNC CONDSTORE UNSELECT UIDPLUS MOVE UNAUTHENTICATE".into(),
        6 => format!("* {a} EXISTS"),
        7 => format!("* {a} RECENT"),
        8 => format!("* {a} EXPUNGE"),
        9 => format!("* {a} FETCH (UID {b} FLAGS (\\Seen))"),
        10 => format!("* {a} FETCH (FLAGS (\\Deleted) MODSEQ ({b}))"),
        11 => format!("* {a} FETCH (UID {b} BODY[] {{5}}\r\nhello)"),
        12 => format!("* {a} FETCH (UID {b} RFC822.SIZE 120 BODY[] {{{a}}}\r\n{}", "x".repeat(a as usize) + ")"),
        13 => "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)".into(),
        14 => "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] flags".into(),
        15 => format!("* OK [UIDVALIDITY {b}] uids valid"),
        16 => format!("* OK [UIDNEXT {b}] next"),
        17 => format!("* OK [HIGHESTMODSEQ {b}] modseq"),
        18 => "* OK [CLOSED] previous mailbox closed".into(),
        19 => format!("* VANISHED {b}:{c}"),
        20 => format!("* VANISHED (EARLIER) {b},{c}"),
        21 => "* ENABLED QRESYNC CONDSTORE".into(),
        22 => "* OK [ALERT] your account expires".into(),
        23 => "* NO [REFERRAL imap://evil.example.com/] go elsewhere".into(),
        24 => "* BAD something went wrong".into(),
        25 => "* LIST (\\HasNoChildren) \"/\" INBOX".into(),
        26 => format!("* SEARCH {a} {b}"),
        27 => format!("* STATUS INBOX (MESSAGES {a} UIDNEXT {b})"),
        28 => "+ idling".into(),
        29 => "+ ".into(),
        30 => {
            // SCRAM server-first extending the client nonce (RFC 5802 §7).
            let first = format!("r={CLIENT_NONCE}3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
            format!("+ {}", b64(first.as_bytes()))
        }
        31 => format!("+ {}", b64(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
        32 => format!("+ {}", b64(b"{\"status\":\"401\",\"schemes\":\"bearer\"}")),
        _ => format!("* {a} FETCH (UID {b} MODSEQ ({c}) FLAGS ())"),
    };
    let mut line = text.into_bytes();
    line.extend_from_slice(b"\r\n");
    line
}

/// Untagged data an application sends (`a`, `b`: numbers).
pub(super) fn data(k: usize, a: u8, b: u16) -> Data<'static> {
    let a = u32::from(a).max(1);
    let b = u32::from(b).max(1);
    let line = match k % 14 {
        0 => format!("* {a} EXISTS"),
        1 => format!("* {a} RECENT"),
        2 => format!("* {a} EXPUNGE"),
        3 => format!("* {a} FETCH (UID {b} FLAGS (\\Seen))"),
        4 => format!("* {a} FETCH (FLAGS ())"),
        5 => "* FLAGS (\\Seen \\Deleted \\Flagged)".into(),
        6 => "* LIST (\\HasNoChildren) \"/\" INBOX".into(),
        7 => format!("* STATUS INBOX (MESSAGES {a})"),
        8 => format!("* SEARCH {a} {b}"),
        9 => format!("* VANISHED {b}:{}", b.saturating_add(a)),
        10 => format!("* VANISHED (EARLIER) {b}"),
        11 => format!("* {a} FETCH (UID {b} BODY[] {{5}}\r\nhello)"),
        12 => "* CAPABILITY IMAP4rev2 IDLE".into(),
        _ => "* NAMESPACE ((\"\" \"/\")) NIL NIL".into(),
    };
    let text = format!("{line}\r\n");
    match decode::response(text.as_bytes()) {
        Ok(Decoded::Complete {
            message: Response::Data(d),
            ..
        }) => d.into_static(),
        other => panic!("vocabulary data {line:?} does not decode: {other:?}"),
    }
}

/// A completion an application answers with.
pub(super) fn completion(status: u8, code_k: u8, n: u16) -> Completion {
    let status = match status % 3 {
        0 => Status::Ok,
        1 => Status::No,
        _ => Status::Bad,
    };
    let code = code(usize::from(code_k), n);
    let line = format!("* OK {code}done\r\n");
    let text = match decode::response(line.as_bytes()) {
        Ok(Decoded::Complete {
            message: Response::Status(s),
            ..
        }) => s.text.into_static(),
        // Every code of the vocabulary decodes; plain text if not.
        _ => RespText::text("done").expect("constant text"),
    };
    Completion::new(status, text)
}

/// Standard base64.
pub(super) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
