//! Property tests of the framer: a generated session (lines, literals of all
//! syntaxes, status lines with `{n}` text, overlong lines, deep nesting, bare
//! LFs, oversized literals and messages, rejected literals, streamed literals,
//! lists with quoted strings, nested lists and literals over the item limit)
//! gives exactly the events a structural model predicts, whether it is fed
//! whole, in random chunks (splitting CRLFs and `{n}` headers), or byte by byte.

use imapkit_codec::framer::{Direction, FrameErrorKind, FrameEvent, Framer, FramerConfig};
use imapkit_proto::LiteralMode;
use proptest::prelude::*;

const MAX_LINE: usize = 40;
const MAX_LITERAL: u64 = 30;
const MAX_APPEND: u64 = 60;
const MAX_MESSAGE: usize = 120;
const MAX_DEPTH: u32 = 3;
const MAX_ITEMS: u32 = 6;
const STREAM_ABOVE: u64 = 8;
const CHUNK: usize = 5;

/// An event with plain data, comparable with `==` and printable.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Frame {
        bytes: Vec<u8>,
        offset: u64,
        streamed: u32,
    },
    Announced {
        tag: Option<Vec<u8>>,
        len: u64,
        mode: LiteralMode,
        binary: bool,
        append: bool,
        offset: u64,
    },
    Start {
        len: u64,
        mode: LiteralMode,
        binary: bool,
        offset: u64,
    },
    Chunk(Vec<u8>),
    End,
    Error {
        kind: FrameErrorKind,
        offset: u64,
        at: u64,
        raw: Vec<u8>,
    },
}

impl Ev {
    /// Event `e` of framer `f`, just polled: an announcement takes the tag
    /// the framer lends for it ([`Framer::current_tag`]).
    fn of(e: FrameEvent, f: &Framer) -> Self {
        match e {
            FrameEvent::Frame(f) => Self::Frame {
                bytes: f.bytes.to_vec(),
                offset: f.offset,
                streamed: f.streamed_literals,
            },
            FrameEvent::LiteralAnnounced {
                len,
                mode,
                binary,
                append,
                offset,
            } => Self::Announced {
                tag: f.current_tag().map(|t| t.as_bytes().to_vec()),
                len,
                mode,
                binary,
                append,
                offset,
            },
            FrameEvent::LiteralStart {
                len,
                mode,
                binary,
                offset,
            } => Self::Start {
                len,
                mode,
                binary,
                offset,
            },
            FrameEvent::LiteralChunk(c) => Self::Chunk(c.to_vec()),
            FrameEvent::LiteralEnd => Self::End,
            FrameEvent::Error(e) => Self::Error {
                kind: e.kind,
                offset: e.offset,
                at: e.at,
                raw: e.raw.to_vec(),
            },
        }
    }
}

/// A literal at the end of a line: syntax (0 `{n}`, 1 `{n+}`, 2 `~{n}`, 3 `~{n+}`) and data.
#[derive(Debug, Clone)]
struct Lit {
    kind: u8,
    data: Vec<u8>,
}

impl Lit {
    fn mode(&self) -> LiteralMode {
        if self.kind & 1 == 1 {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        }
    }
    fn binary(&self) -> bool {
        self.kind & 2 == 2
    }
    fn header(&self) -> Vec<u8> {
        let plus = if self.mode() == LiteralMode::NonSync {
            "+"
        } else {
            ""
        };
        let tilde = if self.binary() { "~" } else { "" };
        format!("{tilde}{{{}{plus}}}", self.data.len()).into_bytes()
    }
}

/// A line of a message: text, and a literal announced at its end.
#[derive(Debug, Clone)]
struct Seg {
    text: Vec<u8>,
    lit: Option<Lit>,
}

/// One generated piece of a session.
#[derive(Debug, Clone)]
enum Item {
    /// A command or data response of several lines; the first line's text
    /// follows a fixed prefix. `name` picks the command name.
    Message {
        name: u8,
        reject: bool,
        segs: Vec<Seg>,
    },
    /// A response of one line of text (status, tagged, continuation), or
    /// in commands a line with a quoted string hiding `(` and `{n}`.
    Text { kind: u8, text: Vec<u8> },
    /// `k` open parentheses.
    Deep { text_class: bool, k: u32 },
    /// A line ending in a lone LF.
    BareLf { text: Vec<u8> },
    /// A message whose text after the prefix is a parenthesised list.
    List {
        name: u8,
        reject: bool,
        elems: Vec<Elem>,
    },
}

/// An element of a generated list.
#[derive(Debug, Clone)]
enum Elem {
    /// A token without spaces.
    Atom(Vec<u8>),
    /// A quoted string (with spaces, parentheses, escaped quotes).
    Quoted(Vec<u8>),
    /// A list of atoms.
    Nested(Vec<Vec<u8>>),
    /// A literal: its header ends a line, its data follows.
    Literal(Lit),
}

/// The model of item counting: per list (the top level and each
/// parenthesised list), the tokens that follow a space or the list's start.
struct Items {
    /// Item counts, top level first, innermost list last.
    levels: Vec<u32>,
    /// The previous byte outside quotes was part of an item.
    glued: bool,
    quoted: bool,
    escaped: bool,
}

impl Items {
    fn new() -> Self {
        Self {
            levels: vec![0],
            glued: false,
            quoted: false,
            escaped: false,
        }
    }

    /// The index of the first byte of `scanned` (a line without its LF, or
    /// part of it) that starts an item beyond the limit of its list.
    fn over(&mut self, scanned: &[u8]) -> Option<usize> {
        for (i, &b) in scanned.iter().enumerate() {
            if self.quoted {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.quoted = false;
                }
                continue;
            }
            match b {
                b' ' => self.glued = false,
                b'\r' => {}
                b')' => {
                    if self.levels.len() > 1 {
                        self.levels.pop();
                    }
                    self.glued = true;
                }
                _ => {
                    if !self.glued {
                        self.glued = true;
                        let top = self.levels.len() == 1;
                        let n = self.levels.last_mut().unwrap(); // never empty
                        *n += 1;
                        if *n > if top { MAX_ITEMS.max(2) } else { MAX_ITEMS } {
                            return Some(i);
                        }
                    }
                    if b == b'"' {
                        self.quoted = true;
                    } else if b == b'(' {
                        self.levels.push(0);
                        self.glued = false;
                    }
                }
            }
        }
        None
    }
}

struct Model {
    direction: Direction,
    announce: bool,
    stream: bool,
    out: Vec<u8>,
    ev: Vec<Ev>,
    n: usize,
}

impl Model {
    fn config(&self) -> FramerConfig {
        let mut c = FramerConfig::new(self.direction);
        c.max_line = MAX_LINE;
        c.max_literal = MAX_LITERAL;
        c.max_append_literal = MAX_APPEND;
        c.max_message = MAX_MESSAGE;
        c.max_depth = MAX_DEPTH;
        c.max_list_items = MAX_ITEMS;
        c.announce_literals = self.announce;
        c.stream_literals_above = self.stream.then_some(STREAM_ABOVE);
        c.stream_chunk = CHUNK;
        c
    }

    fn commands(&self) -> bool {
        self.direction == Direction::ClientToServer
    }

    fn data_follows(&self, lit: &Lit) -> bool {
        !self.commands() || lit.mode() == LiteralMode::NonSync
    }

    fn error(&mut self, kind: FrameErrorKind, offset: usize, at: usize, raw: Vec<u8>) {
        self.ev.push(Ev::Error {
            kind,
            offset: offset as u64,
            at: at as u64,
            raw,
        });
    }

    fn item(&mut self, item: &Item) {
        self.n += 1;
        match item {
            Item::Message { name, reject, segs } => self.message(*name, *reject, segs),
            Item::Text { kind, text } => self.text(*kind, text),
            Item::Deep { text_class, k } => self.deep(*text_class, *k),
            Item::BareLf { text } => {
                let offset = self.out.len();
                let prefix = if self.commands() {
                    "A1 NOOP "
                } else {
                    "* 1 X "
                };
                self.out.extend_from_slice(prefix.as_bytes());
                self.out.extend_from_slice(text);
                let (kind, at) = match Items::new().over(&self.out[offset..]) {
                    Some(k) => (
                        FrameErrorKind::TooManyItems { limit: MAX_ITEMS },
                        offset + k,
                    ),
                    None => (FrameErrorKind::BareLf, self.out.len()),
                };
                self.out.push(b'\n');
                let raw = self.out[offset..=at].to_vec();
                self.error(kind, offset, at, raw);
            }
            Item::List {
                name,
                reject,
                elems,
            } => self.message(*name, *reject, &list_segs(elems)),
        }
    }

    /// A message: its lines hold no unterminated quoted string, no
    /// literal header inside quotes, no parentheses nested too deep.
    fn message(&mut self, name: u8, reject: bool, segs: &[Seg]) {
        let offset = self.out.len();
        let (tag, append, prefix) = if self.commands() {
            let tag = format!("{}{}", if reject { "R" } else { "A" }, self.n);
            let name = ["APPEND", "append", "LOGIN", "X", "APPENDX"][name as usize % 5];
            let prefix = format!("{tag} {name} ");
            (
                Some(tag.into_bytes()),
                name.eq_ignore_ascii_case("APPEND"),
                prefix,
            )
        } else {
            (None, false, format!("* {} FETCH ", self.n))
        };
        let limit = if append { MAX_APPEND } else { MAX_LITERAL };
        // What the frame holds (streamed data left out, digits zeroed).
        let mut frame: Vec<u8> = Vec::new();
        let mut streamed = 0;
        let mut items = Items::new();
        for (i, seg) in segs.iter().enumerate() {
            let mut content = if i == 0 {
                prefix.clone().into_bytes()
            } else {
                Vec::new()
            };
            content.extend_from_slice(&seg.text);
            let lit = seg.lit.as_ref().filter(|_| i + 1 < segs.len());
            if let Some(lit) = lit {
                content.extend_from_slice(&lit.header());
            }
            let content_len = content.len();
            let mut line = content;
            line.extend_from_slice(b"\r\n");
            // The first byte that breaks a limit, within this line.
            let line_at = (content_len > MAX_LINE).then_some(MAX_LINE + 1);
            let msg_at =
                (frame.len() + line.len() > MAX_MESSAGE).then(|| MAX_MESSAGE - frame.len());
            let broken = match (line_at, msg_at) {
                (Some(l), Some(m)) if m < l => {
                    Some((FrameErrorKind::MessageTooLong { limit: MAX_MESSAGE }, m))
                }
                (Some(l), _) => Some((FrameErrorKind::LineTooLong { limit: MAX_LINE }, l)),
                (None, Some(m)) => Some((FrameErrorKind::MessageTooLong { limit: MAX_MESSAGE }, m)),
                (None, None) => None,
            };
            // Items are counted as the line is scanned: an item error wins
            // if it comes first, or at the same byte.
            let broken = match (items.over(&line[..line.len() - 1]), broken) {
                (Some(k), b) if b.as_ref().map_or(true, |&(_, at)| k <= at) => {
                    Some((FrameErrorKind::TooManyItems { limit: MAX_ITEMS }, k))
                }
                (_, b) => b,
            };
            let line_offset = self.out.len();
            self.out.extend_from_slice(&line);
            if let Some((kind, k)) = broken {
                let mut raw = frame.clone();
                raw.extend_from_slice(&line[..=k]);
                self.error(kind, offset, line_offset + k, raw);
                self.skip_rest(lit, &segs[i + 1..]);
                return;
            }
            let Some(lit) = lit else {
                frame.extend_from_slice(&line);
                self.ev.push(Ev::Frame {
                    bytes: frame,
                    offset: offset as u64,
                    streamed,
                });
                return;
            };
            let len = lit.data.len() as u64;
            let is_streamed = self.stream && len > STREAM_ABOVE;
            frame.extend_from_slice(&line);
            let fail = if len > limit {
                Some(FrameErrorKind::LiteralTooLarge { len, limit, append })
            } else if !is_streamed && frame.len() + lit.data.len() > MAX_MESSAGE {
                Some(FrameErrorKind::MessageTooLong { limit: MAX_MESSAGE })
            } else {
                None
            };
            if let Some(kind) = fail {
                self.error(kind, offset, self.out.len() - 1, frame);
                self.skip_rest(Some(lit), &segs[i + 1..]);
                return;
            }
            if self.announce {
                self.ev.push(Ev::Announced {
                    tag: tag.clone(),
                    len,
                    mode: lit.mode(),
                    binary: lit.binary(),
                    append,
                    offset: self.out.len() as u64,
                });
                if reject && self.commands() {
                    self.skip_rest(Some(lit), &segs[i + 1..]);
                    return;
                }
            }
            if is_streamed {
                // The frame keeps the header with its digits zeroed.
                let digits = len.to_string().len();
                let end = frame.len() - 3 - usize::from(lit.mode() == LiteralMode::NonSync);
                frame[end - digits..end].fill(b'0');
                streamed += 1;
                self.ev.push(Ev::Start {
                    len,
                    mode: lit.mode(),
                    binary: lit.binary(),
                    offset: self.out.len() as u64,
                });
                for c in lit.data.chunks(CHUNK) {
                    self.ev.push(Ev::Chunk(c.to_vec()));
                }
                self.ev.push(Ev::End);
            } else {
                frame.extend_from_slice(&lit.data);
            }
            self.out.extend_from_slice(&lit.data);
        }
    }

    /// The bytes a peer sends after its message failed at a line ending in
    /// `lit`: the data if it follows without `+`, and so on for the rest.
    fn skip_rest<'a>(&mut self, mut lit: Option<&'a Lit>, rest: &'a [Seg]) {
        for (i, seg) in rest.iter().enumerate() {
            match lit {
                Some(l) if self.data_follows(l) => self.out.extend_from_slice(&l.data),
                _ => return,
            }
            self.out.extend_from_slice(&seg.text);
            lit = seg.lit.as_ref().filter(|_| i + 1 < rest.len());
            if let Some(l) = lit {
                self.out.extend_from_slice(&l.header());
            }
            self.out.extend_from_slice(b"\r\n");
        }
    }

    fn text(&mut self, kind: u8, text: &[u8]) {
        let offset = self.out.len();
        let mut content = if self.commands() {
            format!("Q{} LOGIN \"((\\\"{{3}}\" ", self.n).into_bytes()
        } else {
            [
                &b"* OK "[..],
                b"* bye ",
                b"* PREAUTH ",
                b"+ ",
                b"A1 NO ",
                b"* BAD [ALERT] ",
                b"+",
            ][kind as usize % 7]
                .to_vec()
        };
        content.extend_from_slice(text);
        if !self.commands() {
            // Text: `{3}` is no literal header.
            content.extend_from_slice(b"{3}");
        } else if kind % 2 == 0 {
            // An unterminated quoted string: `{3}` is no literal header.
            content.extend_from_slice(b" \"x {3}");
        } else {
            content.extend_from_slice(b" x");
        }
        self.out.extend_from_slice(&content);
        self.out.extend_from_slice(b"\r\n");
        // Commands are counted; response text is not.
        let items = if self.commands() {
            Items::new().over(&content)
        } else {
            None
        };
        if let Some(k) = items.filter(|&k| content.len() <= MAX_LINE || k <= MAX_LINE + 1) {
            let raw = self.out[offset..=offset + k].to_vec();
            self.error(
                FrameErrorKind::TooManyItems { limit: MAX_ITEMS },
                offset,
                offset + k,
                raw,
            );
        } else if content.len() > MAX_LINE {
            let raw = self.out[offset..offset + MAX_LINE + 2].to_vec();
            self.error(
                FrameErrorKind::LineTooLong { limit: MAX_LINE },
                offset,
                offset + MAX_LINE + 1,
                raw,
            );
        } else {
            self.ev.push(Ev::Frame {
                bytes: self.out[offset..].to_vec(),
                offset: offset as u64,
                streamed: 0,
            });
        }
    }

    fn deep(&mut self, text_class: bool, k: u32) {
        let offset = self.out.len();
        let prefix: &[u8] = match (self.commands(), text_class) {
            (true, _) => b"A1 SEARCH ",
            (false, true) => b"* NO ",
            (false, false) => b"* 1 FETCH ",
        };
        self.out.extend_from_slice(prefix);
        self.out.extend(std::iter::repeat(b'(').take(k as usize));
        self.out.extend_from_slice(b"x {2}\r\n");
        // Never too many items (at most 5 in a list).
        assert_eq!(Items::new().over(&self.out[offset..]), None);
        let counted = self.commands() || !text_class;
        if counted && k > MAX_DEPTH {
            let at = offset + prefix.len() + MAX_DEPTH as usize;
            let raw = self.out[offset..=at].to_vec();
            self.error(
                FrameErrorKind::TooDeep { limit: MAX_DEPTH },
                offset,
                at,
                raw,
            );
            // The skipped line ends with `{2}`: data follows unless it is a
            // synchronizing literal in a command.
            if !self.commands() {
                self.out.extend_from_slice(b"ab\r\n");
            }
        } else if counted {
            // A valid message with a literal.
            if self.announce {
                self.ev.push(Ev::Announced {
                    tag: self.commands().then(|| b"A1".to_vec()),
                    len: 2,
                    mode: LiteralMode::Sync,
                    binary: false,
                    append: false,
                    offset: self.out.len() as u64,
                });
            }
            self.out.extend_from_slice(b"ab\r\n");
            self.ev.push(Ev::Frame {
                bytes: self.out[offset..].to_vec(),
                offset: offset as u64,
                streamed: 0,
            });
        } else {
            self.ev.push(Ev::Frame {
                bytes: self.out[offset..].to_vec(),
                offset: offset as u64,
                streamed: 0,
            });
        }
    }
}

/// The lines of a message holding `(elems)`: each literal's header ends a line.
fn list_segs(elems: &[Elem]) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut text = b"(".to_vec();
    for (i, elem) in elems.iter().enumerate() {
        if i > 0 {
            text.push(b' ');
        }
        match elem {
            Elem::Atom(a) => text.extend_from_slice(a),
            Elem::Quoted(q) => {
                text.push(b'"');
                text.extend_from_slice(q);
                text.push(b'"');
            }
            Elem::Nested(atoms) => {
                text.push(b'(');
                text.extend_from_slice(&atoms.join(&b' '));
                text.push(b')');
            }
            Elem::Literal(lit) => segs.push(Seg {
                text: std::mem::take(&mut text),
                lit: Some(lit.clone()),
            }),
        }
    }
    text.push(b')');
    segs.push(Seg { text, lit: None });
    segs
}

/// Text without quotes, backslashes, parentheses, braces or line ends.
fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(b"abcXYZ019 .-+*%]<>[~".to_vec()),
        0..max,
    )
    .prop_map(|mut t| {
        // `~` just before a header would make it a literal8.
        while t.last() == Some(&b'~') {
            t.pop();
        }
        t
    })
}

/// Literal data: any bytes, often line ends and framing characters.
fn data(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(b"\r\n{}()\"\\~+0".to_vec()),
            2 => any::<u8>(),
        ],
        0..max,
    )
}

fn lit() -> impl Strategy<Value = Lit> {
    (0u8..4, prop_oneof![4 => data(24), 1 => data(70)]).prop_map(|(kind, data)| Lit { kind, data })
}

fn seg() -> impl Strategy<Value = Seg> {
    (
        prop_oneof![6 => text(16), 1 => text(60)],
        prop::option::weighted(0.8, lit()),
    )
        .prop_map(|(text, lit)| Seg { text, lit })
}

fn atom() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(b"abXY19*%]~".to_vec()), 1..4)
}

fn elem() -> impl Strategy<Value = Elem> {
    prop_oneof![
        4 => atom().prop_map(Elem::Atom),
        2 => prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(b"a ()[]{}1".to_vec()).prop_map(|b| vec![b]),
                1 => Just(b"\\\"".to_vec()),
            ],
            0..6,
        )
        .prop_map(|q| Elem::Quoted(q.concat())),
        1 => prop::collection::vec(atom(), 0..8).prop_map(Elem::Nested),
        1 => lit().prop_map(Elem::Literal),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        6 => (any::<u8>(), prop::bool::weighted(0.15), prop::collection::vec(seg(), 1..6))
            .prop_map(|(name, reject, segs)| Item::Message { name, reject, segs }),
        2 => (any::<u8>(), prop_oneof![4 => text(20), 1 => text(50)])
            .prop_map(|(kind, text)| Item::Text { kind, text }),
        1 => (any::<bool>(), 0..MAX_DEPTH + 3).prop_map(|(text_class, k)| Item::Deep { text_class, k }),
        1 => text(20).prop_map(|text| Item::BareLf { text }),
        3 => (any::<u8>(), prop::bool::weighted(0.15), prop::collection::vec(elem(), 0..10))
            .prop_map(|(name, reject, elems)| Item::List { name, reject, elems }),
    ]
}

fn run(f: &mut Framer, chunks: impl Iterator<Item = Vec<u8>>) -> Vec<Ev> {
    run_with(f, chunks, |f, _, chunk| f.push(chunk))
}

/// [`run`], the chunks given by [`Framer::read_buf`] and
/// [`Framer::push_buf`] (room enough, or too little) and [`Framer::push`]
/// in turn.
fn run_mixed(f: &mut Framer, chunks: impl Iterator<Item = Vec<u8>>) -> Vec<Ev> {
    run_with(f, chunks, |f, k, chunk| {
        let reserve = match k % 3 {
            0 => chunk.len(),
            1 => 1,
            _ => return f.push(chunk),
        };
        let mut room = f.read_buf(reserve);
        room.extend_from_slice(chunk);
        f.push_buf(room);
    })
}

/// Gives each chunk (and its index) to `feed`, then takes every event,
/// rejecting the literals of commands whose tag starts with `R`.
fn run_with(
    f: &mut Framer,
    chunks: impl Iterator<Item = Vec<u8>>,
    feed: impl Fn(&mut Framer, usize, &[u8]),
) -> Vec<Ev> {
    let mut out = Vec::new();
    for (k, chunk) in chunks.enumerate() {
        feed(f, k, &chunk);
        while let Some(e) = f.poll_event() {
            let ev = Ev::of(e, f);
            let reject = matches!(&ev, Ev::Announced { tag: Some(t), .. } if t.starts_with(b"R"));
            out.push(ev);
            if reject {
                assert!(f.reject_literal());
            }
        }
    }
    out
}

fn split(input: &[u8], sizes: &[usize]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = input;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (a, b) = rest.split_at(n.min(rest.len()));
        out.push(a.to_vec());
        rest = b;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn events_match_the_model_in_any_chunking(
        commands in any::<bool>(),
        announce in any::<bool>(),
        stream in any::<bool>(),
        items in prop::collection::vec(item(), 1..10),
        sizes in prop::collection::vec(1usize..12, 1..8),
    ) {
        let direction = if commands { Direction::ClientToServer } else { Direction::ServerToClient };
        // Commands are always announced (rejection is part of the session).
        let mut model = Model { direction, announce: announce || commands, stream, out: Vec::new(), ev: Vec::new(), n: 0 };
        for item in &items {
            model.item(item);
        }
        let config = model.config();

        let mut whole = Framer::new(config.clone());
        let events = run(&mut whole, std::iter::once(model.out.clone()));
        prop_assert_eq!(&events, &model.ev);
        prop_assert_eq!(whole.buffered(), 0);
        prop_assert_eq!(whole.stats().consumed, model.out.len() as u64);

        let mut chunked = Framer::new(config.clone());
        let events = run(&mut chunked, split(&model.out, &sizes).into_iter());
        prop_assert_eq!(&events, &model.ev);
        prop_assert_eq!(chunked.stats(), whole.stats());

        // Reads straight into the framer's buffer, every other one with
        // less room than it needs, mixed with plain pushes: the same events.
        let mut read_into = Framer::new(config.clone());
        let events = run_mixed(&mut read_into, split(&model.out, &sizes).into_iter());
        prop_assert_eq!(&events, &model.ev);
        prop_assert_eq!(read_into.stats(), whole.stats());

        let mut bytewise = Framer::new(config);
        let events = run(&mut bytewise, model.out.iter().map(|&b| vec![b]));
        prop_assert_eq!(&events, &model.ev);
        prop_assert_eq!(bytewise.stats(), whole.stats());
        prop_assert!(bytewise.scanned() <= whole.scanned());
    }
}

/// Bytes heavy in framing characters.
fn noise() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(b"\r\n{}()\"\\~+0123456789 *AOK".to_vec()),
            1 => any::<u8>(),
        ],
        0..400,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Arbitrary input never panics, never holds more than the limits allow,
    /// and gives the same events in any chunking.
    #[test]
    fn arbitrary_input_is_chunking_invariant_and_bounded(
        input in noise(),
        commands in any::<bool>(),
        announce in any::<bool>(),
        stream in prop::option::of(0u64..20),
        lenient_lf in any::<bool>(),
        line_mode in any::<bool>(),
        limits in (0usize..50, 0u64..60, 0usize..150, 0u32..5, 1usize..8, 0u32..8),
        sizes in prop::collection::vec(1usize..12, 1..8),
    ) {
        let mut config = FramerConfig::new(if commands {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        });
        (config.max_line, config.max_literal, config.max_message, config.max_depth, config.stream_chunk, config.max_list_items) = limits;
        config.max_append_literal = config.max_literal * 2;
        config.announce_literals = announce;
        config.stream_literals_above = stream;
        config.lenient_lf = lenient_lf;
        let bound = config.max_message + config.stream_chunk;

        let drive = |chunks: Vec<Vec<u8>>| -> Result<(Vec<Ev>, Framer), TestCaseError> {
            let mut f = Framer::new(config.clone());
            f.set_line_mode(line_mode);
            let mut out = Vec::new();
            for chunk in chunks {
                f.push(&chunk);
                while let Some(e) = f.poll_event() {
                    // Reject every other announced literal, deterministically.
                    let reject = matches!(e, FrameEvent::LiteralAnnounced { len, .. } if len % 2 == 1);
                    out.push(Ev::of(e, &f));
                    if reject {
                        prop_assert!(f.reject_literal());
                    }
                }
                prop_assert!(f.buffered() <= bound, "buffered {} > {bound}", f.buffered());
            }
            let s = f.stats();
            prop_assert!(s.consumed <= s.pushed && s.consumed + f.buffered() as u64 >= s.pushed);
            Ok((out, f))
        };
        let (whole, fw) = drive(vec![input.clone()])?;
        let (chunked, fc) = drive(split(&input, &sizes))?;
        prop_assert_eq!(&chunked, &whole);
        prop_assert_eq!(fc.stats(), fw.stats());
        let (bytewise, fb) = drive(input.iter().map(|&b| vec![b]).collect())?;
        prop_assert_eq!(&bytewise, &whole);
        prop_assert_eq!(fb.stats(), fw.stats());
        // Frames and errors tile the consumed stream, in order.
        let mut next = 0;
        for e in &whole {
            match e {
                Ev::Frame { offset, bytes, streamed: 0 } => {
                    prop_assert!(*offset >= next);
                    prop_assert_eq!(&input[*offset as usize..*offset as usize + bytes.len()], &bytes[..]);
                    next = *offset + bytes.len() as u64;
                }
                Ev::Error { offset, at, raw, .. } => {
                    prop_assert!(*offset >= next && *at >= *offset);
                    prop_assert_eq!(*raw.last().unwrap(), input[*at as usize]);
                    next = *at + 1;
                }
                _ => {}
            }
        }
    }
}
