//! Inputs built to exhaust the tool: declarations that would make a library
//! reserve terabytes, repeats that expand to billions of cells, numbers that
//! overflow, names the file system refuses, texts Excel refuses. Each is run
//! under an address-space limit, so an abort fails the test, and each must end
//! with the documented exit code and message.

mod common;

use std::ffi::OsStr;
use std::io::{Cursor, Write};
use std::path::Path;

use common::*;

/// 1 GiB: what no input may make the process exceed.
const LIMIT_MIB: u64 = 1024;

fn args<'a>(list: &'a [&'a dyn AsRef<OsStr>]) -> Vec<&'a OsStr> {
    list.iter().map(std::convert::AsRef::as_ref).collect()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The sample's archive with every occurrence of `from` in part `part` replaced.
fn sample_with_edit(part: &str, from: &str, to: &str) -> Vec<u8> {
    let src = std::fs::read(sample_xlsx()).unwrap();
    let mut zin = zip::ZipArchive::new(Cursor::new(src)).unwrap();
    let mut f = zin.by_name(part).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
    assert!(xml.contains(from), "{part} has no {from}");
    sample_with_part(part, xml.replacen(from, to, 1).as_bytes())
}

#[test]
fn a_shared_string_count_that_lies_is_refused_before_anything_is_reserved() {
    let d = tmp();
    // The sample as LibreOffice saves it, with a shared-string table.
    let fixture = root().join("tests/fixtures/libreoffice-2024.xlsx");
    let src = std::fs::read(&fixture).unwrap();
    let mut zin = zip::ZipArchive::new(Cursor::new(src)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zin.by_name("xl/sharedStrings.xml").unwrap(), &mut xml)
        .unwrap();
    let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
    let end = start + xml[start..].find('"').unwrap();
    for declared in ["100000000000", "1000000000"] {
        let lie = format!("{}{declared}{}", &xml[..start], &xml[end..]);
        let p = file(
            d.path(),
            "strings.xlsx",
            &archive_with_part(&fixture, "xl/sharedStrings.xml", lie.as_bytes()),
        );
        let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains("strings.xlsx 超出处理上限"), "{e}");
        assert!(
            e.contains(&format!("“xl/sharedStrings.xml”声明有 {declared} 个字符串")),
            "{e}"
        );
    }
}

#[test]
fn a_cell_reference_beyond_excels_grid_is_refused_not_wrapped() {
    let d = tmp();
    // Row 4294967303 wraps to row 7 in a 32-bit reader: it would replace B7.
    let bytes = sample_with_edit("xl/worksheets/sheet2.xml", "r=\"B7\"", "r=\"B4294967303\"");
    let p = file(d.path(), "wrap.xlsx", &bytes);
    refuse(
        &p,
        2,
        &[
            "wrap.xlsx 超出处理上限",
            "引用了 Excel 网格之外的单元格 B4294967303",
        ],
    );
}

#[test]
fn a_part_given_twice_in_the_archive_is_refused() {
    let d = tmp();
    // Adds a second sheet part under a name of the same length, then gives it
    // the first one's name in the archive bytes (headers hold no checksum of names).
    let twin = sample_with_part("xl/worksheets/sheet2.xmX", b"<worksheet/>");
    let name = b"xl/worksheets/sheet2.xmX";
    let mut bytes = twin.clone();
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(name.len()).position(|w| w == name) {
        bytes[at + i + name.len() - 1] = b'l';
        at += i + name.len();
    }
    let p = file(d.path(), "twice.xlsx", &bytes);
    refuse(&p, 2, &["twice.xlsx 已损坏", "压缩包中有部件出现了两次"]);
    // Names that differ only in case are one part to a reader that ignores case.
    let bytes = sample_with_part("xl/worksheets/SHEET2.xml", b"<worksheet/>");
    let p = file(d.path(), "case.xlsx", &bytes);
    refuse(
        &p,
        2,
        &["case.xlsx 已损坏", "“xl/worksheets/SHEET2.xml”出现了两次"],
    );
}

/// A minimal ODS package around `content`.
fn ods(content: &str) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("content.xml", deflated).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.finish().unwrap().into_inner()
}

const ODS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="表3">"#;
const ODS_TAIL: &str =
    "</table:table></office:spreadsheet></office:body></office:document-content>";

#[test]
fn an_ods_repeat_bomb_is_refused_before_it_expands() {
    let d = tmp();
    // Each of 300 rows repeats 1,000,000 times a row of 1,000 repeated cells.
    let row = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>支出总表</text:p></table:table-cell></table:table-row>"#;
    let content = format!("{ODS_HEAD}{}{ODS_TAIL}", row.repeat(300));
    let bytes = ods(&content);
    assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
    let p = file(d.path(), "bomb.ods", &bytes);
    let t = std::time::Instant::now();
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bomb.ods 超出处理上限"),
        "{}",
        stderr(&out)
    );
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    // Empty repeats, as every real ODS file ends with, cost nothing.
    let tail = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>支出总表</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#;
    let p = file(
        d.path(),
        "tail.ods",
        &ods(&format!("{ODS_HEAD}{tail}{ODS_TAIL}")),
    );
    let t = std::time::Instant::now();
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("tail.ods 中找不到任何预算表"),
        "{}",
        stderr(&out)
    );
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
}

/// A compound document holding one stream `Workbook` of BIFF records.
fn xls_with_dimensions(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
    let mut stream = Vec::new();
    let mut record = |typ: u16, body: &[u8]| {
        stream.extend(typ.to_le_bytes());
        stream.extend((body.len() as u16).to_le_bytes());
        stream.extend(body);
    };
    let bof = [0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    record(0x0809, &bof);
    let mut dims = Vec::new();
    dims.extend(rows.0.to_le_bytes());
    dims.extend(rows.1.to_le_bytes());
    dims.extend(cols.0.to_le_bytes());
    dims.extend(cols.1.to_le_bytes());
    dims.extend([0, 0]);
    record(0x0200, &dims);
    record(0x000A, &[]);
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cfb.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    cfb.flush().unwrap();
    cfb.into_inner().into_inner()
}

#[test]
fn an_xls_sheet_declaring_a_huge_grid_is_refused_before_it_is_reserved() {
    let d = tmp();
    for (name, rows) in [("huge.xls", (0, 0xFFFF_FFF0)), ("reversed.xls", (10, 5))] {
        let p = file(d.path(), name, &xls_with_dimensions(rows, (0, 255)));
        let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains(&format!("{name} 超出处理上限")), "{e}");
        assert!(e.contains("声明的范围有"), "{e}");
    }
}

#[test]
fn numbers_that_would_overflow_are_errors_at_their_cells_in_every_command() {
    let d = tmp();
    let sheets = load(&sample_xlsx());
    let t3 = sheet_named(&sheets, "表3");
    let r = find_row(t3, "2010301");
    let big = edit(t3, |rows| {
        set(rows, r, 4, budget_tables::read::Cell::Number(7e28));
        set(rows, r, 5, budget_tables::read::Cell::Number(7e28));
    });
    let edited: Vec<_> = sheets
        .iter()
        .map(|s| {
            if s.name == t3.name {
                big.clone()
            } else {
                s.clone()
            }
        })
        .collect();
    let p = d.path().join("big.xlsx");
    write_sheets(&p, &edited, true);
    let o = d.path().join("o.xlsx");
    for cmd in [
        args(&[&"check", &p]),
        args(&[&"convert", &p, &"-o", &o]),
        args(&[&"diff", &sample_xlsx(), &p, &"-o", &o]),
    ] {
        let out = run_limited(&cmd, LIMIT_MIB);
        let all = stderr(&out) + &stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd:?}: {all}");
        assert!(
            all.contains("'表3 支出总表'!E9：金额“70000000000000000000000000000”超出金额上限"),
            "{cmd:?}: {all}"
        );
    }
    assert!(!o.exists());
    // The same in JSON is refused when read.
    let json = std::fs::read_to_string(sample_json()).unwrap().replacen(
        "\"2569.11\"",
        "\"70000000000000000000000000000\"",
        1,
    );
    let j = file(d.path(), "big.json", json.as_bytes());
    let out = run_limited(&args(&[&"check", &j]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("超出上限（绝对值不超过 1000000000000000）"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_text_longer_than_a_cell_takes_fails_check_as_convert_would() {
    let d = tmp();
    let json = std::fs::read_to_string(sample_json()).unwrap().replacen(
        "\"行政运行\"",
        &format!("\"{}\"", "长".repeat(40_000)),
        1,
    );
    let p = file(d.path(), "long.json", json.as_bytes());
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("[S-TEXT-LONG]"),
        "{}",
        &text[..2000.min(text.len())]
    );
    assert!(
        text.contains("支出项目有 40000 个字符，超出 Excel 单元格的上限"),
        "{}",
        &text[..2000.min(text.len())]
    );
    let o = d.path().join("o.xlsx");
    let out = run_limited(&args(&[&"convert", &p, &"-o", &o]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(1));
    assert!(!o.exists());
    let out = run_limited(
        &args(&[&"convert", &p, &"-o", &o, &"--allow-errors"]),
        LIMIT_MIB,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("超过 Excel 的上限 32,767 个字符"),
        "{}",
        stderr(&out)
    );
    assert!(!o.exists());
}

#[test]
fn json_with_a_key_twice_or_an_unknown_amount_is_refused() {
    let d = tmp();
    let json = std::fs::read_to_string(sample_json()).unwrap();
    let twice = json.replacen("\"year\": 2024,", "\"year\": 2023,\n  \"year\": 2024,", 1);
    let p = file(d.path(), "twice.json", twice.as_bytes());
    refuse(&p, 2, &["键 \"year\" 在同一对象中出现了两次"]);
    let unknown = json.replacen("\"basic\":", "\"basik\":", 1);
    let p = file(d.path(), "unknown.json", unknown.as_bytes());
    refuse(&p, 2, &["未知的金额列“basik”"]);
}

#[test]
fn a_pipe_or_a_folder_given_as_input_is_named_and_never_opened() {
    let d = tmp();
    let pipe = d.path().join("pipe.xlsx");
    assert!(std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success());
    refuse(
        &pipe,
        2,
        &["pipe.xlsx 不是普通文件（是管道、设备或套接字）"],
    );
    let folder = d.path().join("folder.xlsx");
    std::fs::create_dir(&folder).unwrap();
    refuse(&folder, 2, &["folder.xlsx 是一个文件夹，不是文件"]);
}

#[test]
fn a_read_only_output_is_not_replaced() {
    let d = tmp();
    let o = d.path().join("o.json");
    std::fs::write(&o, b"keep").unwrap();
    let mut perm = std::fs::metadata(&o).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&o, perm).unwrap();
    bin()
        .args(["convert"])
        .arg(sample_json())
        .arg("-o")
        .arg(&o)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("已存在且是只读的，没有覆盖"));
    assert_eq!(std::fs::read(&o).unwrap(), b"keep");
}

/// Every department folder of a batch output holds its own department's model.
fn assert_each_folder_holds_its_own(out: &Path) {
    for year in std::fs::read_dir(out).unwrap().flatten() {
        if !year.path().is_dir() || year.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        for dept in std::fs::read_dir(year.path()).unwrap().flatten() {
            let model: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dept.path().join("模型.json")).unwrap())
                    .unwrap();
            let name = dept.file_name().to_string_lossy().to_string();
            let inside = model["department"].as_str().unwrap();
            assert!(
                name.starts_with(&inside.chars().take(20).collect::<String>()),
                "{name} holds {inside}"
            );
        }
    }
}

#[test]
fn two_batches_into_one_folder_never_mix_departments() {
    let d = tmp();
    let (a, b, out) = (d.path().join("a"), d.path().join("b"), d.path().join("out"));
    for dir in [&a, &b] {
        departments(dir, 6);
    }
    // b's departments get other names: the two runs would file each other's otherwise.
    for f in std::fs::read_dir(&b).unwrap().flatten() {
        let p = f.path();
        let out = budget_tables::read::read_path(&p, &specs()).unwrap();
        let mut m = out.budget;
        m.department = format!("乙{}", m.department);
        std::fs::remove_file(&p).unwrap();
        std::fs::write(
            p.with_extension("json"),
            budget_tables::model::json::to_string(&m),
        )
        .unwrap();
    }
    // A run holding the folder: the second is refused at once, with exit 2.
    std::fs::create_dir_all(&out).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".budget-tables.lock"))
        .unwrap();
    held.try_lock().unwrap();
    batch(&b, &out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "正由另一个 budget-tables batch 使用",
        ));
    drop(held);
    // Two runs started together: whichever is refused, nothing is misfiled.
    let spawn = |input: &Path| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("budget-tables"))
            .arg("batch")
            .arg(input)
            .arg("-o")
            .arg(&out)
            .output_async()
    };
    let (x, y) = (spawn(&a), spawn(&b));
    let (x, y) = (x.wait_with_output().unwrap(), y.wait_with_output().unwrap());
    for o in [&x, &y] {
        assert!(matches!(o.status.code(), Some(0 | 2)), "{}", stderr(o));
        if o.status.code() == Some(2) {
            assert!(
                stderr(o).contains("正由另一个 budget-tables batch 使用"),
                "{}",
                stderr(o)
            );
        }
    }
    assert_each_folder_holds_its_own(&out);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

trait SpawnOutput {
    fn output_async(&mut self) -> std::process::Child;
}

impl SpawnOutput for std::process::Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

#[test]
fn a_long_name_is_cut_by_bytes_and_the_batch_goes_on() {
    let d = tmp();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    departments(&input, 3);
    let mut m = sample_model();
    m.department = "😀".repeat(70) + "局";
    std::fs::write(
        input.join("emoji.json"),
        budget_tables::model::json::to_string(&m),
    )
    .unwrap();
    let o = batch(&input, &out).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let roll = rollup(&out, 2024);
    let entry = roll["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "emoji.json")
        .unwrap();
    let folder = entry["folder"].as_str().unwrap();
    assert!(folder.ends_with('…'), "{folder}");
    assert!(folder.split('/').next_back().unwrap().len() <= 150);
    assert!(out.join(folder).join("公开报表.xlsx").is_file());
}

#[test]
fn links_loops_and_pipes_in_the_input_folder() {
    use std::os::unix::fs::symlink;
    let d = tmp();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    departments(&input, 2);
    symlink(".", input.join("me")).unwrap();
    std::fs::create_dir(input.join("loop")).unwrap();
    symlink("../loop", input.join("loop/again")).unwrap();
    symlink(input.join("dept-0001.xlsx"), input.join("link.xlsx")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(input.join("pipe.xlsx"))
        .status()
        .unwrap()
        .success());
    std::fs::create_dir_all(&out).unwrap();
    symlink(&out, input.join("to-out")).unwrap();
    let t = std::time::Instant::now();
    let o = batch(&input, &out)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(t.elapsed().as_secs() < 60);
    // The pipe is listed as unreadable (exit 2); each department once, none in conflict.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let roll = rollup(&out, 2023);
    let entries = roll["entries"].as_array().unwrap();
    let files: Vec<&str> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.contains(&"pipe.xlsx"));
    assert!(entries.iter().all(|e| e["status"] != "冲突"));
    let pipe = entries.iter().find(|e| e["file"] == "pipe.xlsx").unwrap();
    assert_eq!(pipe["status"], "无法读取");
    assert!(pipe["message"].as_str().unwrap().contains("不是普通文件"));
    // A second run over the same folders reads none of its own outputs.
    let o = batch(&input, &out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(rollup(&out, 2023)["entries"].as_array().unwrap().len(), 3);
}

#[test]
fn a_refused_batch_creates_no_folder() {
    let d = tmp();
    let input = d.path().join("in");
    departments(&input, 1);
    let inside = input.join("new/out");
    batch(&input, &inside)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("在输入目录"));
    assert!(!input.join("new").exists());
}

#[test]
fn a_department_whose_files_cannot_be_written_is_failed_and_not_placed() {
    let d = tmp();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    departments(&input, 3);
    // Files past 40 KiB cannot be written (as on a full disk): every
    // department's model JSON is larger, the roll-up smaller.
    let exe = assert_cmd::cargo::cargo_bin("budget-tables");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 80 && exec \"$0\" \"$@\"")
        .arg(&exe)
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let roll = rollup(&out, 2023);
    for e in roll["entries"].as_array().unwrap() {
        assert_eq!(e["status"], "输出失败", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("输出写出失败，该部门没有输出任何文件"), "{m}");
        assert!(!m.contains("staging"), "{m}");
        assert!(e["folder"].is_null());
    }
    assert!(!out.join("2023").exists());
}

/// A minimal xlsx package with these parts (and the plumbing every
/// workbook has); `sheets` names the worksheet parts' sheets.
fn xlsx_package(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let plumbing: [(&str, &[u8]); 2] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
    ];
    for (name, bytes) in plumbing.iter().chain(parts) {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const ONE_SHEET_WORKBOOK: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const ONE_SHEET_RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// A sheet of `rows` × `cols` cells, each showing shared string 0.
fn sheet_of_shared(rows: u32, cols: u32) -> Vec<u8> {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for r in 1..=rows {
        x.push_str(&format!("<row r=\"{r}\">"));
        for c in 0..cols {
            let col = (b'A' + c as u8) as char;
            x.push_str(&format!("<c r=\"{col}{r}\" t=\"s\"><v>0</v></c>"));
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x.into_bytes()
}

#[test]
fn one_shared_string_shown_by_every_cell_counts_its_text_each_time() {
    let d = tmp();
    let long = "a".repeat(32_000);
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="45000" uniqueCount="1"><si><t>{long}</t></si></sst>"#
    );
    let bytes = xlsx_package(&[
        ("xl/workbook.xml", ONE_SHEET_WORKBOOK),
        ("xl/_rels/workbook.xml.rels", ONE_SHEET_RELS),
        ("xl/sharedStrings.xml", sst.as_bytes()),
        ("xl/worksheets/sheet1.xml", &sheet_of_shared(4_500, 10)),
    ]);
    assert!(bytes.len() < 200 * 1024, "{}", bytes.len());
    let p = file(d.path(), "strings.xlsx", &bytes);
    let t = std::time::Instant::now();
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("strings.xlsx 超出处理上限"), "{e}");
    assert!(
        e.contains("全部单元格的文字已超过上限（同一段文字每出现一次都计入）"),
        "{e}"
    );
    assert!(e.contains("上限为 所有工作表合计 64 MB 文字"), "{e}");
    assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
}

#[test]
fn a_long_ods_text_repeated_or_spaced_out_is_refused_before_it_expands() {
    let d = tmp();
    // One 2 MB text in a cell repeated 1,000 times.
    let long = "a".repeat(2 << 20);
    let row = format!(
        r#"<table:table-row><table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>{long}</text:p></table:table-cell></table:table-row>"#
    );
    let bytes = ods(&format!("{ODS_HEAD}{row}{ODS_TAIL}"));
    assert!(bytes.len() < 8 * 1024, "{}", bytes.len());
    let p = file(d.path(), "repeat.ods", &bytes);
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("全部单元格的文字已超过上限"),
        "{}",
        stderr(&out)
    );
    // Cells of 1,024-space runs: 70,000 of them make 70 MB of one cell.
    let spaces = r#"<text:s text:c="1024"/>"#.repeat(70_000);
    let cells = format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>{spaces}</text:p></table:table-cell></table:table-row>"#
    );
    let bytes = ods(&format!("{ODS_HEAD}{cells}{ODS_TAIL}"));
    assert!(bytes.len() < 100 * 1024, "{}", bytes.len());
    let p = file(d.path(), "spaces.ods", &bytes);
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains(
            "spaces.ods 超出处理上限：读到工作表“表3”的单元格 A1 时，全部单元格的文字已超过上限"
        ),
        "{e}"
    );
}

#[test]
fn a_workbook_naming_a_hundred_thousand_sheets_is_refused_before_they_are_read() {
    let d = tmp();
    let mut wb = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=100_000 {
        wb.push_str(&format!(
            r#"<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#));
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let bytes = xlsx_package(&[
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", &sheet_of_shared(0, 0)),
    ]);
    let p = file(d.path(), "sheets.xlsx", &bytes);
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("sheets.xlsx 超出处理上限：工作簿有 100000 个工作表，上限为 1000 个工作表"),
        "{e}"
    );
}

#[test]
fn a_json_model_of_too_many_rows_is_refused_before_it_is_built() {
    let d = tmp();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample_json()).unwrap()).unwrap();
    // The first row of the first grid table, copied 140,000 times (280,000
    // objects with its amounts).
    let rows = v["tables"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find_map(|t| {
            t.pointer_mut("/blocks/0/rows")
                .filter(|r| r.as_array().is_some_and(|a| !a.is_empty()))
        })
        .unwrap()
        .as_array_mut()
        .unwrap();
    let one = rows[0].clone();
    rows.extend(std::iter::repeat_n(one, 140_000));
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.len() > 20 << 20, "{}", text.len());
    let p = file(d.path(), "rows.json", text.as_bytes());
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rows.json：JSON 模型中的对象（行、金额等）超过 250000 个的上限"),
        "{}",
        stderr(&out)
    );
}

/// The sample with `count` one-cell merges in the header row of 表3's sheet.
fn sample_with_merges(count: usize) -> Vec<u8> {
    let src = std::fs::read(sample_xlsx()).unwrap();
    let mut zin = zip::ZipArchive::new(Cursor::new(src)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zin.by_name("xl/worksheets/sheet3.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    let mut cells = String::new();
    for i in 0..count {
        // Distinct ranges, all starting in the header's first row.
        let end = 16_384 - (i % 16_000) as u32;
        cells.push_str(&format!(r#"<mergeCell ref="A4:{}4"/>"#, col_name(end - 1)));
    }
    let xml = if let Some(at) = xml.find("<mergeCells") {
        let close = at + xml[at..].find('>').unwrap() + 1;
        format!("{}{cells}{}", &xml[..close], &xml[close..])
    } else {
        xml.replace(
            "</sheetData>",
            &format!("</sheetData><mergeCells>{cells}</mergeCells>"),
        )
    };
    sample_with_part("xl/worksheets/sheet3.xml", xml.as_bytes())
}

fn col_name(mut c: u32) -> String {
    let mut s = String::new();
    c += 1;
    while c > 0 {
        s.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    s
}

#[test]
fn merged_ranges_are_counted_and_placed_in_time_proportional_to_their_number() {
    let d = tmp();
    // Past the limit: refused at once, never all kept.
    let p = file(d.path(), "merges.xlsx", &sample_with_merges(300_000));
    let t = std::time::Instant::now();
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("的合并单元格区域超过 100000 个，上限为 每个工作表 100000 个合并区域"),
        "{}",
        stderr(&out)
    );
    assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
    // Under it: the workbook is read, its header found as before.
    let p = file(d.path(), "many.xlsx", &sample_with_merges(90_000));
    let t = std::time::Instant::now();
    let out = run_limited(&args(&[&"check", &p, &"--format", &"json"]), LIMIT_MIB);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
}

#[test]
fn a_comment_or_drawing_pointing_past_the_grid_does_not_make_a_workbook_unreadable() {
    let d = tmp();
    let src = std::fs::read(sample_xlsx()).unwrap();
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/><Relationship Id="rIdV" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/></Relationships>"#;
    let comments = r#"<?xml version="1.0" encoding="UTF-8"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>x</author></authors><commentList><comment ref="XFE1048577" authorId="0"><text><r><t>注</t></r></text></comment></commentList></comments>"#;
    let vml = r#"<xml xmlns:x="urn:schemas-microsoft-com:office:excel"><x:ClientData ObjectType="Note"><x:Row>4294967303</x:Row><x:Column>99999</x:Column></x:ClientData></xml>"#;
    let drawing = r#"<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"><xdr:twoCellAnchor><xdr:from><xdr:col>99999</xdr:col><xdr:row r="4294967303">4294967303</xdr:row></xdr:from></xdr:twoCellAnchor></xdr:wsDr>"#;
    let mut bytes =
        archive_with_bytes(&src, "xl/worksheets/_rels/sheet2.xml.rels", rels.as_bytes());
    for (part, content) in [
        ("xl/comments1.xml", comments),
        ("xl/drawings/vmlDrawing1.vml", vml),
        ("xl/drawings/drawing9.xml", drawing),
        ("xl/worksheets/comments9.xml", comments),
    ] {
        bytes = archive_with_bytes(&bytes, part, content.as_bytes());
    }
    let p = file(d.path(), "notes.xlsx", &bytes);
    let out = run_limited(&args(&[&"check", &p]), LIMIT_MIB);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("notes.xlsx：0 个错误，20 个警告"),
        "{}",
        stdout(&out)
    );
}

fn archive_with_bytes(src: &[u8], part: &str, content: &[u8]) -> Vec<u8> {
    let d = tmp();
    let p = d.path().join("in.xlsx");
    std::fs::write(&p, src).unwrap();
    archive_with_part(&p, part, content)
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_device_or_a_link_to_one_is_never_replaced() {
    let d = tmp();
    let link = d.path().join("out.json");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    bin()
        .args(["convert"])
        .arg(sample_xlsx())
        .arg("-o")
        .arg(&link)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "不是普通文件（是设备、管道或套接字），没有写入",
        ));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device_like());
}

#[cfg(unix)]
trait CharDevice {
    fn is_char_device_like(&self) -> bool;
}

#[cfg(unix)]
impl CharDevice for std::fs::FileType {
    fn is_char_device_like(&self) -> bool {
        std::os::unix::fs::FileTypeExt::is_char_device(self)
    }
}

#[cfg(unix)]
#[test]
fn a_convert_stopped_midway_leaves_no_temporary_file() {
    let d = tmp();
    bin()
        .args(["sample", "--count", "1", "--units", "400", "-o"])
        .arg(d.path())
        .assert()
        .success();
    let input = d.path().join("dept-0001.xlsx");
    let out_dir = d.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    for signal in ["INT", "KILL"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("budget-tables"))
            .arg("convert")
            .arg(&input)
            .arg("-o")
            .arg(out_dir.join("公开报表.xlsx"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Well into the writing of a 400-unit department.
        std::thread::sleep(std::time::Duration::from_millis(2500));
        std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal}: finished before the signal");
        let left: Vec<_> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "SIG{signal}: {left:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_temporary_folder_is_named_with_how_to_choose_another() {
    let d = tmp();
    let full = d.path().join("full");
    std::fs::create_dir(&full).unwrap();
    // A file system of 64 KiB, filled: needs the right to mount (root in CI).
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&full)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(full.clone());
    let _ = std::fs::write(full.join("fill"), vec![0u8; 64 * 1024]);
    bin()
        .args(["sample", "--count", "1", "--units", "30", "-o"])
        .arg(d.path())
        .assert()
        .success();
    let out = d.path().join("out.xlsx");
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("budget-tables"))
        .arg("convert")
        .arg(d.path().join("dept-0001.xlsx"))
        .arg("-o")
        .arg(&out)
        .env("TMPDIR", &full)
        .output()
        .unwrap();
    let e = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{e}");
    assert!(!e.contains("panicked") && !e.contains("内部错误"), "{e}");
    assert!(
        e.contains(&format!(
            "无法写入临时文件夹 {} 中的临时文件（磁盘空间不足或不可写）",
            full.display()
        )),
        "{e}"
    );
    assert!(
        e.contains("用环境变量 TMPDIR（Windows 为 TEMP）指定另一个有空间的文件夹"),
        "{e}"
    );
    assert!(!out.exists());
}
