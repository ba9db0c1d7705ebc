//! For callgrind: the sync stream through the Client (`client`), the
//! `client/updates` stream through one (`updates`), 1,000 pipelined NOOPs
//! completed in order (`pipelined`), through
//! the bare framer and decoder (`bare`), or through the framer, decoder and
//! `into_shared` (`owned`: the owned values a Client hands out), in 16 KiB
//! reads, `N` rounds.
//!
//! `valgrind --tool=callgrind target/release/examples/client_profile client 3`
//!
//! `client_profile ratio N`: the Client and the bare framer and decoder
//! timed in turn, `N` times each, in one process; prints the medians and
//! their ratio (a quick check between criterion runs, less sensitive to a
//! machine whose speed drifts, since both sides see the same drift).
use std::time::Instant;

use imap_benches::inputs;

fn main() {
    let mut args = std::env::args().skip(1);
    let side = args.next().unwrap_or_else(|| "client".into());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
    let input = inputs::sync_full();
    let now = Instant::now();
    if side == "ratio" {
        return ratio(&input, rounds, now);
    }
    if side == "pipelined" {
        // 1,000 NOOPs in flight at once, completed in order, each after one
        // flag change: what a client that pipelines many commands pays.
        let mut stream = Vec::new();
        for k in 0..1_000u32 {
            stream.extend_from_slice(
                format!(
                    "* {} FETCH (UID {} FLAGS (\\Seen))\r\nA{} OK NOOP completed\r\n",
                    k + 1,
                    k + 1,
                    k + 4
                )
                .as_bytes(),
            );
        }
        let mut total = 0;
        for _ in 0..rounds {
            let mut c = imap_benches::client::idling_client(20_000, now);
            c.idle_done(now).expect("DONE while idling");
            c.handle_input(now, b"A3 OK IDLE done\r\n");
            while c.poll_event().is_some() {}
            for _ in 0..1_000 {
                c.enqueue(now, imapkit_proto::CommandBody::Noop)
                    .expect("NOOP");
            }
            let mut out = Vec::new();
            let _ = c.poll_transmit(now, &mut out);
            while c.poll_event().is_some() {}
            total += imap_benches::client::updates(&mut c, now, &stream, 16 * 1024);
        }
        println!("pipelined: {rounds} rounds, {total} events");
        return;
    }
    if side == "updates" {
        // `client/updates`' stream through a Client (the setup outside the count).
        let (stream, _) = imap_benches::client::updates_stream(7, 20_000, 10_000);
        let mut total = 0;
        for _ in 0..rounds {
            let mut c = imap_benches::client::idling_client(20_000, now);
            total += imap_benches::client::updates(&mut c, now, &stream, 16 * 1024);
        }
        println!("updates: {rounds} rounds, {total} events");
        return;
    }
    let mut total = 0;
    for _ in 0..rounds {
        total += match side.as_str() {
            "bare" => imap_benches::sides::ours_framed(&input.stream, 16 * 1024).expect("decodes"),
            "owned" => imap_benches::stream::ours_responses(
                &mut imap_benches::reads::SliceReads::new(&input.stream),
                16 * 1024,
            )
            .expect("decodes"),
            _ => {
                let mut c = imap_benches::client::syncing_client(input.count() as u32, now);
                imap_benches::client::full_sync(&mut c, now, &input.stream, 16 * 1024)
            }
        };
    }
    println!("{side}: {rounds} rounds, {total} messages");
}

fn ratio(input: &inputs::Input, rounds: usize, now: Instant) {
    let mut bare = Vec::with_capacity(rounds);
    let mut client = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let n = imap_benches::sides::ours_framed(&input.stream, 16 * 1024).expect("decodes");
        bare.push(t.elapsed());
        std::hint::black_box(n);
        let mut c = imap_benches::client::syncing_client(input.count() as u32, now);
        let t = Instant::now();
        let n = imap_benches::client::full_sync(&mut c, now, &input.stream, 16 * 1024);
        client.push(t.elapsed());
        std::hint::black_box(n);
    }
    bare.sort();
    client.sort();
    let (b, c) = (bare[bare.len() / 2], client[client.len() / 2]);
    println!(
        "bare {b:?}, client {c:?} (medians of {}): client throughput / bare = {:.3}x",
        bare.len(),
        b.as_secs_f64() / c.as_secs_f64()
    );
}
