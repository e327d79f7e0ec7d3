//! budget-tables 命令行：解析参数，交给 `cmd` 下的各子命令。

mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// 部门预算公开表格工具：生成填报模板、检查、转换为公开报表或 JSON。
#[derive(Parser, Debug)]
#[command(
    name = "budget-tables",
    version,
    about,
    long_about = None,
    disable_help_subcommand = true
)]
struct Cli {
    /// 另外载入的版式：一个版式目录（含 layout.toml）或放着若干版式目录的目录，与内置版式并用；常用的版式可放进用户版式目录或用环境变量 BUDGET_TABLES_LAYOUTS 列出，见 docs/layouts.md
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// 版式 id（见 budget-tables layouts）；不给出时按输入文件自动识别，生成模板时默认 shenzhen-budget
    #[arg(long, global = true, value_name = "ID")]
    layout: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 生成空白填报模板（xlsx）
    Template {
        /// 输出文件（.xlsx）
        #[arg(short, long, value_name = "FILE.xlsx")]
        output: PathBuf,
        /// 预填的部门名称
        #[arg(long, value_name = "NAME")]
        department: Option<String>,
        /// 预算年度（默认：明年）
        #[arg(long, value_name = "YYYY", value_parser = cmd::zh::year)]
        year: Option<i32>,
    },
    /// 转换：填报工作簿 / 公开报表 / JSON → 公开报表（.xlsx）、规范 JSON（.json）、CSV 或数据包
    Convert {
        /// 输入文件（xlsx、xls、ods、公开的 PDF 或 JSON）
        #[arg(value_name = "输入文件")]
        input: PathBuf,
        /// 输出：.xlsx 为公开报表，.json 为规范模型；--to csv 或 datapackage 时为一个文件夹
        #[arg(short, long, value_name = "OUTPUT")]
        output: PathBuf,
        /// 输出格式：xlsx（公开报表）、json（规范模型）、csv（每表一个 UTF-8 CSV）、datapackage（Frictionless 财政数据包）；不给出时按输出文件的扩展名
        #[arg(long, value_name = "格式", value_parser = cmd::zh::output_format)]
        to: Option<budget_tables::write::Format>,
        /// 有错误也照样输出（错误仍会列出，退出码仍为 1）
        #[arg(long)]
        allow_errors: bool,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// 检查工作簿：结构、表内恒等式、科目层级、表间一致、科目目录
    Check {
        /// 输入文件（xlsx、xls、ods、公开的 PDF 或 JSON）
        #[arg(value_name = "输入文件")]
        input: PathBuf,
        /// 输出格式
        #[arg(long, value_enum, default_value_t = Format::Text, value_name = "格式")]
        format: Format,
        /// 另存一份标出问题单元格并加批注的工作簿（不修改输入文件）；输入为 PDF 时可输出 .pdf：原文件加高亮和批注
        #[arg(long, value_name = "OUT.xlsx|OUT.pdf")]
        annotate: Option<PathBuf>,
        /// 逐句核对说明文字（docx、txt 或 md）中的数字与表是否一致；工作簿自带的说明工作表不加此项也会核对
        #[arg(long, value_name = "说明.docx")]
        narrative: Option<PathBuf>,
        /// 上年文件：核对说明中与上年相比的增减额、增减率和“持平”
        #[arg(long, value_name = "上年文件")]
        prior: Option<PathBuf>,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// 年度对比：上年与本年逐表按科目编码对比，生成对比工作簿（及 JSON）
    Diff {
        /// 上年文件（xlsx、xls、ods、公开的 PDF 或 JSON）
        #[arg(value_name = "上年文件", display_order = 1)]
        prior: PathBuf,
        /// 本年文件（xlsx、xls、ods、公开的 PDF 或 JSON）
        #[arg(value_name = "本年文件", display_order = 2)]
        current: PathBuf,
        /// 输出的对比工作簿（.xlsx）
        #[arg(short, long, value_name = "DIFF.xlsx")]
        output: Option<PathBuf>,
        /// 以 JSON 输出对比数据（到标准输出）
        #[arg(long, value_enum, default_value_t = Format::Text, value_name = "格式")]
        format: Format,
        /// 输入有错误也照样对比（错误仍会列出，退出码仍为 1）
        #[arg(long)]
        allow_errors: bool,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// 起草说明：按版式的句式由表中数字写出说明的每个数字句（docx、md 或 JSON），须人工填写处标为【请填写：……】
    Narrate {
        /// 本年文件（xlsx、xls、ods、公开的 PDF 或 JSON）
        #[arg(value_name = "输入文件")]
        input: PathBuf,
        /// 上年文件：写出与上年相比的增减和增减率
        #[arg(long, value_name = "上年文件")]
        prior: Option<PathBuf>,
        /// 输出的说明：.docx（Word）、.md（Markdown）或 .json（每句及其数字、来源单元格）
        #[arg(short, long, value_name = "说明.docx")]
        output: Option<PathBuf>,
        /// 以 JSON 输出说明（到标准输出）
        #[arg(long, value_enum, default_value_t = Format::Text, value_name = "格式")]
        format: Format,
        /// 输入有错误也照样起草（错误仍会列出，退出码仍为 1）
        #[arg(long)]
        allow_errors: bool,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// 生成公开文件：封面、目录、说明和全部公开表格，按版式的顺序写成一份 PDF 或 Word（.docx）；表格有错误或说明未完成（【请填写】、XX、模板文字）时不生成
    Publish {
        /// 本年文件（xlsx、xls、ods、公开的 PDF 或 JSON）
        #[arg(value_name = "输入文件")]
        input: PathBuf,
        /// 上年文件：核对说明中与上年相比的增减，并在说明草稿中写出
        #[arg(long, value_name = "上年文件")]
        prior: Option<PathBuf>,
        /// 写好的说明（.docx、.md 或 .txt）：按各部分的标题分入公开文件；没有的部分取工作簿的说明表，再取说明草稿
        #[arg(long, value_name = "说明.docx")]
        text: Option<PathBuf>,
        /// 输出的公开文件：.pdf 或 .docx
        #[arg(short, long, value_name = "公开文件.pdf")]
        output: PathBuf,
        /// 有错误或未完成的文字也照样生成（作为草稿；错误仍会列出，退出码仍为 1）
        #[arg(long)]
        allow_errors: bool,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// 批量处理：目录下（含子目录）所有工作簿、公开的 PDF 和 JSON，逐部门输出并生成汇总
    Batch {
        /// 输入目录（不会写入任何文件）
        #[arg(value_name = "输入目录")]
        input: PathBuf,
        /// 输出目录（不能在输入目录之内）
        #[arg(short, long, value_name = "OUT_DIR")]
        output: PathBuf,
        /// 上年的输入目录：按部门名称（文件内的部门名称）对应，生成年度对比
        #[arg(long, value_name = "DIR")]
        prior_dir: Option<PathBuf>,
        /// 并行数（默认：CPU 核数）
        #[arg(long, value_name = "N", value_parser = cmd::zh::count)]
        jobs: Option<usize>,
        /// 以 JSON 输出结果
        #[arg(long, value_enum, default_value_t = Format::Text, value_name = "格式")]
        format: Format,
        /// 同时为每个没有错误、说明已写完的部门生成公开文件（公开文件.pdf 和 公开文件.docx）
        #[arg(long)]
        publish: bool,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// 生成基准测试用的部门工作簿（由样例派生，各不相同且全部通过核对）
    Sample {
        /// 部门数
        #[arg(long, value_name = "N", value_parser = cmd::zh::count)]
        count: usize,
        /// 每个部门的预算单位数（大部门的基准测试；默认：每五个部门中有一个两个单位）
        #[arg(long, value_name = "N", value_parser = cmd::zh::count)]
        units: Option<usize>,
        /// 输出目录
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// 打开本机网页：拖入工作簿即可检查、预览、下载公开报表、年度对比和批量处理（文件不离开本机）
    Serve {
        /// 监听地址（默认仅本机：127.0.0.1，端口自动选择）；监听其他地址时须带访问令牌
        #[arg(long, value_name = "地址:端口", default_value = "127.0.0.1:0", value_parser = cmd::zh::listen_address)]
        listen: std::net::SocketAddr,
        /// 不自动打开浏览器
        #[arg(long)]
        no_open: bool,
        /// 访问令牌（至少 16 个字符）；监听非本机地址而未给出时自动生成并显示在地址中
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// 同时处理的请求数（默认：CPU 核数）；更多的请求排队等候
        #[arg(long, value_name = "N", value_parser = cmd::zh::count)]
        jobs: Option<usize>,
        /// 每个请求（含上传）最长的处理时间（秒），超时返回 503
        #[arg(long, value_name = "秒", default_value_t = 120, value_parser = cmd::zh::seconds)]
        time_limit: u64,
        /// 请求排队最长的等候时间（秒），仍轮不到时返回 503（服务器正忙）
        #[arg(long, value_name = "秒", default_value_t = 60, value_parser = cmd::zh::seconds)]
        queue_wait: u64,
        /// 本页面的其他主机名（如在局域网中用名称访问时；可多次给出）；其他名称的请求一律拒绝
        #[arg(long = "host", value_name = "名称")]
        hosts: Vec<String>,
    },
    /// 列出核对规则（Markdown）：给出 --layout 时只列该版式，否则列出全部内置版式
    Rules,
    /// 列出已载入的版式（内置的和另外载入的）、各自来源及其各表；--check 检查一个版式目录
    Layouts {
        /// 检查这个版式目录（或放着若干版式目录的目录）：列出全部问题，并读回它的空白模板
        #[arg(long, value_name = "DIR")]
        check: Option<PathBuf>,
    },
    /// 显示帮助（或某个命令的帮助：budget-tables help check）
    Help {
        /// 命令名
        #[arg(value_name = "命令")]
        command: Option<String>,
    },
}

/// Options of the validator.
#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// 科目目录 CSV（code,name,level,year,source），替换内置目录
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// 以万元为单位的表的舍入步长（万元）；尾数差异的允许范围 = 步长 ×（加数个数 − 1），至少一个步长；以元为单位的表按分（0.01 元）核对，不受此项影响
    #[arg(long, value_name = "万元", default_value_t = cmd::DEFAULT_STEP, value_parser = cmd::zh::step)]
    rounding_step: rust_decimal::Decimal,
    /// 工作簿（本年文件）没有写年度时按此年度读取；写了而不同则报错 S-YEAR-GIVEN
    #[arg(long, value_name = "YYYY", value_parser = cmd::zh::year)]
    year: Option<i32>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// `check … | head`: when the reader closes the pipe, the command ends as
/// other command-line tools do, instead of panicking on its next line. Not
/// for `serve`, whose closed connections are answered, not fatal.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn end_quietly_on_a_closed_pipe() {
    // SAFETY: only resets SIGPIPE to its default disposition, before any
    // thread of the command starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn end_quietly_on_a_closed_pipe() {}

fn main() -> ExitCode {
    // A panic inside a guarded read is reported as a corrupt file instead.
    budget_tables::panics::report_unguarded_panics(|info| {
        eprintln!("错误：程序内部错误（{info}）；请把输入文件和这条信息发给维护人员");
    });
    // Double-clicked on Windows: the page, as `serve` would open it.
    if cmd::serve::started_by_double_click() {
        return match serve_defaults() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("错误：{e}");
                wait_before_closing();
                ExitCode::from(cmd::EXIT_UNREADABLE)
            }
        };
    }
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // A single file's work is split over a pool this thread takes part in, so
    // only the other cores need a thread of their own. `batch` has a pool of
    // its own and tunes the allocator before any thread starts.
    if matches!(
        cli.command,
        Command::Convert { .. }
            | Command::Check { .. }
            | Command::Diff { .. }
            | Command::Narrate { .. }
            | Command::Publish { .. }
    ) {
        let _ = rayon::ThreadPoolBuilder::new()
            .use_current_thread()
            .build_global();
    }
    // Stopped by Ctrl-C (or SIGTERM) while writing: no half-written output
    // is left. `batch` stops its own way; `serve` listens for the signals itself.
    if !matches!(cli.command, Command::Batch { .. } | Command::Serve { .. }) {
        let _ = ctrlc::set_handler(|| {
            budget_tables::io::remove_pending();
            std::process::exit(130);
        });
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(cmd::EXIT_UNREADABLE)
        }
    }
}

/// `serve` with its defaults, for a program started without a terminal.
fn serve_defaults() -> Result<ExitCode, cmd::CmdError> {
    let setup = cmd::Setup {
        templates: None,
        layout: None,
        catalogue: None,
        step: cmd::DEFAULT_STEP,
        year: None,
    };
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    cmd::serve::run(
        setup,
        cmd::serve::Config::new(
            listen,
            true,
            None,
            None,
            cmd::serve::Limits::default(),
            Vec::new(),
        )?,
    )
}

/// Keeps a console window that only this program uses open long enough to read its error.
fn wait_before_closing() {
    eprintln!("按回车键关闭本窗口。");
    let _ = std::io::stdin().read_line(&mut String::new());
}

/// The command line as typed, or the exit code of what was printed instead
/// (help, version, or a usage error in Chinese).
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    // The Chinese command costs ~2 ms to build: a command line that parses
    // needs none of its texts, so it is built only for help and errors.
    if let Ok(cli) = Cli::try_parse() {
        if !matches!(cli.command, Command::Help { .. }) {
            return Ok(cli);
        }
    }
    let mut command = cmd::zh::localize(Cli::command());
    let matches = command
        .clone()
        .try_get_matches()
        .map_err(|e| match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                ExitCode::SUCCESS
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = command.print_help();
                ExitCode::from(cmd::EXIT_UNREADABLE)
            }
            _ => {
                eprintln!("{}", cmd::zh::error_text(&e, &command));
                ExitCode::from(cmd::EXIT_UNREADABLE)
            }
        })?;
    let cli = Cli::from_arg_matches(&matches).map_err(|e| {
        eprintln!("{}", cmd::zh::error_text(&e, &command));
        ExitCode::from(cmd::EXIT_UNREADABLE)
    })?;
    if let Command::Help { command: name } = &cli.command {
        let target = match name {
            Some(n) => match command.find_subcommand_mut(n) {
                Some(sub) => sub,
                None => {
                    eprintln!("错误：没有“{n}”这个命令\n\n查看帮助：budget-tables --help");
                    return Err(ExitCode::from(cmd::EXIT_UNREADABLE));
                }
            },
            None => &mut command,
        };
        let _ = target.print_help();
        return Err(ExitCode::SUCCESS);
    }
    Ok(cli)
}

fn run(cli: Cli) -> Result<ExitCode, cmd::CmdError> {
    if !matches!(cli.command, Command::Serve { .. }) {
        end_quietly_on_a_closed_pipe();
    }
    let (catalogue, step, year) = match &cli.command {
        Command::Convert { checks, .. }
        | Command::Check { checks, .. }
        | Command::Diff { checks, .. }
        | Command::Narrate { checks, .. }
        | Command::Publish { checks, .. }
        | Command::Batch { checks, .. } => {
            (checks.catalogue.clone(), checks.rounding_step, checks.year)
        }
        _ => (None, cmd::DEFAULT_STEP, None),
    };
    let setup = cmd::Setup {
        templates: cli.templates.clone(),
        layout: cli.layout.clone(),
        catalogue,
        step,
        year,
    };
    match cli.command {
        Command::Template {
            output,
            department,
            year,
        } => cmd::template::run(
            &setup.specs()?,
            &output,
            department.unwrap_or_default(),
            year,
        ),
        Command::Convert {
            input,
            output,
            to,
            allow_errors,
            ..
        } => cmd::convert::run(&setup, &input, &output, to, allow_errors),
        Command::Check {
            input,
            format,
            annotate,
            narrative,
            prior,
            ..
        } => cmd::check::run(
            &setup,
            &input,
            format == Format::Json,
            annotate.as_deref(),
            &cmd::check::Texts {
                narrative: narrative.as_deref(),
                prior: prior.as_deref(),
            },
        ),
        Command::Diff {
            prior,
            current,
            output,
            format,
            allow_errors,
            ..
        } => cmd::diff::run(
            &setup,
            &prior,
            &current,
            output.as_deref(),
            format == Format::Json,
            allow_errors,
        ),
        Command::Narrate {
            input,
            prior,
            output,
            format,
            allow_errors,
            ..
        } => cmd::narrate::run(
            &setup,
            &input,
            prior.as_deref(),
            output.as_deref(),
            format == Format::Json,
            allow_errors,
        ),
        Command::Publish {
            input,
            prior,
            text,
            output,
            allow_errors,
            ..
        } => cmd::publish::run(
            &setup,
            &cmd::publish::Request {
                input: &input,
                prior: prior.as_deref(),
                text: text.as_deref(),
                output: &output,
                allow_errors,
            },
        ),
        Command::Batch {
            input,
            output,
            prior_dir,
            jobs,
            format,
            publish,
            ..
        } => {
            let (layouts, opts) = (setup.layouts()?, setup.options()?);
            let args = cmd::batch::Args {
                input: &input,
                output: &output,
                prior: prior_dir.as_deref(),
                jobs,
                as_json: format == Format::Json,
                publish,
                year: setup.year,
            };
            cmd::batch::run(&layouts, &opts, args)
        }
        Command::Sample {
            count,
            units,
            output,
        } => cmd::sample::run(&setup.specs()?, count, units, &output),
        Command::Serve {
            listen,
            no_open,
            token,
            jobs,
            time_limit,
            queue_wait,
            hosts,
        } => {
            let config = cmd::serve::Config::new(
                listen,
                !no_open,
                token,
                jobs,
                cmd::serve::Limits {
                    time_limit,
                    queue_wait,
                },
                hosts,
            )?;
            cmd::serve::run(setup, config)
        }
        Command::Rules => {
            print!("{}", budget_tables::registry::markdown(&setup.layouts()?));
            Ok(ExitCode::SUCCESS)
        }
        Command::Layouts { check: None } => cmd::layouts::run(&setup.layouts()?),
        Command::Layouts { check: Some(dir) } => {
            // A broken layout among the loaded ones must not stop the check
            // that is to find it: the built-in ones are then the others.
            let others = match setup.layouts() {
                Ok(all) => all,
                Err(_) => budget_tables::spec::SpecSet::builtin_all()?,
            };
            cmd::layouts::check(&dir, &others)
        }
        // Printed while parsing.
        Command::Help { .. } => Ok(ExitCode::SUCCESS),
    }
}
