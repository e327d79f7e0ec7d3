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
    ) -> Result<Config, CmdError> {
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

/// `N` random bytes from the operating system, as hex (tokens, batch ids).
pub(crate) fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What every request shares.
pub(crate) struct AppState {
    pub setup: Setup,
    pub config: Config,
    pub permits: Arc<tokio::sync::Semaphore>,
    pub results: api::Results,
}

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
        .max_blocking_threads(config.jobs.max(1) * 2)
        .build()
        .map_err(|e| CmdError::Usage(format!("无法启动网页服务：{e}")))?;
    runtime.block_on(serve(setup, config))
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
    let state = Arc::new(AppState {
        permits: Arc::new(tokio::sync::Semaphore::new(config.jobs)),
        setup,
        config,
        results: api::Results::default(),
    });
    let app = api::router(state.clone())
        .merge(page::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .layer(axum::extract::DefaultBodyLimit::max(
            upload::MAX_REQUEST_BYTES,
        ))
        .layer(axum::middleware::from_fn(log_line));
    axum::serve(listener, app)
        .with_graceful_shutdown(stop_signal())
        .await
        .map_err(|e| CmdError::Usage(format!("网页服务出错：{e}")))?;
    say("网页服务已停止。");
    Ok(ExitCode::SUCCESS)
}

/// Prints a line for the person who started the server; a closed console is
/// no reason to stop serving.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Ctrl-C, or on Windows the console window closing.
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
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The token check, and the headers every response carries.
async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
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
    res
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
