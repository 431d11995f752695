//! Tree-walking evaluator over the compiled IR. Locals live in one slot vector per evaluation;
//! a step budget bounds loops and lambdas so a policy can't spin a gateway worker.

pub(crate) mod linq;
pub(crate) mod ops;

use std::sync::Arc;

use serde_json::Value as J;

use crate::ast::UnOp;
use crate::builtins::{self, json};
use crate::context::EvalContext;
use crate::error::EvalError;
use crate::ir::{Arith, Conv, Mutation, Node, Part, Stmt, TypeTest};
use crate::value::Value;

/// Steps (statements, loop iterations, lambda calls) one evaluation may take.
pub(crate) const STEP_BUDGET: u64 = 100_000;

pub(crate) enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

pub(crate) struct Frame<'c> {
    pub(crate) slots: Vec<Value>,
    pub(crate) ctx: &'c dyn EvalContext,
    steps: u64,
}

impl<'c> Frame<'c> {
    pub(crate) fn new(n_slots: usize, ctx: &'c dyn EvalContext) -> Self {
        Self {
            slots: vec![Value::Null; n_slots],
            ctx,
            steps: 0,
        }
    }

    pub(crate) fn step(&mut self) -> Result<(), EvalError> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return Err(EvalError::invalid_op(format!(
                "expression exceeded its budget of {STEP_BUDGET} steps"
            )));
        }
        Ok(())
    }

    pub(crate) fn exec(&mut self, stmts: &[Stmt]) -> Result<Flow, EvalError> {
        for s in stmts {
            self.step()?;
            match s {
                Stmt::Expr(n) => {
                    self.eval(n)?;
                }
                Stmt::Set(slot, n) => {
                    let v = self.eval(n)?;
                    self.slots[usize::from(*slot)] = v;
                }
                Stmt::If(c, a, b) => {
                    let branch = if truthy(&self.eval(c)?)? { a } else { b };
                    match self.exec(branch)? {
                        Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                Stmt::Return(n) => return Ok(Flow::Return(self.eval(n)?)),
                Stmt::Foreach(slot, seq, body) => {
                    let items = builtins::seq_items(&self.eval(seq)?)?;
                    for item in items {
                        self.step()?;
                        self.slots[usize::from(*slot)] = item;
                        match self.exec(body)? {
                            Flow::Break => break,
                            Flow::Return(v) => return Ok(Flow::Return(v)),
                            Flow::Normal | Flow::Continue => {}
                        }
                    }
                }
                Stmt::While(c, body) => loop {
                    self.step()?;
                    if !truthy(&self.eval(c)?)? {
                        break;
                    }
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                },
                Stmt::For(c, step, body) => loop {
                    self.step()?;
                    if let Some(c) = c {
                        if !truthy(&self.eval(c)?)? {
                            break;
                        }
                    }
                    match self.exec(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                    for s in step {
                        self.eval(s)?;
                    }
                },
                Stmt::Break => return Ok(Flow::Break),
                Stmt::Continue => return Ok(Flow::Continue),
                Stmt::Throw(n) => {
                    let msg = match n {
                        Some(n) => self.eval(n)?.to_dotnet_string(),
                        None => "Exception of type 'System.Exception' was thrown.".into(),
                    };
                    return Err(EvalError::new("Exception", msg));
                }
            }
        }
        Ok(Flow::Normal)
    }

    pub(crate) fn eval(&mut self, n: &Node) -> Result<Value, EvalError> {
        Ok(match n {
            Node::Const(v) => v.clone(),
            Node::Local(s) => self.slots[usize::from(*s)].clone(),
            Node::Unary(op, e) => unary(*op, &self.eval(e)?)?,
            Node::Arith(op, a, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                ops::arith(*op, &a, &b)?
            }
            Node::Concat(parts) => {
                let mut out = String::new();
                for p in parts {
                    self.eval(p)?.write_dotnet(&mut out);
                }
                Value::String(Arc::from(out))
            }
            Node::Cmp(op, a, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                Value::Bool(ops::compare(*op, &a, &b)?)
            }
            Node::And(a, b) => Value::Bool(truthy(&self.eval(a)?)? && truthy(&self.eval(b)?)?),
            Node::Or(a, b) => Value::Bool(truthy(&self.eval(a)?)? || truthy(&self.eval(b)?)?),
            Node::Coalesce(a, b) => match self.eval(a)? {
                Value::Null => self.eval(b)?,
                v => v,
            },
            Node::Cond(c, a, b) => {
                if truthy(&self.eval(c)?)? {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Node::Call {
                f,
                recv,
                args,
                null_cond,
            } => {
                let r = match recv {
                    Some(r) => self.eval(r)?,
                    None => Value::Null,
                };
                if r.is_null() && recv.is_some() {
                    if *null_cond {
                        return Ok(Value::Null);
                    }
                    if matches!(f, builtins::Builtin::Misc(builtins::misc::MiscFn::HasValue)) {
                        return Ok(Value::Bool(false));
                    }
                    if matches!(
                        f,
                        builtins::Builtin::Misc(builtins::misc::MiscFn::NullableValue)
                    ) {
                        return Err(EvalError::invalid_op("Nullable object must have a value."));
                    }
                    if !builtins::is_static(f) {
                        return Err(EvalError::null_ref());
                    }
                }
                match args.len() {
                    0 => builtins::call(f, &r, &[], self.ctx)?,
                    1 => {
                        let a = [self.eval(&args[0])?];
                        builtins::call(f, &r, &a, self.ctx)?
                    }
                    2 => {
                        let a = [self.eval(&args[0])?, self.eval(&args[1])?];
                        builtins::call(f, &r, &a, self.ctx)?
                    }
                    _ => {
                        let a = args
                            .iter()
                            .map(|a| self.eval(a))
                            .collect::<Result<Vec<_>, _>>()?;
                        builtins::call(f, &r, &a, self.ctx)?
                    }
                }
            }
            Node::OutCall { call, slot } => match self.eval(call)? {
                Value::Array(pair) if pair.len() == 2 => {
                    self.slots[usize::from(*slot)] = pair[1].clone();
                    pair[0].clone()
                }
                other => other,
            },
            Node::Linq {
                op,
                recv,
                lambda,
                arg,
                null_cond,
            } => {
                let r = self.eval(recv)?;
                if r.is_null() && *null_cond {
                    return Ok(Value::Null);
                }
                let arg = match arg {
                    Some(a) => Some(self.eval(a)?),
                    None => None,
                };
                linq::run(self, *op, &r, lambda.as_ref(), arg)?
            }
            Node::Convert(c, e) => {
                let v = self.eval(e)?;
                match c {
                    Conv::Cast(t) => ops::cast_to(v, *t)?,
                    Conv::Numeric(t) => ops::numeric_to(&v, *t)?,
                    Conv::As(t) => {
                        if ops::matches_type(&v, *t) {
                            v
                        } else {
                            Value::Null
                        }
                    }
                    Conv::ToStringOrNull => match v {
                        Value::Null | Value::String(_) => v,
                        other => Value::String(Arc::from(other.to_dotnet_string())),
                    },
                }
            }
            Node::Is { test, value, bind } => {
                let v = self.eval(value)?;
                let ok = match test {
                    TypeTest::Null => v.is_null(),
                    TypeTest::NotNull => !v.is_null(),
                    TypeTest::Type(t) => ops::matches_type(&v, *t),
                };
                if let (true, Some(slot)) = (ok, bind) {
                    self.slots[usize::from(*slot)] = v;
                }
                Value::Bool(ok)
            }
            Node::Interp(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        Part::Text(t) => out.push_str(t),
                        Part::Hole {
                            node,
                            align,
                            format,
                        } => {
                            let v = self.eval(node)?;
                            let text = builtins::format::format_value(&v, format.as_deref())?;
                            if align.is_some() {
                                out.push_str(&builtins::format::align_text(&text, *align));
                            } else {
                                out.push_str(&text);
                            }
                        }
                    }
                }
                Value::String(Arc::from(out))
            }
            Node::NewArray(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
            Node::NewJObject(items) => {
                let mut m = serde_json::Map::new();
                for i in items {
                    match self.eval(i)? {
                        Value::JProperty(p) => {
                            if m.contains_key(&*p.0) {
                                return Err(duplicate_prop(&p.0));
                            }
                            m.insert(p.0.to_string(), p.1.clone());
                        }
                        Value::Json(j) if j.is_object() => {
                            if let J::Object(o) = &*j {
                                for (k, v) in o {
                                    m.insert(k.clone(), v.clone());
                                }
                            }
                        }
                        Value::Null => {}
                        other => {
                            return Err(EvalError::argument(format!(
                                "Can not add {} to Newtonsoft.Json.Linq.JObject.",
                                other.type_name()
                            )));
                        }
                    }
                }
                Value::json(J::Object(m))
            }
            Node::NewJArray(items) => {
                let mut a = Vec::with_capacity(items.len());
                for i in items {
                    let v = self.eval(i)?;
                    match v {
                        Value::Array(inner) => {
                            for x in inner.iter() {
                                a.push(json::to_json(x)?);
                            }
                        }
                        other => a.push(json::to_json(&other)?),
                    }
                }
                Value::json(J::Array(a))
            }
            Node::NewJProperty(name, value) => {
                let name = self.eval(name)?;
                let v = self.eval(value)?;
                let name = builtins::a_str(&name)?;
                Value::JProperty(Arc::new((Arc::from(name), json::to_json(&v)?)))
            }
            Node::Assign {
                slot,
                path,
                op,
                value,
            } => self.assign(*slot, path, *op, value)?,
            Node::Mutate {
                slot,
                path,
                op,
                args,
            } => self.mutate(*slot, path, *op, args)?,
            Node::Block(stmts) => match self.exec(stmts)? {
                Flow::Return(v) => v,
                _ => Value::Null,
            },
        })
    }

    fn keys(&mut self, path: &[Node]) -> Result<Vec<Value>, EvalError> {
        path.iter().map(|p| self.eval(p)).collect()
    }

    fn assign(
        &mut self,
        slot: u16,
        path: &[Node],
        op: Option<Arith>,
        value: &Node,
    ) -> Result<Value, EvalError> {
        let keys = self.keys(path)?;
        let mut v = self.eval(value)?;
        let slot = usize::from(slot);
        let Some((last, parents)) = keys.split_last() else {
            if let Some(op) = op {
                v = combine(op, &self.slots[slot], &v)?;
            }
            self.slots[slot] = v.clone();
            return Ok(v);
        };
        let root = json_root(&mut self.slots[slot])?;
        let target = json::path_mut(root, parents)?;
        if let Some(op) = op {
            let current = json::index(target, last)?;
            v = combine(op, &current, &v)?;
        }
        json::set_index(target, last, json::to_json(&v)?)?;
        Ok(v)
    }

    fn mutate(
        &mut self,
        slot: u16,
        path: &[Node],
        op: Mutation,
        args: &[Node],
    ) -> Result<Value, EvalError> {
        let keys = self.keys(path)?;
        let args = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>, _>>()?;
        let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
        let root = json_root(&mut self.slots[usize::from(slot)])?;
        let target = json::path_mut(root, &keys)?;
        Ok(match (op, target) {
            (Mutation::Add, J::Object(m)) => {
                let (k, v) = match (arg(0), args.len()) {
                    (Value::JProperty(p), 1) => (p.0.to_string(), p.1.clone()),
                    (k, 2) => (builtins::a_str(k)?.to_string(), json::to_json(arg(1))?),
                    _ => {
                        return Err(EvalError::argument(
                            "Can not add value to Newtonsoft.Json.Linq.JObject.",
                        ));
                    }
                };
                if m.contains_key(&k) {
                    return Err(duplicate_prop(&k));
                }
                m.insert(k, v);
                Value::Null
            }
            (Mutation::Add, J::Array(a)) => {
                a.push(json::to_json(arg(0))?);
                Value::Null
            }
            (Mutation::Remove, J::Object(m)) => {
                Value::Bool(m.shift_remove(builtins::a_str(arg(0))?).is_some())
            }
            (Mutation::Remove, J::Array(a)) => {
                let needle = json::to_json(arg(0))?;
                match a.iter().position(|x| *x == needle) {
                    Some(i) => {
                        a.remove(i);
                        Value::Bool(true)
                    }
                    None => Value::Bool(false),
                }
            }
            (Mutation::RemoveAt, J::Array(a)) => {
                let i = builtins::a_usize(arg(0), "index")?;
                if i >= a.len() {
                    return Err(EvalError::out_of_range(
                        "Index is equal to or greater than Count. (Parameter 'index')",
                    ));
                }
                a.remove(i);
                Value::Null
            }
            (Mutation::Insert, J::Array(a)) => {
                let i = builtins::a_usize(arg(0), "index")?;
                if i > a.len() {
                    return Err(EvalError::out_of_range(
                        "Index must be within the bounds of the List. (Parameter 'index')",
                    ));
                }
                a.insert(i, json::to_json(arg(1))?);
                Value::Null
            }
            (Mutation::Merge, J::Object(m)) => {
                if let J::Object(other) = json::to_json(arg(0))? {
                    for (k, v) in other {
                        m.insert(k, v);
                    }
                }
                Value::Null
            }
            (Mutation::RemoveAll, J::Object(m)) => {
                m.clear();
                Value::Null
            }
            (Mutation::RemoveAll, J::Array(a)) => {
                a.clear();
                Value::Null
            }
            _ => return Err(EvalError::invalid_op("Cannot modify a JValue.")),
        })
    }
}

fn duplicate_prop(k: &str) -> EvalError {
    EvalError::argument(format!(
        "Can not add property {k} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object."
    ))
}

fn json_root(v: &mut Value) -> Result<&mut J, EvalError> {
    match v {
        Value::Json(j) => Ok(Arc::make_mut(j)),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "JToken")),
    }
}

/// Compound assignment: `+=` on strings concatenates.
fn combine(op: Arith, a: &Value, b: &Value) -> Result<Value, EvalError> {
    if op == Arith::Add && (matches!(a, Value::String(_)) || matches!(b, Value::String(_))) {
        let mut s = a.to_dotnet_string();
        b.write_dotnet(&mut s);
        return Ok(Value::String(Arc::from(s)));
    }
    ops::arith(op, a, b)
}

pub(crate) fn truthy(v: &Value) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(*b),
        // A lifted bool? that is null counts as false in conditions reached through `?.`.
        Value::Null => Ok(false),
        Value::Json(j) => match &**j {
            J::Bool(b) => Ok(*b),
            _ => Err(EvalError::invalid_cast(v.type_name(), "Boolean")),
        },
        other => Err(EvalError::invalid_cast(other.type_name(), "Boolean")),
    }
}

fn unary(op: UnOp, v: &Value) -> Result<Value, EvalError> {
    Ok(match (op, v) {
        (_, Value::Null) => Value::Null,
        (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnOp::Neg, Value::Int(i)) => Value::Int(i.wrapping_neg()),
        (UnOp::Neg, Value::Double(d)) => Value::Double(-d),
        (UnOp::Neg, Value::TimeSpan(t)) => {
            Value::TimeSpan(crate::builtins::datetime::TimeSpan::from_ticks(-t.ticks()))
        }
        (UnOp::Plus, Value::Int(_) | Value::Double(_)) => v.clone(),
        (UnOp::BitNot, Value::Int(i)) => Value::Int(!i),
        (_, other) => {
            return Err(EvalError::invalid_op(format!(
                "Operator cannot be applied to operand of type '{}'",
                other.type_name()
            )));
        }
    })
}
