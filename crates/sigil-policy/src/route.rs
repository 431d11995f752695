//! Route table: `(method, path)` → API, operation and matched template parameters.
//!
//! Paths are normalised *before* matching (percent-decoding of unreserved characters, `.` and
//! `..` segments resolved, empty segments collapsed) so `/api/../admin` is matched as `/admin`
//! and cannot reach one API through another's prefix. The gateway must forward the normalised
//! path, never the raw one. Literal segments compare ASCII-case-insensitively, as APIM does.
//!
//! `route` runs on every gateway request, so it works on the normalised path as one string
//! (`/seg/seg`, borrowed from the request whenever normalising changes nothing) rather than a
//! list of owned segments. It allocates what it returns (`operation_path`, the winning
//! operation's parameters, the API name of `OperationNotFound`) and, only for a path that
//! normalising changes, a copy of that path.

use std::borrow::Cow;

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
    Ok(segments(&normalize(raw)?).map(str::to_owned).collect())
}

/// Normalises a request path (without query) into `/seg/seg` form: segments decoded, `.`, `..`
/// and empty ones resolved, the root as `""`. Decoded segments never contain `/` (`%2F` stays
/// encoded), so this string splits back into exactly the segments of [`normalize_path`].
fn normalize(raw: &str) -> Result<Cow<'_, str>, PathError> {
    if !raw.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    // While `owned` is `None` the result so far is `raw[..end]`: it stays so as long as every
    // kept segment is unchanged by decoding and directly follows the previous one, which is
    // what almost every request looks like.
    let mut owned: Option<String> = None;
    let mut end = 0;
    // Segments are found with a byte scan rather than `split('/')`: its char searcher costs
    // more than the whole scan on paths this short.
    let mut start = 0;
    while start <= raw.len() {
        let len = slash_at(&raw[start..]);
        let seg = &raw[start..start + len];
        let decoded = decode_unreserved(seg)?;
        match decoded.as_bytes() {
            [] | [b'.'] => {}
            [b'.', b'.'] => {
                let so_far = owned.as_deref().unwrap_or(&raw[..end]);
                let cut = so_far.rfind('/').ok_or(PathError::AboveRoot)?;
                match &mut owned {
                    Some(o) => o.truncate(cut),
                    None => end = cut,
                }
            }
            _ => match (&mut owned, decoded) {
                (None, Cow::Borrowed(_)) if start == end + 1 => end = start + len,
                (o, decoded) => {
                    // Never longer than `raw`: decoding only shortens, and only dropped
                    // segments lose their `/`. Sized once, it is never grown.
                    let o = o.get_or_insert_with(|| {
                        let mut o = String::with_capacity(raw.len());
                        o.push_str(&raw[..end]);
                        o
                    });
                    o.push('/');
                    o.push_str(&decoded);
                }
            },
        }
        start += len + 1;
    }
    Ok(owned.map_or(Cow::Borrowed(&raw[..end]), Cow::Owned))
}

/// The segments of a normalised path (`""` has none).
fn segments(normalized: &str) -> impl Iterator<Item = &str> {
    normalized.split('/').skip(1)
}

/// The index of the first `/` in `s`, or its length.
fn slash_at(s: &str) -> usize {
    s.bytes().position(|c| c == b'/').unwrap_or(s.len())
}

/// Takes the first segment off a normalised path (or a suffix of one starting at a `/`).
fn next_segment<'p>(path: &mut &'p str) -> Option<&'p str> {
    let after = path.strip_prefix('/')?;
    let (seg, tail) = after.split_at(slash_at(after));
    *path = tail;
    Some(seg)
}

/// Decodes `%XX` escapes of unreserved characters (RFC 3986 §2.3) and upper-cases the hex of the
/// others, so equivalent spellings compare equal and `%2e%2e` is seen as `..`. Borrows `seg`
/// when that changes nothing.
fn decode_unreserved(seg: &str) -> Result<Cow<'_, str>, PathError> {
    let b = seg.as_bytes();
    // `None` until an escape changes something; then `out` holds the decoded `seg[..copied]`,
    // and unchanged text is copied a run at a time rather than character by character.
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    // Byte by byte: bytes of multi-byte characters are never `\`, `%` or ASCII controls.
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            return Err(PathError::Forbidden("a backslash"));
        }
        if c.is_ascii_control() {
            return Err(PathError::Forbidden("a control character"));
        }
        if c != b'%' {
            i += 1;
            continue;
        }
        let hex = seg
            .get(i + 1..i + 3)
            .ok_or(PathError::Forbidden("a bad percent-escape"))?;
        let v = u8::from_str_radix(hex, 16)
            .map_err(|_| PathError::Forbidden("a bad percent-escape"))?;
        let unreserved = v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~');
        if !unreserved && (v == b'\\' || v.is_ascii_control()) {
            return Err(PathError::Forbidden(
                "an encoded backslash or control character",
            ));
        }
        if unreserved || hex.bytes().any(|h| h.is_ascii_lowercase()) {
            let o = out.get_or_insert_with(|| String::with_capacity(seg.len()));
            o.push_str(&seg[copied..i]);
            if unreserved {
                o.push(char::from(v));
            } else {
                o.push('%');
                o.extend(hex.bytes().map(|h| char::from(h.to_ascii_uppercase())));
            }
            copied = i + 3;
        }
        i += 3;
    }
    Ok(match out {
        None => Cow::Borrowed(seg),
        Some(mut o) => {
            o.push_str(&seg[copied..]);
            Cow::Owned(o)
        }
    })
}

/// `eq_ignore_ascii_case`, folding case only for bytes that differ: requests mostly spell
/// paths and methods as configured, and folding every byte costs several times more (so does
/// a `memcmp` call on strings this short).
fn eq_nocase(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || x.eq_ignore_ascii_case(y))
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

/// Specificity, greater is more specific: more literal segments, then fewer patterns, then no
/// wildcard, then more segments.
type Rank = (usize, usize, usize, usize);

/// A parsed operation URL template (the query part of a template is ignored for matching).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate {
    segs: Vec<Seg>,
    /// Computed once from `segs`: compared for every candidate operation of every request.
    rank: Rank,
    /// Parameters captured by a match, to size the list once.
    params: usize,
    /// Segments a matching path has: exactly `segs.len()`, or at least one fewer with a
    /// trailing wildcard. Checked before matching, which rules most templates out at once.
    has_rest: bool,
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
                    decode_unreserved(s)
                        .map_err(|e| e.to_string())?
                        .into_owned(),
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
        Ok(Self {
            rank: rank(&segs),
            has_rest: matches!(segs.last(), Some(Seg::Rest(_))),
            params: segs
                .iter()
                .map(|s| match s {
                    Seg::Literal(_) => 0,
                    Seg::Pattern(parts) => {
                        parts.iter().filter(|p| matches!(p, Part::Param(_))).count()
                    }
                    Seg::Rest(name) => usize::from(name.is_some()),
                })
                .sum(),
            segs,
        })
    }

    /// Whether a path of `depth` segments can match at all (implied by [`Self::matches`]).
    fn fits(&self, depth: usize) -> bool {
        if self.has_rest {
            depth + 1 >= self.segs.len()
        } else {
            depth == self.segs.len()
        }
    }

    /// Matches a normalised path (`/seg/seg`, `""` for none), pushing the captured parameters
    /// to `params` if given. Routing first finds the winner without capturing anything, then
    /// captures only the winner's parameters.
    fn matches(&self, path: &str, mut params: Option<&mut Params>) -> bool {
        let mut rest = path;
        for seg in &self.segs {
            match seg {
                Seg::Rest(name) => {
                    if let (Some(n), Some(p)) = (name, params) {
                        p.push((n.clone(), rest.strip_prefix('/').unwrap_or(rest).to_owned()));
                    }
                    return true;
                }
                Seg::Literal(l) => {
                    if !next_segment(&mut rest)
                        .is_some_and(|s| eq_nocase(s.as_bytes(), l.as_bytes()))
                    {
                        return false;
                    }
                }
                Seg::Pattern(parts) => {
                    let Some(s) = next_segment(&mut rest) else {
                        return false;
                    };
                    if !match_pattern(parts, s, params.as_deref_mut()) {
                        return false;
                    }
                }
            }
        }
        rest.is_empty()
    }
}

fn rank(segs: &[Seg]) -> Rank {
    let count = |f: fn(&Seg) -> bool| segs.iter().filter(|s| f(s)).count();
    (
        count(|s| matches!(s, Seg::Literal(_))),
        usize::MAX - count(|s| matches!(s, Seg::Pattern(_))),
        usize::MAX - count(|s| matches!(s, Seg::Rest(_))),
        segs.len(),
    )
}

/// Matches one segment against literal and parameter parts; a parameter takes the shortest
/// non-empty text up to the next literal part.
fn match_pattern(parts: &[Part], seg: &str, mut params: Option<&mut Params>) -> bool {
    let mut rest = seg;
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Lit(l) => {
                // Compared as bytes: a byte-equal prefix of valid UTF-8 ends on a character
                // boundary, and a multi-byte character in the path must not make this panic.
                let head = rest.as_bytes().get(..l.len());
                if !head.is_some_and(|h| eq_nocase(h, l.as_bytes())) {
                    return false;
                }
                let Some(tail) = rest.get(l.len()..) else {
                    return false;
                };
                rest = tail;
            }
            Part::Param(name) => {
                let end = match parts.get(i + 1) {
                    Some(Part::Lit(next)) => {
                        // A byte scan for the usual one-character separator (`.`, `-`):
                        // `str::find` sets up a substring searcher on every call.
                        let at = rest.get(1..).and_then(|r| match next.as_bytes() {
                            [c] => r.bytes().position(|x| x == *c),
                            _ => r.find(next.as_str()),
                        });
                        match at {
                            Some(n) => n + 1,
                            None => return false,
                        }
                    }
                    _ => rest.len(),
                };
                if end == 0 {
                    return false;
                }
                if let Some(p) = params.as_mut() {
                    p.push((name.clone(), rest[..end].to_owned()));
                }
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty()
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
    /// Normalised path prefix, `/seg/seg` (`""` for the root).
    prefix: String,
    /// Segments in `prefix`: the longest prefix wins.
    depth: usize,
    ops: Vec<OpRoute>,
}

impl ApiRoutes {
    /// The rest of a normalised path below this API's prefix (`""` or starting with `/`).
    /// Both are normalised and `/` only equals `/`, so a byte-wise case-insensitive prefix
    /// ending at a segment boundary is the same as equal leading segments.
    fn below<'p>(&self, path: &'p str) -> Option<&'p str> {
        let head = path.as_bytes().get(..self.prefix.len())?;
        if !eq_nocase(head, self.prefix.as_bytes()) {
            return None;
        }
        let rest = path.get(self.prefix.len()..)?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }
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
        let prefix = normalize(&format!("/{}", path.trim_start_matches('/')))?.into_owned();
        self.apis.push(ApiRoutes {
            name: name.to_owned(),
            depth: segments(&prefix).count(),
            prefix,
            ops,
        });
        Ok(())
    }

    /// Finds the API and operation for a request. The API with the longest matching path prefix
    /// is tried (the first added among equally long ones); within it, the most specific template
    /// wins (the first listed among equally specific ones).
    pub fn route(&self, method: &str, path: &str) -> Result<RouteMatch<'_>, RouteError> {
        let path = normalize(path)?;
        let mut found: Option<(&ApiRoutes, &str)> = None;
        for api in &self.apis {
            if found.is_some_and(|(f, _)| api.depth <= f.depth) {
                continue;
            }
            if let Some(rest) = api.below(&path) {
                found = Some((api, rest));
            }
        }
        let (api, rest) = found.ok_or(RouteError::ApiNotFound)?;
        let depth = rest.bytes().filter(|&c| c == b'/').count();
        let mut best: Option<&OpRoute> = None;
        for op in &api.ops {
            if !eq_nocase(op.1.as_bytes(), method.as_bytes()) && op.1.as_bytes() != b"*" {
                continue;
            }
            // Only a strictly more specific template replaces the best so far.
            if best.is_some_and(|b| op.2.rank <= b.2.rank) {
                continue;
            }
            if op.2.fits(depth) && op.2.matches(rest, None) {
                best = Some(op);
            }
        }
        let op = best.ok_or_else(|| RouteError::OperationNotFound(api.name.clone()))?;
        let mut params = Vec::with_capacity(op.2.params);
        op.2.matches(rest, Some(&mut params));
        Ok(RouteMatch {
            api: &api.name,
            operation: &op.0,
            params,
            operation_path: if rest.is_empty() {
                "/".to_owned()
            } else {
                rest.to_owned()
            },
        })
    }
}

#[cfg(test)]
mod oracle;

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

    #[test]
    fn usual_paths_are_normalised_without_copying() {
        // The gateway routes every request: a path that needs no change must not be copied.
        for raw in [
            "/",
            "/api/users/42",
            "/api/users/42/",
            "/api/%2F/x",
            "/a/b//",
        ] {
            assert!(matches!(normalize(raw), Ok(Cow::Borrowed(_))), "{raw}");
        }
        assert_eq!(normalize("/api/users/42/").unwrap(), "/api/users/42");
        assert_eq!(normalize("/").unwrap(), "");
        for (raw, want) in [
            ("/a//b", "/a/b"),
            ("/a/./b/", "/a/b"),
            ("/a/b/../c", "/a/c"),
            ("/a/%62/%2f", "/a/b/%2F"),
            ("/%2e%2E/", ""),
        ] {
            match normalize(raw) {
                Err(PathError::AboveRoot) => assert_eq!(raw, "/%2e%2E/"),
                got => assert_eq!(got.unwrap(), want, "{raw}"),
            }
        }
    }

    #[test]
    fn a_multibyte_character_against_a_template_literal_does_not_panic() {
        // Slicing the path at the literal's length used to panic inside the `é`.
        let mut t = RouteTable::default();
        let op = (
            "by-version".to_owned(),
            "GET".to_owned(),
            UrlTemplate::parse("/v{version}").unwrap(),
        );
        t.add_api("api", "api", vec![op]).unwrap();
        assert_eq!(
            t.route("GET", "/api/\u{e9}1"),
            Err(RouteError::OperationNotFound("api".into()))
        );
        assert_eq!(
            t.route("GET", "/api/v\u{e9}").unwrap().params,
            [("version".to_owned(), "\u{e9}".to_owned())]
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
            let raw = format!("/items/{seg}");
            let path = normalize(&raw).unwrap();
            let mut params = Vec::new();
            prop_assert!(t.matches(&path, Some(&mut params)));
            prop_assert_eq!(params, vec![("id".to_owned(), seg.clone())]);
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
