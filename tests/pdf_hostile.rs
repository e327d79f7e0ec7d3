//! Hostile and broken PDFs get the guarantees workbooks get: a clear
//! message naming the file, exit 2, no panic, memory under 1 GiB and an
//! answer within seconds — for deflate bombs, reference loops, page trees
//! that claim millions of pages, broken cross-reference tables, absurd
//! geometry and deep nesting. A scanned document (no text) and an
//! encrypted one are named as such.

mod common;

use std::io::Write;

use common::*;

/// A PDF of the object bodies given (object 1 is the catalog), with a
/// correct cross-reference table, unless `xref` is false.
fn pdf(objects: &[Vec<u8>], xref: bool) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let at = out.len();
    if xref {
        out.extend(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n\r\n").as_bytes());
        }
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend(data);
    v.extend(b"\nendstream");
    v
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A one-page document whose page draws `content`.
fn one_page(content: Vec<u8>) -> Vec<Vec<u8>> {
    vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"
            .to_vec(),
        content,
    ]
}

/// Runs `check` on `bytes` under a 1 GiB address-space limit; the exit code
/// and what it said.
fn check_limited(name: &str, bytes: &[u8]) -> (i32, String) {
    let d = tmp();
    let p = file(d.path(), name, bytes);
    let started = std::time::Instant::now();
    let out = run_limited(&["check".as_ref(), p.as_os_str()], 1024);
    assert!(
        started.elapsed().as_secs() < 30,
        "{name} took {:?}",
        started.elapsed()
    );
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    (out.status.code().unwrap_or(-1), said)
}

#[test]
fn a_deflate_bomb_is_refused_before_it_is_inflated() {
    // 1 GiB of spaces as one content stream: about a megabyte compressed.
    let chunk = vec![b' '; 64 << 20];
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..16 {
        e.write_all(&chunk).unwrap();
    }
    let bomb = e.finish().unwrap();
    let bytes = pdf(&one_page(stream("/Filter /FlateDecode", &bomb)), true);
    let (code, said) = check_limited("bomb.pdf", &bytes);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("bomb.pdf 超出处理上限：PDF 中有一段压缩数据解压后超过 64 MB"),
        "{said}"
    );
    // Many streams that each stay under the limit but add up past the total.
    let part = zlib(&vec![b' '; 60 << 20]);
    let mut objects = one_page(stream("", b"BT ET"));
    for _ in 0..10 {
        objects.push(stream("/Filter /FlateDecode", &part));
    }
    let (code, said) = check_limited("many.pdf", &pdf(&objects, true));
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("many.pdf 超出处理上限：PDF 中的压缩数据解压后共超过 512 MB"),
        "{said}"
    );
}

#[test]
fn reference_loops_and_a_broken_xref_end_in_a_message() {
    // The page tree is its own kid; a page is its own parent.
    let looped = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("", b"BT /F1 12 Tf (x) Tj ET"),
    ];
    let (code, said) = check_limited("loop.pdf", &pdf(&looped, true));
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("loop.pdf"), "{said}");
    // A content stream that is its own length's reference, an xref that is
    // missing, offsets that point nowhere.
    let mut objects = one_page(b"<< /Length 4 0 R >>\nstream\nBT ET\nendstream".to_vec());
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec();
    let (code, said) = check_limited("self.pdf", &pdf(&objects, true));
    assert_eq!(code, 2, "{said}");
    let (code, said) = check_limited("noxref.pdf", &pdf(&one_page(stream("", b"BT ET")), false));
    assert_eq!(code, 2, "{said}");
    let mut broken = pdf(&one_page(stream("", b"BT ET")), true);
    let at = broken.windows(4).position(|w| w == b"xref").unwrap();
    for b in &mut broken[at + 30..at + 90] {
        if b.is_ascii_digit() {
            *b = b'9';
        }
    }
    let (code, said) = check_limited("badxref.pdf", &broken);
    assert_eq!(code, 2, "{said}");
}

#[test]
fn a_page_tree_claiming_millions_of_pages_is_refused() {
    // Three thousand distinct pages, each drawing one shared empty stream.
    let kids: String = (0..3000).map(|i| format!("{} 0 R ", i + 4)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids}] /Count 9000000 >>").into_bytes(),
        stream("", b"BT ET"),
    ];
    for _ in 0..3000 {
        objects.push(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>".to_vec(),
        );
    }
    let (code, said) = check_limited("pages.pdf", &pdf(&objects, true));
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("pages.pdf 超出处理上限：PDF 有 3000 页"),
        "{said}"
    );
}

#[test]
fn absurd_geometry_and_deep_nesting_do_not_break_the_reader() {
    // Lines and text at infinity, a zero-size font, a matrix that flattens
    // everything, a hundred thousand nested arrays.
    let mut content = b"q 1e38 0 0 1e38 0 0 cm 0 0 m 1e38 1e38 l S Q q 0 0 0 0 0 0 cm 0 0 1 1 re f Q BT /F1 0 Tf (x) Tj ET ".to_vec();
    content.extend(vec![b'['; 100_000]);
    content.extend(vec![b']'; 100_000]);
    let (code, said) = check_limited("odd.pdf", &pdf(&one_page(stream("", &content)), true));
    assert_eq!(code, 2, "{said}");
    let mut objects = one_page(stream("", b"BT ET"));
    objects[2] =
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 -1e30] /Rotate 45 /Contents 4 0 R >>"
            .to_vec();
    let (code, said) = check_limited("box.pdf", &pdf(&objects, true));
    assert_eq!(code, 2, "{said}");
}

#[test]
fn a_scanned_document_and_an_encrypted_one_are_named() {
    // A page that only draws (an image would be the same: nothing to read).
    let (code, said) = check_limited(
        "scan.pdf",
        &pdf(&one_page(stream("", b"0 0 100 100 re f")), true),
    );
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("scan.pdf 是扫描件，没有文字层，无法读取；请提供电子版 PDF 或工作簿"),
        "{said}"
    );
    let mut enc = pdf(&one_page(stream("", b"BT ET")), true);
    let at = enc.windows(7).position(|w| w == b"trailer").unwrap();
    enc.splice(at + 8..at + 8, b"<< /Encrypt 9 0 R >>\n".iter().copied());
    let (code, said) = check_limited("locked.pdf", &enc);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("locked.pdf 设有密码或权限保护（已加密），无法读取"),
        "{said}"
    );
}

#[test]
fn a_truncated_real_document_reads_what_it_can_or_says_why_not() {
    let bytes =
        std::fs::read(root().join("tests/fixtures/pdf/putuo-wanli-2024-budget.pdf")).unwrap();
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 200] {
        let (code, said) = check_limited("cut.pdf", &bytes[..cut]);
        assert!(matches!(code, 1 | 2), "{code}: {said}");
        assert!(said.contains("cut.pdf"), "{said}");
    }
}
