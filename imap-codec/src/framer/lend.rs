//! Messages lent from the framer's buffer ([`Framer::poll_lent`]): decoded
//! where they lie, without splitting them off into a `Bytes` of their own.

use std::fmt;

use bytes::Bytes;
use imapkit_proto::{AuthenticateData, Command, Greeting, Response};

use super::event::Gaps;
use super::{Frame, FrameEvent, Framer};
use crate::error::DecodeError;

/// What [`Framer::poll_lent`] returns: a whole message lent from the
/// framer's buffer, or any other event.
#[derive(Debug)]
pub enum Lent<'a> {
    /// A whole message, borrowed from the framer until dropped.
    Frame(FrameRef<'a>),
    /// Any other event, as [`Framer::poll_event`] reports it (never
    /// [`FrameEvent::Frame`]).
    Event(FrameEvent),
}

/// A whole message lent by [`Framer::poll_lent`]: what a [`Frame`] holds,
/// borrowed from the framer's buffer instead of split off it. Values
/// decoded from it borrow it; when it is dropped, the framer drops the
/// message from its buffer and goes on with the next.
///
/// Lending costs no reference count, which a `Frame` (split off the
/// buffer, then dropped) and every string of a value made from it
/// (`into_shared`) cost: two atomic operations each. A
/// caller that handles each message and keeps none of it (a trace
/// decoder, a proxy's filter, a client that only counts `EXISTS`) is
/// fastest this way; one that keeps something takes the message with
/// [`FrameRef::into_frame`] (the split `poll_event` makes) or copies what
/// it keeps.
pub struct FrameRef<'a> {
    framer: &'a mut Framer,
    /// The message when it is not in the framer's buffer as one piece (it
    /// had a streamed literal, and its other bytes were put together; the
    /// framer keeps where their data was left out, `lent_gaps`).
    owned: Option<Bytes>,
    offset: u64,
    streamed_literals: u32,
    /// Lent by the framer's one-line path ([`FrameRef::lent`]): a single
    /// line, no literal.
    one_line: bool,
}

impl<'a> FrameRef<'a> {
    /// The lent message, or the message `poll_event` split off when it is
    /// not in the buffer as one piece.
    pub(super) fn new(framer: &'a mut Framer, frame: Frame) -> Self {
        let owned = (framer.lent == 0).then_some(frame.bytes);
        framer.lent_gaps = frame.gaps;
        Self {
            framer,
            owned,
            offset: frame.offset,
            streamed_literals: frame.streamed_literals,
            one_line: false,
        }
    }

    /// The message's bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        match &self.owned {
            Some(bytes) => bytes,
            None => &self.framer.buf[..self.framer.lent],
        }
    }

    /// The one-line message at the front of `framer`'s buffer, which it
    /// has counted as lent, at stream offset `offset` (the framer's
    /// one-line path: a single line without a literal).
    #[inline]
    pub(super) fn lent(framer: &'a mut Framer, offset: u64) -> Self {
        Self {
            framer,
            owned: None,
            offset,
            streamed_literals: 0,
            one_line: true,
        }
    }

    /// Where streamed literals' data was left out (for the fuzz checks
    /// that rebuild a frame from a lent message).
    pub(crate) fn gaps(&self) -> Gaps {
        self.gaps_ref().clone()
    }

    /// Where streamed literals' data was left out: none for a lent message.
    fn gaps_ref(&self) -> &Gaps {
        const NONE: &Gaps = &Gaps::NONE;
        match self.owned {
            Some(_) => &self.framer.lent_gaps,
            None => NONE,
        }
    }

    /// Stream offset of its first byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// How many of its literals were streamed (0 for most messages).
    pub fn streamed_literals(&self) -> u32 {
        self.streamed_literals
    }

    /// The stream offset of the message's byte at `at` (as
    /// [`Frame::stream_offset`]): [`FrameRef::offset`] plus `at`, plus the
    /// length of every streamed literal left out before that byte.
    pub fn stream_offset(&self, at: usize) -> u64 {
        super::event::stream_offset(self.offset, self.gaps_ref().as_slice(), at)
    }

    /// Takes the message out of the framer's buffer as the [`Frame`]
    /// [`Framer::poll_event`] would have returned (the same split, no
    /// copy), to keep it or values made from it.
    pub fn into_frame(mut self) -> Frame {
        let (bytes, gaps) = match self.owned.take() {
            Some(bytes) => (bytes, std::mem::take(&mut self.framer.lent_gaps)),
            None => {
                let n = std::mem::take(&mut self.framer.lent);
                (self.framer.split_front(n), Gaps::NONE)
            }
        };
        Frame {
            bytes,
            offset: self.offset,
            streamed_literals: self.streamed_literals,
            gaps,
        }
    }

    /// Ends the loan and leaves the message's bytes readable through
    /// [`Framer::released`] until the framer's next call that reads or
    /// takes input (the next [`Framer::poll_lent`], a push). For a caller
    /// that made a value owning its data
    /// ([`decode_response_without_frame`](Self::decode_response_without_frame))
    /// and needs the message's bytes only now and then while it handles
    /// that value (a peer violation's raw bytes): no copy of each message
    /// just in case. Dropping the `FrameRef` drops the message at once.
    pub fn release(self) {
        let mut this = std::mem::ManuallyDrop::new(self);
        // The framer keeps its `lent` bytes until the next settle; a
        // message split off around a streamed literal is kept with it.
        // Nothing else of `this` owns anything.
        this.framer.released = this.owned.take();
    }

    /// Decodes the message as a server response, borrowing from it (as
    /// [`Frame::decode_response`]). Error offsets are relative to the
    /// message; [`FrameRef::stream_offset`] gives the position in the
    /// stream.
    #[inline]
    pub fn decode_response(&self) -> Result<Response<'_>, DecodeError> {
        crate::decode::response_whole(self.bytes())
    }

    /// Decodes the message as a server response that owns its data (as
    /// [`Frame::into_response`]). The responses that
    /// [`FrameRef::decode_response_without_frame`] builds are built without
    /// taking the message out of the buffer; any other is taken out
    /// ([`FrameRef::into_frame`]) and its value shares it.
    ///
    /// ```
    /// use imapkit_codec::framer::{Direction, Framer, FramerConfig, Lent};
    /// use imapkit_proto::{Data, Response};
    ///
    /// let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    /// framer.push(b"* 3 EXISTS\r\nA1 OK done\r\n");
    /// let mut kept: Vec<Response<'static>> = Vec::new();
    /// while let Some(Lent::Frame(frame)) = framer.poll_lent() {
    ///     kept.push(frame.into_response().unwrap());
    /// }
    /// assert_eq!(kept[0], Response::Data(Data::Exists(3)));
    /// assert_eq!(kept.len(), 2);
    /// ```
    pub fn into_response(self) -> Result<Response<'static>, DecodeError> {
        match self.decode_response_without_frame() {
            Some(response) => Ok(response),
            None => self.into_frame().into_response(),
        }
    }

    /// The response, owned, if it is one that needs no frame: one of the
    /// short forms that hold no bytes of the message, `* 3 EXISTS`, `* 5
    /// EXPUNGE`, `* 0 RECENT` (RFC 9051 §7.4.1, §7.5.1; RFC 3501 §7.3.2)
    /// and `* SEARCH 2 7` (RFC 3501 §7.2.5), which a synchronised client
    /// receives most; or, for a message of at most 256 bytes that lies in
    /// the buffer as it came (one the framer split off around a literal
    /// shares its `Bytes` instead), a status response (`a4 OK done`, `* OK
    /// [HIGHESTMODSEQ 9] x`, RFC 9051 §7.1) or a FETCH response in its
    /// usual form (`* 4 FETCH (UID 9 FLAGS (\Seen $Junk))`, §7.5.2), whose
    /// strings are copied. For such a message a copy of its few strings
    /// costs about what sharing them costs (each `Bytes` slice costs two
    /// atomic operations), and the message itself is not split off (two
    /// more); a kept string does not hold on to the whole buffer it was
    /// read into.
    ///
    /// `None` for any other message (decode it another way; errors too,
    /// and forms only the general decoder reads): the message stays lent,
    /// so the caller can still look at its bytes. A value it returns is
    /// the one every other decoding path returns.
    ///
    /// ```
    /// use imapkit_codec::framer::{Direction, Framer, FramerConfig, Lent};
    /// use imapkit_proto::{Response, StatusKind};
    ///
    /// let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    /// framer.push(b"a4 OK [READ-WRITE] done\r\n");
    /// framer.push(b"* 1 FETCH (BODY[] {300}\r\n");
    /// framer.push(&[b'x'; 300]);
    /// framer.push(b")\r\n");
    /// let Some(Lent::Frame(frame)) = framer.poll_lent() else { panic!() };
    /// let Some(Response::Status(status)) = frame.decode_response_without_frame() else { panic!() };
    /// assert!(matches!(status.kind, StatusKind::Tagged { .. }));
    /// assert_eq!(status.text.human().as_bytes(), b"done");
    /// drop(frame);
    /// // Longer than 256 bytes: its body is shared, not copied.
    /// let Some(Lent::Frame(frame)) = framer.poll_lent() else { panic!() };
    /// assert_eq!(frame.decode_response_without_frame(), None);
    /// assert!(frame.into_response().is_ok());
    /// ```
    #[inline]
    pub fn decode_response_without_frame(&self) -> Option<Response<'static>> {
        // A message put together around streamed literals is not whole; one
        // already split off (it had a literal) shares its `Bytes` cheaper
        // than it copies.
        match (&self.owned, self.streamed_literals) {
            (None, _) => crate::decode::response_self_contained(self.bytes(), true),
            (Some(_), 0) => crate::decode::response_self_contained(self.bytes(), false),
            (Some(_), _) => None,
        }
    }

    /// Decodes the message as the server greeting (as [`Frame::decode_greeting`]).
    pub fn decode_greeting(&self) -> Result<Greeting<'_>, DecodeError> {
        super::decode::whole(self.bytes(), crate::decode::greeting(self.bytes()))
    }

    /// Decodes the message as a client command (as [`Frame::decode_command`]).
    pub fn decode_command(&self) -> Result<Command<'_>, DecodeError> {
        crate::decode::command_whole(self.bytes())
    }

    /// Decodes the message as a client command that owns its data (as
    /// [`Frame::decode_command_shared`]). The commands that
    /// [`FrameRef::decode_command_without_frame`] builds are built without
    /// taking the message out of the buffer; any other is taken out
    /// ([`FrameRef::into_frame`]) and its value shares it.
    ///
    /// ```
    /// use imapkit_codec::framer::{Direction, Framer, FramerConfig, Lent};
    /// use imapkit_proto::{Command, CommandBody};
    ///
    /// let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    /// framer.push(b"a1 NOOP\r\na2 LOGIN {5+}\r\nalice pw\r\n");
    /// let mut kept: Vec<Command<'static>> = Vec::new();
    /// while let Some(lent) = framer.poll_lent() {
    ///     // A command's literal is announced first (`Lent::Event`).
    ///     if let Lent::Frame(frame) = lent {
    ///         kept.push(frame.into_command().unwrap());
    ///     }
    /// }
    /// assert_eq!(kept[0].body, CommandBody::Noop);
    /// assert_eq!(kept[1].body.name(), "LOGIN");
    /// ```
    pub fn into_command(self) -> Result<Command<'static>, DecodeError> {
        match self.decode_command_without_frame() {
            Some(command) => Ok(command),
            None => self.into_frame().decode_command_shared(),
        }
    }

    /// The command, owned, if the message is one line of at most 256
    /// bytes (no literal) that lies in the buffer as it came, with copies
    /// of its strings: a tag, a mailbox name, flags and header field names
    /// of at most `Buf::INLINE_MAX` bytes are held inline, no allocation,
    /// and the message is not split off the buffer (a split and the
    /// message's drop cost two atomic operations). Such a line is most of
    /// what a client sends (UID FETCH, UID STORE, STATUS, LIST, SELECT,
    /// NOOP, IDLE). A kept string does not hold on to the buffer it was
    /// read into.
    ///
    /// `None` for any other message (a literal, a longer line), and for a
    /// line that does not decode: the message stays lent, so the caller
    /// can still look at its bytes or take it out
    /// ([`FrameRef::into_frame`]) to decode it the general way, which
    /// reports the error with its offset. A value it returns is the one
    /// [`Frame::decode_command_shared`] returns for the same message.
    ///
    /// ```
    /// use imapkit_codec::framer::{Direction, Framer, FramerConfig, Lent};
    /// use imapkit_proto::CommandBody;
    ///
    /// let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    /// framer.push(b"a1 SELECT INBOX\r\na2 APPEND Drafts {3+}\r\nabc\r\n");
    /// let Some(Lent::Frame(frame)) = framer.poll_lent() else { panic!() };
    /// let command = frame.decode_command_without_frame().unwrap();
    /// assert_eq!(command.body, CommandBody::select("INBOX"));
    /// frame.release(); // the line's bytes stay readable until the next read
    /// assert_eq!(framer.released(), b"a1 SELECT INBOX\r\n");
    /// // A literal (announced first): taken out of the buffer instead,
    /// // its data shared.
    /// let Some(Lent::Event(_)) = framer.poll_lent() else { panic!() };
    /// let Some(Lent::Frame(frame)) = framer.poll_lent() else { panic!() };
    /// assert_eq!(frame.decode_command_without_frame(), None);
    /// assert!(frame.into_frame().decode_command_shared().is_ok());
    /// ```
    #[inline]
    pub fn decode_command_without_frame(&self) -> Option<Command<'static>> {
        let bytes = self.bytes();
        if !self.one_line || bytes.len() > crate::decode::COPY_AT_MOST {
            return None;
        }
        crate::decode::command_copied(bytes).ok()
    }

    /// Decodes the message as a line of an AUTHENTICATE exchange (as
    /// [`Frame::decode_authenticate_data`]).
    pub fn decode_authenticate_data(&self) -> Result<AuthenticateData<'_>, DecodeError> {
        let bytes = self.bytes();
        super::decode::whole(bytes, crate::decode::authenticate_data(bytes))
    }

    /// Decodes the message as the `DONE` that ends IDLE (as [`Frame::decode_idle_done`]).
    pub fn decode_idle_done(&self) -> Result<(), DecodeError> {
        super::decode::whole(self.bytes(), crate::decode::idle_done(self.bytes()))
    }
}

impl Drop for FrameRef<'_> {
    #[inline]
    fn drop(&mut self) {
        self.framer.settle();
    }
}

impl fmt::Debug for FrameRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the bytes: they may hold credentials.
        f.debug_struct("FrameRef")
            .field("len", &self.bytes().len())
            .field("offset", &self.offset)
            .field("streamed_literals", &self.streamed_literals)
            .finish()
    }
}
