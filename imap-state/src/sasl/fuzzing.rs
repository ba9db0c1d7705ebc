//! Property checks for the SASL mechanisms, shared by the `sasl` fuzz
//! target (`fuzz/fuzz_targets/sasl.rs`) and the test suite
//! (`tests/fuzz_replay.rs` replays the seed corpus and every input
//! that once failed).
//!
//! [`sasl`] takes arbitrary bytes: the first selects a check, the rest is
//! its input. Every check feeds the input to a mechanism's parser — as a
//! client message to a server half, as a challenge to a client half, or to
//! the SCRAM attribute, GS2 header and `saslname` readers — and panics when
//! a property does not hold. Beyond "never panics": what parses writes back
//! to the same bytes, what a client half writes its server half reads back
//! to the same values, and arbitrary bytes never authenticate.

use std::sync::OnceLock;

use imapkit_proto::Secret;

use crate::sasl::gs2;
use crate::sasl::login::LoginServer;
use crate::sasl::oauthbearer::{OAuthBearerClient, OAuthBearerServer};
use crate::sasl::plain::{PlainClient, PlainServer};
use crate::sasl::scram::attributes::{self, ClientFinal, ServerFirst};
use crate::sasl::scram::{ScramClient, ScramHash, ScramServer};
use crate::sasl::xoauth2::{XOAuth2Client, XOAuth2Server};
use crate::sasl::{
    ChannelBinding, ClientMechanism, CredentialSecret, Credentials, SaslError, ScramSecrets,
    ServerMechanism, ServerStep, Supply,
};

/// The checks [`sasl`] selects from, by the first byte modulo their number.
const CHECKS: &[fn(&[u8])] = &[
    plain_server,
    plain_round_trip,
    login_server,
    xoauth2_server,
    xoauth2_round_trip,
    oauthbearer_server,
    oauthbearer_round_trip,
    bearer_clients_take_any_error,
    scram_attributes,
    gs2_header,
    scram_server_client_first,
    scram_server_client_final,
    scram_client_server_first,
    scram_client_server_final,
];

/// Runs the check the first byte selects on the rest of `data`.
pub fn sasl(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    CHECKS[usize::from(selector) % CHECKS.len()](input);
}

/// The number of checks: seed files start with a byte below it.
pub fn check_count() -> usize {
    CHECKS.len()
}

/// Splits the input in three at the first two `0xff` bytes (never in
/// UTF-8), each part read as lossy UTF-8.
fn three_strings(input: &[u8]) -> [String; 3] {
    let mut parts = input.splitn(3, |&b| b == 0xff);
    let mut next = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    [next(), next(), next()]
}

/// Feeds a server half the input as its client's first message, then as
/// the next message, answering every question with `verdict`.
fn drive_server(
    server: &mut dyn ServerMechanism,
    input: &[u8],
    verdict: bool,
) -> Option<ServerStep> {
    let mut step = server.start(Some(input)).ok()?;
    for _ in 0..4 {
        step = match step {
            ServerStep::Challenge(_) => server.step(input).ok()?,
            ServerStep::Verify(_) => server.supply(Supply::Verdict(verdict)).ok()?,
            done => return Some(done),
        };
    }
    None
}

/// PLAIN's server half on the input: whatever it accepts has exactly
/// two NULs and writes back to the same bytes.
pub fn plain_server(input: &[u8]) {
    let mut server = PlainServer::new().allow_authzid();
    let Ok(ServerStep::Verify(Credentials { identity, secret })) = server.start(Some(input)) else {
        return;
    };
    assert_eq!(input.iter().filter(|&&b| b == 0).count(), 2);
    let CredentialSecret::Password(password) = secret else {
        panic!("PLAIN gives a password")
    };
    let mut client = PlainClient::new(identity.authcid.clone(), password);
    if let Some(authzid) = &identity.authzid {
        client = client.with_authzid(authzid.clone());
    }
    let again = client.initial_response().expect("no NUL in what was read");
    assert_eq!(again.expect("PLAIN is client-first").declassify(), input);
    assert!(matches!(
        server.supply(Supply::Verdict(true)),
        Ok(ServerStep::Success(id)) if id == identity
    ));
    // Without allow_authzid the same message is refused when the identities differ.
    let step = PlainServer::new().start(Some(input));
    let differ = identity
        .authzid
        .as_ref()
        .is_some_and(|a| *a != identity.authcid);
    assert_eq!(matches!(step, Ok(ServerStep::Failure(_))), differ);
}

/// A PLAIN client's message reads back to its fields on the server side.
pub fn plain_round_trip(input: &[u8]) {
    let [authzid, authcid, password] = three_strings(input);
    let mut client = PlainClient::new(authcid.clone(), Secret::new(password.clone()))
        .with_authzid(authzid.clone());
    let Ok(Some(message)) = client.initial_response() else {
        assert!([&authzid, &authcid, &password]
            .iter()
            .any(|s| s.contains('\0')));
        return;
    };
    let mut server = PlainServer::new().allow_authzid();
    match server.start(Some(message.declassify())) {
        Ok(ServerStep::Verify(c)) => {
            assert_eq!(c.identity.authcid, authcid);
            assert_eq!(c.identity.authzid, (!authzid.is_empty()).then_some(authzid));
            assert_eq!(c.secret, CredentialSecret::Password(Secret::new(password)));
        }
        Err(SaslError::Malformed { .. }) => assert!(authcid.is_empty() || password.is_empty()),
        other => panic!("unexpected {other:?}"),
    }
}

/// LOGIN's server half: the input as user name and password.
pub fn login_server(input: &[u8]) {
    let mut server = LoginServer::new();
    if let Some(step) = drive_server(&mut server, input, false) {
        assert!(matches!(step, ServerStep::Failure(_)));
        assert!(!input.is_empty() && std::str::from_utf8(input).is_ok());
    }
    let mut server = LoginServer::new();
    let _ = server.start(None);
    let _ = server.step(input);
    let _ = server.step(input);
}

/// XOAUTH2's server half: a rejected token ends in the JSON challenge and
/// a failure; nothing else ends the exchange.
pub fn xoauth2_server(input: &[u8]) {
    for verdict in [false, true] {
        let mut server = XOAuth2Server::new();
        if let Some(step) = drive_server(&mut server, input, verdict) {
            assert!(matches!(
                step,
                ServerStep::Success(_) | ServerStep::Failure(_)
            ));
            assert!(verdict || matches!(step, ServerStep::Failure(_)));
        }
    }
}

/// An XOAUTH2 client's message reads back to its user and token.
pub fn xoauth2_round_trip(input: &[u8]) {
    let [user, token, _] = three_strings(input);
    let mut client = XOAuth2Client::new(user.clone(), Secret::new(token.clone()));
    let Ok(Some(message)) = client.initial_response() else {
        return;
    };
    let step = XOAuth2Server::new().start(Some(message.declassify()));
    let bearer = token.trim_matches(|c: char| c.is_ascii_whitespace());
    match step {
        Ok(ServerStep::Verify(c)) => {
            assert_eq!(c.identity.authcid, user);
            assert_eq!(
                c.secret,
                CredentialSecret::BearerToken(Secret::new(bearer.to_owned()))
            );
        }
        Ok(ServerStep::Challenge(_)) => assert!(bearer.is_empty()),
        Err(_) => assert!(user.is_empty()),
        other => panic!("unexpected {other:?}"),
    }
}

/// OAUTHBEARER's server half, as for XOAUTH2, with and without a host check.
pub fn oauthbearer_server(input: &[u8]) {
    for verdict in [false, true] {
        for server in [
            OAuthBearerServer::new(),
            OAuthBearerServer::new().with_host("imap.example.com"),
        ] {
            let mut server = server;
            if let Some(step) = drive_server(&mut server, input, verdict) {
                assert!(verdict || matches!(step, ServerStep::Failure(_)));
            }
        }
    }
}

/// An OAUTHBEARER client's message reads back to its user, host and token.
pub fn oauthbearer_round_trip(input: &[u8]) {
    let [user, token, host] = three_strings(input);
    let mut client = OAuthBearerClient::new(user.clone(), Secret::new(token.clone()))
        .with_host(host.clone())
        .with_port(993);
    let Ok(Some(message)) = client.initial_response() else {
        return;
    };
    let step = OAuthBearerServer::new()
        .with_host(host)
        .start(Some(message.declassify()));
    let bearer = token.trim_matches(|c: char| c.is_ascii_whitespace());
    match step {
        Ok(ServerStep::Verify(c)) => {
            assert_eq!(c.identity.authcid, user);
            assert_eq!(
                c.secret,
                CredentialSecret::BearerToken(Secret::new(bearer.to_owned()))
            );
        }
        Ok(ServerStep::Challenge(_)) => assert!(bearer.is_empty()),
        Err(SaslError::Malformed { .. }) => assert!(user.is_empty()),
        other => panic!("unexpected {other:?}"),
    }
}

/// The bearer clients keep any error challenge for `failure_detail` and
/// answer it with their dummy response.
pub fn bearer_clients_take_any_error(input: &[u8]) {
    let mut x = XOAuth2Client::new("u", Secret::new("t".into()));
    let _ = x.initial_response();
    assert_eq!(
        x.respond(input).expect("an error challenge").declassify(),
        b""
    );
    assert_eq!(x.failure_detail(), Some(&*String::from_utf8_lossy(input)));
    let mut o = OAuthBearerClient::new("u", Secret::new("t".into()));
    let _ = o.initial_response();
    assert_eq!(
        o.respond(input).expect("an error challenge").declassify(),
        b"\x01"
    );
    assert!(o.respond(input).is_err());
}

/// SCRAM attribute lists and `saslname`s: what reads writes back the same.
pub fn scram_attributes(input: &[u8]) {
    if let Ok(attrs) = attributes::split(input) {
        assert_eq!(attributes::join(&attrs).as_bytes(), input);
    }
    if let Ok(name) = gs2::unescape_saslname(input, "T") {
        assert_eq!(gs2::escape_saslname(&name).as_bytes(), input);
    }
    if let Ok(sf) = ServerFirst::parse(input) {
        assert!(sf.iterations > 0 && !sf.salt.is_empty());
    }
    if let Ok(cf) = ClientFinal::parse(input) {
        assert!(input.starts_with(cf.without_proof));
        assert!(input[cf.without_proof.len()..].starts_with(b",p="));
    }
    let _ = attributes::ServerFinal::parse(input);
    let _ = attributes::ClientFirstBare::parse(input);
}

/// GS2 headers: what reads writes back the same.
pub fn gs2_header(input: &[u8]) {
    if let Ok(h) = gs2::parse_header(input, "T") {
        let mut again = Vec::new();
        gs2::write_header(&mut again, h.flag, h.authzid.as_deref());
        assert_eq!(again, &input[..h.len]);
    }
}

const SERVER_NONCE: &str = "3rfcNHYJY1ZVvWVs7j";
const CLIENT_NONCE: &str = "fyko+d2lbbFgONRv9qkxdawL";

/// Made-up stored secrets (the server half never runs PBKDF2).
fn secrets() -> ScramSecrets {
    ScramSecrets {
        salt: b"salt".to_vec(),
        iterations: 4096,
        stored_key: vec![7; 32],
        server_key: vec![9; 32],
    }
}

/// SCRAM's server half on the input as client-first, under each channel
/// binding setting: a lookup leads to a server-first that extends the
/// client's nonce.
pub fn scram_server_client_first(input: &[u8]) {
    for (binding, advertised, plus) in [
        (ChannelBinding::None, false, false),
        (ChannelBinding::TlsExporter(vec![1; 32]), true, false),
        (ChannelBinding::TlsExporter(vec![1; 32]), true, true),
    ] {
        let mut server =
            ScramServer::new(ScramHash::Sha256, SERVER_NONCE.into(), binding, advertised);
        if plus {
            server = server.with_plus_variant();
        }
        let Ok(ServerStep::LookupScram(_)) = server.start(Some(input)) else {
            continue;
        };
        let Ok(ServerStep::Challenge(sf)) = server.supply(Supply::Scram(Some(secrets()))) else {
            panic!("secrets give server-first")
        };
        let sf = ServerFirst::parse(&sf).expect("server-first parses");
        assert!(sf.nonce.ends_with(SERVER_NONCE));
        // The same bytes as client-final never pass the proof.
        assert!(!matches!(server.step(input), Ok(ServerStep::Challenge(_))));
    }
}

/// SCRAM's server half on the input as client-final after a fixed
/// client-first: arbitrary bytes never authenticate.
pub fn scram_server_client_final(input: &[u8]) {
    for known in [true, false] {
        let mut server = ScramServer::new(
            ScramHash::Sha256,
            SERVER_NONCE.into(),
            ChannelBinding::None,
            false,
        );
        let first = format!("n,,n=user,r={CLIENT_NONCE}");
        assert!(matches!(
            server.start(Some(first.as_bytes())),
            Ok(ServerStep::LookupScram(_))
        ));
        let supplied = known.then(secrets);
        assert!(matches!(
            server.supply(Supply::Scram(supplied)),
            Ok(ServerStep::Challenge(_))
        ));
        let step = server.step(input);
        assert!(
            matches!(step, Ok(ServerStep::Failure(_)) | Err(_)),
            "arbitrary client-final accepted: {step:?}"
        );
    }
}

/// SCRAM's client half on the input as server-first: a client-final comes
/// only for a nonce that extends ours and an iteration count in bounds, and
/// carries the server's nonce.
pub fn scram_client_server_first(input: &[u8]) {
    let mut client = ScramClient::new(
        ScramHash::Sha1,
        "user",
        Secret::new("pencil".into()),
        CLIENT_NONCE.into(),
        ChannelBinding::None,
    )
    .with_max_iterations(4096);
    client.initial_response().expect("valid client");
    if let Ok(cf) = client.respond(input) {
        let sf = ServerFirst::parse(input).expect("accepted server-first parses");
        assert!(sf.nonce.starts_with(CLIENT_NONCE) && sf.iterations == 4096);
        let cf = ClientFinal::parse(cf.declassify()).expect("client-final parses");
        assert_eq!(cf.nonce, sf.nonce);
        assert_eq!(cf.proof.len(), 20);
    }
    assert!(client.complete().is_err());
}

/// SCRAM's client half, after a valid server-first, on the input as
/// server-final: arbitrary bytes never verify as the server's signature.
pub fn scram_client_server_final(input: &[u8]) {
    static AFTER_FIRST: OnceLock<ScramClient> = OnceLock::new();
    let mut client = AFTER_FIRST
        .get_or_init(|| {
            let mut c = ScramClient::new(
                ScramHash::Sha1,
                "user",
                Secret::new("pencil".into()),
                CLIENT_NONCE.into(),
                ChannelBinding::None,
            );
            c.initial_response().expect("valid client");
            c.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
                .expect("RFC 5802 server-first");
            c
        })
        .clone();
    // The RFC's own server-final is the one input that verifies.
    let rfc = b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
    match client.respond(input) {
        Ok(_) => {
            assert!(input.starts_with(rfc) && matches!(input.get(rfc.len()), None | Some(b',')));
            client.complete().expect("verified");
        }
        Err(SaslError::ServerError(e)) => {
            assert_eq!(client.failure_detail(), Some(e.as_str()));
            assert!(client.complete().is_err());
        }
        Err(_) => assert!(client.complete().is_err()),
    }
}
