//! Every mechanism's client half against its server half, the way the
//! session machines drive them (with and without SASL-IR), on the success
//! and the failure paths; Debug output of every type without secrets; and
//! property tests: arbitrary bytes never panic a parser, and what a client
//! writes its server reads back.

use imapkit_proto::Secret;
use imapkit_state::sasl::fuzzing;
use imapkit_state::sasl::login::{LoginClient, LoginServer};
use imapkit_state::sasl::oauthbearer::{OAuthBearerClient, OAuthBearerServer};
use imapkit_state::sasl::plain::{PlainClient, PlainServer};
use imapkit_state::sasl::scram::{ScramClient, ScramHash, ScramServer};
use imapkit_state::sasl::xoauth2::{XOAuth2Client, XOAuth2Server};
use imapkit_state::sasl::{
    ChannelBinding, ClientMechanism, CredentialSecret, Credentials, FailureReason, Identity,
    SaslError, ScramSecrets, ServerMechanism, ServerStep, Supply,
};
use proptest::prelude::*;

/// How an exchange ended.
#[derive(Debug)]
enum Outcome {
    /// The server said OK; `complete` is the client's check of it.
    Success {
        identity: Identity,
        complete: Result<(), SaslError>,
    },
    /// The server said NO.
    Failure {
        reason: FailureReason,
        detail: Option<String>,
    },
    /// The client gave up (it would send `*`).
    ClientError(SaslError),
    /// The server refused a message (it would answer BAD).
    ServerError(SaslError),
}

/// What the application answers.
struct App {
    password: &'static str,
    token: &'static str,
    scram: Option<ScramSecrets>,
    /// Every credential check the application was asked for.
    asked: Vec<Credentials>,
}

impl App {
    fn answer(&mut self, step: &ServerStep) -> Supply {
        match step {
            ServerStep::Verify(c) => {
                self.asked.push(c.clone());
                let ok = match &c.secret {
                    CredentialSecret::Password(p) => p.declassify() == self.password,
                    CredentialSecret::BearerToken(t) => t.declassify() == self.token,
                    _ => false,
                };
                Supply::Verdict(ok && c.identity.authcid == "tim")
            }
            ServerStep::LookupScram(id) => {
                Supply::Scram(self.scram.clone().filter(|_| id.authcid == "tim"))
            }
            other => panic!("no question: {other:?}"),
        }
    }
}

fn app() -> App {
    App {
        password: "tanstaaftanstaaf",
        token: "ya29.token",
        scram: Some(
            ScramSecrets::derive(ScramHash::Sha256, "tanstaaftanstaaf", b"salt-salt", 4096)
                .unwrap(),
        ),
        asked: Vec::new(),
    }
}

/// Drives an exchange as the Client and Server machines do: the initial
/// response with SASL-IR, or none (the server's empty challenge asks).
fn run(
    client: &mut dyn ClientMechanism,
    server: &mut dyn ServerMechanism,
    app: &mut App,
    sasl_ir: bool,
) -> Outcome {
    assert_eq!(client.name(), server.name());
    assert_eq!(
        client.sends_reusable_secret(),
        server.receives_reusable_secret()
    );
    let initial = if sasl_ir {
        match client.initial_response() {
            Ok(i) => i,
            Err(e) => return Outcome::ClientError(e),
        }
    } else {
        None
    };
    let mut step = server.start(initial.as_ref().map(|i| i.declassify().as_slice()));
    for _ in 0..10 {
        step = match step {
            Err(e) => return Outcome::ServerError(e),
            Ok(ServerStep::Challenge(c)) => match client.respond(&c) {
                Ok(r) => server.step(r.declassify()),
                Err(e) => return Outcome::ClientError(e),
            },
            Ok(ServerStep::Success(identity)) => {
                return Outcome::Success {
                    identity,
                    complete: client.complete(),
                }
            }
            Ok(ServerStep::Failure(f)) => {
                return Outcome::Failure {
                    reason: f.reason,
                    detail: client.failure_detail().map(str::to_owned),
                }
            }
            Ok(question) => {
                let supply = app.answer(&question);
                server.supply(supply)
            }
        };
    }
    panic!("exchange did not end")
}

fn tim() -> Identity {
    Identity {
        authcid: "tim".into(),
        authzid: None,
    }
}

#[track_caller]
fn assert_success(outcome: Outcome) {
    match outcome {
        Outcome::Success { identity, complete } => {
            assert_eq!(identity, tim());
            assert_eq!(complete, Ok(()));
        }
        other => panic!("expected success, got {other:?}"),
    }
}

#[track_caller]
fn assert_failure(outcome: Outcome, want: FailureReason, want_detail: Option<&str>) {
    match outcome {
        Outcome::Failure { reason, detail } => {
            assert_eq!(reason, want);
            assert_eq!(detail.as_deref(), want_detail);
        }
        other => panic!("expected failure, got {other:?}"),
    }
}

type Pair = (Box<dyn ClientMechanism>, Box<dyn ServerMechanism>);

/// Each mechanism, with a client that presents `secret`.
fn pairs(secret: &str) -> Vec<Pair> {
    let s = || Secret::new(secret.to_owned());
    vec![
        (
            Box::new(PlainClient::new("tim", s())),
            Box::new(PlainServer::new()),
        ),
        (
            Box::new(LoginClient::new("tim", s())),
            Box::new(LoginServer::new()),
        ),
        (
            Box::new(XOAuth2Client::new("tim", s())),
            Box::new(XOAuth2Server::new()),
        ),
        (
            Box::new(
                OAuthBearerClient::new("tim", s())
                    .with_host("imap.example.com")
                    .with_port(993),
            ),
            Box::new(OAuthBearerServer::new().with_host("imap.example.com")),
        ),
        (
            Box::new(ScramClient::new(
                ScramHash::Sha256,
                "tim",
                s(),
                "client-nonce-0123456789".into(),
                ChannelBinding::None,
            )),
            Box::new(ScramServer::new(
                ScramHash::Sha256,
                "server-nonce-0123456789".into(),
                ChannelBinding::None,
                false,
            )),
        ),
    ]
}

#[test]
fn every_mechanism_succeeds_with_the_right_secret() {
    for sasl_ir in [true, false] {
        for (secret_kind, secret) in [("password", "tanstaaftanstaaf"), ("token", "ya29.token")] {
            for (mut c, mut s) in pairs(secret) {
                let bearer = matches!(c.name().as_bytes(), b"XOAUTH2" | b"OAUTHBEARER");
                if bearer != (secret_kind == "token") {
                    continue;
                }
                let mut app = app();
                let name = String::from_utf8_lossy(c.name().as_bytes()).into_owned();
                let outcome = run(&mut *c, &mut *s, &mut app, sasl_ir);
                assert!(
                    matches!(outcome, Outcome::Success { .. }),
                    "{name} sasl_ir={sasl_ir}: {outcome:?}"
                );
                assert_success(outcome);
                // The application saw the secret (SCRAM: only a lookup).
                assert_eq!(app.asked.len(), usize::from(!name.starts_with("SCRAM")));
            }
        }
    }
}

#[test]
fn every_mechanism_fails_with_the_wrong_secret() {
    for sasl_ir in [true, false] {
        for (mut c, mut s) in pairs("wrong") {
            let name = String::from_utf8_lossy(c.name().as_bytes()).into_owned();
            let outcome = run(&mut *c, &mut *s, &mut app(), sasl_ir);
            let (reason, detail) = match name.as_str() {
                "XOAUTH2" => (
                    FailureReason::Rejected,
                    Some(imapkit_state::sasl::xoauth2::DEFAULT_ERROR),
                ),
                "OAUTHBEARER" => (
                    FailureReason::Rejected,
                    Some(imapkit_state::sasl::oauthbearer::DEFAULT_ERROR),
                ),
                "SCRAM-SHA-256" => (FailureReason::BadProof, None),
                _ => (FailureReason::Rejected, None),
            };
            assert_failure(outcome, reason, detail);
        }
    }
}

#[test]
fn unknown_users_fail_like_wrong_passwords() {
    // The application knows only "tim": the lookup for "nobody" gets no
    // secrets, and the exchange fails where a wrong password would.
    let mut c = ScramClient::new(
        ScramHash::Sha256,
        "nobody",
        Secret::new("tanstaaftanstaaf".into()),
        "client-nonce-0123456789".into(),
        ChannelBinding::None,
    );
    let mut s = ScramServer::new(
        ScramHash::Sha256,
        "server-nonce-0123456789".into(),
        ChannelBinding::None,
        false,
    );
    assert_failure(
        run(&mut c, &mut s, &mut app(), true),
        FailureReason::BadProof,
        None,
    );
}

#[test]
fn refused_messages_end_the_exchange() {
    // The server refuses the client's message (BAD on the wire).
    let outcome = run(
        &mut PlainClient::new("tim", Secret::new(String::new())),
        &mut PlainServer::new(),
        &mut app(),
        true,
    );
    assert!(
        matches!(
            &outcome,
            Outcome::ServerError(SaslError::Malformed {
                mechanism: "PLAIN",
                reason: "empty password"
            })
        ),
        "{outcome:?}"
    );
    // The client refuses the server's (it would cancel with `*`): more
    // PBKDF2 iterations than it accepts.
    let mut c = ScramClient::new(
        ScramHash::Sha256,
        "nobody",
        Secret::new("pw".into()),
        "client-nonce-0123456789".into(),
        ChannelBinding::None,
    )
    .with_max_iterations(5000);
    let mut s = ScramServer::new(
        ScramHash::Sha256,
        "server-nonce-0123456789".into(),
        ChannelBinding::None,
        false,
    )
    .with_unknown_user_iterations(8192);
    let outcome = run(&mut c, &mut s, &mut app(), false);
    assert!(
        matches!(
            &outcome,
            Outcome::ClientError(SaslError::IterationCount(8192))
        ),
        "{outcome:?}"
    );
}

#[test]
fn scram_plus_pairs() {
    let exporter = |b: u8| ChannelBinding::TlsExporter(vec![b; 32]);
    let client = |binding| {
        ScramClient::new(
            ScramHash::Sha256,
            "tim",
            Secret::new("tanstaaftanstaaf".into()),
            "client-nonce-0123456789".into(),
            binding,
        )
    };
    let server = |binding, advertised| {
        ScramServer::new(
            ScramHash::Sha256,
            "server-nonce-0123456789".into(),
            binding,
            advertised,
        )
    };
    assert_success(run(
        &mut client(exporter(7)),
        &mut server(exporter(7), true).with_plus_variant(),
        &mut app(),
        true,
    ));
    assert_failure(
        run(
            &mut client(exporter(7)),
            &mut server(exporter(8), true).with_plus_variant(),
            &mut app(),
            true,
        ),
        FailureReason::ChannelBinding,
        None,
    );
    // The client supports binding but saw no -PLUS; the server offered it.
    let mut c = client(ChannelBinding::SupportedNotAdvertised);
    let mut s = server(exporter(7), true);
    assert_eq!(c.name(), s.name());
    assert_failure(
        run(&mut c, &mut s, &mut app(), true),
        FailureReason::ChannelBinding,
        None,
    );
}

#[test]
fn clients_refuse_bad_input_before_sending() {
    type NewClient = fn() -> Box<dyn ClientMechanism>;
    let cases: Vec<(NewClient, SaslError)> = vec![
        (
            || Box::new(PlainClient::new("t\0m", Secret::new("x".into()))),
            SaslError::InvalidCharacter {
                mechanism: "PLAIN",
                field: "authcid",
            },
        ),
        (
            || Box::new(XOAuth2Client::new("t\x01m", Secret::new("x".into()))),
            SaslError::InvalidCharacter {
                mechanism: "XOAUTH2",
                field: "user",
            },
        ),
        (
            || Box::new(OAuthBearerClient::new("tim", Secret::new("x\x01".into()))),
            SaslError::InvalidCharacter {
                mechanism: "OAUTHBEARER",
                field: "token",
            },
        ),
        (
            || {
                Box::new(ScramClient::new(
                    ScramHash::Sha1,
                    "tim",
                    Secret::new("x".into()),
                    "short".into(),
                    ChannelBinding::None,
                ))
            },
            SaslError::InvalidNonce("client"),
        ),
    ];
    for (client, err) in cases {
        // With SASL-IR the error comes before the command goes out ...
        assert_eq!(client().initial_response().unwrap_err(), err);
        // ... without, when the server's empty challenge asks.
        let mut c = client();
        assert_eq!(c.respond(b"").unwrap_err(), err);
        assert!(c.complete().is_err());
    }
}

#[test]
fn debug_of_every_type_hides_secrets() {
    let secret = "Sup3rS3cretValue";
    let mut shown = String::new();
    for (mut c, mut s) in pairs(secret) {
        shown += &format!("{c:?}\n{s:?}\n");
        let mut app = App {
            password: secret,
            token: secret,
            scram: Some(ScramSecrets::derive(ScramHash::Sha256, secret, b"salt", 4096).unwrap()),
            asked: Vec::new(),
        };
        // Record every state along the way, and every step.
        let initial = c.initial_response().unwrap();
        shown += &format!("{c:?}\n{initial:?}\n");
        let mut step = s.start(initial.as_ref().map(|i| i.declassify().as_slice()));
        for _ in 0..10 {
            shown += &format!("{step:?}\n{c:?}\n{s:?}\n");
            step = match step {
                Ok(ServerStep::Challenge(ch)) => {
                    let r = c.respond(&ch).unwrap();
                    shown += &format!("{r:?}\n");
                    s.step(r.declassify())
                }
                Ok(q @ (ServerStep::Verify(_) | ServerStep::LookupScram(_))) => {
                    let supply = app.answer(&q);
                    shown += &format!("{supply:?}\n");
                    s.supply(supply)
                }
                _ => break,
            };
        }
        shown += &format!("{:?}\n", app.asked);
    }
    assert!(shown.contains("PlainClient") && shown.contains("ScramServer"));
    assert!(shown.contains("<redacted>"));
    assert!(!shown.contains(secret), "{shown}");
    assert!(!shown.contains("Sup3r"), "{shown}");
    let secrets = ScramSecrets::derive(ScramHash::Sha1, secret, b"salt", 4096).unwrap();
    let keys = format!("{:?}", secrets.server_key);
    let shown = format!(
        "{secrets:?} {:?}",
        ChannelBinding::TlsExporter(vec![0x5a; 32])
    );
    assert_eq!(
        shown,
        "ScramSecrets { salt_len: 4, iterations: 4096, .. } TlsExporter(<32 bytes>)"
    );
    assert!(!shown.contains(&keys[1..12]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes at every point of every server half: no panic, and
    /// no success without the application's verdict.
    #[test]
    fn servers_never_panic(first in proptest::collection::vec(any::<u8>(), 0..80),
                           second in proptest::collection::vec(any::<u8>(), 0..80),
                           sasl_ir: bool) {
        let servers: Vec<Box<dyn ServerMechanism>> = vec![
            Box::new(PlainServer::new()),
            Box::new(LoginServer::new()),
            Box::new(XOAuth2Server::new()),
            Box::new(OAuthBearerServer::new()),
            Box::new(ScramServer::new(ScramHash::Sha1, "server-nonce-0123456789".into(), ChannelBinding::None, false)),
        ];
        for mut s in servers {
            let mut step = s.start(sasl_ir.then_some(first.as_slice()));
            for msg in [&first, &second, &second] {
                step = match step {
                    Ok(ServerStep::Challenge(_)) => s.step(msg),
                    Ok(ServerStep::Verify(_)) => s.supply(Supply::Verdict(false)),
                    Ok(ServerStep::LookupScram(_)) => s.supply(Supply::Scram(None)),
                    Ok(ServerStep::Success(_)) => panic!("success without a verdict"),
                    done => done,
                };
            }
            prop_assert!(!matches!(step, Ok(ServerStep::Success(_))));
        }
    }

    /// Arbitrary challenges to every client half: no panic; a SCRAM client
    /// never completes on them.
    #[test]
    fn clients_never_panic(challenges in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..4)) {
        let clients: Vec<Box<dyn ClientMechanism>> = vec![
            Box::new(PlainClient::new("tim", Secret::new("pw".into()))),
            Box::new(LoginClient::new("tim", Secret::new("pw".into()))),
            Box::new(XOAuth2Client::new("tim", Secret::new("t".into()))),
            Box::new(OAuthBearerClient::new("tim", Secret::new("t".into()))),
            Box::new(ScramClient::new(ScramHash::Sha1, "tim", Secret::new("pw".into()), "client-nonce-0123456789".into(), ChannelBinding::None)),
        ];
        for mut c in clients {
            let scram = c.name().as_bytes().starts_with(b"SCRAM");
            let _ = c.initial_response();
            for ch in &challenges {
                let _ = c.respond(ch);
            }
            let _ = c.failure_detail();
            if scram {
                prop_assert!(c.complete().is_err());
            }
        }
    }

    /// What PLAIN, XOAUTH2 and OAUTHBEARER clients write, their servers
    /// read back to the same fields (the fuzz target's round-trip checks,
    /// on strings rather than bytes).
    #[test]
    fn clients_and_servers_agree(a in "\\PC{0,12}", b in "[ -~\\t]{0,12}", c in "[ -~]{0,12}") {
        let input = [a.as_bytes(), b"\xff", b.as_bytes(), b"\xff", c.as_bytes()].concat();
        fuzzing::plain_round_trip(&input);
        fuzzing::xoauth2_round_trip(&input);
        fuzzing::oauthbearer_round_trip(&input);
    }

    /// Every check of the fuzz target on arbitrary input.
    #[test]
    fn fuzz_checks_hold(data in proptest::collection::vec(any::<u8>(), 0..120)) {
        fuzzing::sasl(&data);
    }
}
