//! The route table as it was before it was made allocation-lean (owned segment lists, a
//! candidate list, parameters captured for every matching operation), kept as the reference
//! the lean one must agree with. Verbatim apart from one fix: a literal part compared against
//! a multi-byte character used to panic on slicing; it now simply does not match, as the
//! lean code does.

use std::cmp::Ordering;

use proptest::prelude::*;

use super::{Part, PathError, RouteError, RouteMatch, RouteTable, Seg, UrlTemplate};

type OpRoute = (String, String, UrlTemplate);
type Params = Vec<(String, String)>;

fn normalize_path(raw: &str) -> Result<Vec<String>, PathError> {
    if !raw.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    let mut out: Vec<String> = Vec::new();
    for seg in raw.split('/') {
        let seg = decode_unreserved(seg)?;
        match seg.as_str() {
            "" | "." => {}
            ".." => {
                if out.pop().is_none() {
                    return Err(PathError::AboveRoot);
                }
            }
            _ => out.push(seg),
        }
    }
    Ok(out)
}

fn decode_unreserved(seg: &str) -> Result<String, PathError> {
    let b = seg.as_bytes();
    let mut out = String::with_capacity(seg.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            return Err(PathError::Forbidden("a backslash"));
        }
        if c.is_ascii_control() {
            return Err(PathError::Forbidden("a control character"));
        }
        if c == b'%' {
            let hex = seg
                .get(i + 1..i + 3)
                .ok_or(PathError::Forbidden("a bad percent-escape"))?;
            let v = u8::from_str_radix(hex, 16)
                .map_err(|_| PathError::Forbidden("a bad percent-escape"))?;
            if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(v));
            } else if v == b'\\' || v.is_ascii_control() {
                return Err(PathError::Forbidden(
                    "an encoded backslash or control character",
                ));
            } else {
                out.push('%');
                out.push_str(&hex.to_ascii_uppercase());
            }
            i += 3;
            continue;
        }
        let len = utf8_len(c);
        out.push_str(seg.get(i..i + len).unwrap_or_default());
        i += len;
    }
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn matches(t: &UrlTemplate, path: &[String]) -> Option<Params> {
    let mut params = Vec::new();
    for (i, seg) in t.segs.iter().enumerate() {
        match seg {
            Seg::Rest(name) => {
                if let Some(n) = name {
                    params.push((n.clone(), path.get(i..).unwrap_or_default().join("/")));
                }
                return Some(params);
            }
            Seg::Literal(l) => {
                if !path.get(i)?.eq_ignore_ascii_case(l) {
                    return None;
                }
            }
            Seg::Pattern(parts) => match_pattern(parts, path.get(i)?, &mut params)?,
        }
    }
    (path.len() == t.segs.len()).then_some(params)
}

fn rank(t: &UrlTemplate) -> (usize, usize, usize, usize) {
    let lits = t
        .segs
        .iter()
        .filter(|s| matches!(s, Seg::Literal(_)))
        .count();
    let patterns = t
        .segs
        .iter()
        .filter(|s| matches!(s, Seg::Pattern(_)))
        .count();
    let rest = t.segs.iter().filter(|s| matches!(s, Seg::Rest(_))).count();
    (lits, usize::MAX - patterns, usize::MAX - rest, t.segs.len())
}

fn match_pattern(parts: &[Part], seg: &str, params: &mut Params) -> Option<()> {
    let mut rest = seg;
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Lit(l) => {
                // The one change: `!rest[..l.len()].eq_ignore_ascii_case(l)` panicked when
                // `l.len()` fell inside a multi-byte character.
                if rest.len() < l.len()
                    || !rest
                        .get(..l.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(l))
                {
                    return None;
                }
                rest = &rest[l.len()..];
            }
            Part::Param(name) => {
                let end = match parts.get(i + 1) {
                    Some(Part::Lit(next)) => rest.get(1..)?.find(next.as_str()).map(|n| n + 1)?,
                    _ => rest.len(),
                };
                if end == 0 {
                    return None;
                }
                params.push((name.clone(), rest[..end].to_owned()));
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty().then_some(())
}

#[derive(Default)]
struct Table {
    apis: Vec<(String, Vec<String>, Vec<OpRoute>)>,
}

impl Table {
    fn add_api(&mut self, name: &str, path: &str, ops: Vec<OpRoute>) -> Result<(), PathError> {
        let prefix = normalize_path(&format!("/{}", path.trim_start_matches('/')))?;
        self.apis.push((name.to_owned(), prefix, ops));
        Ok(())
    }

    fn route(&self, method: &str, path: &str) -> Result<RouteMatch<'_>, RouteError> {
        let segs = normalize_path(path)?;
        let mut candidates: Vec<_> = self
            .apis
            .iter()
            .filter(|a| {
                a.1.len() <= segs.len()
                    && a.1
                        .iter()
                        .zip(&segs)
                        .all(|(p, s)| p.eq_ignore_ascii_case(s))
            })
            .collect();
        candidates.sort_by_key(|a| std::cmp::Reverse(a.1.len()));
        let api = candidates.first().ok_or(RouteError::ApiNotFound)?;
        let rest = &segs[api.1.len()..];
        let mut best: Option<(&OpRoute, Params)> = None;
        for op in &api.2 {
            if !op.1.eq_ignore_ascii_case(method) && op.1 != "*" {
                continue;
            }
            if let Some(params) = matches(&op.2, rest) {
                let better = match &best {
                    None => true,
                    Some((b, _)) => rank(&op.2).cmp(&rank(&b.2)) == Ordering::Greater,
                };
                if better {
                    best = Some((op, params));
                }
            }
        }
        let (op, params) = best.ok_or_else(|| RouteError::OperationNotFound(api.0.clone()))?;
        Ok(RouteMatch {
            api: &api.0,
            operation: &op.0,
            params,
            operation_path: format!("/{}", rest.join("/")),
        })
    }
}

/// Path segments, raw: every kind of normalisation, case variants of the table's literals,
/// multi-byte characters next to template literals, escapes that change or keep a segment.
const PATH_WORDS: &[&str] = &[
    "",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "%2E.",
    "api",
    "API",
    "%41pi",
    "%61PI",
    "admin",
    "v2",
    "V2",
    "users",
    "Users",
    "me",
    "42",
    "files",
    "report.tar.gz",
    "a.b",
    "a-b",
    "-b",
    "x1y",
    "xy",
    "v1",
    "vé",
    "é",
    "éx",
    "é.txt",
    ".txt",
    "a%2eb",
    "%2f",
    "%2F",
    "%20",
    "%7e",
    "static",
    "x",
    "~u",
];

/// Segments every path containing them is refused for, in several kinds (the first one in a
/// path decides the error).
const BAD_WORDS: &[&str] = &[
    "%5c", "%5C", "%zz", "%", "%4", "%+1", "%é1", "%0a", "a\\b", "a\u{1}", "\t", "\u{7f}",
];

fn raw_path() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        30 => prop::sample::select(PATH_WORDS),
        1 => prop::sample::select(BAD_WORDS),
    ];
    (
        prop::bool::weighted(0.97),
        prop::collection::vec(word, 0..8),
    )
        .prop_map(|(absolute, words)| {
            let p = words.join("/");
            if absolute { format!("/{p}") } else { p }
        })
}

fn prefix() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(&["api", "API", "%41pi", "admin", "v2", "x", "..", ".", ""][..]),
        0..3,
    )
    .prop_map(|w| w.join("/"))
}

fn template() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "users",
        "USERS",
        "me",
        "{id}",
        "{name}.{ext}",
        "v{v}",
        "{a}-{b}",
        "x{a}y",
        "*",
        "{*rest}",
        "files",
        "a.b",
        "%41pi",
        "é",
        "{p}é",
        "é{p}",
        "{p}.txt",
        "static",
        "v2",
        "{id}?q={q}",
    ];
    prop::collection::vec(prop::sample::select(WORDS), 0..4)
        .prop_map(|w| format!("/{}", w.join("/")))
}

type ApiSpec = (String, Vec<(String, String)>);

fn apis() -> impl Strategy<Value = Vec<ApiSpec>> {
    let op = (
        prop::sample::select(&["GET", "get", "POST", "*"][..]),
        template(),
    )
        .prop_map(|(m, t)| (m.to_owned(), t));
    prop::collection::vec((prefix(), prop::collection::vec(op, 0..6)), 1..5)
}

/// A request path aimed at one operation: the API prefix, then the template with its
/// parameters and wildcard filled from `seed`, so that most of these reach matching.
fn aimed_at(prefix: &str, template: &str, seed: usize) -> String {
    const FILL: &[&str] = &[
        "42",
        "a.b",
        "é",
        "x1y",
        "report.tar.gz",
        "a-b",
        "é.txt",
        "v",
        "a/b",
        "",
        "me",
        "%2e",
    ];
    let template = template.split('?').next().unwrap_or_default();
    let mut out = format!("/{prefix}");
    let mut k = seed;
    for part in template.split('{') {
        match part.split_once('}') {
            Some((_, lit)) => {
                out.push_str(FILL[k % FILL.len()]);
                k = k / FILL.len() + 1;
                out.push_str(lit);
            }
            None => out.push_str(part),
        }
    }
    out.replace('*', FILL[k % FILL.len()])
}

fn build(specs: &[ApiSpec]) -> (RouteTable, Table) {
    let mut lean = RouteTable::default();
    let mut old = Table::default();
    for (i, (path, ops)) in specs.iter().enumerate() {
        let ops: Vec<OpRoute> = ops
            .iter()
            .enumerate()
            .filter_map(|(j, (m, t))| {
                Some((format!("op{j}"), m.clone(), UrlTemplate::parse(t).ok()?))
            })
            .collect();
        let name = format!("api{i}");
        let a = lean.add_api(&name, path, ops.clone());
        let b = old.add_api(&name, path, ops);
        assert_eq!(a, b, "add_api('{path}')");
    }
    (lean, old)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn segment_decoding_agrees(seg in "([a-zA-Z0-9.~_%\\\\\t-]|%[0-9a-fA-F+é]{0,2}|\\PC){0,6}") {
        prop_assert_eq!(
            super::decode_unreserved(&seg).map(std::borrow::Cow::into_owned),
            decode_unreserved(&seg)
        );
    }

    #[test]
    fn normalisation_agrees(raw in raw_path()) {
        let old = normalize_path(&raw);
        prop_assert_eq!(super::normalize_path(&raw), old.clone());
        // The one-string form splits back into the same segments.
        let joined = old.map(|s| s.iter().map(|s| format!("/{s}")).collect::<String>());
        prop_assert_eq!(super::normalize(&raw).map(std::borrow::Cow::into_owned), joined);
    }

    #[test]
    fn normalisation_agrees_on_any_text(raw in "/?\\PC{0,16}") {
        prop_assert_eq!(super::normalize_path(&raw), normalize_path(&raw));
    }

    #[test]
    fn routing_agrees(
        specs in apis(),
        requests in prop::collection::vec(
            (prop::sample::select(&["GET", "get", "POST", "DELETE"][..]), raw_path()),
            1..12,
        ),
        seed in any::<usize>(),
    ) {
        let (lean, old) = build(&specs);
        for (method, path) in &requests {
            prop_assert_eq!(lean.route(method, path), old.route(method, path), "{} {}", method, path);
        }
        for (i, (prefix, ops)) in specs.iter().enumerate() {
            for (j, (_, template)) in ops.iter().enumerate() {
                let path = aimed_at(prefix, template, seed.wrapping_add(i * 7 + j));
                let method = requests[(i + j) % requests.len()].0;
                prop_assert_eq!(lean.route(method, &path), old.route(method, &path), "{} {}", method, path);
            }
        }
    }
}

/// Hand-picked cases where the precedence rules decide, so they do not rely on the random
/// search finding them.
#[test]
fn routing_agrees_on_precedence_cases() {
    let op = |m: &str, t: &str| (m.to_owned(), t.to_owned());
    let specs: Vec<ApiSpec> = vec![
        (
            "api".into(),
            vec![op("GET", "/{id}"), op("GET", "/*"), op("*", "/me")],
        ),
        ("API".into(), vec![op("GET", "/me")]),
        (
            "api/v2".into(),
            vec![op("GET", "/{a}-{b}"), op("GET", "/{x}")],
        ),
        ("".into(), vec![op("GET", "/{*rest}"), op("GET", "/")]),
        ("api/v2".into(), vec![op("GET", "/x")]),
    ];
    let (lean, old) = build(&specs);
    for path in [
        "/",
        "",
        "/api",
        "/api/me",
        "/API/ME",
        "/api/42",
        "/api/v2/a-b",
        "/api/v2/x",
        "/api/v2",
        "/api/v2/",
        "/other/a/b",
        "/api/%2e%2e/api/v2/-",
        "/api/v2/é-b",
        "/%41PI/me/",
    ] {
        for method in ["GET", "POST", "get"] {
            assert_eq!(
                lean.route(method, path),
                old.route(method, path),
                "{method} {path}"
            );
        }
    }
}
