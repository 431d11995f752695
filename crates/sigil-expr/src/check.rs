//! Load-time compilation: resolves names, members and overloads, checks types the way the C#
//! compiler APIM uses would (pragmatically), and lowers the AST to the IR in `ir.rs`.

mod create;
mod expr;
mod linq;
mod member;

use crate::ExpectedType;
use crate::ast::{Body, Expr, ExprKind, Program, Stmt as AStmt, StmtKind, TypeRef};
use crate::error::CompileError;
use crate::ir::{Conv, Node, Slot, Stmt};
use crate::types::{JKind, Type};
use crate::value::Value;

pub(crate) type CResult<T> = Result<T, CompileError>;

/// Output of compilation.
pub(crate) struct Lowered {
    pub(crate) root: Node,
    pub(crate) n_slots: usize,
    pub(crate) ty: Type,
}

/// Upper bound on locals (including lambda parameters) in one expression.
const MAX_SLOTS: usize = 1024;

pub(crate) struct Checker {
    scopes: Vec<Vec<(String, Slot, Type)>>,
    n_slots: usize,
    /// Return types seen, one list per enclosing function body (the block or a lambda).
    returns: Vec<Vec<Type>>,
    loops: u32,
}

/// Split `local[k1][k2]...` into the expression at its root and the index arguments, outermost
/// first (used by element assignment and JSON mutation, which both need the local behind it).
pub(crate) fn index_chain(expr: &Expr) -> CResult<(&Expr, Vec<&Expr>)> {
    let mut path = Vec::new();
    let mut cur = expr;
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
    Ok((cur, path))
}

pub(crate) fn err<T>(pos: usize, msg: impl Into<String>) -> CResult<T> {
    Err(CompileError::new(pos, msg))
}

pub(crate) fn compile_program(p: &Program, expected: ExpectedType) -> CResult<Lowered> {
    let mut c = Checker {
        scopes: vec![Vec::new()],
        n_slots: 0,
        returns: Vec::new(),
        loops: 0,
    };
    let (node, ty, pos) = match &p.body {
        Body::Expr(e) => {
            let (n, t) = c.expr(e)?;
            (n, t, e.pos)
        }
        Body::Block(stmts, pos) => {
            c.returns.push(Vec::new());
            let body = c.block(stmts)?;
            let rets = c.returns.pop().unwrap_or_default();
            if !always_returns(stmts) {
                return err(
                    *pos,
                    "not all code paths return a value (an '@{ }' block must end with 'return')",
                );
            }
            // A block that only throws has no return type; treat it as `object`.
            let ty = rets.into_iter().reduce(unify).unwrap_or(Type::Object);
            (Node::Block(body), ty, *pos)
        }
    };
    let (root, ty) = coerce(node, ty, expected, pos)?;
    Ok(Lowered {
        root,
        n_slots: c.n_slots,
        ty,
    })
}

fn coerce(node: Node, ty: Type, expected: ExpectedType, pos: usize) -> CResult<(Node, Type)> {
    if ty == Type::Void {
        return err(pos, "the expression does not produce a value");
    }
    let dynamic = matches!(ty, Type::Object | Type::Json(_) | Type::Null);
    Ok(match expected {
        ExpectedType::Any => (node, ty),
        ExpectedType::String => match ty {
            Type::String => (node, ty),
            _ => (
                Node::Convert(Conv::ToStringOrNull, Box::new(node)),
                Type::String,
            ),
        },
        ExpectedType::Bool => match ty {
            Type::Bool => (node, ty),
            _ if dynamic => (
                Node::Convert(Conv::Cast(Type::Bool), Box::new(node)),
                Type::Bool,
            ),
            other => {
                return err(
                    pos,
                    format!("expected a boolean expression, found '{other}'"),
                );
            }
        },
        ExpectedType::Int => match ty {
            Type::Int => (node, ty),
            _ if dynamic => (
                Node::Convert(Conv::Cast(Type::Int), Box::new(node)),
                Type::Int,
            ),
            other => {
                return err(
                    pos,
                    format!("expected an integer expression, found '{other}'"),
                );
            }
        },
        ExpectedType::Double => match ty {
            Type::Double => (node, ty),
            Type::Int => (
                Node::Convert(Conv::Numeric(Type::Double), Box::new(node)),
                Type::Double,
            ),
            _ if dynamic => (
                Node::Convert(Conv::Cast(Type::Double), Box::new(node)),
                Type::Double,
            ),
            other => {
                return err(
                    pos,
                    format!("expected a numeric expression, found '{other}'"),
                );
            }
        },
    })
}

/// Common type of two branches (`?:`, `??`, returns).
pub(crate) fn unify(a: Type, b: Type) -> Type {
    match (a, b) {
        _ if a == b => a,
        (Type::Null, t) | (t, Type::Null) => t,
        (Type::Int, Type::Double) | (Type::Double, Type::Int) => Type::Double,
        (Type::Json(_), Type::Json(_)) => Type::Json(JKind::Token),
        (Type::Array(_), Type::Array(_)) => Type::Array(crate::types::Elem::Object),
        _ => Type::Object,
    }
}

fn always_returns(stmts: &[AStmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Return(_) | StmtKind::Throw(_) => true,
        StmtKind::If(_, a, Some(b)) => {
            always_returns(std::slice::from_ref(a)) && always_returns(std::slice::from_ref(b))
        }
        StmtKind::Block(b) => always_returns(b),
        _ => false,
    })
}

impl Checker {
    pub(crate) fn lookup(&self, name: &str) -> Option<(Slot, Type)> {
        self.scopes.iter().rev().find_map(|s| {
            s.iter()
                .rev()
                .find(|(n, _, _)| n == name)
                .map(|(_, s, t)| (*s, *t))
        })
    }

    pub(crate) fn declare(&mut self, name: &str, ty: Type, pos: usize) -> CResult<Slot> {
        if self.lookup(name).is_some() || name == "context" {
            return err(
                pos,
                format!("a local variable named '{name}' is already defined in this scope"),
            );
        }
        if self.n_slots >= MAX_SLOTS {
            return err(pos, "too many local variables");
        }
        let slot = Slot::try_from(self.n_slots)
            .map_err(|_| CompileError::new(pos, "too many local variables"))?;
        self.n_slots += 1;
        if let Some(s) = self.scopes.last_mut() {
            s.push((name.to_string(), slot, ty));
        }
        Ok(slot)
    }

    pub(crate) fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> CResult<T>) -> CResult<T> {
        self.scopes.push(Vec::new());
        let r = f(self);
        self.scopes.pop();
        r
    }

    pub(crate) fn type_ref(&self, t: &TypeRef) -> CResult<Type> {
        if !t.args.is_empty() {
            return err(t.pos, format!("unsupported type '{}'", t.display()));
        }
        Type::from_name(&t.name, t.array)
            .ok_or_else(|| CompileError::new(t.pos, format!("unsupported type '{}'", t.display())))
    }

    pub(crate) fn block(&mut self, stmts: &[AStmt]) -> CResult<Vec<Stmt>> {
        self.scoped(|c| {
            let mut out = Vec::with_capacity(stmts.len());
            for s in stmts {
                c.stmt(s, &mut out)?;
            }
            Ok(out)
        })
    }

    fn sub_block(&mut self, s: &AStmt) -> CResult<Vec<Stmt>> {
        match &s.kind {
            StmtKind::Block(b) => self.block(b),
            _ => self.block(std::slice::from_ref(s)),
        }
    }

    pub(crate) fn cond(&mut self, e: &Expr) -> CResult<Node> {
        let (n, t) = self.expr(e)?;
        match t {
            Type::Bool => Ok(n),
            Type::Object | Type::Json(_) => Ok(Node::Convert(Conv::Cast(Type::Bool), Box::new(n))),
            other => err(
                e.pos,
                format!("cannot implicitly convert type '{other}' to 'bool'"),
            ),
        }
    }

    fn stmt(&mut self, s: &AStmt, out: &mut Vec<Stmt>) -> CResult<()> {
        match &s.kind {
            StmtKind::Empty => {}
            StmtKind::Expr(e) => {
                if !matches!(
                    e.kind,
                    ExprKind::Call { .. }
                        | ExprKind::Assign { .. }
                        | ExprKind::IncDec { .. }
                        | ExprKind::New { .. }
                ) {
                    return err(
                        e.pos,
                        "only assignment, call, increment, decrement, and new object expressions can be used as a statement",
                    );
                }
                out.push(Stmt::Expr(self.expr(e)?.0));
            }
            StmtKind::Decl(ty, vars) => {
                let declared = ty.as_ref().map(|t| self.type_ref(t)).transpose()?;
                let nullable = ty.as_ref().is_some_and(|t| t.nullable);
                for (name, pos, init) in vars {
                    let (node, t) = match (init, declared) {
                        (Some(e), None) => {
                            let (n, t) = self.expr(e)?;
                            if matches!(t, Type::Null | Type::Void | Type::Lambda) {
                                return err(
                                    e.pos,
                                    format!("cannot assign '{t}' to an implicitly-typed variable"),
                                );
                            }
                            (n, t)
                        }
                        (Some(e), Some(d)) => {
                            let (n, t) = self.expr(e)?;
                            if !(t.fits(d) || nullable && t == Type::Null) {
                                return err(
                                    e.pos,
                                    format!("cannot implicitly convert type '{t}' to '{d}'"),
                                );
                            }
                            let n = if t == Type::Int && d == Type::Double {
                                Node::Convert(Conv::Numeric(Type::Double), Box::new(n))
                            } else {
                                n
                            };
                            (n, d)
                        }
                        (None, Some(d)) => (Node::Const(default_value(d)), d),
                        (None, None) => {
                            return err(*pos, "implicitly-typed variables must be initialized");
                        }
                    };
                    let slot = self.declare(name, t, *pos)?;
                    out.push(Stmt::Set(slot, node));
                }
            }
            StmtKind::If(c, a, b) => {
                let c = self.cond(c)?;
                let a = self.sub_block(a)?;
                let b = match b {
                    Some(b) => self.sub_block(b)?,
                    None => Vec::new(),
                };
                out.push(Stmt::If(c, a, b));
            }
            StmtKind::Return(e) => {
                let Some(e) = e else {
                    return err(s.pos, "an expression must return a value");
                };
                let (n, t) = self.expr(e)?;
                if t == Type::Void {
                    return err(e.pos, "cannot return a void expression");
                }
                match self.returns.last_mut() {
                    Some(r) => r.push(t),
                    None => return err(s.pos, "'return' is only allowed in '@{ }' blocks"),
                }
                out.push(Stmt::Return(n));
            }
            StmtKind::Block(b) => out.push(Stmt::If(
                Node::Const(Value::Bool(true)),
                self.block(b)?,
                Vec::new(),
            )),
            StmtKind::Foreach {
                ty,
                name,
                seq,
                body,
            } => {
                let (seq_n, seq_t) = self.expr(seq)?;
                let Some(elem) = seq_t.seq_elem() else {
                    return err(
                        seq.pos,
                        format!("foreach cannot operate on a value of type '{seq_t}'"),
                    );
                };
                let seq_n = member::materialize(seq_n, seq_t);
                let elem_t = match ty {
                    Some(t) => self.type_ref(t)?,
                    None => Type::elem(elem),
                };
                let (slot, body) = self.scoped(|c| {
                    let slot = c.declare(name, elem_t, s.pos)?;
                    c.loops += 1;
                    let body = c.sub_block(body);
                    c.loops -= 1;
                    Ok((slot, body?))
                })?;
                let seq_n = if ty.is_some() && elem_t != Type::elem(elem) {
                    // `foreach (string s in jarray)` casts each element; do it with Select.
                    return err(
                        seq.pos,
                        format!(
                            "foreach with an explicit element type '{elem_t}' over '{seq_t}' is not supported; use 'var'"
                        ),
                    );
                } else {
                    seq_n
                };
                out.push(Stmt::Foreach(slot, seq_n, body));
            }
            StmtKind::While(c, body) => {
                let c = self.cond(c)?;
                self.loops += 1;
                let body = self.sub_block(body);
                self.loops -= 1;
                out.push(Stmt::While(c, body?));
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                let stmts = self.scoped(|c| {
                    let mut pre = Vec::new();
                    for i in init {
                        c.stmt(i, &mut pre)?;
                    }
                    let cond = cond.as_ref().map(|e| c.cond(e)).transpose()?;
                    let step = step
                        .iter()
                        .map(|e| c.expr(e).map(|x| x.0))
                        .collect::<CResult<Vec<_>>>()?;
                    c.loops += 1;
                    let body = c.sub_block(body);
                    c.loops -= 1;
                    pre.push(Stmt::For(cond, step, body?));
                    Ok(pre)
                })?;
                out.push(Stmt::If(Node::Const(Value::Bool(true)), stmts, Vec::new()));
            }
            StmtKind::Break | StmtKind::Continue if self.loops == 0 => {
                return err(s.pos, "no enclosing loop out of which to break or continue");
            }
            StmtKind::Break => out.push(Stmt::Break),
            StmtKind::Continue => out.push(Stmt::Continue),
            StmtKind::Throw(e) => {
                let n = e.as_ref().map(|e| self.expr(e).map(|x| x.0)).transpose()?;
                out.push(Stmt::Throw(n));
            }
        }
        Ok(())
    }
}

pub(crate) fn default_value(t: Type) -> Value {
    match t {
        Type::Bool => Value::Bool(false),
        Type::Int | Type::Enum(_) => Value::Int(0),
        Type::Double => Value::Double(0.0),
        Type::Char => Value::Char('\0'),
        Type::Guid => Value::Guid(uuid::Uuid::nil()),
        Type::TimeSpan => Value::TimeSpan(crate::builtins::datetime::TimeSpan::from_ticks(0)),
        Type::DateTime => {
            crate::builtins::datetime::DateTime::from_ticks(0).map_or(Value::Null, Value::DateTime)
        }
        _ => Value::Null,
    }
}
