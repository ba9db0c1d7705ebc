//! Times (or, under callgrind or perf, profiles) the `server/commands`
//! driver alone: the client mix through a `Server`, answered, output taken.
//!
//! ```text
//! cargo build --profile bench -p imap-benches --example server_loop
//! target/release/examples/server_loop 200        # rounds; prints ns per command
//! perf record -g target/release/examples/server_loop 200
//! ```

use std::time::Instant;

use imap_benches::{inputs, server};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let chunk: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(16 * 1024);
    // `noop` as the third argument: a stream of NOOPs (the session's own cost).
    let input = match std::env::args().nth(3).as_deref() {
        Some("noop") => inputs::Input::new(
            "noop",
            (0..5000)
                .map(|k| format!("n{k} NOOP\r\n").into_bytes())
                .collect(),
        ),
        _ => inputs::client_full(),
    };
    let config = server::config();
    let now = Instant::now();
    let mut out = Vec::new();
    let mut best = f64::MAX;
    let mut total = 0.0;
    for _ in 0..rounds {
        let mut s = server::selected_session(&config, now);
        let t = Instant::now();
        let done = server::serve(&mut s, now, &input.stream, chunk, &mut out);
        let ns = t.elapsed().as_nanos() as f64 / done as f64;
        assert_eq!(done, input.count());
        best = best.min(ns);
        total += ns;
    }
    let mean = total / rounds as f64;
    println!(
        "{} commands, {chunk}-byte reads: mean {mean:.0} ns per command ({:.2} M/s), best {best:.0} ns ({:.2} M/s)",
        input.count(),
        1e3 / mean,
        1e3 / best
    );
}
