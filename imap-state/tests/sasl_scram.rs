//! SCRAM against the RFC test vectors (RFC 5802 §5, RFC 7677 §3), client
//! against server with and without channel binding, and every way the
//! exchange must fail.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use imapkit_proto::Secret;
use imapkit_state::sasl::scram::{ScramClient, ScramHash, ScramServer, DEFAULT_MAX_ITERATIONS};
use imapkit_state::sasl::{
    ChannelBinding, ClientMechanism, Failure, FailureReason, Identity, SaslError, ScramSecrets,
    ServerMechanism, ServerStep, Supply,
};

struct Vector {
    hash: ScramHash,
    client_nonce: &'static str,
    server_nonce: &'static str,
    salt: &'static str,
    client_first: &'static str,
    server_first: &'static str,
    client_final: &'static str,
    server_final: &'static str,
}

/// RFC 5802 §5: SCRAM-SHA-1, user "user", password "pencil".
const RFC_5802: Vector = Vector {
    hash: ScramHash::Sha1,
    client_nonce: "fyko+d2lbbFgONRv9qkxdawL",
    server_nonce: "3rfcNHYJY1ZVvWVs7j",
    salt: "QSXCR+Q6sek8bf92",
    client_first: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    server_first: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    client_final:
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    server_final: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

/// RFC 7677 §3: SCRAM-SHA-256, user "user", password "pencil".
const RFC_7677: Vector = Vector {
    hash: ScramHash::Sha256,
    client_nonce: "rOprNGfwEbeRWgbNEkqO",
    server_nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    client_first: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    server_first: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    client_final: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    server_final: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

fn pencil() -> Secret<String> {
    Secret::new("pencil".to_owned())
}

fn user() -> Identity {
    Identity {
        authcid: "user".into(),
        authzid: None,
    }
}

fn rfc_client(v: &Vector) -> ScramClient {
    ScramClient::new(
        v.hash,
        "user",
        pencil(),
        v.client_nonce.into(),
        ChannelBinding::None,
    )
}

fn rfc_secrets(v: &Vector) -> ScramSecrets {
    let salt = STANDARD.decode(v.salt).unwrap();
    ScramSecrets::derive(v.hash, "pencil", &salt, 4096).unwrap()
}

fn rfc_server(v: &Vector) -> ScramServer {
    ScramServer::new(v.hash, v.server_nonce.into(), ChannelBinding::None, false)
}

fn check_client_vector(v: &Vector) {
    let mut c = rfc_client(v);
    assert_eq!(c.name(), v.hash.mechanism(false));
    assert!(!c.sends_reusable_secret());
    let first = c.initial_response().unwrap().unwrap();
    assert_eq!(first.declassify(), v.client_first.as_bytes());
    assert_eq!(
        c.complete(),
        Err(SaslError::Incomplete { mechanism: "SCRAM" })
    );
    let fin = c.respond(v.server_first.as_bytes()).unwrap();
    assert_eq!(
        std::str::from_utf8(fin.declassify()).unwrap(),
        v.client_final
    );
    // The server said OK before proving itself: not complete.
    assert_eq!(
        c.clone().complete(),
        Err(SaslError::Incomplete { mechanism: "SCRAM" })
    );
    assert_eq!(
        c.respond(v.server_final.as_bytes()).unwrap().declassify(),
        b""
    );
    c.complete().unwrap();
    assert_eq!(c.failure_detail(), None);
    // Nothing more is expected.
    assert!(c.respond(b"").is_err());
}

fn check_server_vector(v: &Vector) {
    let mut s = rfc_server(v);
    assert_eq!(s.name(), v.hash.mechanism(false));
    assert!(!s.receives_reusable_secret());
    assert_eq!(
        s.start(Some(v.client_first.as_bytes())).unwrap(),
        ServerStep::LookupScram(user())
    );
    assert_eq!(
        s.supply(Supply::Scram(Some(rfc_secrets(v)))).unwrap(),
        ServerStep::Challenge(v.server_first.as_bytes().to_vec())
    );
    assert_eq!(
        s.step(v.client_final.as_bytes()).unwrap(),
        ServerStep::Challenge(v.server_final.as_bytes().to_vec())
    );
    assert_eq!(s.step(b"").unwrap(), ServerStep::Success(user()));
    assert!(s.step(b"").is_err());
}

#[test]
fn rfc_5802_client() {
    check_client_vector(&RFC_5802);
}

#[test]
fn rfc_5802_server() {
    check_server_vector(&RFC_5802);
}

#[test]
fn rfc_7677_client() {
    check_client_vector(&RFC_7677);
}

#[test]
fn rfc_7677_server() {
    check_server_vector(&RFC_7677);
}

#[test]
fn server_without_initial_response_asks_for_client_first() {
    let v = &RFC_7677;
    let mut s = rfc_server(v);
    assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(Vec::new()));
    let mut c = rfc_client(v);
    // A client asked before it sent anything answers with client-first.
    let first = c.respond(b"").unwrap();
    assert_eq!(first.declassify(), v.client_first.as_bytes());
    assert!(c.initial_response().is_err());
    assert_eq!(
        s.step(first.declassify()).unwrap(),
        ServerStep::LookupScram(user())
    );
}

#[test]
fn client_refuses_a_forged_server_signature() {
    let v = &RFC_7677;
    let mut c = rfc_client(v);
    c.initial_response().unwrap();
    c.respond(v.server_first.as_bytes()).unwrap();
    // RFC 5802's signature is valid base64 of the wrong length and value.
    assert_eq!(
        c.clone()
            .respond(RFC_5802.server_final.as_bytes())
            .unwrap_err(),
        SaslError::ServerSignatureMismatch
    );
    let mut forged = STANDARD.decode(&v.server_final[2..]).unwrap();
    forged[0] ^= 1;
    let forged = format!("v={}", STANDARD.encode(forged));
    assert_eq!(
        c.respond(forged.as_bytes()).unwrap_err(),
        SaslError::ServerSignatureMismatch
    );
    assert_eq!(
        c.complete(),
        Err(SaslError::Incomplete { mechanism: "SCRAM" })
    );
}

#[test]
fn client_reports_server_errors() {
    let v = &RFC_5802;
    let mut c = rfc_client(v);
    c.initial_response().unwrap();
    c.respond(v.server_first.as_bytes()).unwrap();
    assert_eq!(
        c.respond(b"e=invalid-proof").unwrap_err(),
        SaslError::ServerError("invalid-proof".into())
    );
    assert_eq!(c.failure_detail(), Some("invalid-proof"));
    assert!(c.complete().is_err());

    // In place of server-first, too.
    let mut c = rfc_client(v);
    c.initial_response().unwrap();
    assert_eq!(
        c.respond(b"e=unknown-user").unwrap_err(),
        SaslError::ServerError("unknown-user".into())
    );
    assert_eq!(c.failure_detail(), Some("unknown-user"));
}

#[test]
fn client_checks_server_first() {
    let v = &RFC_5802;
    let attempt = |server_first: &str| {
        let mut c = rfc_client(v);
        c.initial_response().unwrap();
        c.respond(server_first.as_bytes()).map(drop)
    };
    // The nonce must extend ours, not replace or merely repeat it.
    assert_eq!(
        attempt("r=fyko+d2lbbFgONRv9qkxdaw_3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
        Err(SaslError::NonceMismatch)
    );
    assert_eq!(
        attempt("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096"),
        Err(SaslError::NonceMismatch)
    );
    assert_eq!(
        attempt("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4095"),
        Err(SaslError::IterationCount(4095))
    );
    assert_eq!(
        attempt("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=1000001"),
        Err(SaslError::IterationCount(1_000_001))
    );
    assert_eq!(DEFAULT_MAX_ITERATIONS, 1_000_000);
    for (bad, reason) in [
        (
            "r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf9,i=4096",
            "bad salt",
        ),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,i=4096", "missing salt"),
        (
            "m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096",
            "unsupported mandatory extension",
        ),
        ("", "bad attribute"),
    ] {
        assert_eq!(
            attempt(bad),
            Err(SaslError::Malformed {
                mechanism: "SCRAM",
                reason
            }),
            "{bad}"
        );
    }
    // A lower maximum is a client's choice; unknown extensions are ignored.
    let mut c = rfc_client(v).with_max_iterations(4096);
    c.initial_response().unwrap();
    assert_eq!(
        c.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4097")
            .unwrap_err(),
        SaslError::IterationCount(4097)
    );
    let mut c = rfc_client(v);
    c.initial_response().unwrap();
    assert!(c
        .respond(format!("{},x=extension", v.server_first).as_bytes())
        .is_ok());
}

#[test]
fn client_checks_its_own_inputs() {
    let nonce = |n: &str| {
        ScramClient::new(
            ScramHash::Sha256,
            "user",
            pencil(),
            n.into(),
            ChannelBinding::None,
        )
        .initial_response()
        .map(drop)
    };
    assert_eq!(
        nonce("seventeen-chars-x"),
        Err(SaslError::InvalidNonce("client"))
    );
    assert_eq!(
        nonce("eighteen-chars-xx,"),
        Err(SaslError::InvalidNonce("client"))
    );
    assert_eq!(
        nonce("eighteen chars xxxx"),
        Err(SaslError::InvalidNonce("client"))
    );
    assert_eq!(
        nonce("eighteen-chars-\u{e9}xx"),
        Err(SaslError::InvalidNonce("client"))
    );
    assert_eq!(nonce("eighteen-chars-xxx"), Ok(()));

    let prep = |u: &str, p: &str| {
        ScramClient::new(
            ScramHash::Sha256,
            u,
            Secret::new(p.into()),
            RFC_5802.client_nonce.into(),
            ChannelBinding::None,
        )
        .initial_response()
        .map(|m| String::from_utf8(m.unwrap().into_declassified()).unwrap())
    };
    assert_eq!(prep("\u{7}", "pencil"), Err(SaslError::SaslPrep));
    assert_eq!(prep("\u{ad}", "pencil"), Err(SaslError::SaslPrep));
    assert_eq!(prep("user", "pen\u{7}cil"), Err(SaslError::SaslPrep));
    // SASLprep maps, then the name is escaped.
    assert_eq!(
        prep("I\u{ad}X,=", "pencil").unwrap(),
        "n,,n=IX=2C=3D,r=fyko+d2lbbFgONRv9qkxdawL"
    );
}

fn exchange(
    mut c: ScramClient,
    mut s: ScramServer,
    secrets: Option<ScramSecrets>,
) -> (Result<ServerStep, SaslError>, ScramClient) {
    let first = c.initial_response().unwrap().unwrap();
    let step = s.start(Some(first.declassify())).unwrap();
    let ServerStep::LookupScram(_) = step else {
        return (Ok(step), c);
    };
    let ServerStep::Challenge(sf) = s.supply(Supply::Scram(secrets)).unwrap() else {
        panic!("server-first")
    };
    let cf = c.respond(&sf).unwrap();
    let step = s.step(cf.declassify());
    let Ok(ServerStep::Challenge(server_final)) = step else {
        return (step, c);
    };
    let ack = c.respond(&server_final).unwrap();
    assert_eq!(ack.declassify(), b"");
    c.complete().unwrap();
    (s.step(ack.declassify()), c)
}

fn secrets_256() -> ScramSecrets {
    ScramSecrets::derive(ScramHash::Sha256, "pencil", b"a salt of sixteen", 4096).unwrap()
}

fn client(binding: ChannelBinding) -> ScramClient {
    ScramClient::new(
        ScramHash::Sha256,
        "user",
        pencil(),
        "a-client-nonce-of-24-chr".into(),
        binding,
    )
}

fn server(binding: ChannelBinding, advertised: bool) -> ScramServer {
    ScramServer::new(
        ScramHash::Sha256,
        "a-server-nonce-18c".into(),
        binding,
        advertised,
    )
}

/// Asserts a failure of "user" for `reason`.
#[track_caller]
fn assert_failed(step: Result<ServerStep, SaslError>, reason: FailureReason) {
    assert_failed_as(step, reason, user());
}

#[track_caller]
fn assert_failed_as(step: Result<ServerStep, SaslError>, reason: FailureReason, who: Identity) {
    match step {
        Ok(ServerStep::Failure(Failure {
            identity: Some(id),
            reason: r,
            ..
        })) => assert_eq!((id, r), (who, reason)),
        other => panic!("expected a failure for {reason:?}, got {other:?}"),
    }
}

#[test]
fn wrong_password_and_unknown_user_fail_alike() {
    let wrong =
        ScramSecrets::derive(ScramHash::Sha256, "crayon", b"a salt of sixteen", 4096).unwrap();
    let (step, _) = exchange(
        client(ChannelBinding::None),
        server(ChannelBinding::None, false),
        Some(wrong),
    );
    assert_failed(step, FailureReason::BadProof);

    let mut s = server(ChannelBinding::None, false);
    let mut c = client(ChannelBinding::None);
    s.start(Some(c.initial_response().unwrap().unwrap().declassify()))
        .unwrap();
    let ServerStep::Challenge(sf) = s.supply(Supply::Scram(None)).unwrap() else {
        panic!("a normal-looking server-first")
    };
    let sf = String::from_utf8(sf).unwrap();
    let salt = sf.split(",s=").nth(1).unwrap().split(',').next().unwrap();
    assert_eq!(STANDARD.decode(salt).unwrap().len(), 16);
    assert!(sf.ends_with(",i=4096"), "{sf}");
    let cf = c.respond(sf.as_bytes()).unwrap();
    assert_failed(s.step(cf.declassify()), FailureReason::BadProof);
}

/// An unknown user's made-up salt is stable from one exchange to the next
/// (a changing salt would give the user away to a client that asks twice):
/// under the configured key, or without one under a key drawn once per
/// process; and two keys give two salts.
#[test]
fn unknown_user_salt_is_stable_from_one_exchange_to_the_next() {
    let salt_of = |nonce: &str, key: Option<&[u8]>| {
        let mut s = ScramServer::new(ScramHash::Sha256, nonce.into(), ChannelBinding::None, false)
            .with_unknown_user_iterations(8192);
        if let Some(k) = key {
            s = s.with_unknown_user_key(Secret::new(k.to_vec()));
        }
        s.start(Some(b"n,,n=ghost,r=a-client-nonce-of-24-chr"))
            .unwrap();
        let ServerStep::Challenge(sf) = s.supply(Supply::Scram(None)).unwrap() else {
            panic!()
        };
        let sf = String::from_utf8(sf).unwrap();
        assert!(sf.ends_with(",i=8192"), "{sf}");
        sf.split(",s=").nth(1).unwrap().to_owned()
    };
    assert_eq!(
        salt_of("a-server-nonce-18c", None),
        salt_of("b-server-nonce-18c", None)
    );
    assert_ne!(
        salt_of("a-server-nonce-18c", None),
        salt_of("a-server-nonce-18c", Some(b"server secret"))
    );
    assert_eq!(
        salt_of("a-server-nonce-18c", Some(b"server secret")),
        salt_of("b-server-nonce-18c", Some(b"server secret"))
    );
    assert_ne!(
        salt_of("a-server-nonce-18c", Some(b"server secret")),
        salt_of("a-server-nonce-18c", Some(b"other secret"))
    );
}

#[test]
fn plus_with_the_same_exporter_value_succeeds() {
    for hash in [ScramHash::Sha1, ScramHash::Sha256] {
        let exporter = ChannelBinding::TlsExporter((0..32).collect());
        let c = ScramClient::new(
            hash,
            "user",
            pencil(),
            "a-client-nonce-of-24-chr".into(),
            exporter.clone(),
        );
        assert_eq!(c.name(), hash.mechanism(true));
        let s =
            ScramServer::new(hash, "a-server-nonce-18c".into(), exporter, true).with_plus_variant();
        assert_eq!(s.name(), hash.mechanism(true));
        let secrets = ScramSecrets::derive(hash, "pencil", b"salt", 4096).unwrap();
        let (step, _) = exchange(c, s, Some(secrets));
        assert_eq!(step, Ok(ServerStep::Success(user())));
    }
    assert_eq!(
        ScramHash::Sha256.mechanism(true).as_bytes(),
        b"SCRAM-SHA-256-PLUS"
    );
}

#[test]
fn plus_with_another_exporter_value_fails() {
    let (step, _) = exchange(
        client(ChannelBinding::TlsExporter(vec![1; 32])),
        server(ChannelBinding::TlsExporter(vec![2; 32]), true).with_plus_variant(),
        Some(secrets_256()),
    );
    assert_failed(step, FailureReason::ChannelBinding);
}

#[test]
fn c_attribute_is_the_header_and_the_exporter_value() {
    let exporter: Vec<u8> = (100..132).collect();
    let mut c = client(ChannelBinding::TlsExporter(exporter.clone()));
    let first = c.initial_response().unwrap().unwrap();
    assert!(first.declassify().starts_with(b"p=tls-exporter,,n=user,r="));
    let cf = c
        .respond(b"r=a-client-nonce-of-24-chrXYZXYZXYZXYZXYZXYZ,s=c2FsdA==,i=4096")
        .unwrap();
    let mut cbind = b"p=tls-exporter,,".to_vec();
    cbind.extend_from_slice(&exporter);
    let expected = format!("c={},r=", STANDARD.encode(cbind));
    assert!(cf.declassify().starts_with(expected.as_bytes()));
}

#[test]
fn downgrade_is_refused() {
    // `y`: the client could bind but saw no -PLUS; the server offered one.
    let (step, _) = exchange(
        client(ChannelBinding::SupportedNotAdvertised),
        server(ChannelBinding::TlsExporter(vec![1; 32]), true),
        Some(secrets_256()),
    );
    assert_failed(step, FailureReason::ChannelBinding);
    // The same `y` where the server offered no -PLUS is honest.
    let (step, _) = exchange(
        client(ChannelBinding::SupportedNotAdvertised),
        server(ChannelBinding::TlsExporter(vec![1; 32]), false),
        Some(secrets_256()),
    );
    assert_eq!(step, Ok(ServerStep::Success(user())));
    // `n` on the -PLUS mechanism, `p` on the plain one, `p` where the server
    // cannot bind: refused.
    for (c, s) in [
        (
            client(ChannelBinding::None),
            server(ChannelBinding::TlsExporter(vec![1; 32]), true).with_plus_variant(),
        ),
        (
            client(ChannelBinding::TlsExporter(vec![1; 32])),
            server(ChannelBinding::TlsExporter(vec![1; 32]), true),
        ),
        (
            client(ChannelBinding::TlsExporter(vec![1; 32])),
            server(ChannelBinding::None, false).with_plus_variant(),
        ),
    ] {
        let (step, _) = exchange(c, s, Some(secrets_256()));
        assert_failed(step, FailureReason::ChannelBinding);
    }
    // `n` against a server that offered -PLUS: the client cannot bind, fine.
    let (step, _) = exchange(
        client(ChannelBinding::None),
        server(ChannelBinding::TlsExporter(vec![1; 32]), true),
        Some(secrets_256()),
    );
    assert_eq!(step, Ok(ServerStep::Success(user())));
}

#[test]
fn a_relayed_exchange_fails_on_the_gs2_header() {
    // A man in the middle rewrites the client's `p` to `n`: c= no longer
    // matches what the server saw.
    let mut c = client(ChannelBinding::TlsExporter(vec![1; 32]));
    let mut s = server(ChannelBinding::None, false);
    let first = c.initial_response().unwrap().unwrap();
    let rewritten = [
        b"n,,".as_slice(),
        &first.declassify()[b"p=tls-exporter,,".len()..],
    ]
    .concat();
    s.start(Some(&rewritten)).unwrap();
    let ServerStep::Challenge(sf) = s.supply(Supply::Scram(Some(secrets_256()))).unwrap() else {
        panic!()
    };
    let cf = c.respond(&sf).unwrap();
    assert_failed(s.step(cf.declassify()), FailureReason::ChannelBinding);
}

#[test]
fn authzid_needs_permission() {
    let c = || client(ChannelBinding::None).with_authzid("admin,ops");
    let (step, _) = exchange(
        c(),
        server(ChannelBinding::None, false),
        Some(secrets_256()),
    );
    assert_failed_as(
        step,
        FailureReason::Authorization,
        Identity {
            authcid: "user".into(),
            authzid: Some("admin,ops".into()),
        },
    );
    let (step, _) = exchange(
        c(),
        server(ChannelBinding::None, false).allow_authzid(),
        Some(secrets_256()),
    );
    assert_eq!(
        step,
        Ok(ServerStep::Success(Identity {
            authcid: "user".into(),
            authzid: Some("admin,ops".into())
        }))
    );
}

#[test]
fn saslprep_on_both_sides() {
    // The soft hyphen maps to nothing (RFC 4013 §2.1): "pen\u{ad}cil" is
    // "pencil", and the user name is prepared the same way by the server.
    let c = ScramClient::new(
        ScramHash::Sha256,
        "us\u{ad}er",
        Secret::new("pen\u{ad}cil".into()),
        "a-client-nonce-of-24-chr".into(),
        ChannelBinding::None,
    );
    let (step, _) = exchange(c, server(ChannelBinding::None, false), Some(secrets_256()));
    assert_eq!(step, Ok(ServerStep::Success(user())));

    let mut s = server(ChannelBinding::None, false);
    assert_eq!(
        s.start(Some("n,,n=\u{2168},r=abc".as_bytes())).unwrap(),
        ServerStep::LookupScram(Identity {
            authcid: "IX".into(),
            authzid: None
        })
    );
    let mut s = server(ChannelBinding::None, false);
    assert_eq!(
        s.start(Some("n,,n=a\u{7},r=abc".as_bytes())),
        Err(SaslError::SaslPrep)
    );
}

#[test]
fn server_refuses_malformed_and_out_of_order_messages() {
    let first = b"n,,n=user,r=a-client-nonce-of-24-chr";
    for (bad, err) in [
        (&b"x,,n=user,r=abc"[..], "bad channel binding flag"),
        (b"n,,r=abc", "missing username"),
        (b"n,,n=u=2x,r=abc", "invalid user name encoding"),
        (b"n,,m=x,n=user,r=abc", "unsupported mandatory extension"),
        (b"n,,n=user,r=a,bc", "bad attribute"),
    ] {
        let mut s = server(ChannelBinding::None, false);
        assert_eq!(
            s.start(Some(bad)),
            Err(SaslError::Malformed {
                mechanism: "SCRAM",
                reason: err
            }),
            "{}",
            bad.escape_ascii()
        );
    }
    let mut s = server(ChannelBinding::None, false);
    assert!(s.supply(Supply::Scram(None)).is_err());
    assert!(s.step(first).is_err());
    s.start(Some(first)).unwrap();
    assert!(s.start(Some(first)).is_err());
    assert!(s.supply(Supply::Verdict(true)).is_err());
    assert!(s.step(first).is_err());
    // Still waiting for the secrets after the wrong calls.
    let ServerStep::Challenge(sf) = s.supply(Supply::Scram(Some(secrets_256()))).unwrap() else {
        panic!()
    };
    let nonce = String::from_utf8(sf).unwrap()[2..]
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let mut s2 = s.clone();
    assert_eq!(
        s.step(format!("c=biws,r={nonce}x,p=AAAA").as_bytes()),
        Err(SaslError::Malformed {
            mechanism: "SCRAM",
            reason: "nonce differs from server-first"
        })
    );
    // A proof of the wrong length never verifies.
    assert_failed(
        s2.step(format!("c=biws,r={nonce},p=AAAA").as_bytes()),
        FailureReason::BadProof,
    );

    let mut s = server(ChannelBinding::None, false);
    s.start(Some(first)).unwrap();
    let mut zero = secrets_256();
    zero.iterations = 0;
    assert_eq!(
        s.supply(Supply::Scram(Some(zero))),
        Err(SaslError::IterationCount(0))
    );

    let mut s = ScramServer::new(
        ScramHash::Sha256,
        "short".into(),
        ChannelBinding::None,
        false,
    );
    assert_eq!(s.start(Some(first)), Err(SaslError::InvalidNonce("server")));
}

#[test]
fn server_wants_an_empty_answer_to_server_final() {
    let mut c = client(ChannelBinding::None);
    let mut s = server(ChannelBinding::None, false);
    s.start(Some(c.initial_response().unwrap().unwrap().declassify()))
        .unwrap();
    let ServerStep::Challenge(sf) = s.supply(Supply::Scram(Some(secrets_256()))).unwrap() else {
        panic!()
    };
    let cf = c.respond(&sf).unwrap();
    assert!(matches!(
        s.step(cf.declassify()).unwrap(),
        ServerStep::Challenge(_)
    ));
    assert!(matches!(s.step(b"x"), Err(SaslError::Malformed { .. })));
}

#[test]
fn debug_redacts_secrets() {
    let exporter: Vec<u8> = vec![0xab; 32];
    let mut c = ScramClient::new(
        ScramHash::Sha256,
        "user",
        Secret::new("hunter2-pencil".into()),
        "a-client-nonce-of-24-chr".into(),
        ChannelBinding::TlsExporter(exporter.clone()),
    );
    let mut s = ScramServer::new(
        ScramHash::Sha256,
        "a-server-nonce-18c".into(),
        ChannelBinding::TlsExporter(exporter),
        true,
    )
    .with_plus_variant()
    .with_unknown_user_key(Secret::new(b"server-wide-key".to_vec()));
    let secrets = ScramSecrets::derive(ScramHash::Sha256, "hunter2-pencil", b"salt", 4096).unwrap();
    let key_bytes = format!("{:?}", secrets.stored_key);
    let mut shown = format!("{c:?} {s:?} {secrets:?}");
    s.start(Some(c.initial_response().unwrap().unwrap().declassify()))
        .unwrap();
    let ServerStep::Challenge(sf) = s.supply(Supply::Scram(Some(secrets))).unwrap() else {
        panic!()
    };
    c.respond(&sf).unwrap();
    shown += &format!(" {c:?} {s:?}");
    assert!(shown.contains("SCRAM-SHA-256-PLUS"), "{shown}");
    for secret in ["hunter2", "171, 171", "server-wide-key", &key_bytes[1..20]] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
