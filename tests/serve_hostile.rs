//! The local web page against the pages of other sites and against clients
//! that stall, flood or vanish: each case a real `serve` on loopback, driven
//! over raw TCP where a browser or an attacker would send what a client
//! library will not.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{bin, root, sample_xlsx, tmp, Server};

/// Sends `request` as is and reads the answer until the server closes the
/// connection or `wait` passes.
fn raw(addr: &str, request: &[u8], wait: Duration) -> String {
    let mut t = TcpStream::connect(addr).unwrap();
    t.set_read_timeout(Some(wait)).unwrap();
    t.write_all(request).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    while let Ok(n) = t.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let head = &text[..head_end];
            let len = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            });
            if len.is_some_and(|len| buf.len() >= head_end + 4 + len) {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A multipart body with one file part.
fn multipart(field: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "XyZbOuNdArY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A POST of the sample to `path` with `headers` (each `Name: value`).
fn post_sample(s: &Server, path: &str, host: &str, headers: &[&str]) -> String {
    let (kind, body) = multipart("file", "a.xlsx", &std::fs::read(sample_xlsx()).unwrap());
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend(body);
    raw(&s.addr(), &bytes, Duration::from_secs(120))
}

fn get(s: &Server, path: &str, host: &str) -> String {
    raw(
        &s.addr(),
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        Duration::from_secs(30),
    )
}

/// The key the page carries for its own requests.
fn page_key(s: &Server) -> String {
    let page = get(s, "/", &s.addr());
    let at = page.find("budget-tables-key\" content=\"").unwrap() + 28;
    page[at..at + 32].to_string()
}

#[test]
fn a_page_of_another_site_that_rebinds_its_name_to_this_machine_is_refused() {
    let d = tmp();
    let log = d.path().join("log");
    let s = Server::start_with(&[], &[], Some(&log));
    let port = s.addr().rsplit(':').next().unwrap().to_string();
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1:1",
    ] {
        let a = get(&s, "/api/layouts", host);
        assert_eq!(status(&a), 403, "{host}: {a}");
        assert!(a.contains("不是本机网页的地址"), "{a}");
        let a = post_sample(&s, "/api/check", host, &[&format!("Origin: http://{host}")]);
        assert_eq!(status(&a), 403, "{host}: {a}");
        assert!(!a.contains("department"), "no figures in a refusal: {a}");
    }
    for host in [
        s.addr(),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        assert_eq!(status(&get(&s, "/api/layouts", &host)), 200, "{host}");
    }
    // A name given at start is the page's own.
    let named = Server::start(&["--host", "budget.local"]);
    let p2 = named.addr().rsplit(':').next().unwrap().to_string();
    assert_eq!(
        status(&get(&named, "/api/layouts", &format!("budget.local:{p2}"))),
        200
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("拒绝 GET /api/layouts（Host: evil.example，Origin: -）"),
        "{logged}"
    );
}

#[test]
fn a_cross_site_form_post_is_refused_and_the_pages_own_requests_pass() {
    let s = Server::start(&[]);
    let host = s.addr();
    // The form of another site: its origin, or only Sec-Fetch-Site, or
    // neither (an old browser).
    for headers in [
        vec!["Origin: http://evil.example"],
        vec!["Origin: null"],
        vec!["Sec-Fetch-Site: cross-site"],
        vec![
            "Sec-Fetch-Site: same-site",
            &format!("Origin: http://{host}") as &str,
        ],
        vec![],
    ] {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_string()).collect();
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let a = post_sample(&s, "/api/convert", &host, &refs);
        assert_eq!(status(&a), 403, "{refs:?}: {a}");
        assert!(a.contains("拒绝访问"), "{a}");
        assert!(!a.contains("PK\u{3}\u{4}"), "no workbook: {a}");
    }
    // The page: its origin and its key; a script on this machine: the origin.
    let key = page_key(&s);
    let origin = format!("Origin: http://{host}");
    let keyed = format!("X-Budget-Tables-Key: {key}");
    for headers in [
        vec![
            origin.as_str(),
            "Sec-Fetch-Site: same-origin",
            keyed.as_str(),
        ],
        vec![keyed.as_str()],
        vec![origin.as_str()],
    ] {
        let a = post_sample(&s, "/api/check", &host, &headers);
        assert_eq!(status(&a), 200, "{headers:?}: {}", &a[..a.len().min(300)]);
    }
    let wrong_key = "X-Budget-Tables-Key: 00000000000000000000000000000000";
    assert_eq!(
        status(&post_sample(&s, "/api/check", &host, &[wrong_key])),
        403
    );
}

/// The request folders under `tmp`.
fn folders(tmp: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("budget-tables-"))
        })
        .collect()
}

/// Starts an upload of `bytes` and sends all but the end of the file: the
/// request stays open, the part received on disk.
fn half_sent(s: &Server, bytes: &[u8]) -> TcpStream {
    let (kind, body) = multipart("file", "预算.xlsx", bytes);
    let mut t = TcpStream::connect(s.addr()).unwrap();
    let head = format!(
        "POST /api/check HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
        s.addr(),
        s.base,
        body.len()
    );
    t.write_all(head.as_bytes()).unwrap();
    t.write_all(&body[..body.len() - 200]).unwrap();
    t
}

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn uploads_are_private_and_gone_after_sigterm_or_ctrl_c() {
    use std::os::unix::fs::PermissionsExt;
    for signal in ["TERM", "INT"] {
        let d = tmp();
        let mut s = Server::start_with(&[], &[("TMPDIR", d.path())], None);
        let sample = std::fs::read(sample_xlsx()).unwrap();
        let _open = half_sent(&s, &sample);
        wait_for("the upload's file", Duration::from_secs(10), || {
            folders(d.path())
                .iter()
                .any(|f| std::fs::read_dir(f.join("0")).is_ok_and(|mut e| e.next().is_some()))
        });
        let folder = folders(d.path()).pop().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
        assert_eq!(mode(&folder.join("0")), 0o700);
        let file = std::fs::read_dir(folder.join("0"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        assert_eq!(mode(&file), 0o600, "{}", file.display());
        // Stopped while the client is still sending: gone within 2 s, and
        // so is the folder.
        let start = Instant::now();
        let kill = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &s.pid().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        assert!(
            s.wait_exit(Duration::from_secs(2)).is_some(),
            "SIG{signal}: still running after 2 s"
        );
        assert!(start.elapsed() < Duration::from_secs(2));
        assert_eq!(
            folders(d.path()),
            Vec::<std::path::PathBuf>::new(),
            "SIG{signal}"
        );
    }
}

#[test]
fn clients_that_send_headers_byte_by_byte_are_cut_off() {
    let s = Server::start(&[]);
    let slow: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut t = TcpStream::connect(s.addr()).unwrap();
            t.write_all(b"GET /api/layouts HTTP/1.1\r\nHo").unwrap();
            t
        })
        .collect();
    let start = Instant::now();
    let mut open: Vec<TcpStream> = slow;
    // One more byte a second from each, as slowloris does.
    while start.elapsed() < Duration::from_secs(14) && !open.is_empty() {
        std::thread::sleep(Duration::from_secs(1));
        open.retain_mut(|t| t.write_all(b"s").is_ok() && alive(t));
        // The page answers meanwhile.
        if start.elapsed() < Duration::from_secs(5) {
            assert_eq!(status(&get(&s, "/api/layouts", &s.addr())), 200);
        }
    }
    assert!(
        open.is_empty(),
        "{} slow connections still open after 14 s",
        open.len()
    );
}

/// Whether the server still holds a connection open.
fn alive(t: &mut TcpStream) -> bool {
    t.set_nonblocking(true).unwrap();
    let mut b = [0u8; 1];
    let r = match t.peek(&mut b) {
        Ok(0) => false,
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
    };
    t.set_nonblocking(false).unwrap();
    r
}

#[cfg(target_os = "linux")]
#[test]
fn more_idle_connections_than_open_files_never_take_the_page_down() {
    // The usual desktop limit; the server raises it where it may, so the
    // shell lowers the hard limit too.
    let d = tmp();
    let exe = assert_cmd::cargo::cargo_bin("budget-tables");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 1024 && exec \"$0\" serve --no-open")
        .arg(exe)
        .env("TMPDIR", d.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches('/')
        .to_string();
    let idle: Vec<TcpStream> = (0..1100)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    assert!(idle.len() > 1000);
    // The idle ones are closed after the header time; the page answers.
    std::thread::sleep(Duration::from_secs(11));
    let a = raw(
        &addr,
        format!("GET /api/layouts HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
        Duration::from_secs(10),
    );
    assert_eq!(status(&a), 200, "{a}");
    assert!(child.try_wait().unwrap().is_none(), "the server ended");
    let _ = child.kill();
    let _ = child.wait();
}

/// A big department's workbook (slow enough to pass a short time limit).
fn big_department(dir: &Path, units: u32) -> std::path::PathBuf {
    bin()
        .args([
            "sample",
            "--count",
            "1",
            "--units",
            &units.to_string(),
            "-o",
        ])
        .arg(dir)
        .assert()
        .success();
    dir.join("dept-0001.xlsx")
}

/// CPU seconds the process has used.
#[cfg(target_os = "linux")]
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[cfg(target_os = "linux")]
#[test]
fn a_job_past_its_time_limit_stops_working_and_frees_its_slot() {
    let d = tmp();
    let big = big_department(d.path(), 1000);
    let s = Server::start(&["--jobs", "1", "--time-limit", "2", "--queue-wait", "30"]);
    let start = Instant::now();
    let a = post_sample_file(&s, "/api/convert?allow_errors=1", &big);
    let took = start.elapsed();
    assert_eq!(status(&a), 503, "{}", &a[..a.len().min(400)]);
    assert!(a.contains("处理超时：超过 2 秒仍未完成"), "{a}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    // The work stops with the answer: the server goes idle within a few
    // seconds (a stage between two checkpoints, such as compressing the
    // workbook, finishes first; on a loaded machine that takes a while).
    // Left running, the job would keep it busy for over ten seconds more.
    let mut idle_after = None;
    for i in 1..=10 {
        let before = cpu_seconds(s.pid());
        std::thread::sleep(Duration::from_millis(500));
        if cpu_seconds(s.pid()) - before < 0.05 {
            idle_after = Some(i);
            break;
        }
    }
    assert!(idle_after.is_some(), "still working 5 s after the answer");
    // Its one slot is free: a normal check gets its answer.
    let a = post_sample_file(&s, "/api/check", &sample_xlsx());
    assert_eq!(status(&a), 200);
}

fn post_sample_file(s: &Server, path: &str, file: &Path) -> String {
    let (kind, body) = multipart("file", "a.xlsx", &std::fs::read(file).unwrap());
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr(),
        s.base,
        body.len()
    )
    .into_bytes();
    req.extend(body);
    raw(&s.addr(), &req, Duration::from_secs(120))
}

#[test]
fn an_upload_still_arriving_holds_no_job_slot() {
    let s = Server::start(&["--jobs", "1", "--queue-wait", "2"]);
    // An endless chunked upload: a chunk a second.
    let mut t = TcpStream::connect(s.addr()).unwrap();
    t.write_all(
        format!(
            "POST /api/check HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\n\r\n",
            s.addr(),
            s.base
        )
        .as_bytes(),
    )
    .unwrap();
    let part =
        "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK";
    t.write_all(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes())
        .unwrap();
    let feeder = std::thread::spawn(move || {
        for _ in 0..6 {
            std::thread::sleep(Duration::from_secs(1));
            if t.write_all(b"1\r\nx\r\n").is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(500));
    let a = post_sample_file(&s, "/api/check", &sample_xlsx());
    assert_eq!(status(&a), 200, "{}", &a[..a.len().min(300)]);
    feeder.join().unwrap();
}

#[test]
fn a_request_of_a_hundred_thousand_parts_is_refused_at_once() {
    let s = Server::start(&[]);
    let mut body = Vec::new();
    for i in 0..100_000 {
        body.extend_from_slice(
            format!("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{i}.xlsx\"\r\n\r\n\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--B--\r\n");
    let mut req = format!(
        "POST /api/batch HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr(),
        s.base,
        body.len()
    )
    .into_bytes();
    req.extend(body);
    let start = Instant::now();
    let a = raw(&s.addr(), &req, Duration::from_secs(60));
    assert_eq!(status(&a), 413, "{}", &a[..a.len().min(300)]);
    assert!(a.contains("一次上传的文件超过 5000 个"), "{a}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    // The server answers at once afterwards.
    let start = Instant::now();
    assert_eq!(status(&get(&s, "/api/layouts", &s.addr())), 200);
    assert!(start.elapsed() < Duration::from_secs(2));
}

/// Resident memory of a process, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn memory_goes_back_down_after_requests() {
    let s = Server::start(&["--jobs", "2"]);
    let warm = post_sample_file(&s, "/api/check", &sample_xlsx());
    assert_eq!(status(&warm), 200);
    let baseline = rss_kib(s.pid());
    // Big checks and previews, one after the other.
    let shanghai = root().join("samples/shanghai-wanli-2024.xlsx");
    for _ in 0..5 {
        let a = post_sample_file(&s, "/api/check?preview=1", &shanghai);
        assert_eq!(status(&a), 200);
    }
    let after = rss_kib(s.pid());
    assert!(
        after < baseline + 20 * 1024,
        "resident {after} KiB after, {baseline} KiB before"
    );
}
