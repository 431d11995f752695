//! The Azure API Management configuration model for Sigil's gateway.
//!
//! This crate reads an APIOps-style folder (see `docs/gateway-config.md`) into a
//! [`GatewayConfig`]: typed policy documents with compiled expressions, APIs and operations from
//! OpenAPI specifications, products, backends, named values, fragments and subscriptions, plus a
//! route table and the subscription-key check. It is pure: no network, no async runtime, and the
//! only I/O is reading the folder. It does **not** evaluate policies against requests; the
//! gateway server does that with `sigil-expr`.
//!
//! Policy files are APIM's *rawxml* (expressions unescaped inside XML): a pre-pass finds each
//! `@(...)` / `@{...}` by balancing brackets (C# literals aware), escapes it for quick-xml and
//! keeps an offset map so every problem is a [`Diagnostic`] displayed as `file:line:col: message`
//! at its original position.

mod build;
mod config;
pub mod contract;
mod diag;
mod merge;
pub mod model;
mod print;
mod rawxml;
pub mod route;
mod subscription;
pub mod template;
mod xml;

pub use config::{
    Api, Backend, GatewayConfig, KeyNames, LookupError, MockExample, Operation, Product, check,
};
pub use diag::{Diagnostic, Pos, Severity};
pub use merge::merge;
pub use print::{Snippet, SnippetNode, print_document};
pub use subscription::{Access, KeyKind, Subscription, SubscriptionError, SubscriptionScope};

/// Parses one policy file's text as the loader does, with no named values, fragments or
/// backends, returning the document or every diagnostic. Useful for tools and tests.
pub fn parse_policy(file: &str, text: &str) -> Result<model::PolicyDocument, Vec<Diagnostic>> {
    use std::collections::HashSet;

    let src = xml::Source::new(file.into(), text.to_owned());
    let root = xml::parse(&src).map_err(|d| vec![d])?;
    let mut diags = diag::Diags::default();
    let nvs = template::NamedValues::default();
    let backends = HashSet::new();
    let fragments = std::collections::HashMap::new();
    let schemas = build::Schemas::new();
    let mut cx = build::Cx {
        src: &src,
        nvs: &nvs,
        diags: &mut diags,
        fragments: Some(&fragments),
        backends: &backends,
        schemas: &schemas,
        scope: model::Scope::Global,
    };
    let doc = build::document(&mut cx, &root);
    if diags.has_errors() {
        Err(diags.into_sorted())
    } else {
        Ok(doc)
    }
}

/// Entry points for the cargo-fuzz targets in `/fuzz`.
pub mod fuzzing {
    /// Runs the whole policy reader (rawxml pre-pass, XML, model) on arbitrary bytes. Never
    /// panics; the fuzz target checks exactly that.
    pub fn parse_policy(data: &[u8]) {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = super::parse_policy("fuzz.xml", text);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The fuzz entry point on policy-shaped noise: never panics.
        #[test]
        fn parse_policy_never_panics(s in "(<policies>|<inbound>|</inbound>|<base />|<set-header name=\"a\">|<value>|</value>|@\\(|@\\{|[\"'(){}<>&;/=a-z ]|&quot;|</set-header>|<choose><when condition=\"){0,40}") {
            super::fuzzing::parse_policy(s.as_bytes());
        }
    }
}
