//! The `server/commands` driver: the client command mix through an
//! `imapkit-state` `Server`, with an application that answers every command
//! (untagged data for some, a tagged OK for each) and takes the output.
//!
//! Shared by the timing bench (`benches/imap.rs`) and the allocation
//! counter (`benches/allocs.rs`), which also measures the heap of idle
//! authenticated sessions ([`idle_session`]).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use imapkit_proto::{Capability, CommandBody, Data, MessageDataItem, Vec1};
use imapkit_state::server::{AuthVerdict, Completion, Event, Server, ServerConfig};
use imapkit_state::ConnectionSecurity;

/// The configuration of the bench sessions: the default one, with the
/// extensions the command mix uses (CONDSTORE, QRESYNC).
pub fn config() -> Arc<ServerConfig> {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::CondStore);
    config.capabilities.push(Capability::QResync);
    Arc::new(config)
}

/// A session over TLS, logged in, with QRESYNC enabled and INBOX selected;
/// its output and events drained.
pub fn selected_session(config: &Arc<ServerConfig>, now: Instant) -> Server {
    let mut server = Server::new(Arc::clone(config), now, ConnectionSecurity::Tls);
    let mut out = Vec::new();
    server.handle_input(now, b"l LOGIN alice wonderland\r\n");
    settle(&mut server, now, &mut out);
    server.handle_input(now, b"e ENABLE QRESYNC\r\ns SELECT INBOX\r\n");
    settle(&mut server, now, &mut out);
    assert_eq!(
        server.state(),
        imapkit_state::server::SessionState::Selected
    );
    server
}

/// Answers everything the session asks until it is quiet: logins are
/// accepted, commands completed (with data as in [`serve`]); returns the
/// number of commands completed. Output is appended to `out` and cleared
/// (as if written to the socket).
pub fn settle(server: &mut Server, now: Instant, out: &mut Vec<u8>) -> usize {
    let mut done = 0;
    loop {
        let mut progress = false;
        while server.poll_transmit(now, out).is_some() {
            out.clear();
            progress = true;
        }
        while let Some(event) = server.poll_event() {
            progress = true;
            match event {
                Event::CommandReceived { request, command } => {
                    if let Some(data) = answer(&command.body) {
                        // In flight: the request was just handed out.
                        let _ = server.send_data(now, &request, data);
                    }
                    // In flight: answered once.
                    let _ = server.respond(now, request, Completion::ok());
                    done += 1;
                }
                Event::LoginAttempt(attempt) => {
                    // Pending: the attempt was just handed out.
                    let _ = server.decide_login(now, attempt, AuthVerdict::Accept);
                }
                _ => {}
            }
        }
        if !progress {
            return done;
        }
    }
}

/// The application's untagged data for a command of the mix: one FETCH
/// response per FETCH, the size for SELECT, nothing for the rest.
fn answer(body: &CommandBody<'_>) -> Option<Data<'static>> {
    let one = NonZeroU32::MIN;
    match body {
        CommandBody::Fetch { .. } => Some(Data::Fetch {
            seq: one,
            items: Vec1::new(MessageDataItem::Uid(one)),
        }),
        CommandBody::Select { .. } => Some(Data::Exists(172)),
        _ => None,
    }
}

/// Feeds `stream` to `server` in `chunk`-byte reads (read only while the
/// session wants to), answering every command; returns how many commands
/// were completed.
pub fn serve(
    server: &mut Server,
    now: Instant,
    stream: &[u8],
    chunk: usize,
    out: &mut Vec<u8>,
) -> usize {
    let mut done = 0;
    let mut pos = 0;
    while pos < stream.len() {
        if server.wants_read() {
            let end = (pos + chunk).min(stream.len());
            server.handle_input(now, &stream[pos..end]);
            pos = end;
        }
        done += settle(server, now, out);
    }
    done
}

/// An idle authenticated session after some use: logged in, a mailbox
/// selected, a few commands served, its output taken.
pub fn idle_session(config: &Arc<ServerConfig>, now: Instant, commands: &[u8]) -> Server {
    let mut server = selected_session(config, now);
    let mut out = Vec::new();
    serve(&mut server, now, commands, 4096, &mut out);
    server
}
