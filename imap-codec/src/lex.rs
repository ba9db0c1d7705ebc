//! The framer's byte scanner and `walk`, shared with the encoder: they live
//! in `imapkit_proto::lex::scan` (one definition of message boundaries for
//! the framer, the decoders and the encoder), used here under this name.

pub(crate) use imapkit_proto::lex::scan::*;
