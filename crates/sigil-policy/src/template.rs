//! Values that may be literal text or a policy expression, with `{{named-value}}` substitution.
//!
//! Named values are substituted when the configuration is loaded (as APIM does before a policy
//! runs); the result is a literal, or an expression compiled once and evaluated per request.
//! `Debug` output and the effective-policy printer only ever show the text *as written*, with its
//! `{{placeholders}}`, so a secret named value never reaches a log.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::diag::Pos;

/// The result type an expression must produce, checked when it is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// Any value (e.g. `set-variable`).
    Any,
    /// A string (header values, URLs, bodies).
    String,
    /// A boolean (`condition`).
    Bool,
    /// An integer (`code`, `count`, `calls`).
    Int,
}

/// A compiled policy expression plus the text it came from.
#[derive(Clone)]
pub struct Expression {
    compiled: Arc<sigil_expr::Compiled>,
    /// The text as written in the file (placeholders not expanded).
    source: Arc<str>,
    pos: Pos,
}

impl Expression {
    /// The compiled program, ready for [`sigil_expr::Compiled::eval`].
    pub fn compiled(&self) -> &sigil_expr::Compiled {
        &self.compiled
    }

    /// The expression as written in the policy file (with `{{named-value}}` placeholders).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the expression starts.
    pub fn pos(&self) -> &Pos {
        &self.pos
    }
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

/// Literal text after named-value substitution.
#[derive(Clone)]
pub struct Literal {
    value: Arc<str>,
    source: Arc<str>,
    secret: bool,
}

impl Literal {
    /// A literal with no placeholders.
    pub fn plain(value: &str) -> Self {
        let value: Arc<str> = value.into();
        Self {
            source: value.clone(),
            value,
            secret: false,
        }
    }

    /// The value to use at run time. It may contain a secret named value: see [`Self::is_secret`]
    /// and never log it.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The text as written (with `{{placeholders}}`); safe to print.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when a secret named value was substituted into [`Self::value`].
    pub fn is_secret(&self) -> bool {
        self.secret
    }
}

impl fmt::Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Literal").field(&self.source).finish()
    }
}

/// A string-valued attribute or element text: literal, or an expression evaluated per request.
#[derive(Clone, Debug)]
pub enum Template {
    /// Fixed text.
    Literal(Literal),
    /// `@(...)` or `@{...}`.
    Expression(Expression),
}

impl Template {
    /// The text as written in the file; what the effective-policy printer shows.
    pub fn source(&self) -> &str {
        match self {
            Template::Literal(l) => l.source(),
            Template::Expression(e) => e.source(),
        }
    }

    /// The literal value, if this is not an expression.
    pub fn literal(&self) -> Option<&str> {
        match self {
            Template::Literal(l) => Some(l.value()),
            Template::Expression(_) => None,
        }
    }
}

/// A typed attribute that may also be an expression (e.g. `code="@(...)"` or `code="404"`).
#[derive(Clone, Debug)]
pub enum Typed<T> {
    /// Parsed at load time.
    Literal(T),
    /// Evaluated per request; the result is converted to `T` by the gateway.
    Expression(Expression),
}

impl<T: fmt::Display> Typed<T> {
    /// The text to print for this value.
    pub fn source(&self) -> String {
        match self {
            Typed::Literal(v) => v.to_string(),
            Typed::Expression(e) => e.source().to_owned(),
        }
    }
}

/// One named value, resolved.
#[derive(Clone)]
pub struct NamedValue {
    /// The name policies use in `{{...}}` (the display name).
    pub name: String,
    value: Arc<str>,
    /// True for secrets: the value is never printed.
    pub secret: bool,
}

impl NamedValue {
    /// A named value.
    pub fn new(name: impl Into<String>, value: impl Into<Arc<str>>, secret: bool) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            secret,
        }
    }

    /// The value. Secret values must not be logged.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for NamedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: &str = if self.secret { "***" } else { &self.value };
        f.debug_struct("NamedValue")
            .field("name", &self.name)
            .field("value", &shown)
            .finish()
    }
}

/// Named values by name, matched case-insensitively as APIM does.
#[derive(Clone, Debug, Default)]
pub struct NamedValues {
    by_name: HashMap<String, NamedValue>,
}

impl NamedValues {
    /// Adds or replaces a named value.
    pub fn insert(&mut self, nv: NamedValue) {
        self.by_name.insert(nv.name.to_ascii_lowercase(), nv);
    }

    /// Looks a name up (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&NamedValue> {
        self.by_name.get(&name.to_ascii_lowercase())
    }

    /// Number of named values.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Replaces `{{name}}` placeholders. Names are letters, digits, `.`, `-` and `_` (APIM's rule),
/// so `{{ "json" }}` inside an interpolated C# string is left alone. Returns the text and whether
/// a secret went in, or the byte offset and message of the first unknown name.
pub(crate) fn substitute(text: &str, nvs: &NamedValues) -> Result<(String, bool), (usize, String)> {
    if !text.contains("{{") {
        return Ok((text.to_owned(), false));
    }
    let mut out = String::with_capacity(text.len());
    let mut secret = false;
    let mut rest = text;
    let mut base = 0;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(after.len());
        if name_len == 0 || !after[name_len..].starts_with("}}") {
            out.push_str(&rest[..open + 2]);
            base += open + 2;
            rest = after;
            continue;
        }
        let name = &after[..name_len];
        let nv = nvs
            .get(name)
            .ok_or((base + open, format!("named value '{name}' is not defined")))?;
        out.push_str(&rest[..open]);
        out.push_str(nv.value());
        secret |= nv.secret;
        let step = open + 2 + name_len + 2;
        base += step;
        rest = &rest[step..];
    }
    out.push_str(rest);
    Ok((out, secret))
}

/// Compiles one expression through the sigil-expr contract. The only place that calls it.
pub(crate) fn compile_expr(
    source: &str,
    expected: ValueType,
) -> Result<sigil_expr::Compiled, (usize, String)> {
    let program = sigil_expr::parse(source).map_err(|e| (e.offset, e.message))?;
    let ty = match expected {
        ValueType::Any => sigil_expr::ExpectedType::Any,
        ValueType::String => sigil_expr::ExpectedType::String,
        ValueType::Bool => sigil_expr::ExpectedType::Bool,
        ValueType::Int => sigil_expr::ExpectedType::Int,
    };
    sigil_expr::compile(&program, ty).map_err(|e| (e.offset, e.message))
}

/// Builds an [`Expression`] from already-compiled parts.
pub(crate) fn expression(compiled: sigil_expr::Compiled, source: &str, pos: Pos) -> Expression {
    Expression {
        compiled: Arc::new(compiled),
        source: source.into(),
        pos,
    }
}

/// Builds a [`Literal`] from its substituted value and its source.
pub(crate) fn literal(value: String, source: &str, secret: bool) -> Literal {
    Literal {
        value: value.into(),
        source: source.into(),
        secret,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nvs() -> NamedValues {
        let mut n = NamedValues::default();
        n.insert(NamedValue::new("Backend-Url", "https://b.example", false));
        n.insert(NamedValue::new("api-key", "hunter2", true));
        n
    }

    #[test]
    fn substitutes_case_insensitively_and_tracks_secrets() {
        assert_eq!(
            substitute("{{backend-url}}/x", &nvs()).unwrap(),
            ("https://b.example/x".into(), false)
        );
        assert_eq!(
            substitute("k={{api-key}}", &nvs()).unwrap(),
            ("k=hunter2".into(), true)
        );
    }

    #[test]
    fn leaves_non_names_alone_and_rejects_unknown_names() {
        let s = r#"$"{{ \"path\": \"{p}\" }}""#;
        assert_eq!(substitute(s, &nvs()).unwrap().0, s);
        assert_eq!(substitute("a {{nope}}", &nvs()).unwrap_err().0, 2);
    }

    #[test]
    fn debug_never_shows_secret_values() {
        let (value, secret) = substitute("k={{api-key}}", &nvs()).unwrap();
        let lit = literal(value, "k={{api-key}}", secret);
        let dbg = format!("{lit:?} {:?}", nvs());
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("{{api-key}}"));
        assert_eq!(lit.value(), "k=hunter2");
    }
}
