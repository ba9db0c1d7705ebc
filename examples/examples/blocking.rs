//! A blocking IMAP session in one screen: `std::net`, rustls and the
//! sans-IO `Client`. `blocking HOST PORT USER [CA_FILE]`, password in
//! `IMAP_PASSWORD`, implicit TLS (port 993).
use std::error::Error;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_proto::{CommandBody as C, Data, FetchAttribute as F, Flag, MessageDataItem};
use imapkit_proto::{SearchKey, SequenceSet, StoreAction};
use imapkit_state::client::{Client, ClientConfig, Completion, Event};
use imapkit_state::ConnectionSecurity;
use rustls::pki_types::ServerName;

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;
type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The whole socket loop: sends `body`, feeds the client until it completes.
fn run(
    c: &mut Client,
    s: &mut Tls,
    body: impl Into<C<'static>>,
) -> Result<(Vec<Data<'static>>, Completion)> {
    let (handle, mut data, mut buf) = (c.enqueue(Instant::now(), body)?, Vec::new(), [0; 16384]);
    loop {
        let mut out = Vec::new();
        if c.poll_transmit(Instant::now(), &mut out).is_some() {
            s.write_all(&out)?;
            s.flush()?;
        }
        while let Some(event) = c.poll_event() {
            match event {
                Event::Completed(done) if done.handle == handle => return Ok((data, done)),
                Event::Data { data: d, .. } => data.push(d),
                Event::Closed { reason } => return Err(reason.to_string().into()),
                _ => {}
            }
        }
        let wait = c
            .poll_timeout()
            .map(|t| t.saturating_duration_since(Instant::now()));
        s.sock
            .set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
        match s.read(&mut buf) {
            Ok(0) => c.handle_eof(Instant::now()),
            Ok(n) => c.handle_input(Instant::now(), &buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                c.handle_timeout(Instant::now())
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, user] = [&args[0], &args[1], &args[2]];
    let tls = imap_examples::blocking::tls_config(args.get(3).map(std::path::Path::new))?;
    let conn = rustls::ClientConnection::new(tls, ServerName::try_from(host.clone())?)?;
    let mut s = Tls::new(conn, TcpStream::connect((host.as_str(), port.parse()?))?);
    let mut c = Client::new(
        Arc::new(ClientConfig::default()),
        Instant::now(),
        ConnectionSecurity::Tls,
    );

    run(
        &mut c,
        &mut s,
        C::login(user.clone(), std::env::var("IMAP_PASSWORD")?),
    )?
    .1
    .result()?;
    for d in run(&mut c, &mut s, C::list("", "*"))?.0 {
        if let Data::List(l) = d {
            println!("mailbox {}", l.mailbox);
        }
    }
    run(&mut c, &mut s, C::select("INBOX"))?.1.result()?;
    println!("INBOX: {} messages", c.mailbox().map_or(0, |m| m.exists()));
    let message = "From: me@example.org\r\nSubject: Grüße\r\n\r\nHallo\r\n";
    let (_, done) = run(&mut c, &mut s, C::append("INBOX", message)?)?;
    println!("appended: {:?}", done.code);
    let fetch = C::uid_fetch(SequenceSet::all(), [F::Uid, F::Envelope, F::BodyStructure]);
    for d in run(&mut c, &mut s, fetch)?.0 {
        let Data::Fetch { items, .. } = d else {
            continue;
        };
        for item in items.iter() {
            match item {
                MessageDataItem::Uid(uid) => print!("uid {uid}: "),
                MessageDataItem::Envelope(e) => println!(
                    "{}",
                    e.subject_text().map(|t| t.to_string()).unwrap_or_default()
                ),
                _ => {}
            }
        }
    }
    let last = SequenceSet::single(c.mailbox().and_then(|m| m.uid(m.exists())).unwrap_or(1))?;
    run(
        &mut c,
        &mut s,
        C::uid_store(last, StoreAction::Add, [Flag::Seen]),
    )?
    .1
    .result()?;
    for d in run(&mut c, &mut s, C::search([SearchKey::Unseen]))?.0 {
        println!("unseen: {d}");
    }
    run(&mut c, &mut s, C::create("日本語のメール"))?
        .1
        .result()?;
    run(&mut c, &mut s, C::delete("日本語のメール"))?
        .1
        .result()?;
    run(&mut c, &mut s, C::logout())?.1.result()?;
    Ok(())
}
