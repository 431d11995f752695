//! Operators, literals, casts, assignments.

use std::sync::Arc;

use super::{CResult, Checker, err, unify};
use crate::ast::{BinOp, Expr, ExprKind, InterpPart, IsPattern, UnOp};
use crate::ir::{Arith, Cmp, Conv, Node, Part, TypeTest};
use crate::types::{Elem, Type};
use crate::value::Value;

fn arith_of(op: BinOp) -> Option<Arith> {
    Some(match op {
        BinOp::Add => Arith::Add,
        BinOp::Sub => Arith::Sub,
        BinOp::Mul => Arith::Mul,
        BinOp::Div => Arith::Div,
        BinOp::Rem => Arith::Rem,
        BinOp::BitAnd => Arith::BitAnd,
        BinOp::BitOr => Arith::BitOr,
        BinOp::BitXor => Arith::BitXor,
        _ => return None,
    })
}

fn is_dynamic(t: Type) -> bool {
    matches!(t, Type::Object | Type::Json(_))
}

impl Checker {
    pub(crate) fn expr(&mut self, e: &Expr) -> CResult<(Node, Type)> {
        let c = |v: Value, t: Type| Ok((Node::Const(v), t));
        match &e.kind {
            ExprKind::Null => c(Value::Null, Type::Null),
            ExprKind::Bool(b) => c(Value::Bool(*b), Type::Bool),
            ExprKind::Int(i) | ExprKind::Long(i) => c(Value::Int(*i), Type::Int),
            ExprKind::Double(d) => c(Value::Double(*d), Type::Double),
            ExprKind::Str(s) => c(Value::String(Arc::from(s.as_str())), Type::String),
            ExprKind::Char(ch) => c(Value::Char(*ch), Type::Char),
            ExprKind::Interp(parts) => {
                let mut out = Vec::with_capacity(parts.len());
                for p in parts {
                    out.push(match p {
                        InterpPart::Text(t) => Part::Text(t.clone()),
                        InterpPart::Hole {
                            expr,
                            align,
                            format,
                        } => {
                            let (node, t) = self.expr(expr)?;
                            if matches!(t, Type::Void | Type::Lambda) {
                                return err(
                                    expr.pos,
                                    format!("cannot interpolate a value of type '{t}'"),
                                );
                            }
                            Part::Hole {
                                node,
                                align: *align,
                                format: format.clone(),
                            }
                        }
                    });
                }
                Ok((Node::Interp(out), Type::String))
            }
            ExprKind::Name(n) => {
                if let Some((slot, t)) = self.lookup(n) {
                    return Ok((Node::Local(slot), t));
                }
                if n == "context" {
                    return c(
                        Value::obj(crate::value::Obj::Ctx(crate::context::CtxObj::Context)),
                        Type::Ctx(crate::context::CtxObj::Context),
                    );
                }
                if crate::types::class_from_name(n).is_some() {
                    return err(
                        e.pos,
                        format!("'{n}' is a type, which is not valid in this context"),
                    );
                }
                if n == "Principal" || n == "Claims" {
                    return err(
                        e.pos,
                        format!("the name '{n}' does not exist in the current context"),
                    );
                }
                err(
                    e.pos,
                    format!("the name '{n}' does not exist in the current context"),
                )
            }
            ExprKind::Member { .. } | ExprKind::Call { .. } | ExprKind::Index { .. } => {
                self.member_expr(e)
            }
            ExprKind::New { ty, args, init } => self.new_expr(ty, args, init.as_deref(), e.pos),
            ExprKind::NewArray { elem, items } => {
                let mut nodes = Vec::with_capacity(items.len());
                let mut t: Option<Type> = match elem {
                    Some(r) => Some(self.type_ref(r)?),
                    None => None,
                };
                let declared = t.is_some();
                for i in items {
                    let (n, it) = self.expr(i)?;
                    match t {
                        Some(et) if declared && !it.fits(et) => {
                            return err(
                                i.pos,
                                format!("cannot implicitly convert type '{it}' to '{et}'"),
                            );
                        }
                        Some(et) if !declared => t = Some(unify(et, it)),
                        None => t = Some(it),
                        _ => {}
                    }
                    nodes.push(n);
                }
                let et = t.unwrap_or(Type::Object);
                if et == Type::Int
                    && elem
                        .as_ref()
                        .is_some_and(|r| matches!(r.name.as_str(), "byte" | "Byte"))
                {
                    return err(
                        e.pos,
                        "byte[] literals are not supported; use Encoding.UTF8.GetBytes or Convert.FromBase64String",
                    );
                }
                Ok((Node::NewArray(nodes), Type::Array(et.to_elem())))
            }
            ExprKind::Unary(op, inner) => {
                let (n, t) = self.expr(inner)?;
                let ok = match op {
                    UnOp::Not => matches!(t, Type::Bool | Type::Object | Type::Json(_)),
                    UnOp::Neg | UnOp::Plus => {
                        t.is_numeric() || t == Type::TimeSpan || is_dynamic(t)
                    }
                    UnOp::BitNot => t == Type::Int,
                };
                if !ok {
                    return err(
                        e.pos,
                        format!("operator '{op:?}' cannot be applied to operand of type '{t}'"),
                    );
                }
                let n = if *op == UnOp::Not && t != Type::Bool {
                    Node::Convert(Conv::Cast(Type::Bool), Box::new(n))
                } else {
                    n
                };
                let rt = if *op == UnOp::Not { Type::Bool } else { t };
                if let (UnOp::Neg, Node::Const(Value::Int(i))) = (op, &n) {
                    return Ok((Node::Const(Value::Int(i.wrapping_neg())), Type::Int));
                }
                if let (UnOp::Neg, Node::Const(Value::Double(d))) = (op, &n) {
                    return Ok((Node::Const(Value::Double(-d)), Type::Double));
                }
                Ok((Node::Unary(*op, Box::new(n)), rt))
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.pos),
            ExprKind::Cond(cnd, a, b) => {
                let cn = self.cond(cnd)?;
                let (an, at) = self.expr(a)?;
                let (bn, bt) = self.expr(b)?;
                Ok((
                    Node::Cond(Box::new(cn), Box::new(an), Box::new(bn)),
                    unify(at, bt),
                ))
            }
            ExprKind::Cast(tr, inner) => {
                let t = self.type_ref(tr)?;
                let (n, from) = self.expr(inner)?;
                self.cast(n, from, t, e.pos)
            }
            ExprKind::As(inner, tr) => {
                let t = self.type_ref(tr)?;
                let (n, _) = self.expr(inner)?;
                Ok((Node::Convert(Conv::As(t), Box::new(n)), t))
            }
            ExprKind::Is(inner, pat) => {
                let (n, vt) = self.expr(inner)?;
                let (test, bind) = match pat {
                    IsPattern::Null => (TypeTest::Null, None),
                    IsPattern::NotNull => (TypeTest::NotNull, None),
                    IsPattern::Type(tr, bind) => {
                        let t = self.type_ref(tr)?;
                        let slot = bind
                            .as_ref()
                            .map(|b| self.declare(b, t, tr.pos))
                            .transpose()?;
                        (TypeTest::Type(t), slot)
                    }
                    IsPattern::Const(k) => {
                        let (kn, _) = self.expr(k)?;
                        let _ = vt;
                        return Ok((Node::Cmp(Cmp::Eq, Box::new(n), Box::new(kn)), Type::Bool));
                    }
                };
                Ok((
                    Node::Is {
                        test,
                        value: Box::new(n),
                        bind,
                    },
                    Type::Bool,
                ))
            }
            ExprKind::Lambda { .. } => err(
                e.pos,
                "lambda expressions are only supported as arguments of LINQ methods (Any, Where, Select ...)",
            ),
            ExprKind::Assign { target, op, value } => {
                self.assign(target, op.and_then(arith_of), value, e.pos)
            }
            ExprKind::IncDec { target, inc } => {
                let one = Expr {
                    kind: ExprKind::Int(1),
                    pos: e.pos,
                };
                self.assign(
                    target,
                    Some(if *inc { Arith::Add } else { Arith::Sub }),
                    &one,
                    e.pos,
                )
            }
            ExprKind::Default(tr) => {
                let t = self.type_ref(tr)?;
                Ok((Node::Const(super::default_value(t)), t))
            }
            ExprKind::Typeof(t) => err(
                e.pos,
                format!(
                    "unsupported member 'typeof({})' (reflection is not available in policy expressions)",
                    t.display()
                ),
            ),
        }
    }

    pub(crate) fn cast(
        &mut self,
        n: Node,
        from: Type,
        to: Type,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let numeric = |t: Type| matches!(t, Type::Int | Type::Double | Type::Char | Type::Enum(_));
        if numeric(from) && numeric(to) {
            return Ok((Node::Convert(Conv::Numeric(to), Box::new(n)), to));
        }
        let ok = from == to
            || matches!(from, Type::Object | Type::Null)
            || to == Type::Object
            || from.fits(to)
            || (from.is_json()
                && (to.is_json()
                    || matches!(
                        to,
                        Type::String
                            | Type::Int
                            | Type::Double
                            | Type::Bool
                            | Type::DateTime
                            | Type::Guid
                    )))
            || (matches!(from, Type::Array(_)) && matches!(to, Type::Array(_)));
        if !ok {
            return err(pos, format!("cannot convert type '{from}' to '{to}'"));
        }
        if from == to {
            return Ok((n, to));
        }
        Ok((Node::Convert(Conv::Cast(to), Box::new(n)), to))
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, pos: usize) -> CResult<(Node, Type)> {
        let (an, at) = self.expr(a)?;
        let (bn, bt) = self.expr(b)?;
        let bx = |n: Node| Box::new(n);
        let bad = |op: &str| -> CResult<(Node, Type)> {
            err(
                pos,
                format!("operator '{op}' cannot be applied to operands of type '{at}' and '{bt}'"),
            )
        };
        match op {
            BinOp::And | BinOp::Or => {
                let ok = |t: Type| matches!(t, Type::Bool | Type::Object | Type::Json(_));
                if !ok(at) || !ok(bt) {
                    return bad(if op == BinOp::And { "&&" } else { "||" });
                }
                let cast = |n: Node, t: Type| {
                    if t == Type::Bool {
                        n
                    } else {
                        Node::Convert(Conv::Cast(Type::Bool), Box::new(n))
                    }
                };
                let (an, bn) = (cast(an, at), cast(bn, bt));
                Ok((
                    if op == BinOp::And {
                        Node::And(bx(an), bx(bn))
                    } else {
                        Node::Or(bx(an), bx(bn))
                    },
                    Type::Bool,
                ))
            }
            BinOp::Coalesce => {
                // Left value types are allowed: after `?.` they are C#'s nullable `T?`.
                Ok((
                    Node::Coalesce(bx(an), bx(bn)),
                    if at == Type::Null { bt } else { unify(at, bt) },
                ))
            }
            BinOp::Eq | BinOp::Ne => {
                let comparable = at == bt
                    || at.fits(bt)
                    || bt.fits(at)
                    || is_dynamic(at)
                    || is_dynamic(bt)
                    || (at.is_numeric() || at == Type::Char)
                        && (bt.is_numeric() || bt == Type::Char)
                    || matches!(
                        (at, bt),
                        (Type::Enum(_), Type::Int) | (Type::Int, Type::Enum(_))
                    );
                if !comparable {
                    return bad(if op == BinOp::Eq { "==" } else { "!=" });
                }
                let cmp = if op == BinOp::Eq { Cmp::Eq } else { Cmp::Ne };
                Ok((Node::Cmp(cmp, bx(an), bx(bn)), Type::Bool))
            }
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                let ord = |t: Type| t.is_numeric() || t == Type::Char;
                let ok = (ord(at) && ord(bt))
                    || (at == bt && matches!(at, Type::DateTime | Type::TimeSpan))
                    || ((is_dynamic(at) || at == Type::Null)
                        && !matches!(bt, Type::String | Type::Bool))
                    || ((is_dynamic(bt) || bt == Type::Null)
                        && !matches!(at, Type::String | Type::Bool));
                let sym = match op {
                    BinOp::Lt => "<",
                    BinOp::Gt => ">",
                    BinOp::Le => "<=",
                    _ => ">=",
                };
                if !ok {
                    return bad(sym);
                }
                let cmp = match op {
                    BinOp::Lt => Cmp::Lt,
                    BinOp::Gt => Cmp::Gt,
                    BinOp::Le => Cmp::Le,
                    _ => Cmp::Ge,
                };
                Ok((Node::Cmp(cmp, bx(an), bx(bn)), Type::Bool))
            }
            _ => {
                let Some(ar) = arith_of(op) else {
                    return bad("?");
                };
                let sym = match ar {
                    Arith::Add => "+",
                    Arith::Sub => "-",
                    Arith::Mul => "*",
                    Arith::Div => "/",
                    Arith::Rem => "%",
                    Arith::BitAnd => "&",
                    Arith::BitOr => "|",
                    Arith::BitXor => "^",
                };
                if ar == Arith::Add && (at == Type::String || bt == Type::String) {
                    if matches!(at, Type::Void | Type::Lambda)
                        || matches!(bt, Type::Void | Type::Lambda)
                    {
                        return bad("+");
                    }
                    let mut parts = Vec::new();
                    for n in [an, bn] {
                        match n {
                            Node::Concat(inner) => parts.extend(inner),
                            other => parts.push(other),
                        }
                    }
                    return Ok((Node::Concat(parts), Type::String));
                }
                let intish = |t: Type| matches!(t, Type::Int | Type::Char);
                let rt = match (ar, at, bt) {
                    (Arith::BitAnd | Arith::BitOr | Arith::BitXor, Type::Bool, Type::Bool) => {
                        Type::Bool
                    }
                    (
                        Arith::BitAnd | Arith::BitOr | Arith::BitXor,
                        Type::Enum(k),
                        Type::Enum(k2),
                    ) if k == k2 => Type::Enum(k),
                    (Arith::BitAnd | Arith::BitOr | Arith::BitXor, x, y)
                        if intish(x) && intish(y) =>
                    {
                        Type::Int
                    }
                    (Arith::BitAnd | Arith::BitOr | Arith::BitXor, _, _) => return bad(sym),
                    (_, x, y) if intish(x) && intish(y) => Type::Int,
                    (_, x, y)
                        if (x.is_numeric() || x == Type::Char)
                            && (y.is_numeric() || y == Type::Char) =>
                    {
                        Type::Double
                    }
                    (Arith::Add, Type::DateTime, Type::TimeSpan)
                    | (Arith::Add, Type::TimeSpan, Type::DateTime) => Type::DateTime,
                    (Arith::Sub, Type::DateTime, Type::TimeSpan) => Type::DateTime,
                    (Arith::Sub, Type::DateTime, Type::DateTime) => Type::TimeSpan,
                    (Arith::Add | Arith::Sub, Type::TimeSpan, Type::TimeSpan) => Type::TimeSpan,
                    _ => return bad(sym),
                };
                if let (Node::Const(x), Node::Const(y)) = (&an, &bn) {
                    if let (Value::Int(_), Value::Int(_)) = (x, y) {
                        if let Ok(v) = crate::eval::ops::arith(ar, x, y) {
                            return Ok((Node::Const(v), rt));
                        }
                    }
                }
                Ok((Node::Arith(ar, bx(an), bx(bn)), rt))
            }
        }
    }

    fn assign(
        &mut self,
        target: &Expr,
        op: Option<Arith>,
        value: &Expr,
        pos: usize,
    ) -> CResult<(Node, Type)> {
        let (vn, vt) = self.expr(value)?;
        let (cur, path) = super::index_chain(target)?;
        let ExprKind::Name(name) = &cur.kind else {
            return err(
                target.pos,
                "only local variables and JSON elements of local variables can be assigned",
            );
        };
        let Some((slot, lt)) = self.lookup(name) else {
            if name == "context" {
                return err(target.pos, "'context' is read-only");
            }
            return err(
                target.pos,
                format!("the name '{name}' does not exist in the current context"),
            );
        };
        if path.is_empty() {
            let ok = match op {
                None => vt.fits(lt),
                Some(Arith::Add) if lt == Type::String => true,
                Some(_) => {
                    lt.is_numeric() && vt.is_numeric() && (lt == Type::Double || vt == Type::Int)
                        || matches!((lt, vt), (Type::DateTime | Type::TimeSpan, Type::TimeSpan))
                }
            };
            if !ok {
                return err(
                    pos,
                    format!("cannot implicitly convert type '{vt}' to '{lt}'"),
                );
            }
            let vn = if lt == Type::Double && vt == Type::Int {
                Node::Convert(Conv::Numeric(Type::Double), Box::new(vn))
            } else {
                vn
            };
            return Ok((
                Node::Assign {
                    slot,
                    path: Vec::new(),
                    op,
                    value: Box::new(vn),
                },
                lt,
            ));
        }
        if !lt.is_json() {
            return err(
                target.pos,
                format!(
                    "cannot assign to an element of '{lt}' (only JObject/JArray/JToken locals)"
                ),
            );
        }
        if !vt.fits(Type::Json(crate::types::JKind::Token))
            && !matches!(vt, Type::Null | Type::Object | Type::Array(_))
        {
            return err(
                value.pos,
                format!("cannot implicitly convert type '{vt}' to 'JToken'"),
            );
        }
        let mut keys = Vec::with_capacity(path.len());
        for k in path {
            let (kn, kt) = self.expr(k)?;
            if !matches!(kt, Type::String | Type::Int | Type::Object) {
                return err(
                    k.pos,
                    format!("a JSON index must be a string or an int, not '{kt}'"),
                );
            }
            keys.push(kn);
        }
        Ok((
            Node::Assign {
                slot,
                path: keys,
                op,
                value: Box::new(vn),
            },
            vt,
        ))
    }

    /// Element type of a `new[]`'s items, exposed for LINQ `Select` results.
    pub(crate) fn array_of(t: Type) -> Type {
        Type::Array(if t == Type::Null {
            Elem::Object
        } else {
            t.to_elem()
        })
    }
}
