//! A bounded cache of message files' bytes, shared by all sessions: a
//! `BODY[]` served twice is read from disk once, and every section handed
//! out is a slice of the cached `Bytes` (no copy).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use bytes::Bytes;

/// File bytes by path, evicted oldest-inserted first once `limit` bytes
/// are held.
#[derive(Debug)]
pub(crate) struct ByteCache {
    map: HashMap<PathBuf, Bytes>,
    order: VecDeque<PathBuf>,
    held: usize,
    limit: usize,
}

impl ByteCache {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            held: 0,
            limit,
        }
    }

    pub(crate) fn get(&self, path: &Path) -> Option<Bytes> {
        self.map.get(path).cloned()
    }

    /// Keeps `bytes` unless they alone exceed the limit.
    pub(crate) fn insert(&mut self, path: &Path, bytes: Bytes) {
        if bytes.len() > self.limit || self.map.contains_key(path) {
            return;
        }
        self.held += bytes.len();
        self.map.insert(path.to_path_buf(), bytes);
        self.order.push_back(path.to_path_buf());
        while self.held > self.limit {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(b) = self.map.remove(&old) {
                self.held -= b.len();
            }
        }
    }

    /// Forgets a file (expunged, mailbox deleted).
    pub(crate) fn remove(&mut self, path: &Path) {
        if let Some(b) = self.map.remove(path) {
            self.held -= b.len();
            self.order.retain(|p| p != path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_limit() {
        let mut c = ByteCache::new(10);
        c.insert(Path::new("a"), Bytes::from_static(b"123456"));
        c.insert(Path::new("b"), Bytes::from_static(b"1234"));
        assert!(c.get(Path::new("a")).is_some());
        c.insert(Path::new("c"), Bytes::from_static(b"12"));
        assert!(c.get(Path::new("a")).is_none());
        assert!(c.get(Path::new("b")).is_some() && c.get(Path::new("c")).is_some());
        c.insert(Path::new("d"), Bytes::from_static(b"12345678901"));
        assert!(c.get(Path::new("d")).is_none());
        c.remove(Path::new("b"));
        assert_eq!(c.held, 2);
    }
}
