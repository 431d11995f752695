//! Object creation (`new JObject(...)` ...) and in-place JSON mutation of locals.

use super::{CResult, Checker, err};
use crate::ast::{Arg, Expr, ExprKind, InitItem, TypeRef};
use crate::builtins::{self, Builtin};
use crate::ir::{Mutation, Node};
use crate::types::{Elem, JKind, Type};
use crate::value::Value;

pub(super) fn mutation(name: &str) -> Option<Mutation> {
    Some(match name {
        "Add" => Mutation::Add,
        "Remove" => Mutation::Remove,
        "RemoveAt" => Mutation::RemoveAt,
        "Insert" => Mutation::Insert,
        "Merge" => Mutation::Merge,
        "RemoveAll" => Mutation::RemoveAll,
        _ => return None,
    })
}

impl Checker {
    pub(super) fn mutation(
        &mut self,
        recv: &Expr,
        m: Mutation,
        args: &[Arg],
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let (cur, path) = super::index_chain(recv)?;
        let ExprKind::Name(name) = &cur.kind else {
            return err(
                pos,
                "JSON mutation methods (Add, Remove ...) are supported on local variables (and their elements) only; assign the value to a 'var' first",
            );
        };
        let Some((slot, lt)) = self.lookup(name) else {
            return err(
                cur.pos,
                format!("the name '{name}' does not exist in the current context"),
            );
        };
        if !lt.is_json() {
            return err(cur.pos, format!("'{name}' is not a JSON value"));
        }
        let keys = path
            .iter()
            .map(|k| self.expr(k).map(|x| x.0))
            .collect::<CResult<Vec<_>>>()?;
        let (nodes, tys, outs) = self.args(args)?;
        if !outs.is_empty() {
            return err(pos, "unexpected 'out' argument");
        }
        let arity_ok = match m {
            Mutation::Add => matches!(tys.len(), 1 | 2),
            Mutation::Remove | Mutation::RemoveAt | Mutation::Merge => tys.len() == 1,
            Mutation::Insert => tys.len() == 2,
            Mutation::RemoveAll => tys.is_empty(),
        };
        if !arity_ok {
            return err(pos, format!("wrong number of arguments for JToken.{m:?}"));
        }
        let ty = if m == Mutation::Remove {
            Type::Bool
        } else {
            Type::Void
        };
        Ok((
            Node::Mutate {
                slot,
                path: keys,
                op: m,
                args: nodes,
            },
            ty,
        ))
    }

    pub(crate) fn new_expr(
        &mut self,
        ty: &TypeRef,
        args: &[Arg],
        init: Option<&[InitItem]>,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let name = crate::types::strip_namespace(&ty.name);
        let (mut nodes, tys, outs) = self.args(args)?;
        if !outs.is_empty() {
            return err(pos, "unexpected 'out' argument");
        }
        match name {
            "JObject" => {
                if let Some(t) = tys.iter().find(|t| {
                    !matches!(
                        t,
                        Type::JProperty
                            | Type::Json(_)
                            | Type::Object
                            | Type::Array(Elem::JProperty | Elem::Object)
                    )
                }) {
                    return err(
                        pos,
                        format!("new JObject(...) takes JProperty values, not '{t}'"),
                    );
                }
                for item in init.unwrap_or(&[]) {
                    match item {
                        InitItem::Index(k, v) => {
                            let (kn, kt) = self.expr(k)?;
                            let (vn, _) = self.expr(v)?;
                            if kt != Type::String {
                                return err(k.pos, "JObject initializer keys must be strings");
                            }
                            nodes.push(Node::NewJProperty(Box::new(kn), Box::new(vn)));
                        }
                        InitItem::Elem(e) => {
                            let (n, t) = self.expr(e)?;
                            if t != Type::JProperty {
                                return err(
                                    e.pos,
                                    "JObject collection initializers take JProperty values",
                                );
                            }
                            nodes.push(n);
                        }
                        InitItem::Member(m, v) => {
                            return err(
                                v.pos,
                                format!(
                                    "unsupported member 'JObject.{m}' in an object initializer"
                                ),
                            );
                        }
                    }
                }
                Ok((Node::NewJObject(nodes), Type::Json(JKind::Object)))
            }
            "JArray" => {
                for item in init.unwrap_or(&[]) {
                    match item {
                        InitItem::Elem(e) => nodes.push(self.expr(e)?.0),
                        _ => return err(pos, "JArray initializers take values only"),
                    }
                }
                Ok((Node::NewJArray(nodes), Type::Json(JKind::Array)))
            }
            "JProperty" => {
                let ([name_t, _], [_, _]) = (tys.as_slice(), nodes.as_slice()) else {
                    return err(pos, "new JProperty(name, value) takes two arguments");
                };
                if !name_t.fits(Type::String) {
                    return err(pos, "a JProperty name must be a string");
                }
                let v = nodes.pop().unwrap_or(Node::Const(Value::Null));
                let k = nodes.pop().unwrap_or(Node::Const(Value::Null));
                Ok((
                    Node::NewJProperty(Box::new(k), Box::new(v)),
                    Type::JProperty,
                ))
            }
            "JValue" => {
                let [n] = nodes.as_mut_slice() else {
                    return err(pos, "new JValue(value) takes one argument");
                };
                let n = std::mem::replace(n, Node::Const(Value::Null));
                Ok((
                    Node::Call {
                        f: Builtin::Json(builtins::json::JsonFn::FromObject),
                        recv: None,
                        args: vec![n],
                        null_cond: false,
                    },
                    Type::Json(JKind::Value),
                ))
            }
            // `throw new Exception("msg")`: the exception is represented by its message.
            ex if ex.ends_with("Exception") => {
                let msg = match (nodes.pop(), tys.first()) {
                    (Some(n), Some(t)) if t.fits(Type::String) => n,
                    (None, None) => Node::Const(Value::str(
                        "Exception of type 'System.Exception' was thrown.",
                    )),
                    _ => return err(pos, format!("new {ex}(message) takes a string message")),
                };
                Ok((msg, Type::String))
            }
            other => err(
                pos,
                format!(
                    "unsupported constructor 'new {other}' (supported: JObject, JArray, JProperty, JValue, arrays)"
                ),
            ),
        }
    }
}
