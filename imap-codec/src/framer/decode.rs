//! Decoding a [`Frame`]: the framer found the message's end, the decoder reads it.

use imapkit_proto::{AuthenticateData, Command, Greeting, IntoStatic, Response};

use super::Frame;
use crate::decode::{self, Decoded, ResponseDecoder};
use crate::error::DecodeError;

/// Runs a decoder on a whole frame: it must use every byte.
pub(super) fn whole<'a, T>(
    bytes: &'a [u8],
    decoded: Result<Decoded<'a, T>, DecodeError>,
) -> Result<T, DecodeError> {
    match decoded? {
        Decoded::Complete { message, consumed } if consumed == bytes.len() => Ok(message),
        Decoded::Complete { consumed, .. } => Err(DecodeError {
            offset: consumed,
            reason: decode::BYTES_AFTER,
        }),
        Decoded::Incomplete | Decoded::LiteralAnnounced { .. } => Err(DecodeError {
            offset: bytes.len(),
            reason: decode::ENDS_EARLY,
        }),
    }
}

impl Frame {
    /// Decodes the frame as a server response, borrowing from the frame.
    ///
    /// Error offsets are relative to the frame (to `bytes`, as for every
    /// `decode_*` method of a frame); [`Frame::stream_offset`] gives the
    /// position in the stream. That is `offset + e.offset` unless the frame
    /// had streamed literals (`streamed_literals > 0`): their data is not in
    /// `bytes`, so an error after one lies that many bytes further on in
    /// the stream.
    pub fn decode_response(&self) -> Result<Response<'_>, DecodeError> {
        decode::response_whole(&self.bytes)
    }

    /// Decodes the frame as a server response with `decoder`'s options, e.g.
    /// [`ResponseDecoder::lone_lf`] for frames of a framer with
    /// [`FramerConfig::lenient_lf`](super::FramerConfig::lenient_lf).
    ///
    /// With `lone_lf` the value may own a copy of the frame's lines (see
    /// [`ResponseDecoder::decode`]), so it is returned as `'static`.
    pub fn decode_response_with(
        &self,
        decoder: &ResponseDecoder,
    ) -> Result<Response<'static>, DecodeError> {
        whole(&self.bytes, decoder.decode(&self.bytes)).map(|r| r.into_shared(&self.bytes))
    }

    /// Decodes the frame as the server greeting.
    pub fn decode_greeting(&self) -> Result<Greeting<'_>, DecodeError> {
        whole(&self.bytes, decode::greeting(&self.bytes))
    }

    /// Decodes the frame as a client command.
    pub fn decode_command(&self) -> Result<Command<'_>, DecodeError> {
        decode::command_whole(&self.bytes)
    }

    /// Decodes the frame as a line of an AUTHENTICATE exchange.
    pub fn decode_authenticate_data(&self) -> Result<AuthenticateData<'_>, DecodeError> {
        whole(&self.bytes, decode::authenticate_data(&self.bytes))
    }

    /// Decodes the frame as the `DONE` that ends IDLE.
    pub fn decode_idle_done(&self) -> Result<(), DecodeError> {
        whole(&self.bytes, decode::idle_done(&self.bytes))
    }

    /// Decodes the frame as a server response that owns its data: strings
    /// and literals become slices of the frame's `Bytes` (shared, not
    /// copied; see [`IntoStatic::into_shared`]), so the value can be kept,
    /// returned or sent to another thread.
    ///
    /// ```
    /// use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
    /// use imapkit_proto::{Data, MessageDataItem, Response};
    ///
    /// fn next_response(framer: &mut Framer) -> Option<Response<'static>> {
    ///     match framer.poll_event()? {
    ///         FrameEvent::Frame(frame) => frame.into_response().ok(),
    ///         _ => None,
    ///     }
    /// }
    ///
    /// let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    /// framer.push(b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    /// let Some(Response::Data(Data::Fetch { items, .. })) = next_response(&mut framer) else { panic!() };
    /// let MessageDataItem::BodySection { data, .. } = items.first() else { panic!() };
    /// assert_eq!(data.as_bytes(), Some(&b"hello"[..]));
    /// ```
    pub fn into_response(self) -> Result<Response<'static>, DecodeError> {
        self.decode_response_shared()
    }

    /// [`Frame::into_response`] that keeps the frame: the value shares the
    /// frame's `Bytes`. Equal to `decode_response()` followed by
    /// [`IntoStatic::into_shared`], and faster for the shortest
    /// responses (`* 3 EXISTS`, a tagged OK, ...) and the usual FETCH
    /// response, which are built in their owned form directly instead of
    /// being decoded and then moved again.
    pub fn decode_response_shared(&self) -> Result<Response<'static>, DecodeError> {
        match decode::response_shared(&self.bytes, &self.bytes) {
            decode::Probe::Short(response) => return Ok(response),
            decode::Probe::Fetch { seq, list } => {
                let decoded = decode::fetch_owned(&self.bytes, seq, list, Some(&self.bytes));
                if decoded.is_ok() {
                    return decoded;
                }
            }
            decode::Probe::General => {}
        }
        let response = decode::response_general_whole(&self.bytes)?;
        Ok(response.into_shared(&self.bytes))
    }

    /// Decodes the frame as the server greeting, owning its data (see
    /// [`Frame::into_response`]).
    pub fn into_greeting(self) -> Result<Greeting<'static>, DecodeError> {
        let greeting = self.decode_greeting()?;
        Ok(greeting.into_shared(&self.bytes))
    }

    /// Decodes the frame as a client command, owning its data (see
    /// [`Frame::into_response`]): an APPEND's message is a slice of the frame.
    pub fn into_command(self) -> Result<Command<'static>, DecodeError> {
        self.decode_command_shared()
    }

    /// [`Frame::into_command`] that keeps the frame: the value shares the
    /// frame's `Bytes`. Equal to `decode_command()` followed by
    /// [`IntoStatic::into_shared`], and faster: the commands a client
    /// sends most (FETCH, STORE, STATUS, LIST, APPEND, SELECT, EXAMINE and
    /// the `UID` forms) are built in their owned form as they are decoded
    /// instead of being decoded and then taken apart and moved again.
    pub fn decode_command_shared(&self) -> Result<Command<'static>, DecodeError> {
        decode::command_shared(&self.bytes, &self.bytes)
    }

    /// Decodes the frame as a line of an AUTHENTICATE exchange, owning its
    /// data (see [`Frame::into_response`]).
    pub fn into_authenticate_data(self) -> Result<AuthenticateData<'static>, DecodeError> {
        let data = self.decode_authenticate_data()?;
        Ok(data.into_shared(&self.bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Direction, FrameEvent, Framer, FramerConfig};
    use imapkit_proto::IntoStatic;

    fn frames(dir: Direction, input: &[u8]) -> Vec<super::Frame> {
        let mut f = Framer::new(FramerConfig::new(dir));
        f.push(input);
        let mut out = Vec::new();
        while let Some(ev) = f.poll_event() {
            if let FrameEvent::Frame(fr) = ev {
                out.push(fr);
            }
        }
        out
    }

    #[test]
    fn frames_decode() {
        let fr = frames(
            Direction::ServerToClient,
            b"* 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\nA1 OK done\r\n",
        );
        assert_eq!(fr.len(), 2);
        assert!(fr[0].decode_response().is_ok());
        assert!(fr[1].decode_response().is_ok());
        let fr = frames(
            Direction::ClientToServer,
            b"A1 NOOP\r\nDONE\r\nA2 FETCH 0 FLAGS\r\n",
        );
        assert!(fr[0].decode_command().is_ok());
        assert!(fr[1].decode_idle_done().is_ok());
        let e = fr[2].decode_command().unwrap_err();
        assert_eq!(e.offset, 9);
    }

    #[test]
    fn owned_values_share_the_frame() {
        use imapkit_proto::{AppendData, CommandBody, Data, MessageDataItem, Response};

        let mut fr = frames(
            Direction::ServerToClient,
            b"* OK [CAPABILITY IMAP4rev2] hi\r\n* 1 FETCH (BODY[] {26}\r\nabcdefghijklmnopqrstuvwxyz)\r\nA1 OK done\r\n",
        )
        .into_iter();
        let greeting = fr.next().unwrap().into_greeting().unwrap();
        assert_eq!(greeting.text.human().as_bytes(), b"hi");
        let frame = fr.next().unwrap();
        let body_at = frame.bytes.as_ptr() as usize + 24;
        let Response::Data(Data::Fetch { items, .. }) = frame.into_response().unwrap() else {
            panic!("a FETCH")
        };
        let MessageDataItem::BodySection { data, .. } = items.first() else {
            panic!("a body section")
        };
        // The literal is the frame's memory, not a copy (a value of at
        // most `Buf::INLINE_MAX` bytes is held inline instead).
        assert_eq!(data.as_bytes().map(|b| b.as_ptr() as usize), Some(body_at));
        let done = fr.next().unwrap().into_response().unwrap();
        assert_eq!(done.to_string(), "A1 OK done");

        let mut fr = frames(
            Direction::ClientToServer,
            b"A1 APPEND INBOX {26+}\r\nabcdefghijklmnopqrstuvwxyz\r\ndGVzdA==\r\nA2 FETCH 0 FLAGS\r\n",
        )
        .into_iter();
        let frame = fr.next().unwrap();
        let data_at = frame.bytes.as_ptr() as usize + 23;
        let command = frame.into_command().unwrap();
        let CommandBody::Append { messages, .. } = &command.body else {
            panic!("an APPEND")
        };
        let AppendData::Literal(l) = &messages.first().data else {
            panic!("a literal")
        };
        assert_eq!(l.data().as_ptr() as usize, data_at);
        let line = fr.next().unwrap().into_authenticate_data().unwrap();
        assert_eq!(format!("{line:?}"), "Continue(<redacted>)");
        // Errors keep their offsets.
        assert_eq!(fr.next().unwrap().into_command().unwrap_err().offset, 9);
    }

    /// Over the recorded Dovecot session, the owned decoding agrees with
    /// decoding then `into_shared` on every response, and the FETCH
    /// responses and short lines take the paths that build owned values
    /// directly.
    #[test]
    fn shared_decoding_agrees_on_a_recorded_session() {
        let input = include_bytes!("../../tests/data/dovecot/session.responses");
        let (mut n, mut fast) = (0, 0);
        for frame in frames(Direction::ServerToClient, input) {
            n += 1;
            let owned = frame.decode_response().map(|r| r.into_shared(&frame.bytes));
            assert_eq!(frame.decode_response_shared(), owned, "{:?}", frame.bytes);
            match crate::decode::response_shared(&frame.bytes, &frame.bytes) {
                crate::decode::Probe::Short(_) => fast += 1,
                crate::decode::Probe::Fetch { seq, list } => {
                    let d = crate::decode::fetch_owned(&frame.bytes, seq, list, Some(&frame.bytes));
                    assert!(d.is_ok());
                    fast += 1;
                }
                crate::decode::Probe::General => {}
            }
        }
        assert!(n > 250, "{n} frames");
        assert!(fast > 100, "{fast} of {n} on the owned paths");
    }

    #[test]
    fn lone_lf_frames_decode_with_options() {
        let mut config = FramerConfig::new(Direction::ServerToClient);
        config.lenient_lf = true;
        let mut f = Framer::new(config);
        f.push(b"* 2 EXISTS\n* 1 FETCH (BODY[] {3}\nabc)\n");
        let decoder = crate::decode::ResponseDecoder { lone_lf: true };
        let mut n = 0;
        while let Some(ev) = f.poll_event() {
            if let FrameEvent::Frame(fr) = ev {
                assert!(fr.decode_response().is_err());
                assert!(fr.decode_response_with(&decoder).is_ok());
                n += 1;
            }
        }
        assert_eq!(n, 2);
    }
}
