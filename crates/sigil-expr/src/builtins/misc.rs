//! `Convert`, `Encoding`, `Guid`, `Math`, primitive `Parse`/`TryParse`, `Uri`/`WebUtility`
//! escaping, enum constants, and members every value has (`ToString`, arrays' `Length`).

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Builtin, ResolveResult, Site, a_int, a_num, a_str, ok, str_val};
use crate::context::EvalContext;
use crate::error::EvalError;
use crate::types::{Class, EnumKind, Type};
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MiscFn {
    EnumConst(i64),
    ToBase64,
    FromBase64,
    ConvertTo(Type),
    EncodingUtf8,
    EncodingAscii,
    GetBytes,
    GetString,
    NewGuid,
    GuidEmpty,
    GuidParse,
    GuidTryParse,
    Math(MathOp),
    MathPi,
    ParseInt,
    ParseDouble,
    ParseBool,
    TryParseInt,
    TryParseDouble,
    TryParseBool,
    IntMax,
    IntMin,
    EscapeData,
    UnescapeData,
    HtmlEncode,
    HtmlDecode,
    Culture,
    // instance
    NullableValue,
    HasValue,
    ArrayIndex,
    Length,
    ToString,
    ToStringFmt,
    Equals,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MathOp {
    Abs,
    Max,
    Min,
    Round,
    Floor,
    Ceiling,
    Pow,
    Sqrt,
}

impl MiscFn {
    pub(crate) fn is_static(self) -> bool {
        !matches!(
            self,
            Self::ArrayIndex
                | Self::Length
                | Self::ToString
                | Self::ToStringFmt
                | Self::Equals
                | Self::GetBytes
                | Self::GetString
        )
    }
}

fn enum_value(kind: EnumKind, name: &str) -> Option<i64> {
    Some(match (kind, name) {
        (EnumKind::StringComparison, n) => match n {
            "CurrentCulture" => 0,
            "CurrentCultureIgnoreCase" => 1,
            "InvariantCulture" => 2,
            "InvariantCultureIgnoreCase" => 3,
            "Ordinal" => 4,
            "OrdinalIgnoreCase" => 5,
            _ => return None,
        },
        (EnumKind::RegexOptions, n) => match n {
            "None" => 0,
            "IgnoreCase" => 1,
            "Multiline" => 2,
            "ExplicitCapture" => 4,
            "Compiled" => 8,
            "Singleline" => 16,
            "IgnorePatternWhitespace" => 32,
            "CultureInvariant" => 512,
            _ => return None,
        },
        (EnumKind::Formatting, "None") => 0,
        (EnumKind::Formatting, "Indented") => 1,
        (EnumKind::StringSplitOptions, "None") => 0,
        (EnumKind::StringSplitOptions, "RemoveEmptyEntries") => 1,
        (EnumKind::StringSplitOptions, "TrimEntries") => 2,
        (EnumKind::DateTimeKind, "Unspecified") => 0,
        (EnumKind::DateTimeKind, "Utc") => 1,
        (EnumKind::DateTimeKind, "Local") => 2,
        _ => return None,
    })
}

pub(crate) fn resolve_static(c: Class, site: &Site<'_>) -> ResolveResult {
    let r = |f: MiscFn, t: Type| ok(Builtin::Misc(f), t);
    let out = |f: MiscFn, t: Type| {
        Ok(Some(super::Resolved {
            f: Builtin::Misc(f),
            ty: Type::Bool,
            out: Some(t),
        }))
    };
    let s = site;
    let st = Type::String;
    match (c, s.name, s.args) {
        (Class::Enum(k), n, None) => match enum_value(k, n) {
            Some(v) => r(MiscFn::EnumConst(v), Type::Enum(k)),
            None => Ok(None),
        },
        (Class::Convert, "ToBase64String", Some([Type::Bytes])) => r(MiscFn::ToBase64, st),
        (Class::Convert, "FromBase64String", Some([a])) if a.fits(st) => {
            r(MiscFn::FromBase64, Type::Bytes)
        }
        (Class::Convert, "ToInt32" | "ToInt64" | "ToInt16", Some([_])) => {
            r(MiscFn::ConvertTo(Type::Int), Type::Int)
        }
        (Class::Convert, "ToDouble" | "ToDecimal" | "ToSingle", Some([_])) => {
            r(MiscFn::ConvertTo(Type::Double), Type::Double)
        }
        (Class::Convert, "ToBoolean", Some([_])) => r(MiscFn::ConvertTo(Type::Bool), Type::Bool),
        (Class::Convert, "ToString", Some([_])) => r(MiscFn::ConvertTo(Type::String), st),
        (Class::Convert, "ToDateTime", Some([_])) => {
            r(MiscFn::ConvertTo(Type::DateTime), Type::DateTime)
        }
        (Class::Encoding, "UTF8", None) => r(MiscFn::EncodingUtf8, Type::Encoding),
        (Class::Encoding, "ASCII", None) => r(MiscFn::EncodingAscii, Type::Encoding),
        (Class::Guid, "NewGuid", Some([])) => r(MiscFn::NewGuid, Type::Guid),
        (Class::Guid, "Empty", None) => r(MiscFn::GuidEmpty, Type::Guid),
        (Class::Guid, "Parse", Some([a])) if a.fits(st) => r(MiscFn::GuidParse, Type::Guid),
        (Class::Guid, "TryParse", Some([a, _])) if a.fits(st) => {
            out(MiscFn::GuidTryParse, Type::Guid)
        }
        (Class::Math, "PI", None) => r(MiscFn::MathPi, Type::Double),
        (Class::Math, name, Some(a)) => {
            let op = match name {
                "Abs" => MathOp::Abs,
                "Max" => MathOp::Max,
                "Min" => MathOp::Min,
                "Round" => MathOp::Round,
                "Floor" => MathOp::Floor,
                "Ceiling" => MathOp::Ceiling,
                "Pow" => MathOp::Pow,
                "Sqrt" => MathOp::Sqrt,
                _ => return Ok(None),
            };
            let arity = if matches!(op, MathOp::Max | MathOp::Min | MathOp::Pow) {
                2
            } else {
                1
            };
            if a.len() != arity && !(op == MathOp::Round && a.len() == 2)
                || !a.iter().all(|t| t.is_numeric())
            {
                return Err(format!("Math.{name}: wrong number or type of arguments"));
            }
            let all_int = a.iter().all(|t| *t == Type::Int);
            let t = if all_int && matches!(op, MathOp::Abs | MathOp::Max | MathOp::Min) {
                Type::Int
            } else {
                Type::Double
            };
            r(MiscFn::Math(op), t)
        }
        (Class::Int | Class::Long, "Parse", Some([a])) if a.fits(st) => {
            r(MiscFn::ParseInt, Type::Int)
        }
        (Class::Double, "Parse", Some([a])) if a.fits(st) => r(MiscFn::ParseDouble, Type::Double),
        (Class::Bool, "Parse", Some([a])) if a.fits(st) => r(MiscFn::ParseBool, Type::Bool),
        (Class::Int | Class::Long, "TryParse", Some([a, _])) if a.fits(st) => {
            out(MiscFn::TryParseInt, Type::Int)
        }
        (Class::Double, "TryParse", Some([a, _])) if a.fits(st) => {
            out(MiscFn::TryParseDouble, Type::Double)
        }
        (Class::Bool, "TryParse", Some([a, _])) if a.fits(st) => {
            out(MiscFn::TryParseBool, Type::Bool)
        }
        (Class::Int | Class::Long, "MaxValue", None) => r(MiscFn::IntMax, Type::Int),
        (Class::Int | Class::Long, "MinValue", None) => r(MiscFn::IntMin, Type::Int),
        (Class::Char, _, Some(_)) => super::string::resolve_char_static(s),
        (Class::Uri, "EscapeDataString", Some([a])) if a.fits(st) => r(MiscFn::EscapeData, st),
        (Class::Uri, "UnescapeDataString", Some([a])) if a.fits(st) => r(MiscFn::UnescapeData, st),
        (Class::WebUtility, "UrlEncode", Some([a])) if a.fits(st) => r(MiscFn::EscapeData, st),
        (Class::WebUtility, "UrlDecode", Some([a])) if a.fits(st) => r(MiscFn::UnescapeData, st),
        (Class::WebUtility, "HtmlEncode", Some([a])) if a.fits(st) => r(MiscFn::HtmlEncode, st),
        (Class::WebUtility, "HtmlDecode", Some([a])) if a.fits(st) => r(MiscFn::HtmlDecode, st),
        (Class::CultureInfo, "InvariantCulture" | "CurrentCulture", None) => {
            r(MiscFn::Culture, Type::Culture)
        }
        _ => Ok(None),
    }
}

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    let r = |f: MiscFn, t: Type| ok(Builtin::Misc(f), t);
    let s = site;
    match (recv, s.name, s.args) {
        (Type::Encoding, "GetBytes", Some([a])) if a.fits(Type::String) => {
            r(MiscFn::GetBytes, Type::Bytes)
        }
        (Type::Encoding, "GetString", Some([Type::Bytes])) => r(MiscFn::GetString, Type::String),
        (Type::Bytes | Type::Array(_), "Length", None) => r(MiscFn::Length, Type::Int),
        // `T?` members on value types (e.g. `jwt.ExpirationTime.Value`).
        (t, "Value", None) if t.is_value_type() => r(MiscFn::NullableValue, t),
        (t, "HasValue", None) if t.is_value_type() => r(MiscFn::HasValue, Type::Bool),
        (_, "ToString", Some([])) if !matches!(recv, Type::Lambda) => {
            r(MiscFn::ToString, Type::String)
        }
        (Type::Int | Type::Double | Type::Guid, "ToString", Some([a])) if a.fits(Type::String) => {
            r(MiscFn::ToStringFmt, Type::String)
        }
        (_, "Equals", Some([_])) if !matches!(recv, Type::Lambda) => r(MiscFn::Equals, Type::Bool),
        _ => Ok(None),
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // .NET Math semantics.
fn math(op: MathOp, args: &[Value]) -> Result<Value, EvalError> {
    let ints = args.iter().all(|a| matches!(a, Value::Int(_)));
    if ints && matches!(op, MathOp::Abs | MathOp::Max | MathOp::Min) {
        let a = a_int(&args[0])?;
        return Ok(Value::Int(match op {
            MathOp::Abs => a.checked_abs().ok_or_else(|| {
                EvalError::new(
                    "OverflowException",
                    "Negating the minimum value of a twos complement number is invalid.",
                )
            })?,
            MathOp::Max => a.max(a_int(&args[1])?),
            _ => a.min(a_int(&args[1])?),
        }));
    }
    let a = a_num(&args[0])?;
    Ok(Value::Double(match op {
        MathOp::Abs => a.abs(),
        MathOp::Max => a.max(a_num(&args[1])?),
        MathOp::Min => a.min(a_num(&args[1])?),
        MathOp::Round => {
            let digits = if args.len() > 1 { a_int(&args[1])? } else { 0 };
            let m = 10f64.powi(i32::try_from(digits.clamp(0, 15)).unwrap_or(0));
            // .NET rounds half to even by default.
            let x = a * m;
            let r = x.round();
            let r = if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
                r - x.signum()
            } else {
                r
            };
            r / m
        }
        MathOp::Floor => a.floor(),
        MathOp::Ceiling => a.ceil(),
        MathOp::Pow => a.powf(a_num(&args[1])?),
        MathOp::Sqrt => a.sqrt(),
    }))
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    t.parse::<i64>().ok()
}

fn bad_format() -> EvalError {
    EvalError::format("Input string was not in a correct format.")
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn html_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html_decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `Convert.ToXxx(value)`.
fn convert(v: &Value, to: Type) -> Result<Value, EvalError> {
    Ok(match (to, v) {
        (Type::String, v) => {
            if v.is_null() {
                Value::Null
            } else {
                str_val(v.to_dotnet_string())
            }
        }
        (Type::Int, Value::Null) => Value::Int(0),
        (Type::Int, Value::Int(i)) => Value::Int(*i),
        #[allow(clippy::cast_possible_truncation)]
        (Type::Int, Value::Double(d)) => Value::Int(d.round() as i64),
        (Type::Int, Value::Bool(b)) => Value::Int(i64::from(*b)),
        (Type::Int, Value::String(s)) => Value::Int(parse_int(s).ok_or_else(bad_format)?),
        (Type::Int | Type::Double | Type::Bool, Value::Json(j)) => super::json::json_to(j, to)?,
        (Type::Double, Value::Null) => Value::Double(0.0),
        (Type::Double, Value::String(s)) => {
            Value::Double(s.trim().parse().map_err(|_| bad_format())?)
        }
        (Type::Double, v) => Value::Double(a_num(v)?),
        (Type::Bool, Value::Null) => Value::Bool(false),
        (Type::Bool, Value::Bool(b)) => Value::Bool(*b),
        (Type::Bool, Value::Int(i)) => Value::Bool(*i != 0),
        (Type::Bool, Value::String(s)) => Value::Bool(parse_bool(s).ok_or_else(|| {
            EvalError::format(format!(
                "String '{s}' was not recognized as a valid Boolean."
            ))
        })?),
        (Type::DateTime, Value::DateTime(d)) => Value::DateTime(*d),
        (Type::DateTime, Value::String(s)) => {
            Value::DateTime(super::datetime::DateTime::parse(s).ok_or_else(|| {
                EvalError::format(format!(
                    "String '{s}' was not recognized as a valid DateTime."
                ))
            })?)
        }
        (t, v) => return Err(EvalError::invalid_cast(v.type_name(), &t.to_string())),
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn try_out(ok: bool, v: Value) -> Value {
    Value::Array(Arc::from([Value::Bool(ok), v]))
}

pub(crate) fn call(
    f: MiscFn,
    recv: &Value,
    args: &[Value],
    ctx: &dyn EvalContext,
) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    Ok(match f {
        MiscFn::EnumConst(v) => Value::Int(v),
        MiscFn::ToBase64 => match arg(0) {
            Value::Bytes(b) => str_val(STANDARD.encode(b)),
            Value::Null => return Err(super::arg_null("inArray")),
            other => return Err(EvalError::invalid_cast(other.type_name(), "Byte[]")),
        },
        MiscFn::FromBase64 => {
            let s = a_str(arg(0))?;
            let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            Value::Bytes(STANDARD.decode(clean).map_err(|_| {
                EvalError::format("The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.")
            })?.into())
        }
        MiscFn::ConvertTo(t) => convert(arg(0), t)?,
        MiscFn::EncodingUtf8 => Value::Int(0),
        MiscFn::EncodingAscii => Value::Int(1),
        MiscFn::GetBytes => {
            let s = a_str(arg(0))?;
            if a_int(recv)? == 1 {
                Value::Bytes(s.chars().map(|c| u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(b'?')).collect::<Vec<u8>>().into())
            } else {
                Value::Bytes(bytes::Bytes::copy_from_slice(s.as_bytes()))
            }
        }
        MiscFn::GetString => match arg(0) {
            Value::Bytes(b) => str_val(String::from_utf8_lossy(b).into_owned()),
            Value::Null => return Err(super::arg_null("bytes")),
            other => return Err(EvalError::invalid_cast(other.type_name(), "Byte[]")),
        },
        MiscFn::NewGuid => Value::Guid(ctx.new_guid()),
        MiscFn::GuidEmpty => Value::Guid(uuid::Uuid::nil()),
        MiscFn::GuidParse => Value::Guid(uuid::Uuid::parse_str(a_str(arg(0))?.trim()).map_err(|_| {
            EvalError::format("Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).")
        })?),
        MiscFn::GuidTryParse => match arg(0).as_str().and_then(|s| uuid::Uuid::parse_str(s.trim()).ok()) {
            Some(g) => try_out(true, Value::Guid(g)),
            None => try_out(false, Value::Guid(uuid::Uuid::nil())),
        },
        MiscFn::Math(op) => math(op, args)?,
        MiscFn::MathPi => Value::Double(std::f64::consts::PI),
        MiscFn::ParseInt => Value::Int(parse_int(a_str(arg(0))?).ok_or_else(bad_format)?),
        MiscFn::ParseDouble => Value::Double(a_str(arg(0))?.trim().parse().map_err(|_| bad_format())?),
        MiscFn::ParseBool => {
            let s = a_str(arg(0))?;
            Value::Bool(parse_bool(s).ok_or_else(|| EvalError::format(format!("String '{s}' was not recognized as a valid Boolean.")))?)
        }
        MiscFn::TryParseInt => match arg(0).as_str().and_then(parse_int) {
            Some(i) => try_out(true, Value::Int(i)),
            None => try_out(false, Value::Int(0)),
        },
        MiscFn::TryParseDouble => match arg(0).as_str().and_then(|s| s.trim().parse::<f64>().ok()) {
            Some(d) => try_out(true, Value::Double(d)),
            None => try_out(false, Value::Double(0.0)),
        },
        MiscFn::TryParseBool => match arg(0).as_str().and_then(parse_bool) {
            Some(b) => try_out(true, Value::Bool(b)),
            None => try_out(false, Value::Bool(false)),
        },
        MiscFn::IntMax => Value::Int(i64::from(i32::MAX)),
        MiscFn::IntMin => Value::Int(i64::from(i32::MIN)),
        MiscFn::EscapeData => str_val(percent_encode(a_str(arg(0))?)),
        MiscFn::UnescapeData => str_val(percent_decode(&a_str(arg(0))?.replace('+', "%20"))),
        MiscFn::HtmlEncode => str_val(html_encode(a_str(arg(0))?)),
        MiscFn::HtmlDecode => str_val(html_decode(a_str(arg(0))?)),
        MiscFn::Culture => Value::Null,
        MiscFn::NullableValue => recv.clone(),
        MiscFn::HasValue => Value::Bool(!recv.is_null()),
        MiscFn::ArrayIndex => {
            let i = super::a_int(arg(0))?;
            let oob = || EvalError::new("IndexOutOfRangeException", "Index was outside the bounds of the array.");
            let i = usize::try_from(i).map_err(|_| oob())?;
            match recv {
                Value::Array(a) => a.get(i).cloned().ok_or_else(oob)?,
                Value::Bytes(b) => Value::Int(i64::from(*b.get(i).ok_or_else(oob)?)),
                Value::Null => return Err(EvalError::null_ref()),
                other => return Err(EvalError::invalid_cast(other.type_name(), "Array")),
            }
        }
        MiscFn::Length => Value::Int(match recv {
            Value::Bytes(b) => i64::try_from(b.len()).unwrap_or(0),
            Value::Array(a) => i64::try_from(a.len()).unwrap_or(0),
            Value::Null => return Err(EvalError::null_ref()),
            other => return Err(EvalError::invalid_cast(other.type_name(), "Array")),
        }),
        MiscFn::ToString => match recv {
            Value::Null => return Err(EvalError::null_ref()),
            Value::Json(j) => str_val(super::json::token_to_string(j)),
            v => str_val(v.to_dotnet_string()),
        },
        MiscFn::ToStringFmt => str_val(super::format::format_value(recv, a_str(arg(0)).ok())?),
        MiscFn::Equals => match recv {
            Value::Null => return Err(EvalError::null_ref()),
            v => Value::Bool(crate::eval::ops::values_equal(v, arg(0))),
        },
    })
}

/// `int.ToString(format)`: D, X, N, F, G and `0`-padding custom formats.
pub(crate) fn format_int(i: i64, f: &str) -> Result<String, EvalError> {
    let (kind, prec) = split_fmt(f);
    Ok(match kind {
        'D' | 'd' => {
            let w = prec.unwrap_or(0);
            if i < 0 {
                format!("-{:0w$}", i.unsigned_abs())
            } else {
                format!("{i:0w$}")
            }
        }
        'X' => format!("{i:0w$X}", w = prec.unwrap_or(0)),
        'x' => format!("{i:0w$x}", w = prec.unwrap_or(0)),
        #[allow(clippy::cast_precision_loss)]
        'N' | 'n' | 'F' | 'f' | 'G' | 'g' | 'E' | 'e' | 'P' | 'p' => {
            format_double_with(i as f64, f)?
        }
        _ if f.chars().all(|c| c == '0') => format!("{i:0w$}", w = f.len()),
        _ => return Err(EvalError::format("Format specifier was invalid.")),
    })
}

fn split_fmt(f: &str) -> (char, Option<usize>) {
    let mut cs = f.chars();
    let k = cs.next().unwrap_or('G');
    let rest: String = cs.collect();
    (
        k,
        if rest.is_empty() {
            None
        } else {
            rest.parse().ok()
        },
    )
}

/// `double.ToString(format)`: F, N, P, E, G and simple `0.00` custom formats.
pub(crate) fn format_double_with(d: f64, f: &str) -> Result<String, EvalError> {
    let (kind, prec) = split_fmt(f);
    let group = |s: String| -> String {
        let (int, frac) = s
            .split_once('.')
            .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |r| ("-", r));
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        match frac {
            Some(fr) => format!("{sign}{out}.{fr}"),
            None => format!("{sign}{out}"),
        }
    };
    Ok(match kind {
        'F' | 'f' => format!("{d:.p$}", p = prec.unwrap_or(2)),
        'N' | 'n' => group(format!("{d:.p$}", p = prec.unwrap_or(2))),
        'P' | 'p' => format!("{:.p$} %", d * 100.0, p = prec.unwrap_or(2)),
        'E' | 'e' => format!("{d:.p$e}", p = prec.unwrap_or(6)),
        'G' | 'g' | 'R' | 'r' => crate::value::format_double(d),
        _ if f.starts_with('0') && f.chars().all(|c| c == '0' || c == '.') => {
            let decimals = f.split_once('.').map_or(0, |(_, b)| b.len());
            format!("{d:.decimals$}")
        }
        _ => return Err(EvalError::format("Format specifier was invalid.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_int(5, "D3").unwrap(), "005");
        assert_eq!(format_int(255, "X").unwrap(), "FF");
        assert_eq!(format_double_with(1234.5, "N2").unwrap(), "1,234.50");
        assert_eq!(format_double_with(1.5, "F0").unwrap(), "2");
        assert_eq!(format_double_with(0.5, "0.00").unwrap(), "0.50");
    }

    #[test]
    fn url_escaping() {
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
