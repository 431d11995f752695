//! Route table: `(method, path)` → API, operation and matched template parameters.
//!
//! Paths are normalised *before* matching (percent-decoding of unreserved characters, `.` and
//! `..` segments resolved, empty segments collapsed) so `/api/../admin` is matched as `/admin`
//! and cannot reach one API through another's prefix. The gateway must forward the normalised
//! path, never the raw one. Literal segments compare ASCII-case-insensitively, as APIM does.

use std::cmp::Ordering;

/// Why a path cannot be routed at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// Not an absolute path.
    #[error("the path must start with '/'")]
    NotAbsolute,
    /// `..` would climb above the root.
    #[error("the path climbs above the root with '..'")]
    AboveRoot,
    /// Backslashes, control characters or a bad percent-escape.
    #[error("the path contains {0}")]
    Forbidden(&'static str),
}

/// Normalises a request path (without query) into its segments.
pub fn normalize_path(raw: &str) -> Result<Vec<String>, PathError> {
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

/// Decodes `%XX` escapes of unreserved characters (RFC 3986 §2.3) and upper-cases the hex of the
/// others, so equivalent spellings compare equal and `%2e%2e` is seen as `..`.
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
        // Copy the whole UTF-8 character.
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

/// One segment of a URL template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    /// Fixed text (compared case-insensitively).
    Literal(String),
    /// Literal and `{param}` parts within one segment, e.g. `{name}.{ext}` or `v{version}`.
    Pattern(Vec<Part>),
    /// `*` or `{*rest}` as the last segment: matches the rest (zero or more segments).
    Rest(Option<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(String),
    Param(String),
}

/// A parsed operation URL template (the query part of a template is ignored for matching).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate {
    segs: Vec<Seg>,
}

impl UrlTemplate {
    /// Parses `/users/{id}/orders` (the query part, if any, is dropped).
    pub fn parse(template: &str) -> Result<Self, String> {
        let path = template.split('?').next().unwrap_or_default();
        let mut segs = Vec::new();
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, s) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if *s == "*" || (s.starts_with("{*") && s.ends_with('}')) {
                if !last {
                    return Err(format!("wildcard '{s}' must be the last segment"));
                }
                let name = s
                    .strip_prefix("{*")
                    .and_then(|n| n.strip_suffix('}'))
                    .map(str::to_owned);
                segs.push(Seg::Rest(name));
                continue;
            }
            if !s.contains('{') {
                segs.push(Seg::Literal(
                    decode_unreserved(s).map_err(|e| e.to_string())?,
                ));
                continue;
            }
            let mut out = Vec::new();
            let mut rest = *s;
            while !rest.is_empty() {
                if let Some(after) = rest.strip_prefix('{') {
                    let end = after
                        .find('}')
                        .ok_or_else(|| format!("unclosed '{{' in '{s}'"))?;
                    let name = &after[..end];
                    if name.is_empty() || name.contains('{') {
                        return Err(format!("bad parameter in '{s}'"));
                    }
                    if matches!(out.last(), Some(Part::Param(_))) {
                        return Err(format!("two parameters without a separator in '{s}'"));
                    }
                    out.push(Part::Param(name.to_owned()));
                    rest = &after[end + 1..];
                } else {
                    let end = rest.find('{').unwrap_or(rest.len());
                    out.push(Part::Lit(rest[..end].to_owned()));
                    rest = &rest[end..];
                }
            }
            segs.push(Seg::Pattern(out));
        }
        Ok(Self { segs })
    }

    /// Matches normalised segments, returning the captured parameters.
    fn matches(&self, path: &[String]) -> Option<Vec<(String, String)>> {
        let mut params = Vec::new();
        for (i, seg) in self.segs.iter().enumerate() {
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
        (path.len() == self.segs.len()).then_some(params)
    }

    /// Specificity: more literal segments first, then fewer parameters, then no wildcard.
    fn rank(&self) -> (usize, usize, usize, usize) {
        let lits = self
            .segs
            .iter()
            .filter(|s| matches!(s, Seg::Literal(_)))
            .count();
        let patterns = self
            .segs
            .iter()
            .filter(|s| matches!(s, Seg::Pattern(_)))
            .count();
        let rest = self
            .segs
            .iter()
            .filter(|s| matches!(s, Seg::Rest(_)))
            .count();
        (
            lits,
            usize::MAX - patterns,
            usize::MAX - rest,
            self.segs.len(),
        )
    }
}

/// Matches one segment against literal and parameter parts; a parameter takes the shortest
/// non-empty text up to the next literal part.
fn match_pattern(parts: &[Part], seg: &str, params: &mut Vec<(String, String)>) -> Option<()> {
    let mut rest = seg;
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Lit(l) => {
                if rest.len() < l.len() || !rest[..l.len()].eq_ignore_ascii_case(l) {
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

/// A successful match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    /// API name (its folder name).
    pub api: &'a str,
    /// Operation name.
    pub operation: &'a str,
    /// Template parameters, in template order (`context.Request.MatchedParameters`).
    pub params: Vec<(String, String)>,
    /// The normalised path below the API prefix, starting with `/`.
    pub operation_path: String,
}

/// Why a request did not match.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The path is refused before matching.
    #[error(transparent)]
    Path(#[from] PathError),
    /// No API path is a prefix of the request path.
    #[error("no API matches the path")]
    ApiNotFound,
    /// An API matched but none of its operations (APIM's `OperationNotFound`).
    #[error("no operation of API '{0}' matches")]
    OperationNotFound(String),
}

/// `(operation name, method, template)`.
type OpRoute = (String, String, UrlTemplate);
type Params = Vec<(String, String)>;

#[derive(Clone, Debug)]
struct ApiRoutes {
    name: String,
    prefix: Vec<String>,
    ops: Vec<(String, String, UrlTemplate)>,
}

/// All routes of a configuration.
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    apis: Vec<ApiRoutes>,
}

impl RouteTable {
    /// Adds an API with its path prefix (e.g. `orders/v1`) and `(name, method, template)`
    /// operations.
    pub fn add_api(
        &mut self,
        name: &str,
        path: &str,
        ops: Vec<(String, String, UrlTemplate)>,
    ) -> Result<(), PathError> {
        let prefix = normalize_path(&format!("/{}", path.trim_start_matches('/')))?;
        self.apis.push(ApiRoutes {
            name: name.to_owned(),
            prefix,
            ops,
        });
        Ok(())
    }

    /// Finds the API and operation for a request. The API with the longest matching path prefix
    /// is tried; within it, the most specific template wins.
    pub fn route(&self, method: &str, path: &str) -> Result<RouteMatch<'_>, RouteError> {
        let segs = normalize_path(path)?;
        let mut candidates: Vec<&ApiRoutes> = self
            .apis
            .iter()
            .filter(|a| {
                a.prefix.len() <= segs.len()
                    && a.prefix
                        .iter()
                        .zip(&segs)
                        .all(|(p, s)| p.eq_ignore_ascii_case(s))
            })
            .collect();
        candidates.sort_by_key(|a| std::cmp::Reverse(a.prefix.len()));
        let api = candidates.first().ok_or(RouteError::ApiNotFound)?;
        let rest = &segs[api.prefix.len()..];
        let mut best: Option<(&OpRoute, Params)> = None;
        for op in &api.ops {
            if !op.1.eq_ignore_ascii_case(method) && op.1 != "*" {
                continue;
            }
            if let Some(params) = op.2.matches(rest) {
                let better = match &best {
                    None => true,
                    Some((b, _)) => op.2.rank().cmp(&b.2.rank()) == Ordering::Greater,
                };
                if better {
                    best = Some((op, params));
                }
            }
        }
        let (op, params) = best.ok_or_else(|| RouteError::OperationNotFound(api.name.clone()))?;
        Ok(RouteMatch {
            api: &api.name,
            operation: &op.0,
            params,
            operation_path: format!("/{}", rest.join("/")),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn table() -> RouteTable {
        let mut t = RouteTable::default();
        let op = |n: &str, m: &str, p: &str| {
            (n.to_owned(), m.to_owned(), UrlTemplate::parse(p).unwrap())
        };
        t.add_api(
            "users",
            "api",
            vec![
                op("get-user", "GET", "/users/{id}"),
                op("me", "GET", "/users/me"),
                op("file", "GET", "/files/{name}.{ext}"),
                op("any", "GET", "/static/*"),
            ],
        )
        .unwrap();
        t.add_api("admin", "admin", vec![op("root", "GET", "/")])
            .unwrap();
        t.add_api("admin-v2", "admin/v2", vec![op("x", "POST", "/x")])
            .unwrap();
        t
    }

    #[test]
    fn most_specific_template_wins() {
        let t = table();
        assert_eq!(t.route("GET", "/api/users/me").unwrap().operation, "me");
        let m = t.route("get", "/API/Users/42").unwrap();
        assert_eq!(
            (m.operation, m.params.clone()),
            ("get-user", vec![("id".into(), "42".into())])
        );
        let m = t.route("GET", "/api/files/report.tar.gz").unwrap();
        assert_eq!(
            m.params,
            vec![
                ("name".into(), "report".into()),
                ("ext".into(), "tar.gz".into())
            ]
        );
        assert_eq!(t.route("GET", "/api/static/a/b").unwrap().operation, "any");
    }

    #[test]
    fn longest_api_prefix_wins_and_misses_are_typed() {
        let t = table();
        assert_eq!(t.route("POST", "/admin/v2/x").unwrap().api, "admin-v2");
        assert_eq!(t.route("GET", "/admin").unwrap().operation, "root");
        assert_eq!(t.route("GET", "/nope"), Err(RouteError::ApiNotFound));
        assert_eq!(
            t.route("DELETE", "/api/users/1"),
            Err(RouteError::OperationNotFound("users".into()))
        );
    }

    #[test]
    fn dot_segments_cannot_bypass_prefixes() {
        let t = table();
        let m = t.route("GET", "/api/../admin").unwrap();
        assert_eq!((m.api, m.operation), ("admin", "root"));
        let m = t.route("GET", "/api/%2e%2E/admin//").unwrap();
        assert_eq!(m.api, "admin");
        assert_eq!(
            t.route("GET", "/api/../../admin"),
            Err(RouteError::Path(PathError::AboveRoot))
        );
        assert!(matches!(
            t.route("GET", "/api\\..\\admin"),
            Err(RouteError::Path(_))
        ));
        assert!(matches!(
            t.route("GET", "/api/%5c"),
            Err(RouteError::Path(_))
        ));
        assert_eq!(
            normalize_path("/a/%7euser/%2f").unwrap(),
            ["a", "~user", "%2F"]
        );
    }

    proptest! {
        #[test]
        fn normalized_paths_have_no_dot_or_empty_segments(raw in "(/(\\.|\\.\\.|%2[eE]|[a-z]{0,3}|%41)){0,8}") {
            if let Ok(segs) = normalize_path(&raw) {
                prop_assert!(segs.iter().all(|s| !s.is_empty() && s != "." && s != ".."));
                // Normalising is idempotent.
                let again = normalize_path(&format!("/{}", segs.join("/"))).unwrap();
                prop_assert_eq!(again, segs);
            }
        }

        #[test]
        fn a_param_template_matches_any_single_segment(seg in "[A-Za-z0-9._~-]{1,12}") {
            prop_assume!(seg != "." && seg != "..");
            let t = UrlTemplate::parse("/items/{id}").unwrap();
            let segs = normalize_path(&format!("/items/{seg}")).unwrap();
            prop_assert_eq!(t.matches(&segs), Some(vec![("id".to_owned(), seg.clone())]));
        }

        #[test]
        fn routing_never_escapes_the_matched_prefix(tail in "(/(\\.\\.|[a-z]{1,3})){0,6}") {
            let t = table();
            if let Ok(m) = t.route("GET", &format!("/api{tail}")) {
                // Whatever matched, the normalised path really starts with that API's prefix.
                let segs = normalize_path(&format!("/api{tail}")).unwrap();
                let prefix = if m.api == "users" { "api" } else { "admin" };
                prop_assert!(segs.first().is_some_and(|s| s == prefix));
            }
        }
    }
}
