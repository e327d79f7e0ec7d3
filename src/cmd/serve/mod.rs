//! `budget-tables serve`: the local web page and its HTTP API.
//!
//! The page and the API run the commands' own functions on uploaded files,
//! so a file gets the same findings, outputs and messages as on the command
//! line. Each request works in a private temporary folder that is removed
//! when it ends; a bounded number of requests work at once, each within a
//! time limit.

mod api;
mod page;
mod upload;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{CmdError, Setup};

/// The typed settings of a server, validated before it starts.
pub struct Config {
    pub listen: SocketAddr,
    pub open_browser: bool,
    /// Required of every request; `None` only on a loopback address.
    pub token: Option<String>,
    /// Requests worked on at once.
    pub jobs: usize,
    /// How long a request may wait for its turn before it is refused (503).
    pub queue_wait: Duration,
    /// How long a request may take, upload included, before it is refused (503).
    pub time_limit: Duration,
    /// Other names the page may be reached by (`--host`), besides its
    /// address and `localhost`.
    pub hosts: Vec<String>,
}

impl Config {
    /// Checks the command line's choices: a token is generated for an address
    /// other than loopback when none is given.
    ///
    /// # Errors
    /// A token too short to protect anything, or zero jobs or seconds.
    pub fn new(
        listen: SocketAddr,
        open_browser: bool,
        token: Option<String>,
        jobs: Option<usize>,
        limits: Limits,
        hosts: Vec<String>,
    ) -> Result<Config, CmdError> {
        if let Some(h) = hosts.iter().find(|h| !valid_host(h)) {
            return Err(CmdError::Usage(format!(
                "--host {h} 不是主机名；请只写名称（如 budget.local），可带端口（budget.local:8080）"
            )));
        }
        if let Some(t) = &token {
            if t.len() < 16
                || !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(CmdError::Usage(
                    "--token 应至少 16 个字符，只含字母、数字、- 和 _".into(),
                ));
            }
        }
        if limits.time_limit == 0 || limits.queue_wait == 0 {
            return Err(CmdError::Usage(
                "--time-limit 和 --queue-wait 应至少为 1 秒".into(),
            ));
        }
        let token = match token {
            Some(t) => Some(t),
            None if !listen.ip().is_loopback() => Some(random_token()?),
            None => None,
        };
        let jobs = jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        });
        if jobs == 0 {
            return Err(CmdError::Usage("--jobs 应至少为 1".into()));
        }
        Ok(Config {
            listen,
            open_browser,
            token,
            jobs,
            queue_wait: Duration::from_secs(limits.queue_wait),
            time_limit: Duration::from_secs(limits.time_limit),
            hosts: hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
        })
    }
}

/// The time limits of a request, in seconds.
pub struct Limits {
    /// Upload and work.
    pub time_limit: u64,
    /// Waiting for a turn.
    pub queue_wait: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time_limit: 120,
            queue_wait: 60,
        }
    }
}

fn random_token() -> Result<String, CmdError> {
    random_hex::<16>()
        .map_err(|e| CmdError::Usage(format!("无法生成访问令牌：{e}；请用 --token 给出一个")))
}

pub(crate) use budget_tables::text::random_hex;

/// What every request shares.
pub(crate) struct AppState {
    pub setup: Setup,
    pub config: Config,
    pub permits: Arc<tokio::sync::Semaphore>,
    pub results: api::Results,
    /// The names a request's `Host` may give (lower case, with the port).
    pub hosts: Vec<String>,
    /// The page's key for this start: the page sends it with every request
    /// it makes, which a page of another site cannot know.
    pub key: String,
    /// The jobs working now, stopped when the server stops.
    pub running: api::Running,
}

/// How long a client may take to send a request's header (also how long an
/// idle kept-alive connection stays open).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an upload may pause between two pieces of its body.
pub(crate) const BODY_IDLE: Duration = Duration::from_secs(20);
/// How long a stop (Ctrl-C) waits for requests still running.
const STOP_WAIT: Duration = Duration::from_millis(1500);

/// Starts the server and serves until Ctrl-C (or the console closes).
///
/// # Errors
/// The address cannot be listened on.
pub fn run(setup: Setup, config: Config) -> Result<ExitCode, CmdError> {
    // The layouts and catalogue are checked once, before anyone waits on them.
    setup.layouts()?;
    setup.options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.jobs.max(1) * 2 + 2)
        .build()
        .map_err(|e| CmdError::Usage(format!("无法启动网页服务：{e}")))?;
    let served = runtime.block_on(serve(setup, config));
    // A job still unwinding is not waited for: the process is ending.
    runtime.shutdown_timeout(Duration::from_millis(300));
    upload::remove_all_folders();
    served
}

async fn serve(setup: Setup, config: Config) -> Result<ExitCode, CmdError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            CmdError::Usage(format!(
                "无法在 {} 上启动网页服务：{e}；请换一个端口（--listen 127.0.0.1:0 自动选择空闲端口）",
                config.listen
            ))
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CmdError::Usage(format!("无法启动网页服务：{e}")))?;
    let url = match &config.token {
        Some(t) => format!("http://{addr}/?token={t}"),
        None => format!("http://{addr}/"),
    };
    say(&format!(
        "budget-tables 网页已启动：{url}\n在浏览器中打开上面的地址即可使用；按 Ctrl-C（或关闭本窗口）停止。"
    ));
    if config.open_browser {
        if let Err(e) = open::that_detached(&url) {
            say(&format!(
                "未能自动打开浏览器（{e}），请手动打开上面的地址。"
            ));
        }
    }
    let key = random_hex::<16>().map_err(|e| CmdError::Usage(format!("无法生成页面密钥：{e}")))?;
    let state = Arc::new(AppState {
        permits: Arc::new(tokio::sync::Semaphore::new(config.jobs)),
        hosts: allowed_hosts(addr, &config.hosts),
        setup,
        config,
        results: api::Results::default(),
        key,
        running: api::Running::default(),
    });
    let app = api::router(state.clone())
        .merge(page::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .layer(axum::extract::DefaultBodyLimit::max(
            upload::MAX_REQUEST_BYTES,
        ))
        .layer(axum::middleware::from_fn(log_line));
    accept_until_stopped(listener, app).await;
    state.running.stop_all();
    say("网页服务已停止。");
    Ok(ExitCode::SUCCESS)
}

/// Serves each connection until a stop signal, then gives those still open
/// [`STOP_WAIT`] to finish. At most [`connection_cap`] connections are open
/// at once (one more is closed at once), so the process never runs out of
/// file handles; a client that takes longer than [`HEADER_TIMEOUT`] to send
/// a request's header is disconnected.
async fn accept_until_stopped(listener: tokio::net::TcpListener, app: axum::Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let cap = Arc::new(tokio::sync::Semaphore::new(connection_cap()));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of handles for a moment: wait rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = cap.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .keep_alive(true);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(STOP_WAIT, graceful.shutdown()).await;
}

/// Connections open at once: well below the process's limit of open files
/// (raised to its hard limit where allowed), which uploads and outputs share.
fn connection_cap() -> usize {
    const MOST: usize = 1024;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `lim` is a valid rlimit for both calls.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut lim) == 0 {
                if lim.rlim_cur < lim.rlim_max {
                    let raised = libc::rlimit {
                        rlim_cur: lim.rlim_max.min(65_536),
                        rlim_max: lim.rlim_max,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &raw const raised) == 0 {
                        lim.rlim_cur = raised.rlim_cur;
                    }
                }
                let files = usize::try_from(lim.rlim_cur).unwrap_or(MOST);
                return (files.saturating_sub(64) / 2).clamp(16, MOST);
            }
        }
    }
    // Windows' default is far above this; the C library's is 512.
    MOST / 4
}

/// The `Host` values a request may carry: the address listened on, the
/// loopback names when it is loopback (or any address), and `--host` names;
/// each with the port.
fn allowed_hosts(addr: SocketAddr, named: &[String]) -> Vec<String> {
    let port = addr.port();
    let ip = addr.ip();
    let mut hosts = Vec::new();
    if ip.is_loopback() || ip.is_unspecified() {
        hosts.extend([
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]);
    }
    if !ip.is_unspecified() {
        hosts.push(SocketAddr::new(ip, port).to_string());
    }
    for n in named {
        if n.contains(':') && !n.starts_with('[') {
            hosts.push(n.clone());
        } else {
            hosts.push(format!("{n}:{port}"));
        }
    }
    hosts
}

/// A `--host` value: a name of letters, digits, dots and hyphens, with an
/// optional port.
fn valid_host(h: &str) -> bool {
    let (name, port) = h.rsplit_once(':').unwrap_or((h, "1"));
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port.parse::<u16>().is_ok()
}

/// Prints a line for the person who started the server; a closed console is
/// no reason to stop serving.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Ctrl-C, SIGTERM, or on Windows the console window closing.
async fn stop_signal() {
    #[cfg(windows)]
    {
        let close = async {
            match tokio::signal::windows::ctrl_close() {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = close => {},
        }
    }
    #[cfg(not(windows))]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            () = term => {},
        }
    }
}

/// Who may ask: a request for this server's own name (a page of another
/// site that points its name at this machine is refused), with the token
/// where one is required; a request that changes something (`POST`) only
/// from this page (or a program on this machine), never from a page of
/// another site. Then the headers every response carries.
async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(refusal) = refusal(&state, &req) {
        log_refusal(&req, &refusal);
        return api::ApiError::new(StatusCode::FORBIDDEN, refusal).into_response();
    }
    if let Some(token) = &state.config.token {
        if !carries(&req, token) {
            return api::ApiError::new(
                StatusCode::UNAUTHORIZED,
                "缺少或错误的访问令牌：请使用启动时显示的完整地址（含 ?token=…）".into(),
            )
            .into_response();
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Why a request is refused (403), if it is.
fn refusal(state: &AppState, req: &Request) -> Option<String> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let host = header("host").map(str::to_ascii_lowercase);
    let host_ok = host.as_deref().is_some_and(|h| {
        state.hosts.iter().any(|a| a == h)
            || (state.config.listen.ip().is_unspecified() && is_ip_host(h, state.hosts.first()))
    });
    if !host_ok {
        return Some(format!(
            "拒绝访问：请求的主机名“{}”不是本机网页的地址；请用启动时显示的地址打开（若要用其他名称访问，启动时加 --host 该名称）",
            host.unwrap_or_default()
        ));
    }
    if req.method() != axum::http::Method::POST {
        return None;
    }
    let origin = header("origin");
    let same_origin = origin.is_some_and(|o| {
        o.eq_ignore_ascii_case(&format!("http://{}", host.as_deref().unwrap_or_default()))
    });
    let cross_site = matches!(
        header("sec-fetch-site"),
        Some(site) if !site.eq_ignore_ascii_case("same-origin") && !site.eq_ignore_ascii_case("none")
    );
    if cross_site || (origin.is_some() && !same_origin) {
        return Some(format!(
            "拒绝访问：这个请求来自其他网站（{}），本机网页只接受它自己页面上的操作",
            origin.unwrap_or("未知来源")
        ));
    }
    let keyed = header("x-budget-tables-key").is_some_and(|k| same(k, &state.key));
    let tokened = state
        .config
        .token
        .as_deref()
        .is_some_and(|t| carries(req, t));
    if !(same_origin || keyed || tokened) {
        return Some(
            "拒绝访问：请求没有说明来源；请在本机网页上操作。脚本调用 API 时请加请求头 Origin: http://本机地址:端口"
                .into(),
        );
    }
    None
}

/// A `Host` that is an IP address with the server's port (a server on every
/// address is reached by any of them; names are what a rebinding page uses).
fn is_ip_host(host: &str, first: Option<&String>) -> bool {
    let port = first.and_then(|f| f.rsplit_once(':')).map(|(_, p)| p);
    let Some((ip, p)) = host.rsplit_once(':') else {
        return false;
    };
    Some(p) == port
        && ip
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok()
}

/// A line in the server's log for a refused request: what and why, never
/// the query (which may hold the token).
fn log_refusal(req: &Request, why: &str) {
    use std::io::Write;
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let origin = req
        .headers()
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let _ = writeln!(
        std::io::stderr().lock(),
        "拒绝 {} {}（Host: {host}，Origin: {origin}）：{why}",
        req.method(),
        req.uri().path()
    );
}

/// Whether a request carries the token: `?token=` (the page's address) or
/// the `X-Token` header (the page's own requests, scripts).
fn carries(req: &Request, token: &str) -> bool {
    let header = req
        .headers()
        .get("x-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| same(v, token));
    let query = req.uri().query().is_some_and(|q| {
        q.split('&')
            .filter_map(|kv| kv.strip_prefix("token="))
            .any(|v| same(v, token))
    });
    header || query
}

/// Compares in constant time, so a token cannot be guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// One line per request: method, path, status and time — nothing else (no
/// query, which may hold the token; no file name).
async fn log_line(req: Request, next: Next) -> Response {
    use std::io::Write;
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    let _ = writeln!(
        std::io::stderr().lock(),
        "{method} {path} {} {} ms",
        res.status().as_u16(),
        start.elapsed().as_millis()
    );
    res
}

/// Whether the program was started by a double click on Windows: no
/// arguments and a console of its own (no terminal it was typed into).
#[cfg(windows)]
pub fn started_by_double_click() -> bool {
    #[link(name = "kernel32")]
    extern "system" {
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
    }
    let mut ids = [0u32; 2];
    // SAFETY: the buffer holds the two ids it is said to hold.
    let n = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), 2) };
    std::env::args_os().len() == 1 && n == 1
}

/// Elsewhere a program without arguments prints its help: desktops start
/// the page through the launcher (`budget-tables serve`).
#[cfg(not(windows))]
pub fn started_by_double_click() -> bool {
    false
}
