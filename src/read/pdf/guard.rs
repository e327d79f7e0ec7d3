//! Checks of a PDF before the interpreter sees it. The interpreter inflates
//! a stream in one go, as large as it unpacks to: a small file of
//! compressed zeros would take gigabytes. So every stream of the file is
//! inflated here first, into nothing, counting the bytes; a stream or a file
//! that unpacks past the limits is refused. An encrypted file is refused too
//! (its streams cannot be measured before they are decrypted).

use flate2::{Decompress, FlushDecompress, Status};
use memchr::memmem;

use crate::read::ReadError;

/// The most one stream may unpack to.
pub(crate) const MAX_STREAM_BYTES: u64 = 64 << 20;
/// The most all streams of a file may unpack to.
pub(crate) const MAX_INFLATED_BYTES: u64 = 512 << 20;
/// Pages a published document may have (a department's has a few dozen).
pub(crate) const MAX_PAGES: usize = 2_000;
/// Lines a page may draw that are kept (a dense table draws a few thousand).
pub(crate) const MAX_SEGMENTS: usize = 200_000;

fn too_large(shown: &str, what: String, limit: String) -> ReadError {
    ReadError::TooLarge {
        path: shown.to_string(),
        what,
        limit,
    }
}

/// Refuses a file that is no PDF, is encrypted, or whose streams unpack
/// past [`MAX_STREAM_BYTES`] or [`MAX_INFLATED_BYTES`].
///
/// # Errors
/// [`ReadError`] saying which.
pub(crate) fn check(bytes: &[u8], shown: &str) -> Result<(), ReadError> {
    if !is_pdf(bytes) {
        return Err(ReadError::NotSpreadsheet(shown.to_string()));
    }
    if encrypted(bytes) {
        return Err(ReadError::EncryptedPdf(shown.to_string()));
    }
    let mut total: u64 = 0;
    for at in memmem::find_iter(bytes, b"stream") {
        // `endstream` ends one; a stream's data follows `stream` and its line end.
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        let rest = &bytes[at + 6..];
        let ([b'\r', b'\n', data @ ..] | [b'\n', data @ ..] | [b'\r', data @ ..]) = rest else {
            continue;
        };
        let n = inflated_size(data, MAX_STREAM_BYTES + 1);
        if n > MAX_STREAM_BYTES {
            return Err(too_large(
                shown,
                "PDF 中有一段压缩数据解压后超过 64 MB".into(),
                format!("每段 {} MB", MAX_STREAM_BYTES >> 20),
            ));
        }
        total += n;
        if total > MAX_INFLATED_BYTES {
            return Err(too_large(
                shown,
                format!(
                    "PDF 中的压缩数据解压后共超过 {} MB",
                    MAX_INFLATED_BYTES >> 20
                ),
                format!("{} MB", MAX_INFLATED_BYTES >> 20),
            ));
        }
        crate::cancel::checkpoint();
    }
    Ok(())
}

/// Whether the bytes are a PDF: `%PDF-` within the first kilobyte.
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some()
}

/// Whether a trailer (or cross-reference stream) names an encryption
/// dictionary: `/Encrypt` followed by a reference or a dictionary.
fn encrypted(bytes: &[u8]) -> bool {
    memmem::find_iter(bytes, b"/Encrypt").any(|at| {
        let rest = &bytes[at + 8..bytes.len().min(at + 40)];
        let rest = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&[][..], |i| &rest[i..]);
        rest.first().is_some_and(u8::is_ascii_digit) || rest.starts_with(b"<<")
    })
}

/// How many bytes `data` inflates to (zlib), counted up to `limit`; 0 when
/// it is not zlib data (stored, another filter, or no stream at all).
fn inflated_size(data: &[u8], limit: u64) -> u64 {
    // A zlib stream starts with a header whose 16 bits are a multiple of 31.
    let header = match data {
        [a, b, ..] => u16::from(*a) << 8 | u16::from(*b),
        _ => return 0,
    };
    if data[0] & 0x0F != 8 || header % 31 != 0 {
        return 0;
    }
    let mut d = Decompress::new(true);
    let mut out = vec![0u8; 64 * 1024];
    loop {
        let before_in = d.total_in();
        let before_out = d.total_out();
        let input = &data[usize::try_from(before_in)
            .unwrap_or(usize::MAX)
            .min(data.len())..];
        let status = d.decompress(input, &mut out, FlushDecompress::None);
        let progressed = d.total_in() != before_in || d.total_out() != before_out;
        match status {
            Ok(Status::StreamEnd) | Err(_) => break,
            Ok(_) if !progressed => break,
            Ok(_) => {}
        }
        if d.total_out() > limit {
            break;
        }
    }
    d.total_out()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn streams_are_measured_unpacked() {
        let z = zlib(&vec![0u8; 1_000_000]);
        assert!(z.len() < 5_000);
        assert_eq!(inflated_size(&z, u64::MAX), 1_000_000);
        assert_eq!(inflated_size(&z, 10), 64 * 1024);
        assert_eq!(inflated_size(b"BT /F1 12 Tf", u64::MAX), 0);
    }

    #[test]
    fn a_bomb_is_refused_and_an_encrypted_file_named() {
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Length 9 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend(zlib(&vec![b' '; 70 << 20]));
        pdf.extend(b"\nendstream\nendobj\n");
        let e = check(&pdf, "bomb.pdf").unwrap_err().to_string();
        assert!(
            e.contains("bomb.pdf 超出处理上限：PDF 中有一段压缩数据解压后超过 64 MB"),
            "{e}"
        );
        let enc = b"%PDF-1.4\ntrailer\n<< /Root 1 0 R /Encrypt 5 0 R >>\n";
        assert!(matches!(
            check(enc, "e.pdf"),
            Err(ReadError::EncryptedPdf(_))
        ));
        assert!(matches!(
            check(b"hello", "x"),
            Err(ReadError::NotSpreadsheet(_))
        ));
    }
}
