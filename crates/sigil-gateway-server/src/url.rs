//! URL pieces the pipeline edits: query lists, backend base URLs, joined paths.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters escaped in a query name or value: controls, space and the query's own
/// delimiters; everything else is passed through so forwarded URLs stay close to the original.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>');

/// Characters escaped when a path segment comes from an expression or template parameter.
const PATH: &AsciiSet = &QUERY.add(b'?').add(b'`').add(b'{').add(b'}');

/// Decoded `(name, value)` pairs of a query string (without the `?`).
pub(crate) fn parse_query(raw: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `""` or `?a=b&c=d`, escaping what must be escaped.
pub(crate) fn query_string<'a>(pairs: impl IntoIterator<Item = &'a (String, String)>) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.extend(utf8_percent_encode(k, QUERY));
        out.push('=');
        out.extend(utf8_percent_encode(v, QUERY));
    }
    out
}

/// Escapes text substituted into a path.
pub(crate) fn escape_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// A backend base URL split for forwarding and for `context.Request.Url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `host` or `host:port` as written.
    pub(crate) authority: String,
    /// Path prefix without a trailing `/` (may be empty).
    pub(crate) path: String,
    /// The `Host` header for requests to it: the host, with the port unless it is the
    /// scheme's default (what the HTTP client would compute on every request otherwise).
    pub(crate) host_header: http::HeaderValue,
}

impl BaseUrl {
    /// Parses an absolute `http` or `https` URL; its query, if any, is ignored.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let uri: http::Uri = s
            .trim()
            .parse()
            .map_err(|_| "the backend URL is not a valid absolute URL".to_owned())?;
        let scheme = uri
            .scheme_str()
            .map(str::to_ascii_lowercase)
            .filter(|s| s == "http" || s == "https")
            .ok_or_else(|| "the backend URL must start with http:// or https://".to_owned())?;
        let auth = uri
            .authority()
            .ok_or_else(|| "the backend URL has no host".to_owned())?;
        let default_port = if scheme == "https" { 443 } else { 80 };
        let host_header = match auth.port_u16() {
            Some(p) if p != default_port => format!("{}:{p}", auth.host()),
            _ => auth.host().to_owned(),
        };
        Ok(Self {
            host: auth.host().to_owned(),
            port: auth.port_u16().unwrap_or(default_port),
            host_header: http::HeaderValue::try_from(host_header)
                .map_err(|_| "the backend URL's host is not valid".to_owned())?,
            authority: auth.as_str().to_owned(),
            path: uri.path().trim_end_matches('/').to_owned(),
            scheme,
        })
    }

    /// The full URL for a path below the base (APIM appends the operation path).
    pub(crate) fn join(&self, path: &str, query: &str) -> String {
        let path = join_path(&self.path, path);
        let mut out = String::with_capacity(
            self.scheme.len() + 3 + self.authority.len() + path.len() + query.len(),
        );
        for part in [&self.scheme, "://", &self.authority, &path, query] {
            out.push_str(part);
        }
        out
    }
}

/// Joins a base path and a relative path with exactly one `/` between them.
pub(crate) fn join_path(base: &str, rel: &str) -> String {
    let base = base.trim_end_matches('/');
    let rel = rel.trim_start_matches('/');
    if rel.is_empty() {
        return if base.is_empty() {
            "/".into()
        } else {
            base.into()
        };
    }
    format!("{base}/{rel}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips_and_escapes_delimiters() {
        let q = parse_query("a=1&b=x+y&c=%26");
        assert_eq!(
            q,
            [("a", "1"), ("b", "x y"), ("c", "&")].map(|(k, v)| (k.into(), v.into()))
        );
        assert_eq!(query_string(&q), "?a=1&b=x%20y&c=%26");
        assert_eq!(query_string(&[]), "");
        assert_eq!(query_string(q[..1].iter().chain(&q[2..])), "?a=1&c=%26");
    }

    #[test]
    fn base_urls_join_paths() {
        let b = BaseUrl::parse("https://h.example:8443/v1/").unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.path.as_str()),
            ("h.example", 8443, "/v1")
        );
        assert_eq!(
            b.join("/orders/1", "?a=b"),
            "https://h.example:8443/v1/orders/1?a=b"
        );
        assert_eq!(
            BaseUrl::parse("http://h").unwrap().join("/", ""),
            "http://h/"
        );
        assert!(BaseUrl::parse("ftp://h").is_err());
        assert!(BaseUrl::parse("/relative").is_err());
    }
}
