//! The Azure API Management configuration model for Sigil's gateway.
//!
//! This crate reads an APIOps-style folder (see `docs/gateway-config.md`) into a
//! [`GatewayConfig`]: typed policy documents with compiled expressions, APIs and operations from
//! OpenAPI specifications, products, backends, named values, fragments and subscriptions, plus a
//! route table and the subscription-key check. It is pure: no network, no async runtime, and the
//! only I/O is reading the folder. It does **not** evaluate policies against requests; the
//! gateway server does that with `sigil-expr`. What it does provide for the validation policies
//! is each operation's [`contract`] (bodies, parameters, responses from the OpenAPI
//! specification) with its JSON Schemas compiled at load, and the functions that read untrusted
//! parameter text as the types those schemas expect.
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
    use std::sync::OnceLock;

    use serde_json::{Value, json};

    use crate::contract::{self, Additional, JsonSchema, Kind, Split};

    /// Runs the whole policy reader (rawxml pre-pass, XML, model) on arbitrary bytes. Never
    /// panics; the fuzz target checks exactly that.
    pub fn parse_policy(data: &[u8]) {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = super::parse_policy("fuzz.xml", text);
        }
    }

    /// What the validation policies do with untrusted input, on arbitrary bytes: the bytes as
    /// a JSON body checked against a schema using most keywords (as `validate-content` does),
    /// and as parameter text read as every kind with every split (as `validate-parameters`
    /// does) and as a `Content-Type`. Never panics, and checks that what is accepted is what
    /// it claims: a number kind yields a finite number, an array kind an array, a media type
    /// has no parameters, white space or upper case.
    pub fn validate_input(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        if let Ok(body) = serde_json::from_slice::<Value>(data) {
            let _ = schema().check(&body);
        }
        let parts: Vec<&str> = text.split('&').collect();
        let kinds = [
            Kind::String,
            Kind::Integer,
            Kind::Number,
            Kind::Boolean,
            Kind::Object,
            Kind::Array(Box::new(Kind::Integer)),
            Kind::Array(Box::new(Kind::Array(Box::new(Kind::Number)))),
        ];
        for kind in &kinds {
            for split in [Split::Repeat, Split::Delimited(','), Split::Delimited('|')] {
                for values in [&parts[..1], &parts[..]] {
                    match (contract::coerce(values, split, kind), kind) {
                        (Ok(v), Kind::Integer | Kind::Number) => {
                            assert!(v.as_f64().is_some_and(f64::is_finite), "{v}");
                        }
                        (Ok(v), Kind::Array(_)) => assert!(v.is_array()),
                        (Ok(v), Kind::Boolean) => assert!(v.is_boolean()),
                        _ => {}
                    }
                }
            }
        }
        if let Some(mt) = contract::media_type(&text) {
            assert!(!mt.contains(';') && mt.trim() == mt && mt.to_ascii_lowercase() == mt);
            assert!(contract::media_type_matches("*/*", &mt));
        }
    }

    fn schema() -> &'static JsonSchema {
        static SCHEMA: OnceLock<JsonSchema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let doc = json!({"components": {"schemas": {
                "Pet": {"type": "object", "required": ["name"], "additionalProperties": false,
                    "properties": {
                        "name": {"type": "string", "maxLength": 20, "pattern": "^[a-z]+(-[a-z]+)*$"},
                        "age": {"type": "integer", "format": "int32", "minimum": 0, "multipleOf": 1},
                        "tags": {"type": "array", "items": {"type": "string", "format": "email"}, "uniqueItems": true, "maxItems": 50},
                        "owner": {"$ref": "#/components/schemas/Pet"},
                        "kind": {"enum": ["cat", "dog", null]},
                        "score": {"type": "number", "exclusiveMaximum": 1e300},
                        "any": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "object", "minProperties": 1}]}
                    }}}}});
            match contract::compile_uploaded(&doc, Some("#/components/schemas/Pet"), Additional::AsDeclared) {
                Ok(s) => s,
                Err(e) => panic!("the fuzzing schema compiles: {e}"),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The fuzz entry on fixed hostile samples, so it runs even when nobody fuzzes.
    #[test]
    fn validate_input_survives_hostile_samples() {
        let deep = "[".repeat(100_000);
        let nested_objects = "{\"owner\":".repeat(120) + "{\"name\":\"x\"}" + &"}".repeat(120);
        let digits = "9".repeat(50_000);
        let samples: [&[u8]; 9] = [
            b"",
            deep.as_bytes(),
            nested_objects.as_bytes(),
            digits.as_bytes(),
            b"{\"name\":\"a\",\"age\":1e999999}",
            b"{\"name\":\"aaaaaaaaaaaaaaaaaaa-\",\"tags\":[\"a@b.c\",\"a@b.c\"]}",
            b"1,2,3&4|5&true",
            b"Application/JSON ; charset=utf-8",
            b"\xff\xfe\x00{",
        ];
        for s in samples {
            super::fuzzing::validate_input(s);
        }
    }

    proptest! {
        /// The fuzz entry point on policy-shaped noise: never panics.
        #[test]
        fn parse_policy_never_panics(s in "(<policies>|<inbound>|</inbound>|<base />|<set-header name=\"a\">|<value>|</value>|@\\(|@\\{|[\"'(){}<>&;/=a-z ]|&quot;|</set-header>|<choose><when condition=\"){0,40}") {
            super::fuzzing::parse_policy(s.as_bytes());
        }

        /// The validation fuzz entry on JSON- and parameter-shaped noise: never panics.
        #[test]
        fn validate_input_never_panics(s in "(\\{|\\}|\\[|\\]|\"name\"|\"age\"|\"owner\"|\"tags\"|:|,|-?[0-9]{1,30}|e[+-]?[0-9]{1,6}|\\.|true|null|\"[a-z@.]{0,8}\"|&|\\||;| |[A-Za-z/+*]){0,60}") {
            super::fuzzing::validate_input(s.as_bytes());
        }
    }
}
