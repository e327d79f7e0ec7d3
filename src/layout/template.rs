//! A paragraph pattern of the layout: literal text, `{figure}` /
//! `{figure.change}` tokens, `{?what}` placeholders for a person to fill, and
//! `[…]` parts left out when a figure inside them is not known (no prior year).

/// Token names that are not figures.
pub const BUILTINS: [&str; 5] = ["year", "prior_year", "department", "n", "units"];

#[derive(Debug, Clone, PartialEq, Eq)]
/// One piece of a sentence pattern.
pub enum Segment {
    /// Text printed as written.
    Lit(String),
    /// `{name}` or `{name.attr}`.
    Token {
        /// The figure or token named.
        name: String,
        /// What of it is printed (`change`, `rate`, `prior` …).
        attr: Option<String>,
    },
    /// `{?what}`: 【请填写：what】.
    Ask(String),
    /// `[…]`: written only if every token inside is known.
    Optional(Vec<Segment>),
}

/// The segments of a pattern; an unclosed `{` or `[` is an error.
pub fn parse(text: &str) -> Result<Vec<Segment>, String> {
    let mut stack: Vec<Vec<Segment>> = vec![Vec::new()];
    let mut lit = String::new();
    let mut chars = text.chars();
    let flush = |lit: &mut String, stack: &mut Vec<Vec<Segment>>| {
        if !lit.is_empty() {
            if let Some(top) = stack.last_mut() {
                top.push(Segment::Lit(std::mem::take(lit)));
            }
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                flush(&mut lit, &mut stack);
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(x) => inner.push(x),
                        None => return Err("“{”没有对应的“}”".into()),
                    }
                }
                let seg = match inner.strip_prefix('?') {
                    Some(what) => Segment::Ask(what.to_string()),
                    None => match inner.split_once('.') {
                        Some((n, a)) => Segment::Token {
                            name: n.to_string(),
                            attr: Some(a.to_string()),
                        },
                        None => Segment::Token {
                            name: inner,
                            attr: None,
                        },
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.push(seg);
                }
            }
            '[' => {
                flush(&mut lit, &mut stack);
                stack.push(Vec::new());
            }
            ']' => {
                flush(&mut lit, &mut stack);
                if stack.len() < 2 {
                    return Err("“]”没有对应的“[”".into());
                }
                let inner = stack.pop().unwrap_or_default();
                if let Some(top) = stack.last_mut() {
                    top.push(Segment::Optional(inner));
                }
            }
            _ => lit.push(c),
        }
    }
    flush(&mut lit, &mut stack);
    if stack.len() != 1 {
        return Err("“[”没有对应的“]”".into());
    }
    Ok(stack.pop().unwrap_or_default())
}

/// Every token name of the segments.
pub fn names(segments: &[Segment]) -> Vec<String> {
    let mut out = Vec::new();
    for s in segments {
        match s {
            Segment::Token { name, .. } => out.push(name.clone()),
            Segment::Optional(inner) => out.extend(names(inner)),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_placeholders_and_optional_parts() {
        let s = parse("{year}年收入{income}万元[,{income.change}]。{?原因}").unwrap();
        assert_eq!(
            s,
            vec![
                Segment::Token {
                    name: "year".into(),
                    attr: None
                },
                Segment::Lit("年收入".into()),
                Segment::Token {
                    name: "income".into(),
                    attr: None
                },
                Segment::Lit("万元".into()),
                Segment::Optional(vec![
                    Segment::Lit(",".into()),
                    Segment::Token {
                        name: "income".into(),
                        attr: Some("change".into())
                    }
                ]),
                Segment::Lit("。".into()),
                Segment::Ask("原因".into()),
            ]
        );
        assert_eq!(names(&s), ["year", "income", "income"]);
    }

    #[test]
    fn unclosed_braces_are_refused() {
        assert!(parse("{year").is_err());
        assert!(parse("[x").is_err());
        assert!(parse("x]").is_err());
    }
}
