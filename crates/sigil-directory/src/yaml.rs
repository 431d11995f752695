//! A located YAML tree and a schema reader that collects every error.
//!
//! Why not derive `Deserialize` for the document types: serde stops at the first error, and
//! `sigil apply` must report all of them (unknown fields, bad GUIDs, wrong types), each with
//! file, line and field. So the text is parsed once by `serde-saphyr` (the workspace's YAML
//! crate: pure Rust, panic-free, with input budgets against alias bombs) into a generic tree
//! whose every node carries its line and column (`serde_saphyr::Spanned` gives them), and the
//! schema is then walked by hand with [`Reader`], which records errors and carries on.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use uuid::Uuid;

use crate::ApplyError;

/// Line and column (1-based) of a node; 0 when unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) col: u32,
}

/// A position plus the field path leading to it: everything an [`ApplyError`] needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) pos: Pos,
    pub(crate) path: String,
}

/// A value read from the document together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct At<T> {
    pub(crate) value: T,
    pub(crate) loc: Loc,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i128),
    Float,
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) pos: Pos,
    pub(crate) kind: Kind,
}

/// Parses YAML text into a located tree. Syntax errors come back located.
pub(crate) fn parse(file: &str, text: &str) -> Result<Node, ApplyError> {
    let mut options = serde_saphyr::Options::default();
    // One-line messages: the located `file:line:col` prefix is ours.
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| {
        let (line, col) = e
            .location()
            .map(|l| (clamp(l.line()), clamp(l.column())))
            .unwrap_or((0, 0));
        let message = strip_location_prefix(&e.to_string());
        ApplyError {
            file: file.to_owned(),
            line,
            column: col,
            field_path: "(document)".to_owned(),
            message,
        }
    })
}

fn clamp(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// serde-saphyr prefixes messages with "error: line N column M: "; we print our own location.
fn strip_location_prefix(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    if let Some(rest) = first.strip_prefix("line ") {
        if let Some((_, tail)) = rest.split_once(": ") {
            return tail.to_owned();
        }
    }
    first.to_owned()
}

// === impl Node (Deserialize) ===

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        let _ = v;
        Ok(Kind::Float)
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Kind, E> {
        Err(E::custom(format!(
            "unexpected binary value ({} bytes)",
            v.len()
        )))
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = a.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = a.next_entry::<Node, Node>()? {
            entries.push(entry);
        }
        Ok(Kind::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Kind>::deserialize(d)?;
        Ok(Node {
            pos: Pos {
                line: clamp(s.referenced.line()),
                col: clamp(s.referenced.column()),
            },
            kind: s.value,
        })
    }
}

impl Node {
    fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

// === Reader ===

/// Walks the tree, collecting errors instead of stopping at the first one.
#[derive(Debug)]
pub(crate) struct Reader {
    pub(crate) file: String,
    pub(crate) errors: Vec<ApplyError>,
}

/// The fields of one mapping, after unknown keys were reported.
#[derive(Debug)]
pub(crate) struct Fields<'n> {
    pub(crate) loc: Loc,
    entries: Vec<(&'n str, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, or `None` when absent or `null` (YAML `key:` with nothing after it).
    pub(crate) fn get(&self, key: &str) -> Option<(&'n Node, String)> {
        self.entries
            .iter()
            .find(|(k, v)| *k == key && !matches!(v.kind, Kind::Null))
            .map(|(_, v)| (*v, join(&self.loc.path, key)))
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Reader {
    pub(crate) fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            errors: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, loc: &Loc, message: impl Into<String>) {
        self.errors.push(located(&self.file, loc, message));
    }

    fn error_at(&mut self, node: &Node, path: &str, message: impl Into<String>) {
        let loc = Loc {
            pos: node.pos,
            path: path.to_owned(),
        };
        self.error(&loc, message);
    }

    /// Opens a mapping and reports every key not in `allowed` (serde's `deny_unknown_fields`,
    /// but all at once).
    pub(crate) fn fields<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let Kind::Map(entries) = &node.kind else {
            self.error_at(
                node,
                path,
                format!("expected a mapping, found {}", node.type_name()),
            );
            return None;
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Kind::Str(key) = &k.kind else {
                self.error_at(
                    k,
                    path,
                    format!("keys must be strings, found {}", k.type_name()),
                );
                continue;
            };
            if allowed.contains(&key.as_str()) {
                out.push((key.as_str(), v));
            } else {
                let hint = closest(key, allowed)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.error_at(
                    k,
                    &join(path, key),
                    format!(
                        "unknown field `{key}`{hint}; expected one of: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        Some(Fields {
            loc: Loc {
                pos: node.pos,
                path: path.to_owned(),
            },
            entries: out,
        })
    }

    /// The items of a list, each with its indexed path.
    pub(crate) fn list<'n>(&mut self, node: &'n Node, path: &str) -> Vec<(&'n Node, String)> {
        match &node.kind {
            Kind::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| (n, format!("{path}[{i}]")))
                .collect(),
            _ => {
                self.error_at(
                    node,
                    path,
                    format!("expected a list, found {}", node.type_name()),
                );
                Vec::new()
            }
        }
    }

    /// A string. Integers and booleans are accepted and turned into their text, because YAML
    /// readers routinely write `displayName: 2024` without quotes.
    pub(crate) fn string(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let value = match &node.kind {
            Kind::Str(s) => s.clone(),
            Kind::Int(i) => i.to_string(),
            Kind::Bool(b) => b.to_string(),
            _ => {
                self.error_at(
                    node,
                    path,
                    format!("expected a string, found {}", node.type_name()),
                );
                return None;
            }
        };
        Some(at(value, node, path))
    }

    /// A non-empty string without leading or trailing white space.
    pub(crate) fn name(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let s = self.string(node, path)?;
        if s.value.trim().is_empty() {
            self.error(&s.loc, "must not be empty");
            return None;
        }
        if s.value.trim() != s.value {
            self.error(&s.loc, "must not start or end with white space");
            return None;
        }
        Some(s)
    }

    pub(crate) fn strings(&mut self, node: &Node, path: &str) -> Vec<At<String>> {
        let items = self.list(node, path);
        items
            .into_iter()
            .filter_map(|(n, p)| self.name(n, &p))
            .collect()
    }

    pub(crate) fn boolean(&mut self, node: &Node, path: &str) -> Option<At<bool>> {
        match node.kind {
            Kind::Bool(b) => Some(at(b, node, path)),
            _ => {
                self.error_at(
                    node,
                    path,
                    format!("expected true or false, found {}", node.type_name()),
                );
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, node: &Node, path: &str) -> Option<At<i128>> {
        match node.kind {
            Kind::Int(i) => Some(at(i, node, path)),
            _ => {
                self.error_at(
                    node,
                    path,
                    format!("expected an integer, found {}", node.type_name()),
                );
                None
            }
        }
    }

    pub(crate) fn uuid(&mut self, node: &Node, path: &str) -> Option<At<Uuid>> {
        let s = self.string(node, path)?;
        match parse_guid(&s.value) {
            Some(u) => Some(At {
                value: u,
                loc: s.loc,
            }),
            None => {
                self.error(
                    &s.loc,
                    format!(
                        "`{}` is not a GUID (expected the form 00000000-0000-0000-0000-000000000000)",
                        s.value
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn datetime(&mut self, node: &Node, path: &str) -> Option<At<time::OffsetDateTime>> {
        let s = self.string(node, path)?;
        match parse_datetime(&s.value) {
            Some(t) => Some(At {
                value: t,
                loc: s.loc,
            }),
            None => {
                self.error(
                    &s.loc,
                    format!(
                        "`{}` is not a date (expected RFC 3339, e.g. 2027-12-31T00:00:00Z, or 2027-12-31)",
                        s.value
                    ),
                );
                None
            }
        }
    }
}

pub(crate) fn located(file: &str, loc: &Loc, message: impl Into<String>) -> ApplyError {
    ApplyError {
        file: file.to_owned(),
        line: loc.pos.line,
        column: loc.pos.col,
        field_path: loc.path.clone(),
        message: message.into(),
    }
}

fn at<T>(value: T, node: &Node, path: &str) -> At<T> {
    At {
        value,
        loc: Loc {
            pos: node.pos,
            path: path.to_owned(),
        },
    }
}

/// GUIDs in the hyphenated form only (Graph never writes the braced or simple forms).
pub(crate) fn parse_guid(s: &str) -> Option<Uuid> {
    if s.len() != 36 {
        return None;
    }
    Uuid::try_parse(s).ok()
}

/// RFC 3339 (`2027-12-31T00:00:00Z`) or a plain date (midnight UTC).
pub(crate) fn parse_datetime(s: &str) -> Option<time::OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.to_offset(time::UtcOffset::UTC));
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

/// The allowed key nearest to a misspelt one (case-insensitive match or edit distance ≤ 2).
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lower = key.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| (a, edit_distance(&lower, &a.to_ascii_lowercase())))
        .filter(|(_, d)| *d <= 2)
        .min_by_key(|(_, d)| *d)
        .map(|(a, _)| *a)
}

/// Levenshtein distance; keys are short, so the quadratic table is fine. Hand-written because
/// it is ten lines and a crate for it would be the only reason to add a dependency.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_lines_and_columns() {
        let n = parse("f.yaml", "a:\n  - b: 1\n    c: x\n").unwrap();
        let Kind::Map(m) = &n.kind else { panic!() };
        let Kind::Seq(s) = &m[0].1.kind else { panic!() };
        let Kind::Map(inner) = &s[0].kind else {
            panic!()
        };
        assert_eq!(inner[1].1.pos, Pos { line: 3, col: 8 });
    }

    #[test]
    fn syntax_errors_are_located_on_one_line() {
        let e = parse("f.yaml", "a: [1,\n b: 2").unwrap_err();
        assert_eq!((e.line, e.column), (1, 4));
        assert!(!e.message.contains('\n'));
        assert!(!e.message.starts_with("line"), "{}", e.message);
        let e = parse("f.yaml", "a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }

    #[test]
    fn unknown_fields_are_all_reported_with_a_suggestion() {
        let n = parse("f.yaml", "displayname: x\nfoo: 1\nappId: y\n").unwrap();
        let mut r = Reader::new("f.yaml");
        let f = r.fields(&n, "app", &["displayName", "appId"]).unwrap();
        assert!(f.get("appId").is_some());
        assert_eq!(r.errors.len(), 2);
        assert_eq!(r.errors[0].field_path, "app.displayname");
        assert!(r.errors[0].message.contains("did you mean `displayName`"));
        assert_eq!(r.errors[1].line, 2);
    }

    #[test]
    fn dates_and_guids() {
        assert!(parse_datetime("2027-12-31T00:00:00Z").is_some());
        assert!(parse_datetime("2027-12-31").is_some());
        assert!(parse_datetime("2027-02-30").is_none());
        assert!(parse_guid("11111111-1111-1111-1111-111111111111").is_some());
        assert!(parse_guid("11111111111111111111111111111111").is_none());
        assert!(parse_guid("{11111111-1111-1111-1111-111111111111}").is_none());
    }
}
