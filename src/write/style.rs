//! Cell formats shared by the template and the official workbook.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};

pub(crate) const FONT: &str = "宋体";
pub(crate) const AMOUNT_FORMAT: &str = "#,##0.00";
pub(crate) const WHOLE_FORMAT: &str = "#,##0";

pub(crate) struct Styles {
    pub mark: Format,
    pub heading: Format,
    /// The heading and the paragraphs of a sheet of text (填表说明, 编制说明 …).
    pub text_heading: Format,
    pub text_body: Format,
    pub title: Format,
    pub line: Format,
    pub line_right: Format,
    pub header: Format,
    pub label: Format,
    pub label_bold: Format,
    pub indent1: Format,
    pub indent2: Format,
    pub code: Format,
    pub amount: Format,
    /// A whole number of 元 as the Shanghai tables print it (`257,700`).
    pub amount_whole: Format,
    pub note: Format,
    pub input_text: Format,
    pub input_code: Format,
    pub input_amount: Format,
    pub long_text: Format,
    pub input_long_text: Format,
}

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(10)
}

fn cell() -> Format {
    base()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
}

impl Styles {
    /// Every format, in a fixed order. The pattern names every field, so a
    /// format added to `Styles` must be added here too (a writer that
    /// registers formats up front relies on knowing them all).
    pub fn all(&self) -> [&Format; 21] {
        let Styles {
            mark,
            heading,
            text_heading,
            text_body,
            title,
            line,
            line_right,
            header,
            label,
            label_bold,
            indent1,
            indent2,
            code,
            amount,
            amount_whole,
            note,
            input_text,
            input_code,
            input_amount,
            long_text,
            input_long_text,
        } = self;
        [
            mark,
            heading,
            text_heading,
            text_body,
            title,
            line,
            line_right,
            header,
            label,
            label_bold,
            indent1,
            indent2,
            code,
            amount,
            amount_whole,
            note,
            input_text,
            input_code,
            input_amount,
            long_text,
            input_long_text,
        ]
    }

    pub fn new() -> Styles {
        let label = cell().set_text_wrap();
        let amount = cell()
            .set_num_format(AMOUNT_FORMAT)
            .set_align(FormatAlign::Right);
        Styles {
            mark: base().set_font_size(11).set_bold(),
            text_heading: base().set_font_size(16).set_bold(),
            text_body: base().set_font_size(11).set_text_wrap(),
            heading: base()
                .set_font_size(14)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            title: base()
                .set_font_size(18)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            line: base()
                .set_font_size(11)
                .set_align(FormatAlign::VerticalCenter),
            line_right: base()
                .set_font_size(11)
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter),
            header: cell()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            label_bold: label.clone().set_bold(),
            indent1: label.clone().set_indent(1),
            indent2: label.clone().set_indent(2),
            code: cell().set_num_format("@").set_align(FormatAlign::Left),
            input_text: label.clone().set_unlocked(),
            input_code: cell().set_num_format("@").set_unlocked(),
            input_amount: amount.clone().set_unlocked(),
            long_text: label.clone().set_align(FormatAlign::Top),
            input_long_text: label.clone().set_align(FormatAlign::Top).set_unlocked(),
            note: base()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            label,
            amount_whole: amount.clone().set_num_format(WHOLE_FORMAT),
            amount,
        }
    }
}
