//! The audit ledger's hash chain: each entry's hash covers the previous hash and the entry's own content.

use sha2::{Digest, Sha256};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry as stored: JSON values are kept as the exact text that was hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over the previous hash and a canonical JSON array of the content fields.
pub fn entry_hash(e: &StoredEntry) -> String {
    let content = (e.seq, &e.at, &e.actor, &e.action, &e.record_type, e.record_id, &e.before_json, &e.after_json);
    let mut h = Hashing(Sha256::new());
    h.0.update(e.prev_hash.as_bytes());
    h.0.update(b"\n");
    // Streamed into the hash: the same bytes as the array's compact JSON text, without building it (bulk
    // imports chain hundreds of thousands of entries). Writing to a hasher cannot fail.
    let _ = serde_json::to_writer(&mut h, &content);
    hex::encode(h.0.finalize())
}

struct Hashing(Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Checks entries in order; keeps the state between batches so a large ledger streams through it.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS_HASH.to_string(), checked: 0 }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, e: &StoredEntry) -> Result<(), ChainBreak> {
        if e.seq != self.expected_seq {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!("entry {} is missing (found {} next)", self.expected_seq, e.seq),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak { seq: e.seq, reason: "its previous-hash does not match the entry before".into() });
        }
        if entry_hash(e) != e.hash {
            return Err(ChainBreak { seq: e.seq, reason: "its content does not match its hash".into() });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        self.checked += 1;
        Ok(())
    }

    /// After the last entry: the head must point at the last entry, or entries were removed from the end.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        if head_seq != self.expected_seq - 1 || head_hash != self.prev_hash {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!(
                    "the ledger head names entry {head_seq}, but the chain ends at {}",
                    self.expected_seq - 1
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = StoredEntry {
                    seq,
                    at: "2026-11-23T12:00:00.000000Z".into(),
                    actor: "admin@example.com".into(),
                    action: "pool.update".into(),
                    record_type: "pool".into(),
                    record_id: Some(seq),
                    before_json: Some(r#"{"seats":1}"#.into()),
                    after_json: Some(r#"{"seats":2}"#.into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn the_hash_covers_the_same_text_as_ever() {
        // Entries stored by earlier versions must keep verifying: the hashed text is the content's JSON array.
        let mut e = chain(1).remove(0);
        e.before_json = Some("{\"a\":\"quote \\\" and ü\"}".into());
        let content = serde_json::json!([
            e.seq,
            e.at,
            e.actor,
            e.action,
            e.record_type,
            e.record_id,
            e.before_json,
            e.after_json
        ]);
        let mut h = Sha256::new();
        h.update(e.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(content.to_string().as_bytes());
        assert_eq!(entry_hash(&e), hex::encode(h.finalize()));
    }

    #[test]
    fn intact_chain_verifies() {
        let entries = chain(5);
        let mut v = ChainVerifier::default();
        for e in &entries {
            v.check(e).unwrap();
        }
        v.finish(5, &entries[4].hash).unwrap();
        assert_eq!(v.checked, 5);
    }

    #[test]
    fn edited_content_names_the_entry() {
        let mut entries = chain(5);
        entries[2].after_json = Some(r#"{"seats":200}"#.into());
        let mut v = ChainVerifier::default();
        let err = entries.iter().try_for_each(|e| v.check(e)).unwrap_err();
        assert_eq!(err.seq, 3);
    }

    #[test]
    fn removed_entries_are_found() {
        let mut entries = chain(5);
        entries.remove(1);
        let mut v = ChainVerifier::default();
        assert_eq!(entries.iter().try_for_each(|e| v.check(e)).unwrap_err().seq, 2);

        let entries = chain(5);
        let mut v = ChainVerifier::default();
        entries[..4].iter().try_for_each(|e| v.check(e)).unwrap();
        assert_eq!(v.finish(5, &entries[4].hash).unwrap_err().seq, 5);
    }
}
