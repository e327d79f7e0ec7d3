//! The command line in Chinese, as the rest of the tool speaks: clap's help
//! headings, its `--help` / `--version` flags, the usage line and its errors.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

const HELP: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` and all its subcommands with Chinese headings, flags and usage.
pub fn localize(cmd: Command) -> Command {
    let mut cmd = headings(cmd)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true)
                .help("显示帮助")
                .help_heading("选项"),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        );
    cmd.build();
    usages(cmd)
}

/// One command (and, recursively, its subcommands) with the headings and
/// the defaults in Chinese.
fn headings(cmd: Command) -> Command {
    cmd.help_template(HELP)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "参数"
            } else {
                "选项"
            };
            let mut help = a.get_help().map(ToString::to_string).unwrap_or_default();
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .filter(|v| !v.is_empty())
                .collect();
            if !defaults.is_empty() && a.get_action().takes_values() {
                help.push_str(&format!("（默认：{}）", defaults.join("、")));
            }
            let possible: Vec<String> = a
                .get_possible_values()
                .iter()
                .map(|p| p.get_name().to_string())
                .collect();
            if !possible.is_empty() {
                help.push_str(&format!("（可选：{}）", possible.join("、")));
            }
            let takes_values = a.get_action().takes_values();
            let a = a.help(help).help_heading(heading);
            if takes_values {
                a.hide_default_value(true).hide_possible_values(true)
            } else {
                a
            }
        })
        .mut_subcommands(headings)
}

/// The usage lines with `[选项]` for `[OPTIONS]`, rendered once the tree is
/// built (so they carry the full command name).
fn usages(mut cmd: Command) -> Command {
    let usage = zh_usage(&cmd.render_usage().to_string());
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        if let Some(sub) = cmd.find_subcommand_mut(&name) {
            let u = zh_usage(&sub.render_usage().to_string());
            *sub = std::mem::take(sub).override_usage(u);
        }
    }
    cmd.override_usage(usage)
}

fn zh_usage(rendered: &str) -> String {
    rendered
        .trim()
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[选项]")
}

/// What went wrong on the command line, in Chinese, with the usage line and
/// where to find help.
pub fn error_text(e: &clap::Error, cmd: &Command) -> String {
    let get = |k: ContextKind| e.get(k).map(value_text).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let suggestion = |k: ContextKind, what: &str| match e.get(k) {
        Some(v) => format!("；您是不是要用 {what}{}？", value_text(v)),
        None => String::new(),
    };
    let what = match e.kind() {
        ErrorKind::InvalidSubcommand => format!(
            "没有“{}”这个命令{}",
            get(ContextKind::InvalidSubcommand),
            suggestion(ContextKind::SuggestedSubcommand, "")
        ),
        ErrorKind::UnknownArgument => format!(
            "无法识别的参数“{arg}”{}",
            suggestion(ContextKind::SuggestedArg, "")
        ),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_string()
        }
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            if value.is_empty() {
                format!("参数 {arg} 缺少取值")
            } else if valid.is_empty() {
                format!("参数 {arg} 的值“{value}”无效")
            } else {
                format!("参数 {arg} 的值“{value}”无效；可选的值：{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("：{s}"))
                .unwrap_or_default();
            format!("参数 {arg} 的值“{value}”无效{why}")
        }
        ErrorKind::ArgumentConflict => {
            format!("参数 {arg} 不能与 {} 同时使用", get(ContextKind::PriorArg))
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("多余的参数“{value}”")
        }
        ErrorKind::TooFewValues => format!("参数 {arg} 的值不够"),
        ErrorKind::NoEquals => format!("参数 {arg} 的值要用等号给出（{arg}=值）"),
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（不是 UTF-8 编码）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    // The subcommand typed, for its usage line and its help.
    let sub = std::env::args()
        .skip(1)
        .find_map(|a| cmd.find_subcommand(&a).map(|s| s.get_name().to_string()));
    let usage = match (e.get(ContextKind::Usage), &sub) {
        (Some(u), _) => zh_usage(&u.to_string()),
        (None, Some(s)) => cmd
            .find_subcommand(s)
            .and_then(Command::get_overridden_usage)
            .map_or_else(String::new, ToString::to_string),
        (None, None) => cmd
            .get_overridden_usage()
            .map_or_else(String::new, ToString::to_string),
    };
    let help = match &sub {
        Some(s) => format!("{} {s} --help", cmd.get_name()),
        None => format!("{} --help", cmd.get_name()),
    };
    format!("错误：{what}\n\n用法：{usage}\n\n查看帮助：{help}")
}

fn value_text(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join("、"),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// A year between 1990 and 2200.
pub fn year(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(y) if (1990..=2200).contains(&y) => Ok(y),
        Ok(_) => Err("年度应在 1990 到 2200 之间".into()),
        Err(_) => Err("年度应为四位数字，如 2025".into()),
    }
}

/// A whole number of at least 1.
pub fn count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("应为不小于 1 的整数".into()),
    }
}

/// A positive amount in 万元 (the rounding step).
pub fn step(s: &str) -> Result<rust_decimal::Decimal, String> {
    match s.trim().parse::<rust_decimal::Decimal>() {
        Ok(d) if d > rust_decimal::Decimal::ZERO => Ok(d),
        _ => Err("应为大于 0 的数，如 0.01".into()),
    }
}

/// A number of seconds, at least one.
pub fn seconds(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=86_400).contains(&n) => Ok(n),
        _ => Err("应为 1 到 86400 之间的整数（秒）".into()),
    }
}

/// An address to listen on: `127.0.0.1:8080`, `0.0.0.0:0` (any free port).
pub fn listen_address(s: &str) -> Result<std::net::SocketAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| "应为“地址:端口”，如 127.0.0.1:8080（端口 0 表示自动选择空闲端口）".into())
}

/// `--to`: an output format by name.
pub fn output_format(s: &str) -> Result<budget_tables::write::Format, String> {
    budget_tables::write::Format::named(s).ok_or_else(|| {
        let names: Vec<&str> = budget_tables::write::Format::ALL
            .iter()
            .map(|(_, n)| *n)
            .collect();
        format!("无法识别输出格式“{s}”；应为 {} 之一", names.join("、"))
    })
}
