//! The entries of a run, kept on disk rather than in memory: a province's
//! ten thousand departments would otherwise hold their roll-up rows (about
//! 0.6 KB each) until the end of the run.
//!
//! Each entry is stored as one JSON record in an anonymous temporary file in
//! the output folder (gone when the run ends, however it ends); memory keeps
//! only where each record starts, 16 bytes per input. A changed entry is
//! stored again and its slot points at the new record.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use super::Entry;

/// Entries by slot (the input's place in the sorted list of inputs).
#[derive(Debug)]
pub struct Ledger {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    file: File,
    /// Where the next record goes.
    end: u64,
    /// Each slot's record: (offset, length); `None` for an input never processed.
    at: Vec<Option<(u64, u32)>>,
}

impl Ledger {
    /// An empty ledger of `slots` slots, its file in `dir`.
    ///
    /// # Errors
    /// The temporary file cannot be created in `dir`.
    pub fn new(dir: &Path, slots: usize) -> std::io::Result<Ledger> {
        Ok(Ledger {
            inner: Mutex::new(Inner {
                file: tempfile::tempfile_in(dir)?,
                end: 0,
                at: vec![None; slots],
            }),
        })
    }

    /// Stores `e` in `slot` (replacing what was there); a slot past the end
    /// extends the ledger.
    ///
    /// # Errors
    /// The record cannot be written (a full disk).
    pub fn put(&self, slot: usize, e: &Entry) -> std::io::Result<()> {
        // Serialized outside the lock: workers only queue for the write itself.
        let bytes = serde_json::to_vec(e).map_err(std::io::Error::other)?;
        let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
        let mut inner = self.lock();
        let start = inner.end;
        inner.file.seek(SeekFrom::Start(start))?;
        inner.file.write_all(&bytes)?;
        inner.end = start + u64::from(len);
        if inner.at.len() <= slot {
            inner.at.resize(slot + 1, None);
        }
        inner.at[slot] = Some((start, len));
        Ok(())
    }

    /// The entry in `slot`, if any.
    ///
    /// # Errors
    /// The record cannot be read back.
    pub fn get(&self, slot: usize) -> std::io::Result<Option<Entry>> {
        let mut inner = self.lock();
        let Some((start, len)) = inner.at.get(slot).copied().flatten() else {
            return Ok(None);
        };
        let mut bytes = vec![0; len as usize];
        inner.file.seek(SeekFrom::Start(start))?;
        inner.file.read_exact(&mut bytes)?;
        drop(inner);
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(std::io::Error::other)
    }

    /// The number of slots, filled or not.
    pub fn slots(&self) -> usize {
        self.lock().at.len()
    }

    /// Every stored entry, in slot order, each read as it is reached.
    pub fn iter(&self) -> impl Iterator<Item = std::io::Result<Entry>> + '_ {
        (0..self.slots()).filter_map(|slot| self.get(slot).transpose())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A worker that panicked mid-write left at most an unreferenced tail.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Status;
    use crate::diff::{Change, Rate};

    fn entry(file: &str) -> Entry {
        let mut e = Entry::new(file.into());
        e.department = Some("某局".into());
        e.year = Some(2024);
        e.status = Status::Warnings;
        e.figures.insert(
            "收入总计".into(),
            Some(crate::amount::Amount::round("123.45".parse().unwrap())),
        );
        e.figures.insert("支出总计".into(), None);
        e.rules.insert("t01.total".into(), 2);
        e
    }

    #[test]
    fn a_change_comes_back_with_its_rate_exact() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(dir.path(), 3).unwrap();
        let amount = |s: &str| Some(crate::amount::Amount::round(s.parse().unwrap()));
        let changes = [
            Change::new(amount("200.00"), amount("250.50")),
            Change::new(amount("0.00"), amount("12.00")),
            Change::new(None, None),
        ];
        assert_eq!(
            changes.iter().map(|c| c.rate).collect::<Vec<_>>(),
            [
                Rate::Percent("25.3".parse().unwrap()),
                Rate::New,
                Rate::None
            ]
        );
        for (slot, change) in changes.iter().enumerate() {
            let mut e = entry("a.xlsx");
            e.change = Some(change.clone());
            ledger.put(slot, &e).unwrap();
            assert_eq!(
                ledger.get(slot).unwrap().unwrap().change.as_ref(),
                Some(change)
            );
        }
    }

    #[test]
    fn entries_come_back_equal_in_slot_order_and_a_replaced_one_is_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(dir.path(), 3).unwrap();
        ledger.put(2, &entry("c.xlsx")).unwrap();
        ledger.put(0, &entry("a.xlsx")).unwrap();
        let mut changed = entry("a.xlsx");
        changed.status = Status::Conflict;
        changed.message = Some("冲突".into());
        ledger.put(0, &changed).unwrap();
        ledger.put(4, &entry("e.xlsx")).unwrap();
        let back: Vec<Entry> = ledger.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, vec![changed, entry("c.xlsx"), entry("e.xlsx")]);
        assert_eq!(ledger.slots(), 5);
        assert_eq!(ledger.get(1).unwrap(), None);
        // The folder holds no visible trace of the ledger.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
