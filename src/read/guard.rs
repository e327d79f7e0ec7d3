//! Checks of a package before a spreadsheet library reads it.
//!
//! A library sizes some of its allocations from what a file declares (the
//! sizes in a zip directory, the string count of `sharedStrings.xml`, the
//! DIMENSIONS record of an xls sheet). A declaration that lies can make it
//! reserve terabytes, and an allocation failure aborts the process where no
//! panic guard can catch it. So every declaration the libraries act on is
//! checked here first, against the limits of [`super::sheet`].

use std::collections::HashSet;
use std::io::{Cursor, Read};

use super::merges::{attr, elements};
use super::sheet::{MAX_ARCHIVE_BYTES, MAX_CELLS, MAX_PART_BYTES, MAX_SHEETS, MAX_TEXT_BYTES};
use super::ReadError;

/// What the zip guard learned of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Package {
    /// An Office Open XML workbook.
    Xlsx,
    /// An OpenDocument spreadsheet (it has a `mimetype` part).
    Ods,
}

fn corrupt(shown: &str, detail: impl Into<String>) -> ReadError {
    ReadError::Corrupt {
        path: shown.to_string(),
        detail: detail.into(),
    }
}

/// Refuses a zip whose parts would decompress past the limits (a zip bomb),
/// from the sizes its directory declares (the zip reader stops at those); one
/// that names a part twice (readers disagree on which copy counts); and one
/// whose shared-string table declares more strings than it can hold.
pub(crate) fn zip(bytes: &[u8], shown: &str) -> Result<Package, ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(shown, e.to_string()))?;
    if zip.has_duplicate_names() {
        return Err(corrupt(
            shown,
            "压缩包中有部件出现了两次，无法确定哪一份有效",
        ));
    }
    let mut total: u64 = 0;
    let mut ods = false;
    let mut names = HashSet::new();
    let mut strings = Vec::new();
    let mut workbook = None;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| corrupt(shown, e.to_string()))?;
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if f.size() > MAX_PART_BYTES {
            return Err(ReadError::TooLarge {
                path: shown.to_string(),
                what: format!("压缩包内的“{name}”解压后 {} 字节", f.size()),
                limit: format!("每个部件 {MAX_PART_BYTES} 字节"),
            });
        }
        if !names.insert(name.to_ascii_lowercase()) {
            return Err(corrupt(
                shown,
                format!("压缩包中“{name}”出现了两次，无法确定哪一份有效"),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with("sharedstrings.xml") {
            // Each string is held once, then once more per cell that shows it.
            if f.size() > MAX_TEXT_BYTES as u64 {
                return Err(ReadError::TooLarge {
                    path: shown.to_string(),
                    what: format!("共享字符串部件“{name}”解压后 {} 字节", f.size()),
                    limit: format!("{} MB", MAX_TEXT_BYTES / (1024 * 1024)),
                });
            }
            strings.push((i, name.clone(), f.size()));
        }
        if lower == "xl/workbook.xml" {
            workbook = Some(i);
        }
        total = total.saturating_add(f.size());
        ods |= name == "mimetype";
    }
    if total > MAX_ARCHIVE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown.to_string(),
            what: format!("解压后共 {total} 字节"),
            limit: format!("{MAX_ARCHIVE_BYTES} 字节"),
        });
    }
    for (i, name, size) in strings {
        shared_strings(&mut zip, i, &name, size, shown)?;
    }
    if let (Some(i), false) = (workbook, ods) {
        sheet_count(&mut zip, i, shown)?;
    }
    Ok(if ods { Package::Ods } else { Package::Xlsx })
}

/// A workbook may list no more sheets than [`MAX_SHEETS`]: the reader keeps
/// something for each before reading one.
fn sheet_count(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    shown: &str,
) -> Result<(), ReadError> {
    let mut xml = Vec::new();
    zip.by_index(index)
        .map_err(|e| corrupt(shown, e.to_string()))?
        .read_to_end(&mut xml)
        .map_err(|e| corrupt(shown, e.to_string()))?;
    let count = elements(&xml, b"sheet").count();
    if count > MAX_SHEETS {
        return Err(super::sheet::too_many_sheets(shown, count));
    }
    Ok(())
}

/// The shortest entry of a shared-string table, `<si/>`.
const MIN_STRING_BYTES: u64 = 5;

/// A shared-string table may declare no more strings than its size can hold,
/// and no more than the cells a workbook may have: the reader reserves room
/// for the declared number before reading one.
fn shared_strings(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    name: &str,
    size: u64,
    shown: &str,
) -> Result<(), ReadError> {
    let mut head = Vec::new();
    let part = zip
        .by_index(index)
        .map_err(|e| corrupt(shown, e.to_string()))?;
    // The `<sst …>` tag opens the part, after at most an XML declaration.
    part.take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| corrupt(shown, e.to_string()))?;
    let Some(tag) = elements(&head, b"sst").next() else {
        return Ok(());
    };
    // `count` counts the cells that use a string and may exceed the entries;
    // the reader reserves by `uniqueCount`, the number of entries.
    let Some(declared) = attr(tag, b"uniqueCount") else {
        return Ok(());
    };
    let n: u64 = declared.trim().parse().unwrap_or(u64::MAX);
    let room = size / MIN_STRING_BYTES + 1;
    if n > room || n > MAX_CELLS as u64 {
        return Err(ReadError::TooLarge {
            path: shown.to_string(),
            what: format!(
                "“{name}”声明有 {declared} 个字符串（该部件 {size} 字节，最多容纳 {room} 个）"
            ),
            limit: format!("{MAX_CELLS} 个"),
        });
    }
    Ok(())
}

/// The largest grid an xls sheet may declare: the reader reserves a cell for
/// each position of the DIMENSIONS record before reading one.
pub(crate) const MAX_XLS_GRID: u64 = MAX_CELLS as u64;

/// Refuses an xls workbook whose sheets declare a grid (DIMENSIONS record)
/// larger than [`MAX_XLS_GRID`] cells, and one whose compound-document
/// structure is damaged: the spreadsheet library reads damaged structures
/// leniently, so a declaration this check could not see would reach it.
pub(crate) fn xls(bytes: &[u8], shown: &str) -> Result<(), ReadError> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| corrupt(shown, format!("复合文档结构已损坏：{e}")))?;
    let stream = ["/Workbook", "/Book"]
        .iter()
        .find_map(|n| cfb.open_stream(n).ok());
    let Some(stream) = stream else {
        return Ok(());
    };
    let mut data = Vec::new();
    // The stream is no larger than the file, which was checked before.
    if stream
        .take(super::sheet::MAX_FILE_BYTES)
        .read_to_end(&mut data)
        .is_err()
    {
        return Ok(());
    }
    for (typ, body) in records(&data) {
        if typ == 0x0200 {
            if let Some(cells) = declared_grid(body) {
                if cells > MAX_XLS_GRID {
                    return Err(ReadError::TooLarge {
                        path: shown.to_string(),
                        what: format!("某个工作表声明的范围有 {cells} 个单元格"),
                        limit: format!("{MAX_XLS_GRID} 个单元格"),
                    });
                }
            }
        }
    }
    Ok(())
}

/// BIFF records of a workbook stream: (type, body).
fn records(data: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let head = data.get(at..at + 4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let body = data.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, body))
    })
}

/// The number of cells the reader reserves for a DIMENSIONS record, computed
/// as it does (including its wrap-around on a reversed range).
fn declared_grid(r: &[u8]) -> Option<u64> {
    let u16_at = |i: usize| {
        r.get(i..i + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |i: usize| {
        r.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u16_at(0)?, u16_at(2)?, u16_at(4)?, u16_at(6)?),
        14 | 16 => (u32_at(0)?, u32_at(4)?, u16_at(8)?, u16_at(10)?),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if rl >= 1 && cl >= 1 {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
    let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
    Some(rows.saturating_mul(cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims8(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(rf.to_le_bytes());
        v.extend(rl.to_le_bytes());
        v.extend(cf.to_le_bytes());
        v.extend(cl.to_le_bytes());
        v.extend([0, 0]);
        v
    }

    #[test]
    fn declared_grids_are_counted_as_the_reader_counts_them() {
        assert_eq!(declared_grid(&dims8(0, 30, 0, 12)), Some(360));
        assert_eq!(declared_grid(&dims8(0, 0, 0, 0)), Some(1));
        // A reversed range wraps around in the reader: refused as huge.
        assert!(declared_grid(&dims8(10, 5, 0, 3)).unwrap() > MAX_XLS_GRID);
        assert!(declared_grid(&dims8(0, u32::MAX, 0, 256)).unwrap() > MAX_XLS_GRID);
        assert_eq!(declared_grid(&[1, 2, 3]), None);
    }

    #[test]
    fn records_stop_at_a_truncated_one() {
        let mut data = vec![0x00, 0x02, 0x02, 0x00, 0xAA, 0xBB];
        data.extend([0x3C, 0x00, 0x10, 0x00, 0x01]);
        let got: Vec<(u16, Vec<u8>)> = records(&data).map(|(t, b)| (t, b.to_vec())).collect();
        assert_eq!(got, vec![(0x0200, vec![0xAA, 0xBB])]);
    }
}
