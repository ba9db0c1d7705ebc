//! Encoding `body` (BODY and BODYSTRUCTURE).

use bytes::BufMut;

use crate::{
    Body, BodyExtension, BodyKind, BodyLanguage, BodyParam, BodyStructure, BodyStructureItem,
    Disposition, ExtensionTail, IString, MessageSubtype, Multipart, ParamList,
};

use super::super::core::{put_sep_istring, put_sep_nstring};
use super::super::{paren, Encode, Writer};

impl Encode for BodyStructureItem<'_> {
    /// A decoded structure received in strict syntax is written as
    /// received; otherwise as its [`BodyStructure`].
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        if w.put_verbatim(self.verbatim()) {
            return;
        }
        match self.built() {
            Some(body) => body.encode(w),
            None => self.get().encode(w),
        }
    }
}

impl Encode for BodyStructure<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        match self {
            BodyStructure::Single(b) => b.encode(w),
            BodyStructure::Multipart(m) => m.encode(w),
        }
        w.put_u8(b')');
    }
}

impl Encode for Body<'_> {
    /// The content of a single part's parentheses. `Text` parts are written
    /// as `"TEXT" subtype`, `Message` parts as `"MESSAGE" "RFC822"`/`"GLOBAL"`.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match &self.kind {
            BodyKind::Basic {
                media_type,
                subtype,
            } => {
                media_type.encode(w);
                w.put_u8(b' ');
                subtype.encode(w);
            }
            BodyKind::Text {
                media_type,
                subtype,
                ..
            } => {
                put_word(w, media_type, b"TEXT");
                w.put_u8(b' ');
                subtype.encode(w);
            }
            BodyKind::Message {
                media_type,
                subtype,
                ..
            } => {
                put_word(w, media_type, b"MESSAGE");
                w.put_u8(b' ');
                match MessageSubtype::from_name(subtype.as_bytes()) {
                    Some(_) => subtype.encode(w),
                    None => w.put(b"\"RFC822\""),
                }
            }
        }
        let f = &self.fields;
        w.put_u8(b' ');
        put_params(w, &f.params);
        put_sep_nstring(w, b' ', &f.id);
        put_sep_nstring(w, b' ', &f.description);
        put_sep_istring(w, b' ', &f.encoding);
        w.put_u8(b' ');
        w.put_num(u64::from(f.size));
        match &self.kind {
            BodyKind::Basic { .. } => {}
            BodyKind::Text { lines, .. } => {
                w.put_u8(b' ');
                w.put_num(*lines);
            }
            BodyKind::Message { message, lines, .. } => {
                w.put_u8(b' ');
                if !w.put_verbatim(message.verbatim()) {
                    let (envelope, body) = message.get();
                    envelope.encode(w);
                    w.put_u8(b' ');
                    body.encode(w);
                }
                w.put_u8(b' ');
                w.put_num(*lines);
            }
        }
        if let Some(ext) = &self.extension {
            w.put_u8(b' ');
            ext.md5.encode(w);
            put_tail(w, ext.tail.as_ref());
        }
    }
}

impl Encode for Multipart<'_> {
    /// The content of a multipart's parentheses: parts without separators,
    /// then the subtype and extension data.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        let no_parts = self.parts.is_empty();
        if !w.put_verbatim(self.parts.verbatim()) {
            match self.parts.built() {
                Some(built) => built.iter().for_each(|p| p.encode(w)),
                None => self.parts.iter().for_each(|p| p.encode(w)),
            }
        }
        // Without parts (a server quirk the decoder keeps), the subtype
        // comes first, and `()` stands for no parameters: `NIL` there
        // would read as a single part's subtype.
        if !no_parts {
            w.put_u8(b' ');
        }
        self.subtype.encode(w);
        if let Some(ext) = &self.extension {
            w.put_u8(b' ');
            if no_parts && ext.params.is_empty() {
                w.put(b"()");
            } else {
                put_params(w, &ext.params);
            }
            put_tail(w, ext.tail.as_ref());
        }
    }
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
fn put_tail<B: BufMut>(w: &mut Writer<'_, B>, tail: Option<&ExtensionTail<'_>>) {
    let Some(tail) = tail else { return };
    w.put_u8(b' ');
    match &tail.disposition {
        Some(d) => d.encode(w),
        None => w.put(b"NIL"),
    }
    let Some(lang) = &tail.language else { return };
    w.put_u8(b' ');
    lang.language.encode(w);
    let Some(loc) = &lang.location else { return };
    w.put_u8(b' ');
    loc.location.encode(w);
    for e in &loc.extensions {
        w.put_u8(b' ');
        e.encode(w);
    }
}

/// `word` as kept (any case), or `"WORD"` if it is another word: the kind
/// of a part follows its media type, so `Text` must stay `TEXT`.
fn put_word<B: BufMut>(w: &mut Writer<'_, B>, kept: &IString<'_>, word: &[u8]) {
    if kept.as_bytes().eq_ignore_ascii_case(word) {
        kept.encode(w);
    } else {
        w.put_u8(b'"');
        w.put(word);
        w.put_u8(b'"');
    }
}

/// `body-fld-param`, `NIL` when empty; a decoded list received in strict
/// syntax as received.
fn put_params<B: BufMut>(w: &mut Writer<'_, B>, params: &ParamList<'_>) {
    if w.put_verbatim(params.verbatim()) {
        return;
    }
    if params.is_empty() {
        w.put(b"NIL");
        return;
    }
    let mut put = |k: usize, p: &BodyParam<'_>| {
        put_sep_istring(w, if k == 0 { b'(' } else { b' ' }, &p.name);
        put_sep_istring(w, b' ', &p.value);
    };
    match params.built() {
        Some(built) => built.iter().enumerate().for_each(|(k, p)| put(k, p)),
        None => params.iter().enumerate().for_each(|(k, p)| put(k, &p)),
    }
    w.put_u8(b')');
}

impl Encode for Disposition<'_> {
    /// `("attachment" ("FILENAME" "a.pdf"))`
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        self.kind.encode(w);
        w.put_u8(b' ');
        put_params(w, &self.params);
        w.put_u8(b')');
    }
}

impl Encode for BodyLanguage<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            BodyLanguage::Single(s) => s.encode(w),
            BodyLanguage::List(l) => paren(w, l),
        }
    }
}

impl Encode for BodyExtension<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            BodyExtension::NString(s) => s.encode(w),
            BodyExtension::Number(n) => w.put_num(*n),
            BodyExtension::List(l) => paren(w, l),
        }
    }
}
