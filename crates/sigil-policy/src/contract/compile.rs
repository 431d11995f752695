//! Compiling the schemas validation policies will use, once, when the folder is loaded.

use std::collections::{BTreeSet, HashMap};

use jsonschema::Draft;
use serde_json::Value;

use super::convert::Rewrite;
use super::extract::{Dialect, Spec};
use super::schema::{Document, compile_value};
use super::{Additional, Contract, Direction, JsonSchema, Media, Param, SchemaSrc};
use crate::model::{Policy, PolicyDocument, Section, walk};

/// Which compiled schemas some policy of the configuration can ask for. Nothing is compiled
/// for a configuration without validation policies.
#[derive(Clone, Debug, Default)]
pub(crate) struct Needs {
    request_bodies: BTreeSet<Additional>,
    response_bodies: BTreeSet<Additional>,
    params: bool,
    response_headers: bool,
}

impl Needs {
    /// Adds what the validation policies of `doc` use.
    pub(crate) fn add_document(&mut self, doc: &PolicyDocument) {
        for (section, list) in doc.sections() {
            let response = matches!(section, Section::Outbound | Section::OnError);
            walk(list, &mut |p| match p {
                Policy::ValidateContent(v) => {
                    for c in v.contents.iter().filter(|c| c.schema.is_none()) {
                        let set = if response {
                            &mut self.response_bodies
                        } else {
                            &mut self.request_bodies
                        };
                        set.insert(c.additional());
                    }
                }
                Policy::ValidateParameters(_) => self.params = true,
                Policy::ValidateHeaders(_) => self.response_headers = true,
                _ => {}
            });
        }
    }

    fn any(&self) -> bool {
        !self.request_bodies.is_empty()
            || !self.response_bodies.is_empty()
            || self.params
            || self.response_headers
    }
}

fn draft(spec: &Spec) -> Draft {
    match spec.dialect {
        Dialect::Swagger2 | Dialect::OpenApi30 => Draft::Draft4,
        Dialect::OpenApi31 => Draft::Draft202012,
    }
}

/// Compiles, for every operation of one API, the schemas `needs` asks for. Returns one message
/// per schema that does not compile (`operation 'x': ...`).
pub(crate) fn compile_api(
    spec: &Spec,
    contracts: &mut [(&str, &mut Contract)],
    needs: &Needs,
) -> Vec<String> {
    let mut errors = Vec::new();
    if !needs.any() {
        return errors;
    }
    for (direction, set) in [
        (Direction::Request, &needs.request_bodies),
        (Direction::Response, &needs.response_bodies),
    ] {
        for &additional in set {
            let doc = Rewrite::for_spec(spec, direction, additional).document(&spec.doc);
            let mut cx = match Document::new(&doc, draft(spec)) {
                Ok(d) => Cx::new(d),
                Err(e) => return vec![e],
            };
            for (op, c) in contracts.iter_mut() {
                let bodies: Vec<&mut Media> = match direction {
                    Direction::Request => c.request_body.iter_mut().collect(),
                    Direction::Response => c
                        .responses
                        .iter_mut()
                        .flat_map(|r| r.media.iter_mut())
                        .collect(),
                };
                for m in bodies {
                    let Some(ptr) = &m.pointer else { continue };
                    match cx.compile(ptr) {
                        Ok(s) => m.compiled[additional.index()] = Some(s),
                        Err(e) => errors.push(format!(
                            "operation '{op}': schema of the {} body {}: {e}",
                            if direction == Direction::Request {
                                "request"
                            } else {
                                "response"
                            },
                            m.media_type
                        )),
                    }
                }
            }
        }
    }
    for (direction, wanted) in [
        (Direction::Request, needs.params),
        (Direction::Response, needs.response_headers),
    ] {
        if !wanted {
            continue;
        }
        let doc = Rewrite::for_spec(spec, direction, Additional::AsDeclared).document(&spec.doc);
        let mut cx = match Document::new(&doc, draft(spec)) {
            Ok(d) => Cx::new(d),
            Err(e) => return vec![e],
        };
        let inline = Rewrite {
            direction: None,
            ..Rewrite::for_spec(spec, direction, Additional::AsDeclared)
        };
        for (op, c) in contracts.iter_mut() {
            let params: Vec<&mut Param> = match direction {
                Direction::Request => c.params.iter_mut().collect(),
                Direction::Response => c
                    .responses
                    .iter_mut()
                    .flat_map(|r| r.headers.iter_mut())
                    .collect(),
            };
            for p in params {
                let compiled = match &p.schema_src {
                    SchemaSrc::None => continue,
                    SchemaSrc::Pointer(ptr) => cx.compile(ptr),
                    SchemaSrc::Inline(v) => compile_value(&inline.uploaded(v), draft(spec)),
                };
                match compiled {
                    Ok(s) => p.compiled = Some(s),
                    Err(e) => errors.push(format!(
                        "operation '{op}': schema of the {} {}: {e}",
                        p.location.words(),
                        p.name
                    )),
                }
            }
        }
    }
    errors.dedup();
    errors
}

/// A document plus the schemas already compiled from it (a `$ref`'d definition shared by many
/// operations, or one Swagger 2 schema shared by several media types, is compiled once).
struct Cx<'a> {
    doc: Document<'a>,
    done: HashMap<String, JsonSchema>,
}

impl<'a> Cx<'a> {
    fn new(doc: Document<'a>) -> Self {
        Self {
            doc,
            done: HashMap::new(),
        }
    }

    fn compile(&mut self, ptr: &str) -> Result<JsonSchema, String> {
        if let Some(s) = self.done.get(ptr) {
            return Ok(s.clone());
        }
        let s = self.doc.compile(ptr)?;
        self.done.insert(ptr.to_owned(), s.clone());
        Ok(s)
    }
}

/// Compiles an uploaded schema (`schema-id`), or the part of it `schema-ref` names
/// (`#/components/schemas/address`). Its draft is its `$schema`, draft 7 when it has none.
pub(crate) fn compile_uploaded(
    doc: &Value,
    schema_ref: Option<&str>,
    additional: Additional,
) -> Result<JsonSchema, String> {
    let pointer = match schema_ref {
        None => "",
        Some(r) => r.strip_prefix('#').ok_or_else(|| {
            format!("schema-ref '{r}' is not a local reference (it must start with '#/')")
        })?,
    };
    if doc.pointer(pointer).is_none() {
        return Err(format!(
            "schema-ref '{}' does not name anything in the schema",
            schema_ref.unwrap_or_default()
        ));
    }
    let draft = Draft::Draft7.detect(doc);
    if draft == Draft::Unknown {
        return Err("the schema's $schema names an unknown JSON Schema draft".into());
    }
    let rewritten = Rewrite {
        nullable: true,
        direction: None,
        additional,
    }
    .uploaded(doc);
    let d = Document::new(&rewritten, draft)?;
    d.compile(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::extract;
    use serde_json::json;

    fn everything() -> Needs {
        Needs {
            request_bodies: [Additional::AsDeclared, Additional::Deny].into(),
            response_bodies: [Additional::AsDeclared].into(),
            params: true,
            response_headers: true,
        }
    }

    #[test]
    fn compiles_what_is_needed_only() {
        let spec = Spec::new(json!({"openapi": "3.0.1", "paths": {"/a/{id}": {"post": {
            "parameters": [{"name": "id", "in": "path", "schema": {"type": "integer", "minimum": 1}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
            "responses": {"200": {"description": "", "headers": {"X-N": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"type": "string", "nullable": true}}}}}}}},
            "components": {"schemas": {"A": {"type": "object", "properties": {"n": {"type": "integer", "nullable": true}}}}}}));
        let mut c = extract(&spec, "/a/{id}", "post", "op");
        let mut none = c.clone();
        assert!(compile_api(&spec, &mut [("op", &mut none)], &Needs::default()).is_empty());
        assert!(
            none.request_body[0]
                .schema(Additional::AsDeclared)
                .is_none()
        );

        let errs = compile_api(&spec, &mut [("op", &mut c)], &everything());
        assert!(errs.is_empty(), "{errs:?}");
        let body = &c.request_body[0];
        assert!(body.schema(Additional::Allow).is_none());
        let declared = body.schema(Additional::AsDeclared).unwrap();
        assert!(declared.check(&json!({"n": null, "x": 1})).is_ok());
        assert!(declared.check(&json!({"n": "1"})).is_err());
        assert!(
            body.schema(Additional::Deny)
                .unwrap()
                .check(&json!({"x": 1}))
                .is_err()
        );
        let resp = c.response(200).unwrap();
        assert!(
            resp.media[0]
                .schema(Additional::AsDeclared)
                .unwrap()
                .check(&Value::Null)
                .is_ok()
        );
        assert!(resp.headers[0].schema().is_some());
        assert!(c.params[0].schema().unwrap().check(&json!(0)).is_err());
    }

    #[test]
    fn broken_schemas_are_reported_per_operation() {
        let spec = Spec::new(json!({"openapi": "3.0.1", "paths": {"/a": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}},
            "responses": {}}}}}));
        let mut c = extract(&spec, "/a", "post", "op");
        let errs = compile_api(&spec, &mut [("op", &mut c)], &everything());
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].starts_with("operation 'op': schema of the request body application/json"));
    }

    #[test]
    fn uploaded_schemas_and_refs() {
        let doc = json!({"components": {"schemas": {"address": {"type": "object", "required": ["city"]}}}});
        let s = compile_uploaded(
            &doc,
            Some("#/components/schemas/address"),
            Additional::AsDeclared,
        )
        .unwrap();
        assert!(s.check(&json!({"city": "x"})).is_ok());
        assert!(s.check(&json!({})).is_err());
        assert!(compile_uploaded(&doc, Some("#/nope"), Additional::AsDeclared).is_err());
        assert!(compile_uploaded(&doc, Some("components"), Additional::AsDeclared).is_err());
        let plain =
            json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"});
        assert!(
            compile_uploaded(&plain, None, Additional::Deny)
                .unwrap()
                .check(&json!(1))
                .is_ok()
        );
    }
}
