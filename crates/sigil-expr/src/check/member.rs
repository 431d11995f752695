//! Member access, method calls, indexers, object creation and LINQ.

use super::create::mutation;
use super::linq::linq_op;
use super::{CResult, Checker, err};
use crate::ast::{Arg, Expr, ExprKind, OutTarget};
use crate::builtins::{self, Builtin, Recv, Site, ctx::CtxFn};
use crate::ir::Node;
use crate::types::{Class, Elem, JKind, Type, class_from_name};
use crate::value::Value;

/// Argument nodes, their types, and the `out` targets by position.
type CompiledArgs = (Vec<Node>, Vec<Type>, Vec<(usize, OutTarget)>);

/// Context dictionaries are enumerated through an explicit `Pairs` call.
pub(crate) fn materialize(n: Node, t: Type) -> Node {
    match builtins::ctx::dict_of(t) {
        Some(d) => Node::Call {
            f: Builtin::Ctx(CtxFn::Pairs(d)),
            recv: Some(Box::new(n)),
            args: Vec::new(),
            null_cond: false,
        },
        None if t == Type::Claims => n,
        None => n,
    }
}

/// Whether a postfix chain contains `?.` / `?[` (C# short-circuits the rest of the chain).
fn chain_null_cond(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Member {
            recv, null_cond, ..
        }
        | ExprKind::Index {
            recv, null_cond, ..
        } => *null_cond || chain_null_cond(recv),
        ExprKind::Call { callee, .. } => chain_null_cond(callee),
        _ => false,
    }
}

impl Checker {
    /// `System.Text.Encoding` style paths that name a type rather than a value.
    fn static_class(&self, e: &Expr) -> Option<Class> {
        fn path(e: &Expr, out: &mut String) -> bool {
            match &e.kind {
                ExprKind::Name(n) => {
                    out.push_str(n);
                    true
                }
                ExprKind::Member {
                    recv,
                    name,
                    null_cond: false,
                    type_args,
                } if type_args.is_empty() => {
                    if !path(recv, out) {
                        return false;
                    }
                    out.push('.');
                    out.push_str(name);
                    true
                }
                _ => false,
            }
        }
        let mut p = String::new();
        if !path(e, &mut p) {
            return None;
        }
        let root = p.split('.').next().unwrap_or("");
        if self.lookup(root).is_some() || root == "context" {
            return None;
        }
        class_from_name(&p)
    }

    pub(crate) fn member_expr(&mut self, e: &Expr) -> CResult<(Node, Type)> {
        match &e.kind {
            ExprKind::Member {
                recv,
                name,
                null_cond,
                type_args,
            } => {
                if !type_args.is_empty() {
                    return err(e.pos, format!("'{name}' is a method; call it with '()'"));
                }
                self.member(
                    recv,
                    name,
                    *null_cond || chain_null_cond(recv),
                    &[],
                    None,
                    e.pos,
                )
            }
            ExprKind::Call { callee, args } => match &callee.kind {
                ExprKind::Member {
                    recv,
                    name,
                    null_cond,
                    type_args,
                } => {
                    let targs = type_args
                        .iter()
                        .map(|t| self.type_ref(t))
                        .collect::<CResult<Vec<_>>>()?;
                    self.member(
                        recv,
                        name,
                        *null_cond || chain_null_cond(recv),
                        &targs,
                        Some(args),
                        callee.pos,
                    )
                }
                ExprKind::Name(n) => err(
                    callee.pos,
                    format!("unsupported method '{n}' (only members of known types can be called)"),
                ),
                _ => err(callee.pos, "this expression cannot be called"),
            },
            ExprKind::Index {
                recv,
                args,
                null_cond,
            } => self.index(recv, args, *null_cond || chain_null_cond(recv), e.pos),
            _ => err(e.pos, "internal: not a member expression"),
        }
    }

    fn index(
        &mut self,
        recv: &Expr,
        args: &[Expr],
        null_cond: bool,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let (rn, rt) = self.expr(recv)?;
        let [k] = args else {
            return err(pos, "multi-dimensional indexers are not supported");
        };
        let (kn, kt) = self.expr(k)?;
        let key_is = |t: Type| kt.fits(t) || kt == Type::Object;
        let (f, t) = match rt {
            Type::Json(_) if key_is(Type::String) || key_is(Type::Int) => (
                Builtin::Json(builtins::json::JsonFn::Index),
                Type::Json(JKind::Token),
            ),
            Type::Claims if key_is(Type::String) => (
                Builtin::Jwt(builtins::jwt::JwtFn::ClaimsIndex),
                Type::Array(Elem::String),
            ),
            Type::Array(e) if kt == Type::Int => (
                Builtin::Misc(builtins::misc::MiscFn::ArrayIndex),
                Type::elem(e),
            ),
            Type::Bytes if kt == Type::Int => {
                (Builtin::Misc(builtins::misc::MiscFn::ArrayIndex), Type::Int)
            }
            Type::String if kt == Type::Int => {
                (Builtin::Str(builtins::string::StrFn::Index), Type::Char)
            }
            Type::Groups if key_is(Type::String) || kt == Type::Int => {
                (builtins::regex::groups_index(), Type::Group)
            }
            _ => match builtins::ctx::dict_of(rt) {
                Some(d) if key_is(Type::String) => {
                    (Builtin::Ctx(CtxFn::Index(d)), builtins::ctx::index_type(d))
                }
                _ => {
                    let hint = if rt == Type::Object {
                        " (cast it first, e.g. '((JObject)x)[..]')"
                    } else {
                        ""
                    };
                    return err(
                        pos,
                        format!(
                            "cannot apply indexing with '{kt}' to an expression of type '{rt}'{hint}"
                        ),
                    );
                }
            },
        };
        Ok((
            Node::Call {
                f,
                recv: Some(Box::new(rn)),
                args: vec![kn],
                null_cond,
            },
            t,
        ))
    }

    fn member(
        &mut self,
        recv: &Expr,
        name: &str,
        null_cond: bool,
        targs: &[Type],
        args: Option<&[Arg]>,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        if let Some(class) = self.static_class(recv) {
            let (arg_nodes, arg_types, outs) = self.args(args.unwrap_or(&[]))?;
            let consts = constants(&arg_nodes);
            let site = Site {
                name,
                args: args.map(|_| arg_types.as_slice()),
                targs,
                consts: &consts,
            };
            let r = builtins::resolve(Recv::Static(class), &site)
                .map_err(|m| crate::error::CompileError::new(pos, m))?;
            let Some(r) = r else {
                return err(
                    pos,
                    format!(
                        "unsupported member '{}.{name}'{}",
                        class_label(class),
                        arity_note(args)
                    ),
                );
            };
            if let Builtin::Misc(builtins::misc::MiscFn::EnumConst(v)) = r.f {
                return Ok((Node::Const(Value::Int(v)), r.ty));
            }
            let call = Node::Call {
                f: r.f,
                recv: None,
                args: arg_nodes,
                null_cond: false,
            };
            return self.with_out(call, r.ty, r.out, outs, pos);
        }
        let (rn, rt) = self.expr(recv)?;
        if let (Some(args), Some(op)) = (args, linq_op(name)) {
            let instance_first = matches!(rt, Type::String | Type::Json(_) | Type::Claims)
                || builtins::ctx::dict_of(rt).is_some();
            let has_instance = instance_first && {
                let (_, tys, _) = self.args_types_only(args)?;
                builtins::resolve(
                    Recv::Inst(rt),
                    &Site {
                        name,
                        args: Some(&tys),
                        targs,
                        consts: &[],
                    },
                )
                .ok()
                .flatten()
                .is_some()
            };
            if !has_instance {
                if let Some(elem) = rt.seq_elem() {
                    return self.linq(
                        op,
                        materialize(rn, rt),
                        Type::elem(elem),
                        args,
                        null_cond,
                        pos,
                    );
                }
            }
        }
        if let (Some(args), Some(m), true) = (args, mutation(name), rt.is_json()) {
            return self.mutation(recv, m, args, pos);
        }
        let (arg_nodes, arg_types, outs) = self.args(args.unwrap_or(&[]))?;
        let consts = constants(&arg_nodes);
        let site = Site {
            name,
            args: args.map(|_| arg_types.as_slice()),
            targs,
            consts: &consts,
        };
        let r = builtins::resolve(Recv::Inst(rt), &site)
            .map_err(|m| crate::error::CompileError::new(pos, m))?;
        let Some(r) = r else {
            let hint = match rt {
                Type::Object => {
                    " (the value is an 'object': cast it first, e.g. '(string)context.Variables[\"x\"]' or use GetValueOrDefault<T>)"
                }
                Type::Null => " (member access on 'null')",
                _ => "",
            };
            return err(
                pos,
                format!("unsupported member '{rt}.{name}'{}{hint}", arity_note(args)),
            );
        };
        // Navigation on the context is constant: fold it.
        if let (Builtin::Ctx(CtxFn::Nav(o)), Node::Const(_)) = (&r.f, &rn) {
            return Ok((
                Node::Const(Value::obj(crate::value::Obj::Ctx(*o))),
                Type::Ctx(*o),
            ));
        }
        let call = Node::Call {
            f: r.f,
            recv: Some(Box::new(rn)),
            args: arg_nodes,
            null_cond,
        };
        self.with_out(call, r.ty, r.out, outs, pos)
    }

    fn with_out(
        &mut self,
        call: Node,
        ty: Type,
        out_ty: Option<Type>,
        outs: Vec<(usize, OutTarget)>,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        match (out_ty, outs.as_slice()) {
            (None, []) => Ok((call, ty)),
            (Some(t), [(_, target)]) => {
                let slot = match target {
                    OutTarget::Declare(decl, name) => {
                        let dt = decl
                            .as_ref()
                            .map(|d| self.type_ref(d))
                            .transpose()?
                            .unwrap_or(t);
                        if !t.fits(dt) {
                            return err(
                                pos,
                                format!("out argument of type '{t}' cannot be stored in '{dt}'"),
                            );
                        }
                        self.declare(name, dt, pos)?
                    }
                    OutTarget::Existing(name) => match self.lookup(name) {
                        Some((slot, lt)) if t.fits(lt) => slot,
                        Some((_, lt)) => {
                            return err(
                                pos,
                                format!("out argument of type '{t}' cannot be stored in '{lt}'"),
                            );
                        }
                        None => {
                            return err(
                                pos,
                                format!("the name '{name}' does not exist in the current context"),
                            );
                        }
                    },
                };
                Ok((
                    Node::OutCall {
                        call: Box::new(call),
                        slot,
                    },
                    ty,
                ))
            }
            (Some(_), []) => err(pos, "this method needs an 'out' argument"),
            _ => err(pos, "unexpected 'out' argument"),
        }
    }

    fn args_types_only(&mut self, args: &[Arg]) -> CResult<(Vec<Node>, Vec<Type>, usize)> {
        // Lambdas can't be typed without a target; report them as Lambda.
        let mut tys = Vec::with_capacity(args.len());
        for a in args {
            if a.out.is_some() || matches!(a.expr.kind, ExprKind::Lambda { .. }) {
                tys.push(Type::Lambda);
            } else {
                let save = (self.n_slots, self.scopes.clone());
                let t = self.expr(&a.expr)?.1;
                (self.n_slots, self.scopes) = save;
                tys.push(t);
            }
        }
        Ok((Vec::new(), tys, 0))
    }

    pub(super) fn args(&mut self, args: &[Arg]) -> CResult<CompiledArgs> {
        let mut nodes = Vec::with_capacity(args.len());
        let mut tys = Vec::with_capacity(args.len());
        let mut outs = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if let Some(n) = a.name.as_deref().filter(|n| *n != "preserveContent") {
                return err(a.expr.pos, format!("unsupported named argument '{n}'"));
            }
            if let Some(o) = &a.out {
                outs.push((i, o.clone()));
                nodes.push(Node::Const(Value::Null));
                tys.push(Type::Object);
                continue;
            }
            if matches!(a.expr.kind, ExprKind::Lambda { .. }) {
                return err(
                    a.expr.pos,
                    "lambda expressions are only supported as arguments of LINQ methods (Any, Where, Select ...)",
                );
            }
            let (n, t) = self.expr(&a.expr)?;
            nodes.push(n);
            tys.push(t);
        }
        Ok((nodes, tys, outs))
    }
}

fn class_label(c: Class) -> String {
    match c {
        Class::Int => "Int32".into(),
        Class::Long => "Int64".into(),
        Class::Bool => "Boolean".into(),
        Class::Enum(k) => format!("{k:?}"),
        other => format!("{other:?}"),
    }
}

fn arity_note(args: Option<&[Arg]>) -> String {
    match args {
        Some(a) => format!(" with {} argument(s)", a.len()),
        None => String::new(),
    }
}

/// The compile-time constant of each argument (`None` where it is computed at run time), so
/// builtins can check literal arguments (e.g. compile a constant regex) at load time.
fn constants(args: &[Node]) -> Vec<Option<Value>> {
    args.iter()
        .map(|n| {
            if let Node::Const(v) = n {
                Some(v.clone())
            } else {
                None
            }
        })
        .collect()
}
