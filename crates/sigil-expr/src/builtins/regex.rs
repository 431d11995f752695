//! `System.Text.RegularExpressions.Regex` subset on `fancy-regex` (which adds the look-around
//! and back-references .NET patterns use on top of the `regex` crate).

use std::sync::Arc;

use crate::error::EvalError;

/// Result of `Regex.Match`: group texts (None for groups that did not participate) and names.
#[derive(Debug)]
pub(crate) struct MatchData {
    pub(crate) groups: Vec<Option<(usize, String)>>,
    pub(crate) names: Vec<Option<String>>,
}

impl MatchData {
    pub(crate) fn group_text(&self, i: usize) -> &str {
        self.groups
            .get(i)
            .and_then(|g| g.as_ref())
            .map_or("", |(_, s)| s.as_str())
    }

    pub(crate) fn group_by_name(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n.as_deref() == Some(name))
            .or_else(|| {
                name.parse::<usize>()
                    .ok()
                    .filter(|i| *i < self.groups.len())
            })
    }

    pub(crate) fn success(&self) -> bool {
        self.groups.first().is_some_and(Option::is_some)
    }
}

/// `RegexOptions` flags that change matching.
pub(crate) const IGNORE_CASE: i64 = 1;
pub(crate) const MULTILINE: i64 = 2;
pub(crate) const SINGLELINE: i64 = 16;
pub(crate) const IGNORE_PATTERN_WS: i64 = 32;

pub(crate) fn build(pattern: &str, options: i64) -> Result<fancy_regex::Regex, EvalError> {
    let mut flags = String::new();
    if options & IGNORE_CASE != 0 {
        flags.push('i');
    }
    if options & MULTILINE != 0 {
        flags.push('m');
    }
    if options & SINGLELINE != 0 {
        flags.push('s');
    }
    if options & IGNORE_PATTERN_WS != 0 {
        flags.push('x');
    }
    // .NET names groups with (?<name>...), which fancy-regex also accepts.
    let full = if flags.is_empty() {
        pattern.to_string()
    } else {
        format!("(?{flags}){pattern}")
    };
    fancy_regex::RegexBuilder::new(&full)
        .backtrack_limit(1_000_000)
        .build()
        .map_err(|e| EvalError::argument(format!("Invalid pattern '{pattern}': {e}")))
}

pub(crate) fn is_match(re: &fancy_regex::Regex, input: &str) -> Result<bool, EvalError> {
    re.is_match(input).map_err(runtime)
}

pub(crate) fn first_match(
    re: &fancy_regex::Regex,
    input: &str,
) -> Result<Arc<MatchData>, EvalError> {
    let names: Vec<Option<String>> = re.capture_names().map(|n| n.map(str::to_string)).collect();
    let caps = re.captures(input).map_err(runtime)?;
    let groups = match caps {
        Some(c) => (0..c.len())
            .map(|i| c.get(i).map(|m| (m.start(), m.as_str().to_string())))
            .collect(),
        None => vec![None; names.len().max(1)],
    };
    Ok(Arc::new(MatchData { groups, names }))
}

/// `Regex.Replace` with .NET substitutions (`$1`, `${name}`, `$$`, `$0`).
pub(crate) fn replace(
    re: &fancy_regex::Regex,
    input: &str,
    replacement: &str,
) -> Result<String, EvalError> {
    let mut out = String::with_capacity(input.len());
    let mut last = 0;
    for caps in re.captures_iter(input) {
        let caps = caps.map_err(runtime)?;
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&input[last..m.start()]);
        expand(&caps, re, replacement, &mut out);
        last = m.end();
    }
    out.push_str(&input[last..]);
    Ok(out)
}

fn expand(
    caps: &fancy_regex::Captures<'_, str>,
    re: &fancy_regex::Regex,
    rep: &str,
    out: &mut String,
) {
    let b = rep.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            if b[i + 1] == b'$' {
                out.push('$');
                i += 2;
                continue;
            }
            if b[i + 1].is_ascii_digit() {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if let Ok(n) = rep[i + 1..j].parse::<usize>() {
                    if n < caps.len() {
                        out.push_str(caps.get(n).map_or("", |m| m.as_str()));
                        i = j;
                        continue;
                    }
                }
            }
            if b[i + 1] == b'{' {
                if let Some(end) = rep[i + 2..].find('}') {
                    let name = &rep[i + 2..i + 2 + end];
                    let text = name.parse::<usize>().ok().map_or_else(
                        || caps.name(name).map(|m| m.as_str()),
                        |n| caps.get(n).map(|m| m.as_str()),
                    );
                    if text.is_some() || re.capture_names().any(|n| n == Some(name)) {
                        out.push_str(text.unwrap_or(""));
                        i += 3 + end;
                        continue;
                    }
                }
            }
        }
        let ch_len = rep[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&rep[i..i + ch_len]);
        i += ch_len;
    }
}

pub(crate) fn split(re: &fancy_regex::Regex, input: &str) -> Result<Vec<String>, EvalError> {
    let mut out = Vec::new();
    let mut last = 0;
    for m in re.find_iter(input) {
        let m = m.map_err(runtime)?;
        out.push(input[last..m.start()].to_string());
        last = m.end();
    }
    out.push(input[last..].to_string());
    Ok(out)
}

fn runtime(e: fancy_regex::Error) -> EvalError {
    EvalError::new("RegexMatchTimeoutException", e.to_string())
}

// === members ===

use super::{Builtin, ResolveResult, Site, a_int, a_str, ok, str_val};
use crate::types::{Elem, EnumKind, Type};
use crate::value::{Obj, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RxFn {
    IsMatch,
    Match,
    Replace,
    Split,
    Escape,
    MatchSuccess,
    MatchValue,
    MatchIndex,
    MatchGroups,
    GroupsIndex,
    GroupsCount,
    GroupValue,
    GroupSuccess,
    GroupIndex,
}

impl RxFn {
    pub(crate) fn is_static(self) -> bool {
        matches!(
            self,
            Self::IsMatch | Self::Match | Self::Replace | Self::Split | Self::Escape
        )
    }
}

const OPTS: Type = Type::Enum(EnumKind::RegexOptions);

/// Static `Regex` members. With a constant pattern (and options) the regex is compiled here, at
/// load time, and an invalid pattern is a load-time error.
pub(crate) fn resolve_static(site: &Site<'_>) -> ResolveResult {
    let s = site;
    let st = Type::String;
    let (f, t, pat_idx, opt_idx) = match s.name {
        "IsMatch" if s.is_call("IsMatch", &[st, st]) => (RxFn::IsMatch, Type::Bool, 1, None),
        "IsMatch" if s.is_call("IsMatch", &[st, st, OPTS]) => {
            (RxFn::IsMatch, Type::Bool, 1, Some(2))
        }
        "Match" if s.is_call("Match", &[st, st]) => (RxFn::Match, Type::Match, 1, None),
        "Match" if s.is_call("Match", &[st, st, OPTS]) => (RxFn::Match, Type::Match, 1, Some(2)),
        "Replace" if s.is_call("Replace", &[st, st, st]) => (RxFn::Replace, st, 1, None),
        "Replace" if s.is_call("Replace", &[st, st, st, OPTS]) => (RxFn::Replace, st, 1, Some(3)),
        "Split" if s.is_call("Split", &[st, st]) => {
            (RxFn::Split, Type::Array(Elem::String), 1, None)
        }
        "Split" if s.is_call("Split", &[st, st, OPTS]) => {
            (RxFn::Split, Type::Array(Elem::String), 1, Some(2))
        }
        "Escape" if s.is_call("Escape", &[st]) => {
            return ok(Builtin::Regex(RxFn::Escape, None), st);
        }
        _ => return Ok(None),
    };
    let pattern = s
        .consts
        .get(pat_idx)
        .and_then(|c| c.as_ref())
        .and_then(Value::as_str);
    let options = match opt_idx {
        None => Some(0),
        Some(i) => s
            .consts
            .get(i)
            .and_then(|c| c.as_ref())
            .and_then(Value::as_int),
    };
    let pre = match (pattern, options) {
        (Some(p), Some(o)) => Some(Arc::new(build(p, o).map_err(|e| e.message)?)),
        _ => None,
    };
    ok(Builtin::Regex(f, pre), t)
}

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    let r = |f: RxFn, t: Type| ok(Builtin::Regex(f, None), t);
    let s = site;
    match (recv, s.name, s.args) {
        (Type::Match, "Success", None) => r(RxFn::MatchSuccess, Type::Bool),
        (Type::Match, "Value", None) => r(RxFn::MatchValue, Type::String),
        (Type::Match, "Index", None) => r(RxFn::MatchIndex, Type::Int),
        (Type::Match, "Groups", None) => r(RxFn::MatchGroups, Type::Groups),
        (Type::Groups, "Count", None) => r(RxFn::GroupsCount, Type::Int),
        (Type::Group, "Value", None) => r(RxFn::GroupValue, Type::String),
        (Type::Group, "Success", None) => r(RxFn::GroupSuccess, Type::Bool),
        (Type::Group, "Index", None) => r(RxFn::GroupIndex, Type::Int),
        (Type::Match | Type::Group, "ToString", Some([])) => r(RxFn::GroupValue, Type::String),
        _ => Ok(None),
    }
}

pub(crate) fn groups_index() -> Builtin {
    Builtin::Regex(RxFn::GroupsIndex, None)
}

fn match_of(v: &Value) -> Result<(&Arc<MatchData>, usize), EvalError> {
    match v {
        Value::Handle(crate::value::Handle(Obj::Match(m) | Obj::Groups(m))) => Ok((m, 0)),
        Value::Handle(crate::value::Handle(Obj::Group(m, i))) => Ok((m, *i)),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "Match")),
    }
}

pub(crate) fn call(
    f: RxFn,
    pre: Option<&fancy_regex::Regex>,
    recv: &Value,
    args: &[Value],
) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    if f.is_static() {
        if f == RxFn::Escape {
            return Ok(str_val(escape(a_str(arg(0))?)));
        }
        let input = a_str(arg(0))?;
        let built;
        let re = match pre {
            Some(r) => r,
            None => {
                let opt_idx = if f == RxFn::Replace { 3 } else { 2 };
                let opts = if args.len() > opt_idx {
                    a_int(arg(opt_idx))?
                } else {
                    0
                };
                built = build(a_str(arg(1))?, opts)?;
                &built
            }
        };
        return Ok(match f {
            RxFn::IsMatch => Value::Bool(is_match(re, input)?),
            RxFn::Match => Value::obj(Obj::Match(first_match(re, input)?)),
            RxFn::Replace => str_val(replace(re, input, a_str(arg(2))?)?),
            _ => Value::Array(split(re, input)?.into_iter().map(str_val).collect()),
        });
    }
    let (m, gi) = match_of(recv)?;
    let group = m.groups.get(gi).and_then(Option::as_ref);
    let idx = |g: Option<&(usize, String)>| {
        Value::Int(g.map_or(0, |(i, _)| i64::try_from(*i).unwrap_or(0)))
    };
    Ok(match f {
        RxFn::MatchSuccess => Value::Bool(m.success()),
        RxFn::GroupSuccess => Value::Bool(group.is_some()),
        RxFn::MatchValue | RxFn::GroupValue => str_val(m.group_text(gi)),
        RxFn::MatchIndex | RxFn::GroupIndex => idx(group),
        RxFn::MatchGroups => Value::obj(Obj::Groups(m.clone())),
        RxFn::GroupsCount => Value::Int(i64::try_from(m.groups.len()).unwrap_or(0)),
        RxFn::GroupsIndex => {
            let i = match arg(0) {
                Value::Int(i) => usize::try_from(*i).ok().filter(|i| *i < m.groups.len()),
                Value::String(name) => m.group_by_name(name),
                _ => None,
            };
            // .NET returns an unsuccessful empty group for unknown names/indices.
            Value::obj(Obj::Group(m.clone(), i.unwrap_or(usize::MAX)))
        }
        _ => Value::Null,
    })
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '*' | '+' | '?' | '|' | '{' | '[' | '(' | ')' | '^' | '$' | '.' | '#' | ' ' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotnet_replacement_syntax() {
        let re = build(r"(?<user>\w+)@(\w+)", 0).unwrap();
        assert_eq!(
            replace(&re, "a@b c@d", "${user} at $2 $$").unwrap(),
            "a at b $ c at d $"
        );
    }

    #[test]
    fn lookaround_and_options() {
        let re = build("(?<=x)abc", IGNORE_CASE).unwrap();
        assert!(is_match(&re, "xABC").unwrap());
        let m = first_match(&build(r"(\d+)-(?<n>\d+)", 0).unwrap(), "a 12-34").unwrap();
        assert!(m.success());
        assert_eq!(m.group_text(1), "12");
        assert_eq!(m.group_text(m.group_by_name("n").unwrap()), "34");
    }
}
