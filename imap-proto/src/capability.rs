//! Capabilities (RFC 9051 §7.2.2 `capability`) and SASL mechanism names.

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::Atom;
use crate::error::ValidationError;

/// A SASL mechanism name (`auth-type`), e.g. in `AUTH=PLAIN` or `AUTHENTICATE PLAIN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthMechanism<'a> {
    /// `PLAIN` (RFC 4616)
    Plain,
    /// `LOGIN` (obsolete, widely deployed)
    Login,
    /// `XOAUTH2` (Google, Microsoft)
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628)
    OAuthBearer,
    /// `SCRAM-SHA-1` (RFC 5802)
    ScramSha1,
    /// `SCRAM-SHA-256` (RFC 7677)
    ScramSha256,
    /// `EXTERNAL`
    External,
    /// `ANONYMOUS`
    Anonymous,
    /// `CRAM-MD5`
    CramMd5,
    /// Any other mechanism, as sent.
    Other(Atom<'a>),
}

const MECHANISMS: &[(&str, AuthMechanism<'static>)] = &[
    ("PLAIN", AuthMechanism::Plain),
    ("LOGIN", AuthMechanism::Login),
    ("XOAUTH2", AuthMechanism::XOAuth2),
    ("OAUTHBEARER", AuthMechanism::OAuthBearer),
    ("SCRAM-SHA-1", AuthMechanism::ScramSha1),
    ("SCRAM-SHA-256", AuthMechanism::ScramSha256),
    ("EXTERNAL", AuthMechanism::External),
    ("ANONYMOUS", AuthMechanism::Anonymous),
    ("CRAM-MD5", AuthMechanism::CramMd5),
];

impl<'a> AuthMechanism<'a> {
    /// The mechanism for a name (any case).
    pub fn from_atom(name: Atom<'a>) -> Self {
        MECHANISMS
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, m)| m.clone())
            .unwrap_or(AuthMechanism::Other(name))
    }

    /// The name on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            AuthMechanism::Other(a) => a.as_bytes(),
            known => MECHANISMS
                .iter()
                .find(|(_, m)| m == known)
                .map(|(n, _)| n.as_bytes())
                .unwrap_or_default(),
        }
    }
}

impl IntoStatic for AuthMechanism<'_> {
    type Static = AuthMechanism<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> AuthMechanism<'static> {
        match self {
            AuthMechanism::Other(a) => AuthMechanism::Other(a.into_static_in(frame)),
            AuthMechanism::Plain => AuthMechanism::Plain,
            AuthMechanism::Login => AuthMechanism::Login,
            AuthMechanism::XOAuth2 => AuthMechanism::XOAuth2,
            AuthMechanism::OAuthBearer => AuthMechanism::OAuthBearer,
            AuthMechanism::ScramSha1 => AuthMechanism::ScramSha1,
            AuthMechanism::ScramSha256 => AuthMechanism::ScramSha256,
            AuthMechanism::External => AuthMechanism::External,
            AuthMechanism::Anonymous => AuthMechanism::Anonymous,
            AuthMechanism::CramMd5 => AuthMechanism::CramMd5,
        }
    }
}

macro_rules! capabilities {
    (
        plain { $($pv:ident = $pn:literal, $pdoc:literal;)* }
        param { $($av:ident = $an:literal, $adoc:literal;)* }
    ) => {
        /// A `capability` (RFC 9051 §7.2.2): what a server supports.
        ///
        /// Known names have their own variants, parameterised ones (`AUTH=`,
        /// `THREAD=`, ...) keep their parameter; unknown ones are kept in
        /// [`Capability::Other`], so nothing is lost.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Capability<'a> {
            $(#[doc = $pdoc] $pv,)*
            /// `AUTH=<mechanism>`
            Auth(AuthMechanism<'a>),
            $(#[doc = $adoc] $av(Atom<'a>),)*
            /// Any other capability, as sent (never one of the names above).
            Other(Atom<'a>),
        }

        impl<'a> Capability<'a> {
            /// The capability for an atom (names are case-insensitive).
            pub fn from_atom(atom: Atom<'a>) -> Self {
                let b = atom.as_bytes();
                $(if b.eq_ignore_ascii_case($pn.as_bytes()) { return Capability::$pv; })*
                if let Some(eq) = b.iter().position(|&c| c == b'=') {
                    let (name, value) = (&b[..eq], &b[eq + 1..]);
                    if !value.is_empty() {
                        let len = b.len();
                        let param = || Atom::unvalidated(atom.clone().into_inner().slice(eq + 1..len));
                        if name.eq_ignore_ascii_case(b"AUTH") {
                            return Capability::Auth(AuthMechanism::from_atom(param()));
                        }
                        $(if name.eq_ignore_ascii_case($an.as_bytes()) { return Capability::$av(param()); })*
                    }
                }
                Capability::Other(atom)
            }

            /// The wire form as `(name, parameter)`: `AUTH=PLAIN` is `("AUTH", Some("PLAIN"))`.
            pub fn parts(&self) -> (&[u8], Option<&[u8]>) {
                match self {
                    $(Capability::$pv => ($pn.as_bytes(), None),)*
                    Capability::Auth(m) => (b"AUTH", Some(m.as_bytes())),
                    $(Capability::$av(a) => ($an.as_bytes(), Some(a.as_bytes())),)*
                    Capability::Other(a) => (a.as_bytes(), None),
                }
            }
        }

        impl IntoStatic for Capability<'_> {
            type Static = Capability<'static>;
            fn into_static_in(self, frame: Option<&Bytes>) -> Capability<'static> {
                match self {
                    $(Capability::$pv => Capability::$pv,)*
                    Capability::Auth(m) => Capability::Auth(m.into_static_in(frame)),
                    $(Capability::$av(a) => Capability::$av(a.into_static_in(frame)),)*
                    Capability::Other(a) => Capability::Other(a.into_static_in(frame)),
                }
            }
        }
    };
}

impl Capability<'static> {
    /// `UTF8=ACCEPT` (RFC 6855 §3), as in `ENABLE UTF8=ACCEPT`.
    pub fn utf8_accept() -> Self {
        Capability::Utf8(Atom::unvalidated(&b"ACCEPT"[..]))
    }
}

impl<'a> TryFrom<&'a str> for Capability<'a> {
    type Error = ValidationError;

    /// A capability by name (`IDLE`, `AUTH=PLAIN`, any case); fails if the
    /// name is not an atom.
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        Atom::try_from(s).map(Capability::from_atom)
    }
}

impl<'a> TryFrom<&'a str> for AuthMechanism<'a> {
    type Error = ValidationError;

    /// A mechanism by name (`PLAIN`, any case); fails if the name is not an atom.
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        Atom::try_from(s).map(AuthMechanism::from_atom)
    }
}

capabilities! {
    plain {
        Imap4Rev1 = "IMAP4rev1", "`IMAP4rev1` (RFC 3501)";
        Imap4Rev2 = "IMAP4rev2", "`IMAP4rev2` (RFC 9051)";
        StartTls = "STARTTLS", "`STARTTLS` (RFC 9051 §6.2.1)";
        LoginDisabled = "LOGINDISABLED", "`LOGINDISABLED`: LOGIN is refused (RFC 9051 §6.2.3)";
        Idle = "IDLE", "`IDLE` (RFC 2177)";
        Enable = "ENABLE", "`ENABLE` (RFC 5161)";
        SaslIr = "SASL-IR", "`SASL-IR` (RFC 4959)";
        LiteralPlus = "LITERAL+", "`LITERAL+` (RFC 7888)";
        LiteralMinus = "LITERAL-", "`LITERAL-` (RFC 7888)";
        UidPlus = "UIDPLUS", "`UIDPLUS` (RFC 4315)";
        Move = "MOVE", "`MOVE` (RFC 6851)";
        Unselect = "UNSELECT", "`UNSELECT` (RFC 3691)";
        Namespace = "NAMESPACE", "`NAMESPACE` (RFC 2342)";
        Id = "ID", "`ID` (RFC 2971)";
        CondStore = "CONDSTORE", "`CONDSTORE` (RFC 7162)";
        QResync = "QRESYNC", "`QRESYNC` (RFC 7162)";
        ESearch = "ESEARCH", "`ESEARCH` (RFC 4731)";
        SearchRes = "SEARCHRES", "`SEARCHRES` (RFC 5182)";
        Sort = "SORT", "`SORT` (RFC 5256)";
        ESort = "ESORT", "`ESORT` (RFC 5267)";
        Within = "WITHIN", "`WITHIN` (RFC 5032)";
        ListExtended = "LIST-EXTENDED", "`LIST-EXTENDED` (RFC 5258)";
        ListStatus = "LIST-STATUS", "`LIST-STATUS` (RFC 5819)";
        SpecialUse = "SPECIAL-USE", "`SPECIAL-USE` (RFC 6154)";
        CreateSpecialUse = "CREATE-SPECIAL-USE", "`CREATE-SPECIAL-USE` (RFC 6154)";
        Children = "CHILDREN", "`CHILDREN` (RFC 3348)";
        Quota = "QUOTA", "`QUOTA` (RFC 9208)";
        QuotaSet = "QUOTASET", "`QUOTASET` (RFC 9208)";
        Acl = "ACL", "`ACL` (RFC 4314)";
        Metadata = "METADATA", "`METADATA` (RFC 5464)";
        MetadataServer = "METADATA-SERVER", "`METADATA-SERVER` (RFC 5464)";
        Binary = "BINARY", "`BINARY` (RFC 3516)";
        MultiAppend = "MULTIAPPEND", "`MULTIAPPEND` (RFC 3502)";
        Catenate = "CATENATE", "`CATENATE` (RFC 4469)";
        StatusSize = "STATUS=SIZE", "`STATUS=SIZE` (RFC 8438)";
        SaveDate = "SAVEDATE", "`SAVEDATE` (RFC 8514)";
        ObjectId = "OBJECTID", "`OBJECTID` (RFC 8474)";
        Preview = "PREVIEW", "`PREVIEW` (RFC 8970)";
        Unauthenticate = "UNAUTHENTICATE", "`UNAUTHENTICATE` (RFC 8437)";
        Notify = "NOTIFY", "`NOTIFY` (RFC 5465)";
        LoginReferrals = "LOGIN-REFERRALS", "`LOGIN-REFERRALS` (RFC 2221)";
        MailboxReferrals = "MAILBOX-REFERRALS", "`MAILBOX-REFERRALS` (RFC 2193)";
        Partial = "PARTIAL", "`PARTIAL` (RFC 9394)";
        GmailExt1 = "X-GM-EXT-1", "`X-GM-EXT-1` (Gmail's IMAP extensions)";
        UrlPartial = "URL-PARTIAL", "`URL-PARTIAL` (RFC 5550)";
    }
    param {
        AppendLimit = "APPENDLIMIT", "`APPENDLIMIT=<n>` (RFC 7889); plain `APPENDLIMIT` is [`Capability::Other`]";
        Compress = "COMPRESS", "`COMPRESS=<algorithm>` (RFC 4978)";
        Thread = "THREAD", "`THREAD=<algorithm>` (RFC 5256)";
        SortParam = "SORT", "`SORT=<x>`, e.g. `SORT=DISPLAY` (RFC 5957)";
        Context = "CONTEXT", "`CONTEXT=SEARCH` / `CONTEXT=SORT` (RFC 5267)";
        Utf8 = "UTF8", "`UTF8=ACCEPT` / `UTF8=ONLY` (RFC 6855)";
        I18nLevel = "I18NLEVEL", "`I18NLEVEL=<n>` (RFC 5255)";
        Rights = "RIGHTS", "`RIGHTS=<rights>` (RFC 4314)";
        QuotaParam = "QUOTA", "`QUOTA=<x>`, e.g. `QUOTA=RES-STORAGE` (RFC 9208)";
        Snippet = "SNIPPET", "`SNIPPET=<algorithm>` (draft, Dovecot)";
        PreviewParam = "PREVIEW", "`PREVIEW=<algorithm>` (draft, Dovecot)";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(s: &str) -> Capability<'_> {
        Capability::from_atom(Atom::try_from(s).unwrap())
    }

    #[test]
    fn known_and_parameterised() {
        assert_eq!(cap("idle"), Capability::Idle);
        assert_eq!(cap("AUTH=PLAIN"), Capability::Auth(AuthMechanism::Plain));
        assert_eq!(cap("STATUS=SIZE"), Capability::StatusSize);
        assert_eq!(
            cap("THREAD=REFS").parts(),
            (&b"THREAD"[..], Some(&b"REFS"[..]))
        );
        assert!(matches!(cap("X-UNKNOWN"), Capability::Other(_)));
        assert!(matches!(cap("AUTH="), Capability::Other(_)));
    }
}
