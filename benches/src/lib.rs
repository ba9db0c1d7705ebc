//! Deterministic generators of realistic IMAP traffic for the benchmarks.
//!
//! Every generator takes a seed and returns whole messages (each ending in
//! CRLF), so that runs are reproducible and every crate compared decodes the
//! same bytes. The shapes follow what Dovecot and Gmail send during an initial
//! sync: multipart messages, many recipients, RFC 2047 encoded-word subjects
//! (Japanese among them), attachments with RFC 2231 filenames.

#![warn(missing_docs, missing_debug_implementations)]

pub mod client;
pub mod inputs;
pub mod reads;
pub mod server;
pub mod sides;
pub mod stream;

/// A small, fast, seeded pseudo-random generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// One of `items`.
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.next_u64() as usize % items.len()]
    }

    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }
}

const NAMES: &[&str] = &[
    "Alice Example",
    "Bob Builder",
    "=?UTF-8?B?5bGx55SwIOWkqumDjg==?=",
    "Carol Jones",
    "Dave O'Brien",
    "=?ISO-8859-1?Q?=C9milie_Dupont?=",
    "=?UTF-8?B?5L2Q6JekIOiKseWtkA==?=",
    "Support Team",
];
const DOMAINS: &[&str] = &[
    "example.org",
    "example.com",
    "mail.example.jp",
    "corp.example.net",
];
const SUBJECTS: &[&str] = &[
    "Quarterly report Q3",
    "=?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=",
    "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
    "Re: lunch on Friday?",
    "Invoice #4711 (attached)",
    "=?UTF-8?Q?Caf=C3=A9_meeting_notes?=",
    "Fwd: =?UTF-8?B?6KaL56mN5pu4?= for the new office",
    "[project-x] Build failed on main (#1234)",
];
const FLAGS: &[&str] = &[
    "",
    "\\Seen",
    "\\Seen \\Flagged",
    "\\Answered \\Seen",
    "$Forwarded \\Seen",
    "\\Seen $Junk",
    "\\Draft",
];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn address(rng: &mut Rng, out: &mut String) {
    let name = rng.pick(NAMES);
    let user = rng.range(1, 999);
    let domain = rng.pick(DOMAINS);
    out.push_str(&format!("(\"{name}\" NIL \"user{user}\" \"{domain}\")"));
}

fn address_list(rng: &mut Rng, n: u64, out: &mut String) {
    if n == 0 {
        out.push_str("NIL");
        return;
    }
    out.push('(');
    for _ in 0..n {
        address(rng, out);
    }
    out.push(')');
}

fn envelope(rng: &mut Rng, k: u64, out: &mut String) {
    let day = rng.range(1, 28);
    out.push_str(&format!(
        "(\"Mon, {day} Nov 2026 10:{:02}:{:02} +0900\" \"{}\" ",
        rng.range(0, 59),
        rng.range(0, 59),
        rng.pick(SUBJECTS)
    ));
    let mut from = String::new();
    address_list(rng, 1, &mut from);
    out.push_str(&from);
    out.push(' ');
    out.push_str(&from);
    out.push(' ');
    out.push_str(&from);
    out.push(' ');
    let to = rng.range(1, 12);
    address_list(rng, to, out);
    out.push(' ');
    let cc = if rng.chance(40) { rng.range(1, 5) } else { 0 };
    address_list(rng, cc, out);
    out.push_str(" NIL ");
    if rng.chance(50) {
        out.push_str(&format!("\"<reply{}@example.org>\"", k.saturating_sub(1)));
    } else {
        out.push_str("NIL");
    }
    out.push_str(&format!(
        " \"<msg{k}.{}@example.org>\")",
        rng.next_u64() % 100_000
    ));
}

fn text_part(rng: &mut Rng, subtype: &str, out: &mut String) {
    let size = rng.range(100, 40_000);
    out.push_str(&format!(
        "(\"text\" \"{subtype}\" (\"charset\" \"utf-8\") NIL NIL \"{}\" {size} {} NIL NIL NIL NIL)",
        rng.pick(&["7bit", "quoted-printable", "base64", "8bit"]),
        size / 60 + 1
    ));
}

fn attachment(rng: &mut Rng, out: &mut String) {
    let (ty, sub, name) = *rng.pick(&[
        ("application", "pdf", "report.pdf"),
        ("image", "png", "screenshot.png"),
        (
            "application",
            "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "budget.xlsx",
        ),
        ("application", "octet-stream", "data.bin"),
    ]);
    let size = rng.range(2_000, 3_000_000);
    out.push_str(&format!(
        "(\"{ty}\" \"{sub}\" (\"name\" \"{name}\") NIL NIL \"base64\" {size} NIL \
         (\"attachment\" (\"filename*\" \"UTF-8''%E5%A0%B1%E5%91%8A_{name}\" \"size\" \"{size}\")) NIL NIL)"
    ));
}

fn alternative(rng: &mut Rng, out: &mut String) {
    out.push('(');
    text_part(rng, "plain", out);
    text_part(rng, "html", out);
    out.push_str(&format!(
        " \"alternative\" (\"boundary\" \"=_alt{}\") NIL NIL NIL)",
        rng.next_u64() % 1_000_000
    ));
}

fn bodystructure(rng: &mut Rng, out: &mut String) {
    match rng.range(0, 5) {
        0 | 1 => text_part(rng, "plain", out),
        2 => alternative(rng, out),
        3 => {
            out.push('(');
            alternative(rng, out);
            for _ in 0..rng.range(1, 3) {
                attachment(rng, out);
            }
            out.push_str(&format!(
                " \"mixed\" (\"boundary\" \"=_mix{}\") NIL NIL NIL)",
                rng.next_u64() % 1_000_000
            ));
        }
        _ => {
            // A forwarded message: message/rfc822 with its own envelope and body.
            out.push('(');
            text_part(rng, "plain", out);
            let size = rng.range(1_000, 50_000);
            out.push_str(&format!(
                "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" {size} "
            ));
            envelope(rng, 0, out);
            out.push(' ');
            text_part(rng, "plain", out);
            out.push_str(&format!(" {} NIL NIL NIL NIL)", size / 60));
            out.push_str(" \"mixed\" (\"boundary\" \"=_fwd\") NIL NIL NIL)");
        }
    }
}

/// An initial sync: `* n FETCH (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ)`
/// for `count` messages.
pub fn sync_metadata(seed: u64, count: u32) -> Vec<Vec<u8>> {
    sync_metadata_with(seed, count, true)
}

/// [`sync_metadata`] with or without the `MODSEQ` item (RFC 7162), which not
/// every crate compared can decode. Both variants are otherwise byte for byte
/// the same (the random choices do not depend on `modseq`).
pub fn sync_metadata_with(seed: u64, count: u32, modseq: bool) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let mut uid = 1000u64;
    (1..=count as u64)
        .map(|n| {
            uid += rng.range(1, 3);
            let mut s = format!(
                "* {n} FETCH (UID {uid} FLAGS ({}) INTERNALDATE \"{:02}-{}-2026 {:02}:{:02}:{:02} +0000\" RFC822.SIZE {} ENVELOPE ",
                rng.pick(FLAGS),
                rng.range(1, 28),
                rng.pick(MONTHS),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59),
                rng.range(800, 4_000_000),
            );
            envelope(&mut rng, n, &mut s);
            s.push_str(" BODYSTRUCTURE ");
            bodystructure(&mut rng, &mut s);
            if modseq {
                s.push_str(&format!(" MODSEQ ({})", 100_000 + n * 7));
            }
            s.push_str(")\r\n");
            s.into_bytes()
        })
        .collect()
}

/// `* n FETCH (UID u BODY[] {len}...)` responses with literal sizes from 1 KiB to 2 MiB.
pub fn bodies(seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let sizes = [
        1024usize,
        4096,
        16 * 1024,
        64 * 1024,
        256 * 1024,
        1024 * 1024,
        2 * 1024 * 1024,
    ];
    sizes
        .iter()
        .enumerate()
        .map(|(k, &len)| {
            let mut m = format!("* {} FETCH (UID {} BODY[] {{{len}}}\r\n", k + 1, 5000 + k).into_bytes();
            let line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
            let start = m.len();
            while m.len() - start < len {
                let take = line.len().min(len - (m.len() - start));
                m.extend_from_slice(&line[..take]);
            }
            // A little noise so payloads differ.
            let noise = rng.next_u64().to_le_bytes();
            let at = start + len / 2;
            m[at..at + 8].copy_from_slice(&noise.map(|b| b'a' + b % 26));
            m.extend_from_slice(b")\r\n");
            m
        })
        .collect()
}

/// What a server sends besides big FETCHes: EXISTS, EXPUNGE, FETCH FLAGS, tagged OK and the like.
pub fn mixed_small(seed: u64, count: u32) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|k| {
            let n = rng.range(1, 20_000);
            match rng.range(0, 9) {
                0 => format!("* {n} EXISTS\r\n"),
                1 => format!("* {n} EXPUNGE\r\n"),
                2 | 3 => format!(
                    "* {n} FETCH (UID {} FLAGS ({}))\r\n",
                    n + 4000,
                    rng.pick(FLAGS)
                ),
                4 => format!(
                    "* {n} FETCH (FLAGS ({}) MODSEQ ({}))\r\n",
                    rng.pick(FLAGS),
                    90_000 + k
                ),
                5 => format!("a{k} OK Fetch completed (0.001 + 0.000 secs).\r\n"),
                6 => format!("* OK [HIGHESTMODSEQ {}] Highest\r\n", 90_000 + k),
                7 => "* 0 RECENT\r\n".to_string(),
                8 => format!(
                    "a{k} OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n"
                ),
                _ => format!("* SEARCH {} {} {}\r\n", n, n + 3, n + 17),
            }
            .into_bytes()
        })
        .collect()
}

/// What a client sends in a session: UID FETCH with sets, UID STORE, SEARCH with
/// nested keys, APPEND with a literal, LIST, STATUS, SELECT with QRESYNC.
pub fn client_mix(seed: u64, count: u32) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|k| {
            let a = rng.range(1, 50_000);
            let b = a + rng.range(1, 500);
            match rng.range(0, 8) {
                0 => format!("a{k} UID FETCH {a}:{b},{} (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ) (CHANGEDSINCE {})\r\n", b + 9, 1000 + k),
                1 => format!("a{k} UID FETCH {a} (BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)] BODY.PEEK[1]<0.2048>)\r\n"),
                2 => format!("a{k} UID STORE {a}:{b} +FLAGS.SILENT (\\Seen $Forwarded)\r\n"),
                3 => format!("a{k} UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 OR (FROM \"bob@example.org\" SINCE 1-Nov-2026) (NOT SEEN SUBJECT \"report\") UNDELETED\r\n"),
                4 => {
                    let body = "From: a@example.org\r\nTo: b@example.org\r\nSubject: draft\r\n\r\nHello there.\r\n".repeat(1 + (k as usize % 5));
                    format!("a{k} APPEND Drafts (\\Draft \\Seen) \"29-Nov-2026 09:00:00 +0900\" {{{}+}}\r\n{body}\r\n", body.len())
                }
                5 => format!("a{k} LIST \"\" \"*\"\r\n"),
                6 => format!("a{k} STATUS \"&kAFP4W4IMH8-\" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)\r\n"),
                _ => format!("a{k} SELECT INBOX (QRESYNC (67890007 {} 1:{b} ({a}:{b} {a}:{b})))\r\n", 90_000 + k),
            }
            .into_bytes()
        })
        .collect()
}

/// The messages that contain none of `patterns` (to leave out shapes that a
/// crate compared cannot decode, by their content).
pub fn without(messages: &[Vec<u8>], patterns: &[&str]) -> Vec<Vec<u8>> {
    messages
        .iter()
        .filter(|m| {
            !patterns
                .iter()
                .any(|p| m.windows(p.len()).any(|w| w == p.as_bytes()))
        })
        .cloned()
        .collect()
}

/// The messages joined into one stream.
pub fn concat(messages: &[Vec<u8>]) -> Vec<u8> {
    messages.concat()
}
