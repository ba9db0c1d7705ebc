//! Shared by the store tests: a temporary data directory removed on drop,
//! and a store with two users.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use imap_examples::store::{Store, Users};

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "imapkit-store-{tag}-{}-{n}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn users() -> Users {
    Users::parse("alice:wonderland\nbob:builder\n").unwrap()
}

pub fn open(dir: &TempDir) -> Store {
    Store::open(&dir.0, users()).unwrap()
}

/// CRLF line ends for a message written with `\n`.
pub fn crlf(s: &str) -> bytes::Bytes {
    bytes::Bytes::from(s.replace('\n', "\r\n"))
}
