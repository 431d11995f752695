//! .NET composite formatting (`string.Format`, interpolation holes) and `ToString(format)`.

use crate::error::EvalError;
use crate::value::Value;

/// .NET composite formatting: `{index[,alignment][:format]}`, `{{`/`}}` escapes.
pub(crate) fn composite_format(fmt: &str, args: &[Value]) -> Result<String, EvalError> {
    let bad = || EvalError::format("Input string was not in a correct format.");
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' if it.peek() == Some(&'{') => {
                it.next();
                out.push('{');
            }
            '}' if it.peek() == Some(&'}') => {
                it.next();
                out.push('}');
            }
            '}' => return Err(bad()),
            '{' => {
                let mut spec = String::new();
                loop {
                    match it.next() {
                        Some('}') => break,
                        Some(c) => spec.push(c),
                        None => return Err(bad()),
                    }
                }
                let (head, format) = match spec.split_once(':') {
                    Some((h, f)) => (h, Some(f)),
                    None => (spec.as_str(), None),
                };
                let (idx, align) = match head.split_once(',') {
                    Some((i, a)) => (i, Some(a.trim().parse::<i64>().map_err(|_| bad())?)),
                    None => (head, None),
                };
                let idx: usize = idx.trim().parse().map_err(|_| bad())?;
                let v = args.get(idx).ok_or_else(|| {
                    EvalError::format("Index (zero based) must be greater than or equal to zero and less than the size of the argument list.")
                })?;
                let text = format_value(v, format)?;
                out.push_str(&align_text(&text, align));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

pub(crate) fn align_text(text: &str, align: Option<i64>) -> String {
    let Some(a) = align else {
        return text.to_string();
    };
    let width = usize::try_from(a.unsigned_abs()).unwrap_or(0);
    let len = text.chars().count();
    if len >= width {
        return text.to_string();
    }
    let pad = " ".repeat(width - len);
    if a < 0 {
        format!("{text}{pad}")
    } else {
        format!("{pad}{text}")
    }
}

/// `ToString(format)` for the value kinds that take a format string.
pub(crate) fn format_value(v: &Value, format: Option<&str>) -> Result<String, EvalError> {
    let Some(f) = format.filter(|f| !f.is_empty()) else {
        return Ok(v.to_dotnet_string());
    };
    Ok(match v {
        Value::DateTime(d) => d.format(f),
        Value::Int(i) => super::misc::format_int(*i, f)?,
        Value::Double(d) => super::misc::format_double_with(*d, f)?,
        Value::Guid(g) => match f {
            "N" | "n" => g.simple().to_string(),
            "B" | "b" => format!("{{{}}}", g.hyphenated()),
            _ => g.hyphenated().to_string(),
        },
        Value::TimeSpan(t) => t.to_string(),
        other => other.to_dotnet_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite() {
        let args = [Value::str("a"), Value::Int(5)];
        assert_eq!(
            composite_format("{0}-{1:D3}-{{x}}|{0,3}|{0,-3}|", &args).unwrap(),
            "a-005-{x}|  a|a  |"
        );
        assert!(composite_format("{2}", &args).is_err());
        assert!(composite_format("{0", &args).is_err());
    }
}
