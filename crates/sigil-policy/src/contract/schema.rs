//! A compiled JSON Schema and the one place validators are built.

use std::fmt;
use std::sync::Arc;

use jsonschema::{Draft, PatternOptions, Registry, Validator};
use serde_json::{Value, json};

/// Longest validation message kept (they can quote property names from the caller's body).
const MAX_MESSAGE: usize = 300;

/// Backtracking budget of one `pattern` match. Patterns without look-around or back-references
/// run on the linear-time `regex` engine anyway; this bounds the others, so a hostile string
/// cannot make one match take seconds.
const BACKTRACK_LIMIT: usize = 100_000;

/// The URI a specification or uploaded schema document is registered under; its `#/...`
/// references resolve inside it. Nothing is ever fetched: the validator has no retriever.
const DOC_URI: &str = "urn:sigil:document";
/// The URI of the one-line root schema that points into the document.
const ROOT_URI: &str = "urn:sigil:root";

/// A compiled schema. Cheap to clone.
#[derive(Clone)]
pub struct JsonSchema {
    validator: Arc<Validator>,
}

impl fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonSchema").finish_non_exhaustive()
    }
}

/// Why a value does not conform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The validator's message, with the offending value itself left out.
    pub message: String,
    /// Where in the value (JSON pointer; empty for the whole value).
    pub path: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} Path: '{}'.", self.message, self.path)
        }
    }
}

impl JsonSchema {
    /// Checks `instance`; the first problem found (APIM reports the first one too).
    pub fn check(&self, instance: &Value) -> Result<(), Violation> {
        match self.validator.validate(instance) {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut message = e.masked_with("value").to_string();
                if let Some(first) = message.get(..1) {
                    message = first.to_ascii_uppercase() + &message[1..];
                }
                if !message.ends_with('.') {
                    message.push('.');
                }
                truncate(&mut message);
                let mut path = e.instance_path().to_string();
                truncate(&mut path);
                Err(Violation { message, path })
            }
        }
    }
}

fn truncate(s: &mut String) {
    if s.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
}

/// A document (specification or uploaded schema) ready to compile schemas out of.
pub(crate) struct Document<'a> {
    registry: Registry<'a>,
    draft: Draft,
}

impl<'a> Document<'a> {
    /// Registers `doc` (already rewritten) for `draft`.
    pub(crate) fn new(doc: &'a Value, draft: Draft) -> Result<Self, String> {
        let registry = Registry::new()
            .draft(draft)
            .add(DOC_URI, doc)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| format!("cannot index the schema document: {e}"))?;
        Ok(Self { registry, draft })
    }

    /// Compiles the schema at `pointer` (`""` for the document itself).
    pub(crate) fn compile(&self, pointer: &str) -> Result<JsonSchema, String> {
        let root = json!({ "$ref": format!("{DOC_URI}#{}", fragment(pointer)) });
        options(self.draft)
            .with_registry(&self.registry)
            .with_base_uri(ROOT_URI)
            .build(&root)
            .map(|v| JsonSchema {
                validator: Arc::new(v),
            })
            .map_err(|e| e.to_string())
    }
}

/// A JSON pointer as a URI fragment (RFC 6901 §6): bytes a fragment cannot hold, such as the
/// `{` `}` of path templates, percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Compiles a self-contained schema (Swagger 2 parameters built from their fields).
pub(crate) fn compile_value(v: &Value, draft: Draft) -> Result<JsonSchema, String> {
    options(draft)
        .build(v)
        .map(|v| JsonSchema {
            validator: Arc::new(v),
        })
        .map_err(|e| e.to_string())
}

fn options<'a>(draft: Draft) -> jsonschema::ValidationOptions<'a> {
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_pattern_options(PatternOptions::fancy_regex().backtrack_limit(BACKTRACK_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_inside_the_document_only() {
        let doc = json!({"components": {"schemas": {
            "Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "tag": {"$ref": "#/components/schemas/Tag"}}},
            "Tag": {"type": "integer"},
            "Far": {"$ref": "https://example.com/schema.json"}
        }}});
        let d = Document::new(&doc, Draft::Draft4).unwrap();
        let pet = d.compile("/components/schemas/Pet").unwrap();
        assert!(pet.check(&json!({"name": "x", "tag": 3})).is_ok());
        let err = pet
            .check(&json!({"name": "x", "tag": "three"}))
            .unwrap_err();
        assert_eq!(err.path, "/tag");
        assert!(!err.message.contains("three"), "{err}");
        assert!(pet.check(&json!({})).unwrap_err().message.contains("name"));
        // Nothing is fetched from the network or the disk.
        assert!(d.compile("/components/schemas/Far").is_err());
        assert!(d.compile("/components/schemas/Missing").is_err());
    }

    #[test]
    fn catastrophic_patterns_are_bounded() {
        let s = compile_value(
            &json!({"type": "string", "pattern": "^(a+)+(?=b)$"}),
            Draft::Draft7,
        )
        .unwrap();
        let hostile = "a".repeat(5_000) + "c";
        let t = std::time::Instant::now();
        assert!(s.check(&Value::String(hostile)).is_err());
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn long_messages_are_cut() {
        let mut s = "é".repeat(400);
        truncate(&mut s);
        assert!(s.len() <= MAX_MESSAGE + '…'.len_utf8());
    }
}
