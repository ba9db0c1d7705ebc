//! An independent security review of the SASL mechanisms and of the
//! AUTHENTICATE exchange (client and server), stop 32. Tests whose doc
//! says "Was a bug" failed before the fix committed with this file (or
//! in the stop they name); the others pin behaviour no other test checks.

mod util;

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use imapkit_proto::Secret;
use imapkit_state::client::{CloseReason, Event as ClientEvent, Outcome, SessionState};
use imapkit_state::proto::AuthMechanism;
use imapkit_state::sasl::login::LoginServer;
use imapkit_state::sasl::oauthbearer::{OAuthBearerClient, OAuthBearerServer};
use imapkit_state::sasl::plain::{PlainClient, PlainServer};
use imapkit_state::sasl::scram::{ScramClient, ScramHash, ScramServer};
use imapkit_state::sasl::{
    ChannelBinding, ClientMechanism, CredentialSecret, Failure, FailureReason, Identity, SaslError,
    ServerMechanism, ServerStep, Supply,
};
use imapkit_state::server::{MechanismRequest, ServerConfig};
use imapkit_state::ConnectionSecurity;
use util::{Harness, Split};

/// The server nonce every SCRAM server here uses (the wire is compared).
const SERVER_NONCE: &str = "server-nonce-0123456789";
/// The client nonce of the RFC 7677 §3 example.
const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

fn scram_client(user: &str) -> ScramClient {
    ScramClient::new(
        ScramHash::Sha256,
        user,
        secret("pencil"),
        CLIENT_NONCE.into(),
        ChannelBinding::None,
    )
}

fn scram_server() -> ScramServer {
    ScramServer::new(
        ScramHash::Sha256,
        SERVER_NONCE.into(),
        ChannelBinding::None,
        false,
    )
}

/// A server configuration with the crate's own LOGIN and SCRAM-SHA-256
/// server halves, set up as their docs show (no unknown-user key: the
/// default).
fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sasl_mechanisms = vec![AuthMechanism::ScramSha256, AuthMechanism::Login];
    config.sasl_factory = Some(Arc::new(|req: &MechanismRequest<'_>| {
        let name = String::from_utf8_lossy(req.mechanism.as_bytes()).to_ascii_uppercase();
        let m: Box<dyn ServerMechanism> = match name.as_str() {
            "LOGIN" => Box::new(LoginServer::new()),
            "SCRAM-SHA-256" => Box::new(scram_server()),
            _ => return None,
        };
        Some(m)
    }));
    config
}

/// A TLS session with [`config`], greeting taken, the application holding
/// login attempts (so that any that reaches it shows in `h.logins`).
fn session() -> Harness {
    let mut h = Harness::new(config(), ConnectionSecurity::Tls, Split::Whole);
    h.policy.passwords = None;
    h.take_wire();
    h.take_log();
    h
}

// ---- client: an impostor's OK after the client refused the exchange -------

/// RFC 5802 §5 (mutual authentication) and the crate's contract on
/// `Client::authenticate`: "a SCRAM server that cannot prove it knows the
/// password fails the command and closes the session". Here the server
/// sends a forged `v=`; the client answers `*`, and the server answers
/// that with OK (where RFC 9051 §6.2.2 requires BAD). The server side now
/// believes the session is authenticated, the client does not; the
/// session stays open (and takes the impostor's CAPABILITY), so an
/// application may go on, e.g. fall back to LOGIN with the password on
/// the impostor's connection. The case without any `v=` closes (tested
/// in client_sasl.rs); this one must as well.
///
/// Was a bug.
#[test]
fn client_closes_when_the_server_says_ok_after_a_refused_signature() {
    let mut s = util::client::greeted("SASL-IR AUTH=SCRAM-SHA-256");
    s.client
        .authenticate(s.now, Box::new(scram_client("user")))
        .unwrap();
    assert_eq!(
        s.sent(),
        "A1 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"
    );
    let server_first =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    s.server(format!("+ {}\r\n", STANDARD.encode(server_first)).as_bytes());
    s.sent();
    let forged = "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    s.server(format!("+ {}\r\n", STANDARD.encode(forged)).as_bytes());
    assert_eq!(s.sent(), "*\r\n");
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] welcome\r\n");
    let events = s.events();
    let outcome = events.iter().find_map(|e| match e {
        ClientEvent::Completed(c) => Some(c.outcome.clone()),
        _ => None,
    });
    assert_eq!(
        outcome,
        Some(Outcome::Sasl(SaslError::ServerSignatureMismatch))
    );
    assert_ne!(s.client.state(), SessionState::Authenticated);
    assert_eq!(
        util::client::closed(&events),
        Some(CloseReason::Sasl(SaslError::ServerSignatureMismatch)),
        "{events:#?}"
    );
}

// ---- client: the password for any first challenge ---------------------------

/// Without SASL-IR the Client keeps PLAIN's message for the server's first
/// challenge, which for a client-first mechanism is empty (RFC 4422 §5
/// item 2, RFC 4959 §3: `+ `). `PlainClient::respond` itself refuses a
/// non-empty challenge ("any other challenge is unexpected"), but the
/// Client's exchange sends the kept message without asking the mechanism:
/// a server prompting `+ VXNlcm5hbWU6` ("Username:") gets the password.
///
/// Was a bug.
#[test]
fn client_cancels_plain_on_a_non_empty_first_challenge() {
    let mut s = util::client::greeted("AUTH=PLAIN");
    s.client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", secret("tanstaaftanstaaf"))),
        )
        .unwrap();
    assert_eq!(s.sent(), "A1 AUTHENTICATE PLAIN\r\n");
    s.server(b"+ VXNlcm5hbWU6\r\n");
    // Before the fix: "AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n" (\0tim\0tanstaaftanstaaf).
    assert_eq!(s.sent(), "*\r\n");
}

// ---- SCRAM server: the unknown user's made-up salt ---------------------------

/// `ScramServer` answers an unknown user with a made-up salt "so that it
/// looks the same as for a wrong password". Without
/// `with_unknown_user_key` (the default) that salt is
/// `HMAC-SHA-256(server nonce, "salt\0" user)[..16]`, and the server nonce
/// is public: it is the tail of the `r=` the client receives. One
/// exchange, cancelled with `*` right after server-first (audited
/// `Cancelled`, `failures=0`, never throttled), tells an attacker whether
/// the user exists; the docs only warn about a client that asks twice.
/// Correct: a salt the client cannot compute from what it sees.
///
/// Was a bug.
#[test]
fn unknown_user_salt_cannot_be_computed_from_the_exchange() {
    let mut h = session();
    let first = STANDARD.encode(format!("n,,n=mallory,r={CLIENT_NONCE}"));
    h.send(format!("A1 AUTHENTICATE SCRAM-SHA-256 {first}\r\n").as_bytes());
    // The application (the harness's table) knows no mallory.
    assert_eq!(h.take_log(), ["scram-lookup mallory"]);
    let wire = h.take_wire();
    let challenge = wire
        .strip_prefix("+ ")
        .and_then(|w| w.strip_suffix("\r\n"))
        .unwrap_or_else(|| panic!("server-first: {wire:?}"));
    let server_first = String::from_utf8(STANDARD.decode(challenge).unwrap()).unwrap();
    let nonce = server_first
        .strip_prefix("r=")
        .and_then(|r| r.split(',').next())
        .unwrap();
    let server_nonce = nonce.strip_prefix(CLIENT_NONCE).unwrap();
    let salt = server_first.split(",s=").nth(1).unwrap();
    let salt = salt.split(',').next().unwrap();
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(server_nonce.as_bytes()).unwrap();
    mac.update(b"salt\0mallory");
    let predicted = STANDARD.encode(&mac.finalize().into_bytes()[..16]);
    h.send(b"*\r\n");
    assert_eq!(h.take_wire(), "A1 BAD Authentication cancelled\r\n");
    assert_ne!(salt, predicted, "the salt gives the unknown user away");
}

// ---- SCRAM: SASLprep of the user name -----------------------------------------

/// RFC 5802 §5.1 (`n`): the client SHOULD prepare the user name with
/// SASLprep "treating it as a query string (i.e., unassigned Unicode code
/// points are allowed)", and the server MUST prepare it the same way (or
/// compare SASLprep-aware). Both halves used the stored-string profile
/// (the `stringprep` crate's `saslprep`), so a name with a code point
/// unassigned in Unicode 3.2, such as U+1F600, was refused: the client
/// with `SaslError::SaslPrep` before sending, the server with the same
/// error (`BAD`). Only the password (`Normalize`, §2.2) is a stored string.
///
/// Was a bug (fixed in stop 33).
#[test]
fn scram_user_name_is_prepared_as_a_query_string() {
    let mut c = scram_client("user\u{1F600}");
    let first = c
        .initial_response()
        .map(|m| m.map(|m| m.declassify().clone()));
    assert_eq!(
        first,
        Ok(Some(
            format!("n,,n=user\u{1F600},r={CLIENT_NONCE}").into_bytes()
        ))
    );
    let mut s = scram_server();
    assert_eq!(
        s.start(Some(
            format!("n,,n=user\u{1F600},r={CLIENT_NONCE}").as_bytes()
        )),
        Ok(ServerStep::LookupScram(Identity {
            authcid: "user\u{1F600}".into(),
            authzid: None,
        }))
    );
}

// ---- LOGIN mechanism: NUL in the user name or password ------------------------

/// The LOGIN mechanism hands a user name and a password holding NUL to the
/// application. RFC 4422 §3.4.1 excludes NUL from identity strings; every
/// other path refuses it (the LOGIN command's strings, RFC 9051 §4.3;
/// PLAIN, whose separator it is; SCRAM "nul in message"; XOAUTH2 and
/// OAUTHBEARER values), and a back end in C (PAM, crypt, LDAP bind) reads
/// "ali\0ce" as "ali": the attempt is logged and audited for one user
/// and checked for another. Correct: BAD as for any malformed message,
/// no `LoginAttempt`.
///
/// Was a bug.
#[test]
fn login_mechanism_refuses_nul_in_the_user_name() {
    let mut h = session();
    h.send(b"A1 AUTHENTICATE LOGIN\r\n");
    assert_eq!(h.take_wire(), "+ VXNlcm5hbWU6\r\n");
    h.send(format!("{}\r\n", STANDARD.encode("ali\0ce")).as_bytes());
    // Before the fix: "+ UGFzc3dvcmQ6\r\n", and after the password a LoginAttempt
    // for "ali\0ce".
    assert_eq!(h.take_wire(), "A1 BAD Malformed authentication message\r\n");
    assert!(h.logins.is_empty());
}

/// As above, for the password: "pw\0x" reaches the application.
///
/// Was a bug.
#[test]
fn login_mechanism_refuses_nul_in_the_password() {
    let mut h = session();
    h.send(b"A1 AUTHENTICATE LOGIN YWxpY2U=\r\n");
    assert_eq!(h.take_wire(), "+ UGFzc3dvcmQ6\r\n");
    h.send(format!("{}\r\n", STANDARD.encode("pw\0x")).as_bytes());
    assert_eq!(h.take_wire(), "A1 BAD Malformed authentication message\r\n");
    assert!(h.logins.is_empty(), "{:?}", h.take_log());
}

// ---- pins: behaviour no other test checks ----------------------------------------

/// A hostile server's largest iteration count is refused before any PBKDF2
/// round (the client's work stays bounded), as is the smallest.
#[test]
fn scram_client_refuses_extreme_iteration_counts_before_deriving() {
    for (i, want) in [("4294967295", u32::MAX), ("1", 1)] {
        let mut c = scram_client("user");
        c.initial_response().unwrap();
        let started = std::time::Instant::now();
        let server_first = format!("r={CLIENT_NONCE}srv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i={i}");
        assert_eq!(
            c.respond(server_first.as_bytes()).unwrap_err(),
            SaslError::IterationCount(want)
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // The exchange is over: nothing more is answered.
        assert!(c.respond(b"v=AAAA").is_err());
        assert_eq!(
            c.complete(),
            Err(SaslError::Incomplete { mechanism: "SCRAM" })
        );
    }
}

/// The SCRAM server reads `saslname` escapes strictly (RFC 5802 §5.1: `=`
/// only as `=2C` or `=3D`, else fail), in `n=` and in the GS2 `a=`.
#[test]
fn scram_server_refuses_bad_saslname_escapes() {
    let malformed = SaslError::Malformed {
        mechanism: "SCRAM",
        reason: "invalid user name encoding",
    };
    for first in [
        "n,,n=us=2Xer,r=abc",
        "n,,n=us=2cer,r=abc",
        "n,,n=user=,r=abc",
        "n,a=ad=3,n=user,r=abc",
    ] {
        assert_eq!(
            scram_server().start(Some(first.as_bytes())),
            Err(malformed.clone()),
            "{first}"
        );
    }
    assert_eq!(
        scram_server().start(Some(b"n,,n=a=2Cb=3Dc,r=abc")),
        Ok(ServerStep::LookupScram(Identity {
            authcid: "a,b=c".into(),
            authzid: None,
        }))
    );
}

/// RFC 4616 §2: each of authzid, authcid and passwd "MUST accept up to 255
/// octets" (here 255 UTF-8 octets each, multi-byte characters included).
#[test]
fn plain_server_accepts_255_octet_fields() {
    let field = |c: char| -> String {
        let mut s = "\u{e9}".repeat(127); // 254 octets
        s.push(c);
        assert_eq!(s.len(), 255);
        s
    };
    let (authzid, authcid, passwd) = (field('z'), field('c'), field('p'));
    let message = format!("{authzid}\0{authcid}\0{passwd}");
    let mut s = PlainServer::new().allow_authzid();
    let Ok(ServerStep::Verify(creds)) = s.start(Some(message.as_bytes())) else {
        panic!("credentials to verify")
    };
    assert_eq!(
        creds.identity,
        Identity {
            authcid: authcid.clone(),
            authzid: Some(authzid),
        }
    );
    assert_eq!(
        creds.secret,
        CredentialSecret::Password(Secret::new(passwd))
    );
}

/// RFC 7628 §3.2.3: after the server's error, the client's next message
/// only ends the exchange. A second token sent in place of the `^A` is
/// never handed to the application (no second guess per exchange).
#[test]
fn oauthbearer_second_token_after_the_error_is_not_verified() {
    let mut c = OAuthBearerClient::new("user@example.com", secret("first-token"));
    let mut s = OAuthBearerServer::new();
    let first = c.initial_response().unwrap().unwrap();
    assert!(matches!(
        s.start(Some(first.declassify())),
        Ok(ServerStep::Verify(_))
    ));
    let Ok(ServerStep::Challenge(json)) = s.supply(Supply::Verdict(false)) else {
        panic!("the error challenge")
    };
    assert_eq!(json, br#"{"status":"invalid_token"}"#);
    let second = OAuthBearerClient::new("user@example.com", secret("second-token"))
        .initial_response()
        .unwrap()
        .unwrap();
    match s.step(second.declassify()) {
        Ok(ServerStep::Failure(Failure {
            identity: Some(id),
            reason: FailureReason::Rejected,
            ..
        })) => assert_eq!(id.authcid, "user@example.com"),
        other => panic!("expected the rejection, got {other:?}"),
    }
    assert!(s.supply(Supply::Verdict(true)).is_err());
    // The client answers the error with a single ^A, once.
    assert_eq!(c.respond(&json).unwrap().declassify(), b"\x01");
    assert!(c.respond(&json).is_err());
}

// ---- the factory is told whether -PLUS was offered -------------------------

/// `ScramServer::new` takes `plus_advertised` to refuse a client that could
/// bind but says it saw no `-PLUS` (`y`, RFC 5802 §6): a downgrade only if
/// one was offered. The factory is told (`MechanismRequest::plus_advertised`)
/// by the same rule as the capability list: a `-PLUS` mechanism configured,
/// TLS up and a channel-binding value known. (The review's suspicion: the
/// applications here passed `channel_binding.is_some()`, which refuses a
/// `y` client on TLS when no `-PLUS` is configured.)
#[test]
fn the_factory_learns_whether_plus_was_offered() {
    use std::sync::Mutex;
    use std::time::Instant;

    use imapkit_proto::Atom;
    use imapkit_state::server::Server;

    let plus = AuthMechanism::Other(Atom::try_from("SCRAM-SHA-256-PLUS").unwrap());
    let plain_scram = vec![AuthMechanism::ScramSha256];
    let both = vec![AuthMechanism::ScramSha256, plus];
    let now = Instant::now();
    for (mechanisms, security, binding, offered) in [
        (&plain_scram, ConnectionSecurity::Tls, true, false),
        (&both, ConnectionSecurity::Tls, true, true),
        (&both, ConnectionSecurity::Tls, false, false),
        (&both, ConnectionSecurity::Plaintext, false, false),
    ] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut config = ServerConfig::default();
        config.sasl_mechanisms = mechanisms.clone();
        let record = Arc::clone(&seen);
        config.sasl_factory = Some(Arc::new(move |req: &MechanismRequest<'_>| {
            record.lock().unwrap().push(req.plus_advertised);
            None
        }));
        let config = Arc::new(config);
        let mut server = if binding {
            Server::new_tls(config, now, vec![7; 32])
        } else {
            Server::new(config, now, security)
        };
        let mut caps = Vec::new();
        let _ = server.poll_transmit(now, &mut caps);
        let caps = String::from_utf8(caps).unwrap();
        assert_eq!(caps.contains("-PLUS"), offered, "{caps}");
        server.handle_input(now, b"a AUTHENTICATE SCRAM-SHA-256\r\n");
        assert_eq!(
            *seen.lock().unwrap(),
            [offered],
            "{mechanisms:?} {security:?}"
        );
    }
}
