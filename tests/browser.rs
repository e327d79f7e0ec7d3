//! The page in a real browser: headless Chromium (Debian's, driven by
//! Selenium through chromedriver) uploads the sample, shows its findings and
//! published tables, and downloads the official workbook, which must equal
//! the command line's byte for byte. The screenshot after the upload is kept
//! at target/browser/page-after-upload.png for a person to look at.

mod common;

use common::{bin, root, sample_xlsx, tmp, Server};

#[test]
fn a_clerk_uploads_the_sample_and_downloads_the_published_tables() {
    if !(common::require_tool("chromium", "chromium")
        && common::require_tool("chromedriver", "chromium-driver")
        && common::require_python_module("selenium"))
    {
        return;
    }
    let s = Server::start(&[]);
    let d = tmp();
    let downloads = d.path().join("下载");
    std::fs::create_dir(&downloads).unwrap();
    let shots = root().join("target/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("page-after-upload.png");
    let _ = std::fs::remove_file(&shot);
    let out = std::process::Command::new("python3")
        .arg(root().join("tests/py/browser_page.py"))
        .args([
            s.url.as_str(),
            sample_xlsx().to_str().unwrap(),
            downloads.to_str().unwrap(),
            shot.to_str().unwrap(),
            root()
                .join("samples/shenzhen-zwfw-2023.xlsx")
                .to_str()
                .unwrap(),
            root()
                .join("tests/fixtures/encrypted-2024.xlsx")
                .to_str()
                .unwrap(),
        ])
        .output()
        .unwrap();
    let page = common::stdout_json(&out);
    assert_eq!(page["error"], "");
    assert_eq!(page["count"], "0 个错误，20 个警告，0 个提示。");
    assert_eq!(
        page["actions"],
        serde_json::json!([
            "下载公开报表（xlsx）",
            "下载公开文件（PDF）",
            "下载公开文件（Word）",
            "起草说明（Word）",
            "下载规范 JSON",
            "下载标注副本（xlsx）"
        ])
    );
    // The template tab starts on the checked workbook's layout (it started
    // on the first by name, 部门决算).
    assert_eq!(page["template_layout"], "shenzhen-budget");
    assert_eq!(
        page["summary"],
        "shenzhen-zwfw-2024.xlsx：深圳市部门预算公开（12 张表），深圳市政务服务和数据管理局(本级)，2024 年。0 个错误，20 个警告，0 个提示。"
    );
    assert_eq!(page["findings"], 20);
    let tabs = page["tabs"].as_array().unwrap();
    assert_eq!(tabs.len(), 12);
    assert_eq!(
        (tabs[0].as_str(), tabs[11].as_str()),
        (Some("表1 收支总表"), Some("表12 单位整体支出绩效目标表"))
    );
    // 表1's two flagged figures, and the first one's finding on a click.
    assert_eq!(page["flagged"], 2);
    let shown = page["cell_findings"].as_str().unwrap();
    assert!(
        shown.contains("X-T2-T1-01") && shown.contains("实际：44,037.77"),
        "{shown}"
    );
    // The download is the command line's workbook, byte for byte.
    let got = std::fs::read(page["download"].as_str().unwrap()).unwrap();
    let cli = d.path().join("cli.xlsx");
    bin()
        .args([
            "convert",
            sample_xlsx().to_str().unwrap(),
            "-o",
            cli.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert_eq!(got, std::fs::read(&cli).unwrap());
    assert!(page["download"]
        .as_str()
        .unwrap()
        .ends_with("shenzhen-zwfw-2024-公开报表.xlsx"));
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 50_000,
        "a real screenshot"
    );
    // Two years compared in the page: the diff's 总览 as the command line computes it.
    assert_eq!(
        page["diff_summary"],
        "深圳市政务服务和数据管理局(本级)：2023 年 → 2024 年"
    );
    let first = &page["diff_rows"][0];
    assert_eq!(
        first,
        &serde_json::json!(["收入总计", "69,673.69", "44,972.11", "-24,701.58", "-35.5%"])
    );
    assert_eq!(
        page["diff_sentences"][0],
        "2024年深圳市政务服务和数据管理局(本级)部门预算收入44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。"
    );
    // Both years through the batch: one row each.
    assert_eq!(
        page["batch_summary"],
        "共 2 个输入：通过 1，有警告 1，有错误 0，说明有错误 0，无法读取 0。汇总：汇总-2023.xlsx 汇总-2024.xlsx"
    );
    let rows = page["batch_rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "shenzhen-zwfw-2023.xlsx");
    assert_eq!(
        (rows[0][3].as_str(), rows[1][3].as_str()),
        (Some("通过"), Some("有警告"))
    );
    // A file the command line refuses: the page says what it says.
    let cli = bin()
        .current_dir(root().join("tests/fixtures"))
        .args(["check", "encrypted-2024.xlsx"])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(2));
    let message = String::from_utf8_lossy(&cli.stderr);
    assert_eq!(
        page["encrypted_error"],
        message.trim().trim_start_matches("错误：")
    );
}
