#!/usr/bin/env bash
# Checks that the library crates build on the Rust version they declare
# (`rust-version` in the workspace Cargo.toml), the way a user's project
# that depends on them would: a throwaway crate outside this workspace
# depends on imapkit-proto, imapkit-codec and imapkit-state by path, and
# `cargo build` runs with that toolchain (installed with rustup when it is
# missing). The workspace itself cannot be used: its examples, benches and
# fuzz targets need newer tools and declare so (examples: 1.85).
#
#   scripts/msrv.sh            # the declared version
#   scripts/msrv.sh 1.80       # another one
#   MSRV_FRESH=1 scripts/msrv.sh   # newest dependency versions, not the lock file's
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
msrv=${1:-$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)}
[ -n "$msrv" ] || { echo "no rust-version in $root/Cargo.toml" >&2; exit 1; }

rustup toolchain list | grep -q "^$msrv" ||
    rustup toolchain install "$msrv" --profile minimal --no-self-update >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cat >"$work/Cargo.toml" <<EOF
[package]
name = "msrv-check"
version = "0.0.0"
edition = "2021"
rust-version = "$msrv"
publish = false

[dependencies]
imapkit-proto = { path = "$root/imap-proto" }
imapkit-codec = { path = "$root/imap-codec" }
imapkit-state = { path = "$root/imap-state" }
EOF
cat >"$work/src/main.rs" <<'EOF'
//! Uses one item of each crate, so that all three are linked.
fn main() {
    let _ = imapkit_codec::decode::response(b"* OK ready\r\n");
    let _ = imapkit_proto::Tag::try_from("a1");
    let _ = imapkit_state::client::ClientConfig::default();
}
EOF
# The dependencies at the versions the workspace's tests use (its lock
# file), so that a dependency's new release cannot change the outcome from
# one run to the next. MSRV_FRESH=1 resolves them as on a user's machine
# instead: the newest versions allowed (cargo before 1.84 does not consider
# rust-version when it resolves).
[ "${MSRV_FRESH:-}" = 1 ] || cp "$root/Cargo.lock" "$work/Cargo.lock"
CARGO_TARGET_DIR="$root/target/msrv" cargo "+$msrv" build --quiet --manifest-path "$work/Cargo.toml"
echo "msrv: imapkit-proto, imapkit-codec and imapkit-state build with Rust $msrv"
