//! The per-mailbox state file: an append-only journal of records, one line
//! each, every line ending in a checksum.
//!
//! A change is acknowledged only after its lines were written and
//! `fdatasync`ed, so a crash can cut off at most the last, unacknowledged
//! line; reading drops such a torn tail and truncates the file to the last
//! good line. A bad line anywhere else is damage and an error (the store
//! never silently forgets acknowledged state). When the journal has grown
//! well past the number of messages it is rewritten as a snapshot (write a
//! temporary file, `fsync`, `rename`, `fsync` the directory).
//!
//! ```text
//! V <uidvalidity> <mailboxid>                                 first line
//! S <uidnext> <highestmodseq>                                 snapshot state
//! A <uid> <modseq> <secs> <zone> <size> <emailid> <file> <flagbits> [keyword..]
//! F <uid> <modseq> <flagbits> [keyword..]                     flags changed
//! X <uid> <modseq>                                            expunged
//! ```
//!
//! Each line ends with ` #` and the FNV-1a hash of what precedes it, in hex.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::store::error::{Result, StoreError};
use crate::store::flags::FlagSet;
use crate::store::fsutil;

/// One journal record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Record {
    /// The mailbox's identity; the first line.
    Header {
        /// UIDVALIDITY.
        uid_validity: u32,
        /// MAILBOXID (RFC 8474).
        mailbox_id: String,
    },
    /// Counters at the time of a snapshot.
    State {
        /// UIDNEXT.
        uid_next: u32,
        /// HIGHESTMODSEQ.
        highest_modseq: u64,
    },
    /// A message was added.
    Append(MessageRecord),
    /// A message's flags changed.
    Flags {
        /// The message.
        uid: u32,
        /// Its new mod-sequence.
        modseq: u64,
        /// Its new flags.
        flags: FlagSet,
    },
    /// A message was expunged.
    Expunge {
        /// The message.
        uid: u32,
        /// The mod-sequence of the expunge.
        modseq: u64,
    },
}

/// What the journal keeps of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageRecord {
    pub(crate) uid: u32,
    pub(crate) modseq: u64,
    /// INTERNALDATE as seconds since the epoch and zone offset in minutes.
    pub(crate) internal_secs: i64,
    pub(crate) zone: i16,
    pub(crate) size: u64,
    pub(crate) email_id: String,
    /// File name in `cur/`.
    pub(crate) file: String,
    pub(crate) flags: FlagSet,
}

/// An open journal, appended to.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    records: usize,
}

impl Journal {
    /// Writes a new journal holding `records` (atomically) and opens it.
    pub(crate) fn create(path: &Path, records: &[Record]) -> Result<Self> {
        let mut text = String::new();
        for r in records {
            encode(r, &mut text);
        }
        fsutil::write_atomic(path, text.as_bytes())?;
        let file = open_append(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            records: records.len(),
        })
    }

    /// Opens a journal and reads its records, dropping a torn last line.
    pub(crate) fn open(path: &Path) -> Result<(Self, Vec<Record>)> {
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| StoreError::io(path, e))?;
        let (records, good_len) = parse(path, &bytes)?;
        let file = open_append(path)?;
        if good_len < bytes.len() {
            file.set_len(good_len as u64)
                .and_then(|()| file.sync_all())
                .map_err(|e| StoreError::io(path, e))?;
        }
        let n = records.len();
        Ok((
            Self {
                path: path.to_path_buf(),
                file,
                records: n,
            },
            records,
        ))
    }

    /// Appends records and waits until they are on disk.
    pub(crate) fn append(&mut self, records: &[Record]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for r in records {
            encode(r, &mut text);
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| StoreError::io(&self.path, e))?;
        self.records += records.len();
        Ok(())
    }

    /// How many records the file holds.
    pub(crate) fn len(&self) -> usize {
        self.records
    }

    /// Replaces the journal with a snapshot of `records`.
    pub(crate) fn rewrite(&mut self, records: &[Record]) -> Result<()> {
        *self = Self::create(&self.path, records)?;
        Ok(())
    }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| StoreError::io(path, e))
}

/// FNV-1a, 32 bits: enough to tell a torn or garbled line from a written one.
pub(crate) fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Appends `body` and its checksum as one line.
pub(crate) fn push_line(out: &mut String, body: &str) {
    out.push_str(body);
    out.push_str(&format!(" #{:08x}\n", fnv1a(body.as_bytes())));
}

/// The body of a line whose checksum is right.
pub(crate) fn check_line(line: &[u8]) -> Option<&str> {
    let line = std::str::from_utf8(line).ok()?;
    let (body, sum) = line.rsplit_once(" #")?;
    (sum.len() == 8 && u32::from_str_radix(sum, 16).ok()? == fnv1a(body.as_bytes())).then_some(body)
}

fn encode(r: &Record, out: &mut String) {
    let mut line = String::new();
    match r {
        Record::Header {
            uid_validity,
            mailbox_id,
        } => line.push_str(&format!("V {uid_validity} {mailbox_id}")),
        Record::State {
            uid_next,
            highest_modseq,
        } => line.push_str(&format!("S {uid_next} {highest_modseq}")),
        Record::Append(m) => {
            line.push_str(&format!(
                "A {} {} {} {} {} {} {} ",
                m.uid, m.modseq, m.internal_secs, m.zone, m.size, m.email_id, m.file
            ));
            m.flags.encode(&mut line);
        }
        Record::Flags { uid, modseq, flags } => {
            line.push_str(&format!("F {uid} {modseq} "));
            flags.encode(&mut line);
        }
        Record::Expunge { uid, modseq } => line.push_str(&format!("X {uid} {modseq}")),
    }
    push_line(out, &line);
}

/// Reads all records; returns them and the length of the good prefix.
fn parse(path: &Path, bytes: &[u8]) -> Result<(Vec<Record>, usize)> {
    let mut records = Vec::new();
    let mut at = 0;
    let mut line_no = 0;
    while at < bytes.len() {
        line_no += 1;
        let Some(nl) = bytes[at..].iter().position(|&b| b == b'\n') else {
            // A last line without its newline: cut off by a crash.
            break;
        };
        let line = &bytes[at..at + nl];
        match check_line(line).and_then(decode) {
            Some(r) => records.push(r),
            None => {
                if at + nl + 1 == bytes.len() {
                    // The last line, written but not completely: torn.
                    break;
                }
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    line: line_no,
                });
            }
        }
        at += nl + 1;
    }
    Ok((records, at))
}

fn decode(body: &str) -> Option<Record> {
    let mut f = body.split(' ');
    let kind = f.next()?;
    let mut num = || f.next()?.parse::<u64>().ok();
    let r = match kind {
        "V" => {
            let uid_validity = u32::try_from(num()?).ok()?;
            let mailbox_id = f.next()?.to_string();
            Record::Header {
                uid_validity,
                mailbox_id,
            }
        }
        "S" => Record::State {
            uid_next: u32::try_from(num()?).ok()?,
            highest_modseq: num()?,
        },
        "A" => {
            let uid = u32::try_from(num()?).ok()?;
            let modseq = num()?;
            let internal_secs = f.next()?.parse().ok()?;
            let zone = f.next()?.parse().ok()?;
            let size = f.next()?.parse().ok()?;
            let email_id = f.next()?.to_string();
            let file = f.next()?.to_string();
            let flags = FlagSet::decode(f.next()?, f.by_ref())?;
            Record::Append(MessageRecord {
                uid,
                modseq,
                internal_secs,
                zone,
                size,
                email_id,
                file,
                flags,
            })
        }
        "F" => {
            let uid = u32::try_from(num()?).ok()?;
            let modseq = num()?;
            let flags = FlagSet::decode(f.next()?, f.by_ref())?;
            Record::Flags { uid, modseq, flags }
        }
        "X" => Record::Expunge {
            uid: u32::try_from(num()?).ok()?,
            modseq: num()?,
        },
        _ => return None,
    };
    if f.next().is_some() {
        return None;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record::Header {
                uid_validity: 7,
                mailbox_id: "Mabc".into(),
            },
            Record::Append(MessageRecord {
                uid: 1,
                modseq: 2,
                internal_secs: 837_596_665,
                zone: -420,
                size: 10,
                email_id: "E1".into(),
                file: "1.M2P3Q4:2,".into(),
                flags: FlagSet::decode("8", ["$Junk"].into_iter()).unwrap(),
            }),
            Record::Flags {
                uid: 1,
                modseq: 3,
                flags: FlagSet::new(),
            },
            Record::Expunge { uid: 1, modseq: 4 },
        ]
    }

    #[test]
    fn records_round_trip_and_torn_tail_is_dropped() {
        let dir = std::env::temp_dir().join(format!("imapkit-journal-{}", fsutil::unique()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("journal");
        let recs = sample();
        let mut j = Journal::create(&path, &recs[..2]).unwrap();
        j.append(&recs[2..]).unwrap();
        drop(j);
        let (_, back) = Journal::open(&path).unwrap();
        assert_eq!(back, recs);

        // A torn last line (no newline) and a garbled last line are dropped.
        let good = std::fs::read(&path).unwrap();
        let mut torn = good.clone();
        torn.extend_from_slice(b"F 1 5 8 #1234");
        std::fs::write(&path, &torn).unwrap();
        let (_, back) = Journal::open(&path).unwrap();
        assert_eq!(back, recs);
        assert_eq!(std::fs::read(&path).unwrap(), good);
        let mut garbled = good.clone();
        garbled.extend_from_slice(b"F 1 5 8 #00000000\n");
        std::fs::write(&path, &garbled).unwrap();
        assert_eq!(Journal::open(&path).unwrap().1, recs);

        // Damage before the last line is an error with its line number.
        let mut bad = good.clone();
        bad[2] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        assert_eq!(
            Journal::open(&path).unwrap_err(),
            StoreError::Corrupt {
                path: path.clone(),
                line: 1
            }
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
