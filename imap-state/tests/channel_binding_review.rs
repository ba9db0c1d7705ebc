//! An empty `tls-exporter` channel-binding value (stop 33 review).
//!
//! RFC 9266 §2: the `tls-exporter` value is 32 bytes of keying material
//! exported from the TLS connection. An application whose TLS library gave
//! nothing and that hands the library an empty value would make the
//! `SCRAM-*-PLUS` exchange bind to nothing: `c=` would hold only the GS2
//! header, the same on every connection, so a man in the middle who
//! terminates TLS could relay it (RFC 5802 §6). An empty value is never
//! used as a binding: `Server::new_tls`, `Server::tls_established`,
//! `ScramServer::new` and `ScramClient::new` all take it as no channel
//! binding (no `-PLUS` offered or accepted; the client names the plain
//! mechanism and sends `n`).
//!
//! Non-empty values (of any length, as before) are unchanged; each test
//! checks that side too. (OAUTHBEARER takes no channel binding here: its
//! server refuses `p=`.)

mod util;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use imapkit_proto::Secret;
use imapkit_state::proto::{Atom, AuthMechanism};
use imapkit_state::sasl::scram::{ScramClient, ScramHash, ScramServer};
use imapkit_state::sasl::{
    ChannelBinding, ClientMechanism, Failure, FailureReason, Identity, ScramSecrets,
    ServerMechanism, ServerStep, Supply,
};
use imapkit_state::server::{MechanismRequest, Server, ServerConfig};
use imapkit_state::ConnectionSecurity;
use util::{b64, Harness, Split};

const SERVER_NONCE: &str = "server-nonce-0123456789";
const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
const EXPORTER: [u8; 32] = [7; 32];

fn scram_client(channel_binding: ChannelBinding) -> ScramClient {
    ScramClient::new(
        ScramHash::Sha256,
        "user",
        Secret::new("pencil".to_owned()),
        CLIENT_NONCE.to_owned(),
        channel_binding,
    )
}

fn scram_server(channel_binding: ChannelBinding, plus_advertised: bool) -> ScramServer {
    ScramServer::new(
        ScramHash::Sha256,
        SERVER_NONCE.to_owned(),
        channel_binding,
        plus_advertised,
    )
}

fn secrets() -> ScramSecrets {
    ScramSecrets::derive(ScramHash::Sha256, "pencil", b"salt-of-user", 4096).unwrap()
}

fn plus() -> AuthMechanism<'static> {
    AuthMechanism::Other(Atom::try_from("SCRAM-SHA-256-PLUS").unwrap())
}

/// Runs a whole SCRAM exchange; the client's client-final message and
/// whether the server ended with success.
fn exchange(client: &mut ScramClient, server: &mut ScramServer) -> (String, bool) {
    let first = client.initial_response().unwrap().unwrap();
    let step = server.start(Some(first.declassify())).unwrap();
    let ServerStep::LookupScram(_) = step else {
        panic!("client-first refused: {step:?}");
    };
    let ServerStep::Challenge(server_first) =
        server.supply(Supply::Scram(Some(secrets()))).unwrap()
    else {
        panic!("no server-first");
    };
    let client_final = client.respond(&server_first).unwrap();
    let text = String::from_utf8(client_final.declassify().clone()).unwrap();
    let step = server.step(client_final.declassify()).unwrap();
    let ServerStep::Challenge(server_final) = step else {
        return (text, false);
    };
    let empty = client.respond(&server_final).unwrap();
    let ok = matches!(
        server.step(empty.declassify()).unwrap(),
        ServerStep::Success(_)
    );
    client.complete().unwrap();
    (text, ok)
}

// ---- client ----------------------------------------------------------------

/// `ScramClient::new` with an empty `tls-exporter` value: no binding. The
/// client names `SCRAM-SHA-256` (not `-PLUS`) and sends the GS2 flag `n`
/// (RFC 5802 §6: it cannot bind on this connection, so it does not claim
/// support with `y`), and `c=` is the base64 of `n,,` alone. Against a
/// server that has a binding and offered `-PLUS`, that exchange succeeds
/// unbound, as for a client without channel-binding support.
#[test]
fn scram_client_takes_an_empty_exporter_as_no_binding() {
    let mut c = scram_client(ChannelBinding::TlsExporter(Vec::new()));
    assert_eq!(c.name(), AuthMechanism::ScramSha256);
    assert!(!c.sends_reusable_secret());
    let mut s = scram_server(ChannelBinding::TlsExporter(EXPORTER.to_vec()), true);
    let first = c.clone().initial_response().unwrap().unwrap();
    assert_eq!(
        first.declassify(),
        format!("n,,n=user,r={CLIENT_NONCE}").as_bytes()
    );
    let (client_final, ok) = exchange(&mut c, &mut s);
    assert!(client_final.starts_with("c=biws,"), "{client_final}");
    assert!(ok);

    // A non-empty value: the `-PLUS` variant, bound to it, as before.
    let mut c = scram_client(ChannelBinding::TlsExporter(EXPORTER.to_vec()));
    assert_eq!(c.name(), plus());
    let mut s =
        scram_server(ChannelBinding::TlsExporter(EXPORTER.to_vec()), true).with_plus_variant();
    let first = c.clone().initial_response().unwrap().unwrap();
    assert_eq!(
        first.declassify(),
        format!("p=tls-exporter,,n=user,r={CLIENT_NONCE}").as_bytes()
    );
    let (client_final, ok) = exchange(&mut c, &mut s);
    let mut cbind = b"p=tls-exporter,,".to_vec();
    cbind.extend_from_slice(&EXPORTER);
    assert!(
        client_final.starts_with(&format!("c={},", b64(&cbind))),
        "{client_final}"
    );
    assert!(ok);
}

/// Through the IMAP client: the AUTHENTICATE command names the plain
/// mechanism even though the server offers `-PLUS`, and the initial
/// response is `n,,n=user,r=...`.
#[test]
fn client_authenticates_without_plus_given_an_empty_exporter() {
    let mut s = util::client::greeted("SASL-IR AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS");
    s.client
        .authenticate(
            s.now,
            Box::new(scram_client(ChannelBinding::TlsExporter(Vec::new()))),
        )
        .unwrap();
    assert_eq!(
        s.sent(),
        format!(
            "A1 AUTHENTICATE SCRAM-SHA-256 {}\r\n",
            b64(format!("n,,n=user,r={CLIENT_NONCE}").as_bytes())
        )
    );
}

// ---- server: the SCRAM half --------------------------------------------------

/// `ScramServer::new` with an empty `tls-exporter` value: no binding. The
/// `-PLUS` half refuses the client's `p=tls-exporter` (it has nothing to
/// check `c=` against) with `FailureReason::ChannelBinding` before any
/// lookup, where a non-empty value goes on to the lookup as before.
#[test]
fn scram_server_takes_an_empty_exporter_as_no_binding() {
    let first = format!("p=tls-exporter,,n=user,r={CLIENT_NONCE}");
    let identity = Identity {
        authcid: "user".into(),
        authzid: None,
    };
    let mut s = scram_server(ChannelBinding::TlsExporter(Vec::new()), true).with_plus_variant();
    let step = s.start(Some(first.as_bytes()));
    assert!(
        matches!(
            &step,
            Ok(ServerStep::Failure(Failure {
                identity: Some(who),
                reason: FailureReason::ChannelBinding,
                ..
            })) if *who == identity
        ),
        "{step:?}"
    );
    // A client that binds to an empty value too (`c=` holding the GS2
    // header alone) does not get through either.
    let mut c = scram_client(ChannelBinding::TlsExporter(Vec::new()));
    let mut s = scram_server(ChannelBinding::TlsExporter(Vec::new()), true).with_plus_variant();
    let first_n = c.initial_response().unwrap().unwrap();
    assert!(matches!(
        s.start(Some(first_n.declassify())),
        Ok(ServerStep::Failure(Failure {
            reason: FailureReason::ChannelBinding,
            ..
        }))
    ));

    let mut s =
        scram_server(ChannelBinding::TlsExporter(EXPORTER.to_vec()), true).with_plus_variant();
    assert_eq!(
        s.start(Some(first.as_bytes())),
        Ok(ServerStep::LookupScram(identity))
    );
}

// ---- server: the session ---------------------------------------------------

/// A configuration offering SCRAM-SHA-256 and its `-PLUS` variant whose
/// factory records what it is asked (channel binding, `plus_advertised`)
/// and builds the crate's SCRAM half from the request, as its docs show.
#[allow(clippy::type_complexity)]
fn recording_config() -> (ServerConfig, Arc<Mutex<Vec<(Option<Vec<u8>>, bool)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let mut config = ServerConfig::default();
    config.sasl_mechanisms = vec![AuthMechanism::ScramSha256, plus()];
    config.sasl_factory = Some(Arc::new(move |req: &MechanismRequest<'_>| {
        record
            .lock()
            .unwrap()
            .push((req.channel_binding.map(<[u8]>::to_vec), req.plus_advertised));
        let (hash, is_plus) = ScramHash::from_mechanism(req.mechanism)?;
        let binding = match req.channel_binding {
            Some(v) => ChannelBinding::TlsExporter(v.to_vec()),
            // `-PLUS` cannot run without a value (`MechanismFactory`).
            None if is_plus => return None,
            None => ChannelBinding::None,
        };
        let server = ScramServer::new(hash, SERVER_NONCE.into(), binding, req.plus_advertised);
        let server = if is_plus {
            server.with_plus_variant()
        } else {
            server
        };
        Some(Box::new(server) as Box<dyn ServerMechanism>)
    }));
    (config, seen)
}

/// `Server::tls_established` with `Some` of an empty value: the same
/// session as with `None` (no `-PLUS` offered, the factory sees no
/// binding), as `Server::new_tls` does; with a non-empty value, `-PLUS`
/// is offered and the factory sees it.
#[test]
fn tls_established_takes_an_empty_channel_binding_value_as_none() {
    for (value, seen_value, plus_offered) in [
        (Some(Vec::new()), None, false),
        (None, None, false),
        (Some(EXPORTER.to_vec()), Some(EXPORTER.to_vec()), true),
    ] {
        let (config, seen) = recording_config();
        let mut h = Harness::new(config, ConnectionSecurity::Plaintext, Split::Whole);
        h.take_wire();
        h.send(b"a STARTTLS\r\n");
        assert_eq!(h.take_wire(), "a OK Begin TLS negotiation now\r\n");
        h.server.tls_established(h.now, value).unwrap();
        assert_eq!(h.server.security(), ConnectionSecurity::Tls);
        h.send(b"b CAPABILITY\r\n");
        let caps = h.take_wire();
        assert_eq!(
            caps.contains("AUTH=SCRAM-SHA-256-PLUS"),
            plus_offered,
            "{caps}"
        );
        h.send(
            format!(
                "c AUTHENTICATE SCRAM-SHA-256 {}\r\n",
                b64(format!("n,,n=user,r={CLIENT_NONCE}").as_bytes())
            )
            .as_bytes(),
        );
        assert_eq!(
            seen.lock().unwrap().as_slice(),
            [(seen_value, plus_offered)]
        );
    }
}

/// `Server::new_tls` with an empty value: the session `Server::new` makes
/// on TLS, byte for byte: no `-PLUS` in the greeting, `AUTHENTICATE
/// SCRAM-SHA-256-PLUS` unsupported, and the factory sees no binding and
/// `plus_advertised` false. A non-empty value offers `-PLUS` as before.
#[test]
fn new_tls_takes_an_empty_channel_binding_value_as_none() {
    fn greeting(server: &mut Server, now: Instant) -> String {
        let mut out = Vec::new();
        while server.poll_transmit(now, &mut out).is_some() {}
        String::from_utf8(out).unwrap()
    }
    let now = Instant::now();
    let (config, seen) = recording_config();
    let config = Arc::new(config);
    let mut empty = Server::new_tls(Arc::clone(&config), now, Vec::new());
    let mut plain = Server::new(Arc::clone(&config), now, ConnectionSecurity::Tls);
    let mut bound = Server::new_tls(Arc::clone(&config), now, EXPORTER.to_vec());
    let greeting_empty = greeting(&mut empty, now);
    assert_eq!(greeting_empty, greeting(&mut plain, now));
    assert!(!greeting_empty.contains("-PLUS"), "{greeting_empty}");
    assert!(greeting(&mut bound, now).contains("AUTH=SCRAM-SHA-256-PLUS"));
    assert_eq!(empty.security(), ConnectionSecurity::Tls);
    assert_eq!(empty.capabilities(), plain.capabilities());

    let line = format!(
        "a AUTHENTICATE SCRAM-SHA-256-PLUS {}\r\n",
        b64(format!("p=tls-exporter,,n=user,r={CLIENT_NONCE}").as_bytes())
    );
    empty.handle_input(now, line.as_bytes());
    assert_eq!(
        greeting(&mut empty, now),
        "a NO Unsupported authentication mechanism\r\n"
    );
    let line = format!(
        "b AUTHENTICATE SCRAM-SHA-256 {}\r\n",
        b64(format!("n,,n=user,r={CLIENT_NONCE}").as_bytes())
    );
    empty.handle_input(now, line.as_bytes());
    bound.handle_input(now, line.as_bytes());
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [
            (None, false),
            (None, false),
            (Some(EXPORTER.to_vec()), true)
        ]
    );
}
