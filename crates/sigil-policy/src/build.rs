//! Turning an element tree into typed policies, reporting every problem with its position.
//!
//! The builder never stops at the first error: it records a diagnostic, skips the bad part and
//! goes on, so `sigil gateway check` lists everything at once.

mod access;
mod core;
mod limits;
mod validate;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use crate::diag::{Diags, Pos};
use crate::model::{Meta, Policy, PolicyDocument, Scope, Section};
use crate::print::Snippet;
use crate::template::{self, NamedValues, Template, Typed, ValueType};
use crate::xml::{Attr, Element, Node, Source, ValueLoc};

/// What the builder needs from the rest of the configuration.
pub(crate) struct Cx<'a> {
    pub(crate) src: &'a Source,
    pub(crate) nvs: &'a NamedValues,
    pub(crate) diags: &'a mut Diags,
    /// Resolved fragments by lower-cased id; `None` while building fragments themselves.
    pub(crate) fragments: Option<&'a HashMap<String, Vec<Policy>>>,
    /// Known backend ids (lower-cased).
    pub(crate) backends: &'a HashSet<String>,
    /// Uploaded schemas (`schemas/<id>/`) by lower-cased id: the JSON document, `None` for an
    /// XML schema.
    pub(crate) schemas: &'a Schemas,
    pub(crate) scope: Scope,
}

/// Uploaded schemas by lower-cased id (`None` for XML ones).
pub(crate) type Schemas = HashMap<String, Option<serde_json::Value>>;

/// Reads a `<policies>` document.
pub(crate) fn document(cx: &mut Cx<'_>, root: &Element) -> PolicyDocument {
    let mut doc = PolicyDocument::default();
    if root.name != "policies" {
        cx.error(
            &root.pos,
            format!(
                "expected <policies> as the root element, found <{}>",
                root.name
            ),
        );
        return doc;
    }
    no_attrs(cx, root);
    let mut seen: Vec<Section> = Vec::new();
    for node in &root.children {
        let el = match node {
            Node::Element(el) => el,
            Node::Text(t) => {
                unexpected_text(cx, t);
                continue;
            }
        };
        let Some(section) = Section::ALL.into_iter().find(|s| s.as_str() == el.name) else {
            cx.error(
                &el.pos,
                format!(
                    "unknown section <{}>: expected inbound, backend, outbound or on-error",
                    el.name
                ),
            );
            continue;
        };
        if seen.contains(&section) {
            cx.error(&el.pos, format!("section <{}> appears twice", el.name));
            continue;
        }
        if seen.last().is_some_and(|last| {
            Section::ALL.iter().position(|s| s == last)
                > Section::ALL.iter().position(|s| *s == section)
        }) {
            cx.error(&el.pos, format!("section <{}> is out of order: the order is inbound, backend, outbound, on-error", el.name));
        }
        seen.push(section);
        no_attrs(cx, el);
        let policies = policy_list(cx, el, true);
        if policies
            .iter()
            .filter(|p| matches!(p, Policy::Base(_)))
            .count()
            > 1
        {
            cx.error(
                &el.pos,
                format!("<base /> appears more than once in <{}>", el.name),
            );
        }
        *doc.section_mut(section) = policies;
    }
    // A section left out inherits its parent's unchanged, as if it held only <base />.
    for section in Section::ALL {
        if !seen.contains(&section) {
            let meta = Meta {
                pos: root.pos.clone(),
                id: None,
                scope: cx.scope,
                snippet: Arc::new(Snippet {
                    name: "base".into(),
                    attrs: Vec::new(),
                    children: Vec::new(),
                }),
            };
            doc.section_mut(section).push(Policy::Base(meta));
        }
    }
    doc
}

/// Reads a `<fragment>` document.
pub(crate) fn fragment(cx: &mut Cx<'_>, root: &Element) -> Vec<Policy> {
    if root.name != "fragment" {
        cx.error(
            &root.pos,
            format!(
                "expected <fragment> as the root element, found <{}>",
                root.name
            ),
        );
        return Vec::new();
    }
    no_attrs(cx, root);
    policy_list(cx, root, false)
}

/// The policies that are the children of `el`.
pub(crate) fn policy_list(cx: &mut Cx<'_>, el: &Element, allow_base: bool) -> Vec<Policy> {
    let mut out = Vec::new();
    for node in &el.children {
        match node {
            Node::Element(child) => {
                if child.name == "base" {
                    if !allow_base {
                        cx.error(
                            &child.pos,
                            "<base /> is only allowed directly inside a section",
                        );
                        continue;
                    }
                    let mut a = Attrs::new(child);
                    let meta = a.meta(cx);
                    a.finish(cx);
                    no_children(cx, child);
                    out.push(Policy::Base(meta));
                } else if let Some(p) = policy(cx, child) {
                    out.push(p);
                }
            }
            Node::Text(t) => unexpected_text(cx, t),
        }
    }
    out
}

fn policy(cx: &mut Cx<'_>, el: &Element) -> Option<Policy> {
    let p = match el.name.as_str() {
        "set-header" => Policy::SetHeader(Arc::new(core::set_header(cx, el)?)),
        "set-query-parameter" => Policy::SetQueryParameter(Arc::new(core::set_header(cx, el)?)),
        "set-variable" => Policy::SetVariable(Arc::new(core::set_variable(cx, el)?)),
        "set-method" => Policy::SetMethod(Arc::new(core::set_method(cx, el)?)),
        "set-status" => Policy::SetStatus(Arc::new(core::set_status(cx, el)?)),
        "set-body" => Policy::SetBody(Arc::new(core::set_body(cx, el)?)),
        "rewrite-uri" => Policy::RewriteUri(Arc::new(core::rewrite_uri(cx, el)?)),
        "find-and-replace" => Policy::FindAndReplace(Arc::new(core::find_and_replace(cx, el)?)),
        "choose" => Policy::Choose(Arc::new(core::choose(cx, el)?)),
        "set-backend-service" => {
            Policy::SetBackendService(Arc::new(core::set_backend_service(cx, el)?))
        }
        "forward-request" => Policy::ForwardRequest(Arc::new(core::forward_request(cx, el)?)),
        "return-response" => Policy::ReturnResponse(Arc::new(core::return_response(cx, el)?)),
        "mock-response" => Policy::MockResponse(Arc::new(core::mock_response(cx, el)?)),
        "retry" => Policy::Retry(Arc::new(core::retry(cx, el)?)),
        "limit-concurrency" => Policy::LimitConcurrency(Arc::new(core::limit_concurrency(cx, el)?)),
        "trace" => Policy::Trace(Arc::new(core::trace(cx, el)?)),
        "include-fragment" => Policy::IncludeFragment(Arc::new(core::include_fragment(cx, el)?)),
        "check-header" => Policy::CheckHeader(Arc::new(access::check_header(cx, el)?)),
        "ip-filter" => Policy::IpFilter(Arc::new(access::ip_filter(cx, el)?)),
        "cors" => Policy::Cors(Arc::new(access::cors(cx, el)?)),
        "validate-jwt" => Policy::ValidateJwt(Arc::new(access::validate_jwt(cx, el)?)),
        "validate-azure-ad-token" => {
            Policy::ValidateAzureAdToken(Arc::new(access::validate_azure_ad_token(cx, el)?))
        }
        "rate-limit" => Policy::RateLimit(Arc::new(limits::rate_limit(cx, el)?)),
        "rate-limit-by-key" => Policy::RateLimitByKey(Arc::new(limits::rate_limit_by_key(cx, el)?)),
        "quota" => Policy::Quota(Arc::new(limits::quota(cx, el)?)),
        "quota-by-key" => Policy::QuotaByKey(Arc::new(limits::quota_by_key(cx, el)?)),
        "validate-content" => {
            Policy::ValidateContent(Arc::new(validate::validate_content(cx, el)?))
        }
        "validate-parameters" => {
            Policy::ValidateParameters(Arc::new(validate::validate_parameters(cx, el)?))
        }
        "validate-headers" => {
            Policy::ValidateHeaders(Arc::new(validate::validate_headers(cx, el)?))
        }
        "validate-status-code" => {
            Policy::ValidateStatusCode(Arc::new(validate::validate_status_code(cx, el)?))
        }
        other => {
            cx.error(&el.pos, format!("unsupported policy '{other}'"));
            return None;
        }
    };
    Some(p)
}

// === impl Cx ===

impl Cx<'_> {
    pub(crate) fn error(&mut self, pos: &Pos, message: impl Into<String>) {
        self.diags.error(pos, message);
    }

    /// A string value that may be an expression.
    pub(crate) fn template(&mut self, v: Val<'_>, ty: ValueType) -> Option<Template> {
        let trimmed_start = v.value.len() - v.value.trim_start().len();
        let written = v.value.trim();
        let (resolved, secret) = match template::substitute(written, self.nvs) {
            Ok(r) => r,
            Err((at, msg)) => {
                let pos = self.src.pos_in_value(&v.loc, trimmed_start + at);
                self.error(&pos, msg);
                return None;
            }
        };
        if !crate::rawxml::starts_expression(resolved.as_bytes(), 0) {
            // Literal text keeps its inner whitespace; surrounding whitespace is layout.
            return Some(Template::Literal(template::literal(
                resolved, written, secret,
            )));
        }
        match template::compile_expr(&resolved, ty) {
            Ok(compiled) => {
                let pos = self.src.pos_in_value(&v.loc, trimmed_start);
                Some(Template::Expression(template::expression(
                    compiled, written, pos,
                )))
            }
            Err((at, msg)) => {
                let pos = if resolved == written {
                    self.src.pos_in_value(&v.loc, trimmed_start + at)
                } else {
                    self.src.pos_in_value(&v.loc, trimmed_start)
                };
                let suffix = if resolved == written {
                    ""
                } else {
                    " (after named-value substitution)"
                };
                self.error(&pos, format!("{msg}{suffix}"));
                None
            }
        }
    }

    /// A typed value that may be an expression.
    pub(crate) fn typed<T: FromStr>(
        &mut self,
        v: Val<'_>,
        ty: ValueType,
        what: &str,
    ) -> Option<Typed<T>> {
        match self.template(v, ty)? {
            Template::Expression(e) => Some(Typed::Expression(e)),
            Template::Literal(l) => match parse_literal::<T>(l.value()) {
                Some(x) => Some(Typed::Literal(x)),
                None => {
                    self.error(
                        v.pos,
                        format!(
                            "invalid value '{}' for {}: expected {what}",
                            l.source(),
                            v.describe()
                        ),
                    );
                    None
                }
            },
        }
    }

    /// A value where APIM allows no expression (named values are still substituted).
    pub(crate) fn plain(&mut self, v: Val<'_>) -> Option<String> {
        let lead = v.value.len() - v.value.trim_start().len();
        let (resolved, _) = match template::substitute(v.value.trim(), self.nvs) {
            Ok(r) => r,
            Err((at, msg)) => {
                let pos = self.src.pos_in_value(&v.loc, lead + at);
                self.error(&pos, msg);
                return None;
            }
        };
        if crate::rawxml::starts_expression(resolved.as_bytes(), 0) {
            self.error(
                v.pos,
                format!("policy expressions are not allowed in {}", v.describe()),
            );
            return None;
        }
        Some(resolved)
    }

    /// A literal-only typed value.
    pub(crate) fn parsed<T: FromStr>(&mut self, v: Val<'_>, what: &str) -> Option<T> {
        let s = self.plain(v)?;
        let parsed = parse_literal::<T>(&s);
        if parsed.is_none() {
            self.error(
                v.pos,
                format!("invalid value '{s}' for {}: expected {what}", v.describe()),
            );
        }
        parsed
    }
}

/// Parses literals, reading booleans case-insensitively as .NET does.
fn parse_literal<T: FromStr>(s: &str) -> Option<T> {
    let s = s.trim();
    s.parse()
        .ok()
        .or_else(|| s.to_ascii_lowercase().parse().ok())
}

/// A value to read: an attribute's or an element's text.
#[derive(Clone, Copy)]
pub(crate) struct Val<'e> {
    pub(crate) value: &'e str,
    pub(crate) loc: ValueLoc,
    pub(crate) pos: &'e Pos,
    /// "attribute 'x' of <y>" or "<y>".
    name: &'e str,
    owner: &'e str,
    is_attr: bool,
}

impl Val<'_> {
    fn describe(&self) -> String {
        if self.is_attr {
            format!("attribute '{}' of <{}>", self.name, self.owner)
        } else {
            format!("<{}>", self.name)
        }
    }
}

/// Tracks which attributes of an element were read, so unknown ones are reported.
pub(crate) struct Attrs<'e> {
    el: &'e Element,
    used: Vec<bool>,
}

impl<'e> Attrs<'e> {
    pub(crate) fn new(el: &'e Element) -> Self {
        Self {
            el,
            used: vec![false; el.attrs.len()],
        }
    }

    pub(crate) fn get(&mut self, name: &str) -> Option<Val<'e>> {
        let i = self.el.attrs.iter().position(|a| a.name == name)?;
        self.used[i] = true;
        Some(attr_val(self.el, &self.el.attrs[i]))
    }

    /// An attribute that must be present.
    pub(crate) fn required(&mut self, cx: &mut Cx<'_>, name: &str) -> Option<Val<'e>> {
        let v = self.get(name);
        if v.is_none() {
            cx.error(
                &self.el.pos,
                format!("<{}> requires attribute '{name}'", self.el.name),
            );
        }
        v
    }

    pub(crate) fn bool(&mut self, cx: &mut Cx<'_>, name: &str, default: bool) -> bool {
        self.get(name)
            .and_then(|v| cx.parsed(v, "true or false"))
            .unwrap_or(default)
    }

    pub(crate) fn string(&mut self, cx: &mut Cx<'_>, name: &str) -> Option<String> {
        let v = self.get(name)?;
        cx.plain(v)
    }

    pub(crate) fn template(
        &mut self,
        cx: &mut Cx<'_>,
        name: &str,
        ty: ValueType,
    ) -> Option<Template> {
        let v = self.get(name)?;
        cx.template(v, ty)
    }

    /// The common `id` attribute plus the element snapshot.
    pub(crate) fn meta(&mut self, cx: &mut Cx<'_>) -> Meta {
        let id = self.string(cx, "id");
        Meta {
            pos: self.el.pos.clone(),
            id,
            scope: cx.scope,
            snippet: Arc::new(Snippet::from_element(self.el)),
        }
    }

    /// Reports attributes nobody read.
    pub(crate) fn finish(self, cx: &mut Cx<'_>) {
        for (a, used) in self.el.attrs.iter().zip(&self.used) {
            if !used && !a.name.starts_with("xmlns") {
                cx.error(
                    &a.pos,
                    format!("unknown attribute '{}' on <{}>", a.name, self.el.name),
                );
            }
        }
    }
}

fn attr_val<'e>(el: &'e Element, a: &'e Attr) -> Val<'e> {
    Val {
        value: &a.value,
        loc: a.loc,
        pos: &a.pos,
        name: &a.name,
        owner: &el.name,
        is_attr: true,
    }
}

/// The text of an element as a value (empty text when there is none).
pub(crate) fn text_val(el: &Element) -> Val<'_> {
    let (value, loc, pos): (&str, ValueLoc, &Pos) = match el.children.iter().find_map(|n| match n {
        Node::Text(t) if !t.value.trim().is_empty() => Some(t),
        _ => None,
    }) {
        Some(t) => (&t.value, t.loc, &t.pos),
        None => ("", ValueLoc::default(), &el.pos),
    };
    Val {
        value,
        loc,
        pos,
        name: &el.name,
        owner: &el.name,
        is_attr: false,
    }
}

/// Element text that must not contain child elements.
pub(crate) fn text_only<'e>(cx: &mut Cx<'_>, el: &'e Element) -> Val<'e> {
    for child in el.elements() {
        cx.error(
            &child.pos,
            format!("unexpected element <{}> inside <{}>", child.name, el.name),
        );
    }
    text_val(el)
}

pub(crate) fn no_attrs(cx: &mut Cx<'_>, el: &Element) {
    Attrs::new(el).finish(cx);
}

pub(crate) fn no_children(cx: &mut Cx<'_>, el: &Element) {
    for node in &el.children {
        match node {
            Node::Element(c) => cx.error(
                &c.pos,
                format!("unexpected element <{}> inside <{}>", c.name, el.name),
            ),
            Node::Text(t) => unexpected_text(cx, t),
        }
    }
}

fn unexpected_text(cx: &mut Cx<'_>, t: &crate::xml::Text) {
    if !t.value.trim().is_empty() {
        let lead = t.value.len() - t.value.trim_start().len();
        let pos = cx.src.pos_in_value(&t.loc, lead);
        cx.error(&pos, "unexpected text");
    }
}

/// Checks that every child element is one of `allowed`.
pub(crate) fn only_children(cx: &mut Cx<'_>, el: &Element, allowed: &[&str]) {
    for node in &el.children {
        match node {
            Node::Element(c) if !allowed.contains(&c.name.as_str()) => cx.error(
                &c.pos,
                format!(
                    "unknown element <{}> in <{}> (expected one of: {})",
                    c.name,
                    el.name,
                    allowed.join(", ")
                ),
            ),
            Node::Element(_) => {}
            Node::Text(t) => unexpected_text(cx, t),
        }
    }
}

/// The text of each `<child_name>` child of `el`, as templates.
pub(crate) fn child_templates(
    cx: &mut Cx<'_>,
    el: &Element,
    child_name: &str,
    ty: ValueType,
) -> Vec<Template> {
    let mut out = Vec::new();
    for c in el.elements().filter(|c| c.name == child_name) {
        no_attrs(cx, c);
        let v = text_only(cx, c);
        if let Some(t) = cx.template(v, ty) {
            out.push(t);
        }
    }
    out
}

/// The literal text of each `<child_name>` child.
pub(crate) fn child_strings(cx: &mut Cx<'_>, el: &Element, child_name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in el.elements().filter(|c| c.name == child_name) {
        no_attrs(cx, c);
        let v = text_only(cx, c);
        if let Some(s) = cx.plain(v) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests;
