//! For callgrind: the sync stream through the Client (`client`), through
//! the bare framer and decoder (`bare`), or through the framer, decoder and
//! `into_shared` (`owned`: the owned values a Client hands out), in 16 KiB
//! reads, `N` rounds.
//!
//! `valgrind --tool=callgrind target/release/examples/client_profile client 3`
use std::time::Instant;

use imap_benches::inputs;

fn main() {
    let mut args = std::env::args().skip(1);
    let side = args.next().unwrap_or_else(|| "client".into());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
    let input = inputs::sync_full();
    let now = Instant::now();
    let mut total = 0;
    for _ in 0..rounds {
        total += match side.as_str() {
            "bare" => imap_benches::sides::ours_framed(&input.stream, 16 * 1024).expect("decodes"),
            "owned" => {
                imap_benches::stream::ours_responses(&input.stream, 16 * 1024).expect("decodes")
            }
            _ => {
                let mut c = imap_benches::client::syncing_client(input.count() as u32, now);
                imap_benches::client::full_sync(&mut c, now, &input.stream, 16 * 1024)
            }
        };
    }
    println!("{side}: {rounds} rounds, {total} messages");
}
