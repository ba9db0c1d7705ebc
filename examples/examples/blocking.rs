//! A blocking IMAP session in one screen: `std::net`, rustls and the
//! sans-IO `Client`. `blocking HOST PORT USER [CA_FILE]`, password in
//! `IMAP_PASSWORD`, implicit TLS (port 993).
use std::io::{ErrorKind, Read, Write};
use std::{error::Error, net::TcpStream, sync::Arc, time::Duration, time::Instant};

use imapkit_proto::{CommandBody as C, Data, FetchAttribute as F, Flag, MessageDataItem};
use imapkit_proto::{SearchKey, SequenceSet, StoreAction};
use imapkit_state::client::{Client, ClientConfig, Completion, Event};
use imapkit_state::ConnectionSecurity;
use rustls::pki_types::ServerName;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

struct Imap {
    client: Client,
    tls: rustls::StreamOwned<rustls::ClientConnection, TcpStream>,
}

impl Imap {
    /// The whole socket loop: sends `body`, feeds the client until it
    /// completes. One command at a time: its data (and any unsolicited
    /// data) is returned. To pipeline, keep the events of the other
    /// handles instead of dropping them, as `imap_examples::blocking`'s
    /// `Session` does.
    fn run(&mut self, body: impl Into<C<'static>>) -> Result<(Vec<Data<'static>>, Completion)> {
        let (c, s, mut data, mut buf) = (&mut self.client, &mut self.tls, Vec::new(), [0; 16384]);
        let handle = c.enqueue(Instant::now(), body)?;
        loop {
            // Events first: taking them may queue bytes to send.
            while let Some(event) = c.poll_event() {
                match event {
                    Event::Completed(done) if done.handle == handle => return Ok((data, *done)),
                    Event::Data { data: d, .. } => data.push(d),
                    Event::Closed { reason } => return Err(reason.to_string().into()),
                    _ => {}
                }
            }
            let mut out = Vec::new();
            if c.poll_transmit(Instant::now(), &mut out).is_some() {
                s.write_all(&out)?;
                s.flush()?;
            }
            // Read until data arrives or the client's next timer is due.
            let wait = c
                .poll_timeout()
                .map(|t| t.saturating_duration_since(Instant::now()));
            s.sock
                .set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
            match s.read(&mut buf) {
                Ok(0) => c.handle_eof(Instant::now()),
                Ok(n) => c.handle_input(Instant::now(), &buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => c.handle_timeout(Instant::now()),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Runs `body`; its untagged data if the server said OK.
    fn ok(&mut self, body: impl Into<C<'static>>) -> Result<Vec<Data<'static>>> {
        let (data, done) = self.run(body)?;
        done.result()?;
        Ok(data)
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(host), Some(port), Some(user)) = (args.first(), args.get(1), args.get(2)) else {
        return Err("usage: blocking HOST PORT USER [CA_FILE] (password in IMAP_PASSWORD)".into());
    };
    let config = imap_examples::blocking::tls_config(args.get(3).map(std::path::Path::new))?;
    let conn = rustls::ClientConnection::new(config, ServerName::try_from(host.clone())?)?;
    let tls = rustls::StreamOwned::new(conn, TcpStream::connect((host.as_str(), port.parse()?))?);
    let config = Arc::new(ClientConfig::default());
    let client = Client::new(config, Instant::now(), ConnectionSecurity::Tls);
    let mut imap = Imap { client, tls };
    imap.ok(C::login(user.clone(), std::env::var("IMAP_PASSWORD")?))?;
    for d in imap.ok(C::list("", "*"))? {
        println!("{d}"); // Display is the wire form (credentials redacted)
    }
    imap.ok(C::select("INBOX"))?;
    let exists = imap.client.mailbox().map_or(0, |m| m.exists());
    println!("INBOX: {exists} messages");
    let message = "From: me@example.org\r\nSubject: Grüße\r\n\r\nHallo\r\n";
    let (_, done) = imap.run(C::append("INBOX", message)?)?;
    println!("appended: {:?}", done.code);
    let items = [F::Uid, F::Envelope, F::BodyStructure];
    for d in imap.ok(C::uid_fetch(SequenceSet::all(), items))? {
        if let Data::Fetch { items, .. } = d {
            for item in items.iter() {
                if let MessageDataItem::Envelope(e) = item {
                    let subject = e.subject_text().map(|t| t.to_string());
                    println!("subject: {}", subject.unwrap_or_default());
                }
            }
        }
    }
    let last = imap.client.mailbox().and_then(|m| m.uid(m.exists())); // the model knows UIDs
    let last = SequenceSet::single(last.unwrap_or(1))?;
    imap.ok(C::uid_store(last, StoreAction::Add, [Flag::Seen]))?;
    for d in imap.ok(C::search([SearchKey::Unseen]))? {
        println!("unseen: {d}");
    }
    imap.ok(C::create("日本語のメール"))?;
    imap.ok(C::delete("日本語のメール"))?;
    imap.ok(C::logout())?;
    Ok(())
}
