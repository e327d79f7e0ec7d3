//! The rules of the written part (说明), checked by [`super::check`] and
//! [`super::document`].

use crate::diag::Severity;
use crate::rule::{Rule, Scope};

pub const FIGURE: Rule = Rule {
    id: "N-FIG-01",
    severity: Severity::Error,
    description: "说明中的金额与表中该项的数不符（只差一个舍入步长时为尾数差异警告）",
    sum: false,
    scope: Scope::Text,
};

pub const UNIT: Rule = Rule {
    id: "N-UNIT-01",
    severity: Severity::Error,
    description: "说明中的金额单位错误：以元写万元的数（或反之）",
    sum: false,
    scope: Scope::Text,
};

pub const CHANGE: Rule = Rule {
    id: "N-CHG-01",
    severity: Severity::Error,
    description: "说明中的增减额与两年表中的数之差不符",
    sum: false,
    scope: Scope::Text,
};

pub const DIRECTION: Rule = Rule {
    id: "N-DIR-01",
    severity: Severity::Error,
    description: "说明中的增减用词与实际增减方向相反（如数字下降却写“增加”）",
    sum: false,
    scope: Scope::Text,
};

pub const RATE: Rule = Rule {
    id: "N-RATE-01",
    severity: Severity::Error,
    description: "说明中的增减率与数字算出的不符（超出末位四舍五入）",
    sum: false,
    scope: Scope::Text,
};

pub const RATE_FROM_ZERO: Rule = Rule {
    id: "N-RATE-02",
    severity: Severity::Warning,
    description: "上年为 0 的项目写了增长率（如“增长100%”），增长率无从计算",
    sum: false,
    scope: Scope::Text,
};

pub const SAME: Rule = Rule {
    id: "N-SAME-01",
    severity: Severity::Error,
    description: "说明写“持平”，而两年的数不同",
    sum: false,
    scope: Scope::Text,
};

pub const RESIDUE: Rule = Rule {
    id: "N-TPL-01",
    severity: Severity::Error,
    description: "说明中留有模板文字（XXX、增加（减少）、下降（增长）、……、【请填写】）",
    sum: false,
    scope: Scope::Text,
};

pub const REASON: Rule = Rule {
    id: "N-REASON-01",
    severity: Severity::Error,
    description: "“主要原因是”“主要用于”等后面没有写内容",
    sum: false,
    scope: Scope::Text,
};

pub const TYPO: Rule = Rule {
    id: "N-TYPO-01",
    severity: Severity::Warning,
    description: "排版：增减率或占比缺少“%”，标点或增减词重复（“。。”“增加增加”），一个数字中全角、半角数字混写",
    sum: false,
    scope: Scope::Text,
};

pub const OLD_NAME: Rule = Rule {
    id: "N-NAME-01",
    severity: Severity::Error,
    description: "说明用了已更名科目的旧名称（如“医疗卫生与计划生育支出”，现为“卫生健康支出”）",
    sum: false,
    scope: Scope::Text,
};

pub const UNEXPLAINED: Rule = Rule {
    id: "N-REASON-02",
    severity: Severity::Error,
    description: "变动达到版式规定比例（或由 0 变动、变为 0）的项目，所在段及下一段没有说明原因",
    sum: false,
    scope: Scope::Text,
};

pub const SCOPE: Rule = Rule {
    id: "N-SCOPE-01",
    severity: Severity::Error,
    description: "单位预算的说明写了“部门预算”“本部门”（或部门的写了“单位预算”），多为照抄另一版本",
    sum: false,
    scope: Scope::Text,
};

pub const MISSING: Rule = Rule {
    id: "N-MISS-01",
    severity: Severity::Warning,
    description: "说明讲到版式声明的一组数（required）时漏说了其中一项（为 0 的也要写）",
    sum: false,
    scope: Scope::Text,
};

pub const COUNT: Rule = Rule {
    id: "N-CNT-01",
    severity: Severity::Error,
    description: "说明中的个数（项目个数、单位家数）与表中不符",
    sum: false,
    scope: Scope::Text,
};

pub const UNTIED: Rule = Rule {
    id: "N-TIE-01",
    severity: Severity::Notice,
    description: "说明中的数字未能对应到表中的某一项，未核对",
    sum: false,
    scope: Scope::Text,
};

pub const UNCHECKED: Rule = Rule {
    id: "N-PRIOR-01",
    severity: Severity::Notice,
    description: "说明中关于上年的数字未核对（未给出上年文件，或表中没有该数，如上年执行数）",
    sum: false,
    scope: Scope::Text,
};

pub const LONG: Rule = Rule {
    id: "N-LONG-01",
    severity: Severity::Warning,
    description:
        "说明中有一句超过 1,000 字（多为缺少句号，或整段粘贴成一句），其中的数字未逐一核对",
    sum: false,
    scope: Scope::Text,
};

pub const CHAPTER_MISSING: Rule = Rule {
    id: "N-CHAP-01",
    severity: Severity::Error,
    description: "缺少版式要求的章节（如“名词解释”，“其他相关情况说明”的五个部分；工作簿中缺少或空着的说明工作表）",
    sum: false,
    scope: Scope::Text,
};

pub const CHAPTER_EMPTY: Rule = Rule {
    id: "N-CHAP-02",
    severity: Severity::Error,
    description: "章节只有标题，没有内容（或只有【请填写】之类的占位文字）",
    sum: false,
    scope: Scope::Text,
};

pub const CHAPTER_SHEET: Rule = Rule {
    id: "N-CHAP-03",
    severity: Severity::Warning,
    description:
        "工作簿的说明工作表缺少、空着，或缺少版式要求的部分（公开前须补齐；不影响报表的转换）",
    sum: false,
    scope: Scope::Text,
};

pub const EMPTY_WITH_FIGURES: Rule = Rule {
    id: "N-EMPTY-01",
    severity: Severity::Error,
    description: "表下注明“本表为空表”“本表无数据”，但该表有数字",
    sum: false,
    scope: Scope::Text,
};

pub const EMPTY_UNSTATED: Rule = Rule {
    id: "N-EMPTY-02",
    severity: Severity::Warning,
    description:
        "没有数字、版式为其写有空表注明（empty_note）的表印在文中，表下没有注明“本表为空表”“本表无数据”",
    sum: false,
    scope: Scope::Text,
};

pub const NEAR_NAME: Rule = Rule {
    id: "N-NAME-02",
    severity: Severity::Error,
    description: "说明中的科目名称与表中科目的名称相近而不同（如“文化体育与传媒支出”，表中为“文化旅游体育与传媒支出”）",
    sum: false,
    scope: Scope::Text,
};

pub const SWING: Rule = Rule {
    id: "N-SWING-01",
    severity: Severity::Warning,
    description: "表中较上年变动超过版式规定比例（默认 50%，或由 0 变为有数）的项目，说明中没有讲到或没有写原因（需要 --prior）",
    sum: false,
    scope: Scope::Text,
};

/// Every rule of the written part, in catalogue order.
pub const RULES: &[&Rule] = &[
    &FIGURE,
    &UNIT,
    &CHANGE,
    &DIRECTION,
    &RATE,
    &RATE_FROM_ZERO,
    &SAME,
    &COUNT,
    &RESIDUE,
    &REASON,
    &TYPO,
    &OLD_NAME,
    &UNEXPLAINED,
    &SCOPE,
    &MISSING,
    &LONG,
    &UNTIED,
    &UNCHECKED,
    &CHAPTER_MISSING,
    &CHAPTER_EMPTY,
    &CHAPTER_SHEET,
    &EMPTY_WITH_FIGURES,
    &EMPTY_UNSTATED,
    &NEAR_NAME,
    &SWING,
];
