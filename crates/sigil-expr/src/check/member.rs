//! Member access, method calls, indexers, object creation and LINQ.

use super::{CResult, Checker, err};
use crate::ast::{Arg, Expr, ExprKind, InitItem, LambdaBody, OutTarget, TypeRef};
use crate::builtins::{self, Builtin, Recv, Site, ctx::CtxFn};
use crate::ir::{Lambda, Linq, Mutation, Node};
use crate::types::{Class, Elem, JKind, Type, class_from_name};
use crate::value::Value;

/// Argument nodes, their types, and the `out` targets by position.
type CompiledArgs = (Vec<Node>, Vec<Type>, Vec<(usize, OutTarget)>);

fn linq_op(name: &str) -> Option<Linq> {
    Some(match name {
        "Any" => Linq::Any,
        "All" => Linq::All,
        "Where" => Linq::Where,
        "Select" => Linq::Select,
        "First" => Linq::First,
        "FirstOrDefault" => Linq::FirstOrDefault,
        "Last" => Linq::Last,
        "LastOrDefault" => Linq::LastOrDefault,
        "Single" => Linq::Single,
        "SingleOrDefault" => Linq::SingleOrDefault,
        "Count" => Linq::Count,
        "Contains" => Linq::Contains,
        "ToArray" | "ToList" => Linq::ToArray,
        "Distinct" => Linq::Distinct,
        "Skip" => Linq::Skip,
        "Take" => Linq::Take,
        "OrderBy" => Linq::OrderBy,
        "OrderByDescending" => Linq::OrderByDescending,
        "Sum" => Linq::Sum,
        "Min" => Linq::Min,
        "Max" => Linq::Max,
        "Reverse" => Linq::Reverse,
        "ElementAt" => Linq::ElementAt,
        "ElementAtOrDefault" => Linq::ElementAtOrDefault,
        _ => return None,
    })
}

fn mutation(name: &str) -> Option<Mutation> {
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
            let consts: Vec<Option<Value>> = arg_nodes
                .iter()
                .map(|n| {
                    if let Node::Const(v) = n {
                        Some(v.clone())
                    } else {
                        None
                    }
                })
                .collect();
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
        let consts: Vec<Option<Value>> = arg_nodes
            .iter()
            .map(|n| {
                if let Node::Const(v) = n {
                    Some(v.clone())
                } else {
                    None
                }
            })
            .collect();
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

    fn args(&mut self, args: &[Arg]) -> CResult<CompiledArgs> {
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

    fn lambda(&mut self, e: &Expr, param: Type) -> CResult<(Lambda, Type)> {
        let ExprKind::Lambda { params, body } = &e.kind else {
            return err(e.pos, "expected a lambda expression such as 'x => ...'");
        };
        let [(pname, ppos)] = params.as_slice() else {
            return err(e.pos, "LINQ lambdas take exactly one parameter");
        };
        self.scoped(|c| {
            let slot = c.declare(pname, param, *ppos)?;
            let (body, t) = match &**body {
                LambdaBody::Expr(x) => c.expr(x)?,
                LambdaBody::Block(stmts) => {
                    c.returns.push(Vec::new());
                    let saved_loops = std::mem::replace(&mut c.loops, 0);
                    let b = c.block(stmts);
                    c.loops = saved_loops;
                    let rets = c.returns.pop().unwrap_or_default();
                    (
                        Node::Block(b?),
                        rets.into_iter().reduce(super::unify).unwrap_or(Type::Void),
                    )
                }
            };
            Ok((
                Lambda {
                    params: vec![slot],
                    body: Box::new(body),
                },
                t,
            ))
        })
    }

    fn linq(
        &mut self,
        op: Linq,
        recv: Node,
        elem: Type,
        args: &[Arg],
        null_cond: bool,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let takes_lambda = matches!(
            op,
            Linq::Any
                | Linq::All
                | Linq::Where
                | Linq::Select
                | Linq::First
                | Linq::FirstOrDefault
                | Linq::Last
                | Linq::LastOrDefault
                | Linq::Single
                | Linq::SingleOrDefault
                | Linq::Count
                | Linq::OrderBy
                | Linq::OrderByDescending
                | Linq::Sum
                | Linq::Min
                | Linq::Max
        );
        let needs_lambda = matches!(
            op,
            Linq::All | Linq::Where | Linq::Select | Linq::OrderBy | Linq::OrderByDescending
        );
        let mut lambda = None;
        let mut arg = None;
        let mut body_t = elem;
        match args {
            [] if needs_lambda => return err(pos, format!("{op:?} needs a lambda argument")),
            [] => {}
            [a] if takes_lambda => {
                let (l, t) = self.lambda(&a.expr, elem)?;
                if matches!(
                    op,
                    Linq::Any
                        | Linq::All
                        | Linq::Where
                        | Linq::First
                        | Linq::FirstOrDefault
                        | Linq::Last
                        | Linq::LastOrDefault
                        | Linq::Single
                        | Linq::SingleOrDefault
                        | Linq::Count
                ) && !matches!(t, Type::Bool | Type::Object | Type::Json(_))
                {
                    return err(
                        a.expr.pos,
                        format!("the {op:?} predicate must return bool, not '{t}'"),
                    );
                }
                body_t = t;
                lambda = Some(l);
            }
            [a] if matches!(
                op,
                Linq::Contains
                    | Linq::Skip
                    | Linq::Take
                    | Linq::ElementAt
                    | Linq::ElementAtOrDefault
            ) =>
            {
                let (n, t) = self.expr(&a.expr)?;
                let want = if op == Linq::Contains {
                    elem
                } else {
                    Type::Int
                };
                if !(t.fits(want) || want.fits(t) || t == Type::Object) {
                    return err(a.expr.pos, format!("{op:?} expects '{want}', found '{t}'"));
                }
                arg = Some(Box::new(n));
            }
            _ => return err(pos, format!("wrong number of arguments for {op:?}")),
        }
        let seq = Type::Array(elem.to_elem());
        let ty = match op {
            Linq::Any | Linq::All | Linq::Contains => Type::Bool,
            Linq::Count => Type::Int,
            Linq::Select => Checker::array_of(body_t),
            Linq::Sum => {
                if !body_t.is_numeric() {
                    return err(pos, format!("Sum needs numbers, not '{body_t}'"));
                }
                body_t
            }
            Linq::Min | Linq::Max => body_t,
            Linq::First
            | Linq::FirstOrDefault
            | Linq::Last
            | Linq::LastOrDefault
            | Linq::Single
            | Linq::SingleOrDefault
            | Linq::ElementAt
            | Linq::ElementAtOrDefault => elem,
            _ => seq,
        };
        Ok((
            Node::Linq {
                op,
                recv: Box::new(recv),
                lambda,
                arg,
                null_cond,
            },
            ty,
        ))
    }

    fn mutation(
        &mut self,
        recv: &Expr,
        m: Mutation,
        args: &[Arg],
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let mut path = Vec::new();
        let mut cur = recv;
        while let ExprKind::Index {
            recv,
            args,
            null_cond: false,
        } = &cur.kind
        {
            let [k] = args.as_slice() else {
                return err(cur.pos, "multi-dimensional indexers are not supported");
            };
            path.push(k);
            cur = recv;
        }
        path.reverse();
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
