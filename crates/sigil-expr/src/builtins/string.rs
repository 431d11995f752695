//! `System.String` and `char` members, plus `string.Format`'s composite formatting.

use super::{
    Builtin, ResolveResult, Site, a_char, a_int, a_opt_str, a_str, a_usize, ok, seq_items, str_val,
};
use crate::error::EvalError;
use crate::types::{Elem, EnumKind, Type};
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StrFn {
    Length,
    Index,
    Contains,
    ContainsCmp,
    ContainsChar,
    StartsWith,
    StartsWithCmp,
    EndsWith,
    EndsWithCmp,
    IndexOf,
    IndexOfFrom,
    IndexOfCmp,
    LastIndexOf,
    Substring,
    Substring2,
    Replace,
    ToLower,
    ToUpper,
    Trim,
    TrimChars,
    TrimStart,
    TrimStartChars,
    TrimEnd,
    TrimEndChars,
    Split,
    SplitOpts,
    Equals,
    EqualsCmp,
    PadLeft,
    PadRight,
    Remove,
    Remove2,
    Insert,
    ToCharArray,
    ToString,
    CompareTo,
    // static
    IsNullOrEmpty,
    IsNullOrWhiteSpace,
    Format,
    Join,
    Concat,
    StaticEquals,
    StaticEqualsCmp,
    Compare,
    CompareCmp,
    Empty,
    // char
    CharIsDigit,
    CharIsLetter,
    CharIsLetterOrDigit,
    CharIsWhiteSpace,
    CharIsUpper,
    CharIsLower,
    CharToUpper,
    CharToLower,
    CharToString,
}

impl StrFn {
    pub(crate) fn is_static(self) -> bool {
        matches!(
            self,
            Self::IsNullOrEmpty
                | Self::IsNullOrWhiteSpace
                | Self::Format
                | Self::Join
                | Self::Concat
                | Self::StaticEquals
                | Self::StaticEqualsCmp
                | Self::Compare
                | Self::CompareCmp
                | Self::Empty
                | Self::CharIsDigit
                | Self::CharIsLetter
                | Self::CharIsLetterOrDigit
                | Self::CharIsWhiteSpace
                | Self::CharIsUpper
                | Self::CharIsLower
                | Self::CharToUpper
                | Self::CharToLower
        )
    }
}

const S: Type = Type::String;
const I: Type = Type::Int;
const C: Type = Type::Char;
const CMP: Type = Type::Enum(EnumKind::StringComparison);
const SPLIT: Type = Type::Enum(EnumKind::StringSplitOptions);

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    use StrFn as F;
    if recv == Type::Char {
        return match site.name {
            "ToString" if site.is_call("ToString", &[]) => ok(Builtin::Str(F::CharToString), S),
            _ => Ok(None),
        };
    }
    let r = |f: StrFn, t: Type| ok(Builtin::Str(f), t);
    let s = site;
    if s.is_prop("Length") {
        return r(F::Length, I);
    }
    match s.name {
        "Contains" if s.is_call("Contains", &[S]) => r(F::Contains, Type::Bool),
        "Contains" if s.is_call("Contains", &[C]) => r(F::ContainsChar, Type::Bool),
        "Contains" if s.is_call("Contains", &[S, CMP]) => r(F::ContainsCmp, Type::Bool),
        "StartsWith" if s.is_call("StartsWith", &[S]) => r(F::StartsWith, Type::Bool),
        "StartsWith" if s.is_call("StartsWith", &[S, CMP]) => r(F::StartsWithCmp, Type::Bool),
        "EndsWith" if s.is_call("EndsWith", &[S]) => r(F::EndsWith, Type::Bool),
        "EndsWith" if s.is_call("EndsWith", &[S, CMP]) => r(F::EndsWithCmp, Type::Bool),
        "IndexOf" if s.is_call("IndexOf", &[S]) || s.is_call("IndexOf", &[C]) => r(F::IndexOf, I),
        "IndexOf" if s.is_call("IndexOf", &[S, I]) || s.is_call("IndexOf", &[C, I]) => {
            r(F::IndexOfFrom, I)
        }
        "IndexOf" if s.is_call("IndexOf", &[S, CMP]) => r(F::IndexOfCmp, I),
        "LastIndexOf" if s.is_call("LastIndexOf", &[S]) || s.is_call("LastIndexOf", &[C]) => {
            r(F::LastIndexOf, I)
        }
        "Substring" if s.is_call("Substring", &[I]) => r(F::Substring, S),
        "Substring" if s.is_call("Substring", &[I, I]) => r(F::Substring2, S),
        "Replace" if s.is_call("Replace", &[S, S]) || s.is_call("Replace", &[C, C]) => {
            r(F::Replace, S)
        }
        "ToLower" | "ToLowerInvariant" if s.arity() == Some(0) => r(F::ToLower, S),
        "ToUpper" | "ToUpperInvariant" if s.arity() == Some(0) => r(F::ToUpper, S),
        "Trim" if s.arity() == Some(0) => r(F::Trim, S),
        "Trim" if s.is_variadic("Trim", 1, C) || s.is_call("Trim", &[Type::Array(Elem::Char)]) => {
            r(F::TrimChars, S)
        }
        "TrimStart" if s.arity() == Some(0) => r(F::TrimStart, S),
        "TrimStart"
            if s.is_variadic("TrimStart", 1, C)
                || s.is_call("TrimStart", &[Type::Array(Elem::Char)]) =>
        {
            r(F::TrimStartChars, S)
        }
        "TrimEnd" if s.arity() == Some(0) => r(F::TrimEnd, S),
        "TrimEnd"
            if s.is_variadic("TrimEnd", 1, C)
                || s.is_call("TrimEnd", &[Type::Array(Elem::Char)]) =>
        {
            r(F::TrimEndChars, S)
        }
        "Split"
            if s.is_variadic("Split", 1, C)
                || s.is_call("Split", &[Type::Array(Elem::Char)])
                || s.is_call("Split", &[S]) =>
        {
            r(F::Split, Type::Array(Elem::String))
        }
        "Split"
            if s.is_call("Split", &[C, SPLIT])
                || s.is_call("Split", &[S, SPLIT])
                || s.is_call("Split", &[Type::Array(Elem::Char), SPLIT])
                || s.is_call("Split", &[Type::Array(Elem::String), SPLIT]) =>
        {
            r(F::SplitOpts, Type::Array(Elem::String))
        }
        "Equals" if s.is_call("Equals", &[S]) || s.is_call("Equals", &[Type::Object]) => {
            r(F::Equals, Type::Bool)
        }
        "Equals" if s.is_call("Equals", &[S, CMP]) => r(F::EqualsCmp, Type::Bool),
        "PadLeft" if s.is_call("PadLeft", &[I]) || s.is_call("PadLeft", &[I, C]) => {
            r(F::PadLeft, S)
        }
        "PadRight" if s.is_call("PadRight", &[I]) || s.is_call("PadRight", &[I, C]) => {
            r(F::PadRight, S)
        }
        "Remove" if s.is_call("Remove", &[I]) => r(F::Remove, S),
        "Remove" if s.is_call("Remove", &[I, I]) => r(F::Remove2, S),
        "Insert" if s.is_call("Insert", &[I, S]) => r(F::Insert, S),
        "ToCharArray" if s.arity() == Some(0) => r(F::ToCharArray, Type::Array(Elem::Char)),
        "ToString" if s.arity() == Some(0) => r(F::ToString, S),
        "CompareTo" if s.is_call("CompareTo", &[S]) => r(F::CompareTo, I),
        _ => Ok(None),
    }
}

pub(crate) fn resolve_static(site: &Site<'_>) -> ResolveResult {
    use StrFn as F;
    let s = site;
    let r = |f: StrFn, t: Type| ok(Builtin::Str(f), t);
    if s.is_prop("Empty") {
        return r(F::Empty, S);
    }
    match s.name {
        "IsNullOrEmpty" if s.is_call("IsNullOrEmpty", &[S]) => r(F::IsNullOrEmpty, Type::Bool),
        "IsNullOrWhiteSpace" if s.is_call("IsNullOrWhiteSpace", &[S]) => {
            r(F::IsNullOrWhiteSpace, Type::Bool)
        }
        "Format" if s.args.is_some_and(|a| !a.is_empty() && a[0].fits(S)) => r(F::Format, S),
        "Join"
            if s.args
                .is_some_and(|a| a.len() >= 2 && (a[0].fits(S) || a[0] == C)) =>
        {
            r(F::Join, S)
        }
        "Concat" if s.args.is_some() => r(F::Concat, S),
        "Equals" if s.is_call("Equals", &[S, S]) => r(F::StaticEquals, Type::Bool),
        "Equals" if s.is_call("Equals", &[S, S, CMP]) => r(F::StaticEqualsCmp, Type::Bool),
        "Compare" if s.is_call("Compare", &[S, S]) => r(F::Compare, I),
        "Compare"
            if s.is_call("Compare", &[S, S, CMP]) || s.is_call("Compare", &[S, S, Type::Bool]) =>
        {
            r(F::CompareCmp, I)
        }
        _ => Ok(None),
    }
}

pub(crate) fn resolve_char_static(site: &Site<'_>) -> ResolveResult {
    use StrFn as F;
    let f = match site.name {
        "IsDigit" => F::CharIsDigit,
        "IsLetter" => F::CharIsLetter,
        "IsLetterOrDigit" => F::CharIsLetterOrDigit,
        "IsWhiteSpace" => F::CharIsWhiteSpace,
        "IsUpper" => F::CharIsUpper,
        "IsLower" => F::CharIsLower,
        "ToUpper" | "ToUpperInvariant" => F::CharToUpper,
        "ToLower" | "ToLowerInvariant" => F::CharToLower,
        _ => return Ok(None),
    };
    if !site.is_call(site.name, &[C]) {
        return Err(format!("char.{} takes one char argument", site.name));
    }
    let t = if matches!(f, F::CharToUpper | F::CharToLower) {
        C
    } else {
        Type::Bool
    };
    ok(Builtin::Str(f), t)
}

fn ignore_case(cmp: &Value) -> Result<bool, EvalError> {
    // CurrentCultureIgnoreCase = 1, InvariantCultureIgnoreCase = 3, OrdinalIgnoreCase = 5.
    Ok(a_int(cmp)? % 2 == 1)
}

fn eq_cmp(a: &str, b: &str, ic: bool) -> bool {
    if ic {
        a.to_lowercase() == b.to_lowercase()
    } else {
        a == b
    }
}

/// Char index (UTF-16 in .NET; chars here) of a byte offset.
fn char_idx(s: &str, byte: usize) -> i64 {
    i64::try_from(s[..byte].chars().count()).unwrap_or(i64::MAX)
}

fn byte_idx(s: &str, chars: usize) -> Option<usize> {
    if chars == 0 {
        return Some(0);
    }
    s.char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.len()))
        .nth(chars)
}

fn needle(v: &Value) -> Result<String, EvalError> {
    Ok(match v {
        Value::Char(c) => c.to_string(),
        other => a_str(other)?.to_string(),
    })
}

fn chars_arg(args: &[Value]) -> Result<Vec<char>, EvalError> {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::Char(c) => out.push(*c),
            Value::Array(items) => {
                for i in items.iter() {
                    out.push(a_char(i)?);
                }
            }
            other => return Err(EvalError::invalid_cast(other.type_name(), "Char")),
        }
    }
    Ok(out)
}

fn substring(s: &str, start: usize, len: Option<usize>) -> Result<Value, EvalError> {
    let total = s.chars().count();
    let end = match len {
        Some(l) => start.checked_add(l).filter(|e| *e <= total),
        None => Some(total),
    };
    let (Some(end), true) = (end, start <= total) else {
        return Err(EvalError::out_of_range(
            "Index and length must refer to a location within the string. (Parameter 'length')",
        ));
    };
    let b0 = byte_idx(s, start).unwrap_or(s.len());
    let b1 = byte_idx(s, end).unwrap_or(s.len());
    Ok(str_val(&s[b0..b1]))
}

fn str_array(parts: impl IntoIterator<Item = String>) -> Value {
    Value::Array(parts.into_iter().map(str_val).collect())
}

pub(crate) fn call(f: StrFn, recv: &Value, args: &[Value]) -> Result<Value, EvalError> {
    use StrFn as F;
    if f.is_static() {
        return call_static(f, args);
    }
    if f == F::CharToString {
        return Ok(str_val(a_char(recv)?.to_string()));
    }
    let s = a_str(recv)?;
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    Ok(match f {
        F::Length => Value::Int(char_idx(s, s.len())),
        F::Index => {
            let i = a_usize(arg(0), "index")?;
            Value::Char(s.chars().nth(i).ok_or_else(|| {
                EvalError::new(
                    "IndexOutOfRangeException",
                    "Index was outside the bounds of the array.",
                )
            })?)
        }
        F::Contains | F::ContainsChar => Value::Bool(s.contains(needle(arg(0))?.as_str())),
        F::ContainsCmp => {
            let n = a_str(arg(0))?;
            Value::Bool(if ignore_case(arg(1))? {
                s.to_lowercase().contains(&n.to_lowercase())
            } else {
                s.contains(n)
            })
        }
        F::StartsWith => Value::Bool(s.starts_with(a_str(arg(0))?)),
        F::EndsWith => Value::Bool(s.ends_with(a_str(arg(0))?)),
        F::StartsWithCmp | F::EndsWithCmp => {
            let n = a_str(arg(0))?;
            let (h, n) = if ignore_case(arg(1))? {
                (s.to_lowercase(), n.to_lowercase())
            } else {
                (s.to_string(), n.to_string())
            };
            Value::Bool(if f == F::StartsWithCmp {
                h.starts_with(&n)
            } else {
                h.ends_with(&n)
            })
        }
        F::IndexOf => Value::Int(
            s.find(needle(arg(0))?.as_str())
                .map_or(-1, |b| char_idx(s, b)),
        ),
        F::IndexOfFrom => {
            let from = a_usize(arg(1), "startIndex")?;
            let b0 = byte_idx(s, from).ok_or_else(|| EvalError::out_of_range("startIndex"))?;
            Value::Int(
                s[b0..]
                    .find(needle(arg(0))?.as_str())
                    .map_or(-1, |b| char_idx(s, b0 + b)),
            )
        }
        F::IndexOfCmp => {
            let n = a_str(arg(0))?;
            let found = if ignore_case(arg(1))? {
                // Lower-casing can change byte lengths; search char-wise instead.
                let hs: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
                let ns: Vec<char> = n.chars().flat_map(char::to_lowercase).collect();
                if ns.is_empty() {
                    Some(0)
                } else {
                    hs.windows(ns.len()).position(|w| w == ns.as_slice())
                }
                .map(|p| i64::try_from(p).unwrap_or(-1))
            } else {
                s.find(n).map(|b| char_idx(s, b))
            };
            Value::Int(found.unwrap_or(-1))
        }
        F::LastIndexOf => Value::Int(
            s.rfind(needle(arg(0))?.as_str())
                .map_or(-1, |b| char_idx(s, b)),
        ),
        F::Substring => substring(s, a_usize(arg(0), "startIndex")?, None)?,
        F::Substring2 => substring(
            s,
            a_usize(arg(0), "startIndex")?,
            Some(a_usize(arg(1), "length")?),
        )?,
        F::Replace => {
            let from = needle(arg(0))?;
            if from.is_empty() {
                return Err(EvalError::argument(
                    "String cannot be of zero length. (Parameter 'oldValue')",
                ));
            }
            let to = match arg(1) {
                Value::Null => String::new(),
                v => needle(v)?,
            };
            str_val(s.replace(&from, &to))
        }
        F::ToLower => str_val(s.to_lowercase()),
        F::ToUpper => str_val(s.to_uppercase()),
        F::Trim => str_val(s.trim()),
        F::TrimStart => str_val(s.trim_start()),
        F::TrimEnd => str_val(s.trim_end()),
        F::TrimChars | F::TrimStartChars | F::TrimEndChars => {
            let cs = chars_arg(args)?;
            let p = |c: char| cs.contains(&c);
            str_val(match f {
                F::TrimChars => s.trim_matches(p),
                F::TrimStartChars => s.trim_start_matches(p),
                _ => s.trim_end_matches(p),
            })
        }
        F::Split | F::SplitOpts => {
            let (seps, opts) = if f == F::SplitOpts {
                (&args[..1], a_int(arg(1))?)
            } else {
                (args, 0)
            };
            let parts: Vec<String> = match seps.first() {
                Some(Value::String(sep)) => split_str(s, &[sep.to_string()]),
                Some(Value::Array(items))
                    if items.iter().all(|i| matches!(i, Value::String(_))) =>
                {
                    let seps: Vec<String> = items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect();
                    split_str(s, &seps)
                }
                _ => {
                    let cs = chars_arg(seps)?;
                    if cs.is_empty() {
                        s.split(char::is_whitespace).map(str::to_string).collect()
                    } else {
                        s.split(|c| cs.contains(&c)).map(str::to_string).collect()
                    }
                }
            };
            // StringSplitOptions: RemoveEmptyEntries = 1, TrimEntries = 2.
            let parts = parts
                .into_iter()
                .map(|p| {
                    if opts & 2 != 0 {
                        p.trim().to_string()
                    } else {
                        p
                    }
                })
                .filter(|p| opts & 1 == 0 || !p.is_empty());
            str_array(parts)
        }
        F::Equals => Value::Bool(matches!(arg(0), Value::String(o) if **o == *s)),
        F::EqualsCmp => Value::Bool(match a_opt_str(arg(0))? {
            Some(o) => eq_cmp(s, o, ignore_case(arg(1))?),
            None => false,
        }),
        F::PadLeft | F::PadRight => {
            let width = a_usize(arg(0), "totalWidth")?;
            let pad = if args.len() > 1 { a_char(arg(1))? } else { ' ' };
            let len = s.chars().count();
            let fill: String = std::iter::repeat_n(pad, width.saturating_sub(len)).collect();
            str_val(if f == F::PadLeft {
                format!("{fill}{s}")
            } else {
                format!("{s}{fill}")
            })
        }
        F::Remove => {
            let start = a_usize(arg(0), "startIndex")?;
            let b = byte_idx(s, start).ok_or_else(|| {
                EvalError::out_of_range("startIndex must be less than length of string.")
            })?;
            str_val(&s[..b])
        }
        F::Remove2 => {
            let start = a_usize(arg(0), "startIndex")?;
            let n = a_usize(arg(1), "count")?;
            let b0 = byte_idx(s, start).ok_or_else(|| EvalError::out_of_range("startIndex"))?;
            let b1 = byte_idx(s, start + n).ok_or_else(|| EvalError::out_of_range("count"))?;
            str_val(format!("{}{}", &s[..b0], &s[b1..]))
        }
        F::Insert => {
            let at = a_usize(arg(0), "startIndex")?;
            let b = byte_idx(s, at).ok_or_else(|| EvalError::out_of_range("startIndex"))?;
            str_val(format!("{}{}{}", &s[..b], a_str(arg(1))?, &s[b..]))
        }
        F::ToCharArray => Value::Array(s.chars().map(Value::Char).collect()),
        F::ToString => recv.clone(),
        F::CompareTo => Value::Int(ordinal_cmp(s, a_opt_str(arg(0))?)),
        _ => {
            return Err(EvalError::invalid_op(
                "internal: static string member called as instance",
            ));
        }
    })
}

fn split_str(s: &str, seps: &[String]) -> Vec<String> {
    let seps: Vec<&String> = seps.iter().filter(|x| !x.is_empty()).collect();
    if seps.is_empty() {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    let mut rest = s;
    'outer: loop {
        let mut best: Option<(usize, usize)> = None;
        for sep in &seps {
            if let Some(p) = rest.find(sep.as_str()) {
                if best.is_none_or(|(bp, _)| p < bp) {
                    best = Some((p, sep.len()));
                }
            }
        }
        match best {
            Some((p, l)) => {
                out.push(rest[..p].to_string());
                rest = &rest[p + l..];
            }
            None => {
                out.push(rest.to_string());
                break 'outer;
            }
        }
    }
    out
}

fn ordinal_cmp(a: &str, b: Option<&str>) -> i64 {
    match b {
        None => 1,
        Some(b) => match a.cmp(b) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        },
    }
}

fn call_static(f: StrFn, args: &[Value]) -> Result<Value, EvalError> {
    use StrFn as F;
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    Ok(match f {
        F::Empty => str_val(""),
        F::IsNullOrEmpty => Value::Bool(a_opt_str(arg(0))?.is_none_or(str::is_empty)),
        F::IsNullOrWhiteSpace => {
            Value::Bool(a_opt_str(arg(0))?.is_none_or(|s| s.trim().is_empty()))
        }
        F::Format => {
            let fmt = a_str(arg(0))?;
            let rest: Vec<Value> = match &args[1..] {
                [Value::Array(items)] => items.to_vec(),
                other => other.to_vec(),
            };
            str_val(super::format::composite_format(fmt, &rest)?)
        }
        F::Join => {
            let sep = match arg(0) {
                Value::Char(c) => c.to_string(),
                v => a_opt_str(v)?.unwrap_or("").to_string(),
            };
            let items: Vec<Value> = if args.len() == 2 && !matches!(arg(1), Value::String(_)) {
                seq_items(arg(1))?
            } else {
                args[1..].to_vec()
            };
            let parts: Vec<String> = items.iter().map(Value::to_dotnet_string).collect();
            str_val(parts.join(&sep))
        }
        F::Concat => {
            let items: Vec<Value> = match args {
                [single @ (Value::Array(_) | Value::Json(_))] => seq_items(single)?,
                other => other.to_vec(),
            };
            let mut out = String::new();
            for i in &items {
                i.write_dotnet(&mut out);
            }
            str_val(out)
        }
        F::StaticEquals => Value::Bool(a_opt_str(arg(0))? == a_opt_str(arg(1))?),
        F::StaticEqualsCmp => Value::Bool(match (a_opt_str(arg(0))?, a_opt_str(arg(1))?) {
            (Some(a), Some(b)) => eq_cmp(a, b, ignore_case(arg(2))?),
            (a, b) => a.is_none() && b.is_none(),
        }),
        F::Compare | F::CompareCmp => {
            let ic = match arg(2) {
                Value::Bool(b) => *b,
                Value::Null => false,
                v => ignore_case(v)?,
            };
            let (a, b) = (a_opt_str(arg(0))?, a_opt_str(arg(1))?);
            Value::Int(match (a, b) {
                (None, None) => 0,
                (None, Some(_)) => -1,
                (Some(a), b) if ic => {
                    ordinal_cmp(&a.to_lowercase(), b.map(str::to_lowercase).as_deref())
                }
                (Some(a), b) => ordinal_cmp(a, b),
            })
        }
        F::CharIsDigit => Value::Bool(a_char(arg(0))?.is_ascii_digit()),
        F::CharIsLetter => Value::Bool(a_char(arg(0))?.is_alphabetic()),
        F::CharIsLetterOrDigit => Value::Bool(a_char(arg(0))?.is_alphanumeric()),
        F::CharIsWhiteSpace => Value::Bool(a_char(arg(0))?.is_whitespace()),
        F::CharIsUpper => Value::Bool(a_char(arg(0))?.is_uppercase()),
        F::CharIsLower => Value::Bool(a_char(arg(0))?.is_lowercase()),
        F::CharToUpper => Value::Char(a_char(arg(0))?.to_uppercase().next().unwrap_or('\0')),
        F::CharToLower => Value::Char(a_char(arg(0))?.to_lowercase().next().unwrap_or('\0')),
        _ => {
            return Err(EvalError::invalid_op(
                "internal: instance string member called as static",
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_by_strings() {
        assert_eq!(split_str("a::b::", &["::".into()]), vec!["a", "b", ""]);
    }
}
