//! `System.Linq.Enumerable` methods over materialised sequences.

use std::sync::Arc;

use super::{Frame, ops, truthy};
use crate::builtins::{a_usize, seq_items};
use crate::error::EvalError;
use crate::ir::{Arith, Lambda, Linq};
use crate::value::Value;

fn call(f: &mut Frame<'_>, l: &Lambda, item: &Value) -> Result<Value, EvalError> {
    f.step()?;
    if let Some(p) = l.params.first() {
        f.slots[usize::from(*p)] = item.clone();
    }
    f.eval(&l.body)
}

fn pred(f: &mut Frame<'_>, l: Option<&Lambda>, item: &Value) -> Result<bool, EvalError> {
    match l {
        Some(l) => truthy(&call(f, l, item)?),
        None => Ok(true),
    }
}

fn no_elements() -> EvalError {
    EvalError::invalid_op("Sequence contains no elements")
}

fn no_match() -> EvalError {
    EvalError::invalid_op("Sequence contains no matching element")
}

pub(crate) fn run(
    f: &mut Frame<'_>,
    op: Linq,
    recv: &Value,
    l: Option<&Lambda>,
    arg: Option<Value>,
) -> Result<Value, EvalError> {
    let items = seq_items(recv)?;
    let arr = |v: Vec<Value>| Value::Array(Arc::from(v));
    Ok(match op {
        Linq::Any => {
            for i in &items {
                if pred(f, l, i)? {
                    return Ok(Value::Bool(true));
                }
            }
            Value::Bool(false)
        }
        Linq::All => {
            for i in &items {
                if !pred(f, l, i)? {
                    return Ok(Value::Bool(false));
                }
            }
            Value::Bool(true)
        }
        Linq::Count => {
            let mut n = 0i64;
            for i in &items {
                if pred(f, l, i)? {
                    n += 1;
                }
            }
            Value::Int(n)
        }
        Linq::Where => {
            let mut out = Vec::new();
            for i in items {
                if pred(f, l, &i)? {
                    out.push(i);
                }
            }
            arr(out)
        }
        Linq::Select => {
            let Some(l) = l else { return Ok(arr(items)) };
            let mut out = Vec::with_capacity(items.len());
            for i in &items {
                out.push(call(f, l, i)?);
            }
            arr(out)
        }
        Linq::First
        | Linq::FirstOrDefault
        | Linq::Last
        | Linq::LastOrDefault
        | Linq::Single
        | Linq::SingleOrDefault => {
            let mut found = Vec::new();
            for i in items {
                if pred(f, l, &i)? {
                    found.push(i);
                    if matches!(op, Linq::First | Linq::FirstOrDefault)
                        || (found.len() > 1 && matches!(op, Linq::Single | Linq::SingleOrDefault))
                    {
                        break;
                    }
                }
            }
            if matches!(op, Linq::Single | Linq::SingleOrDefault) && found.len() > 1 {
                return Err(EvalError::invalid_op(
                    "Sequence contains more than one matching element",
                ));
            }
            let pick = if matches!(op, Linq::Last | Linq::LastOrDefault) {
                found.pop()
            } else {
                found.into_iter().next()
            };
            match (pick, op) {
                (Some(v), _) => v,
                (None, Linq::First | Linq::Last | Linq::Single) => {
                    return Err(if l.is_some() {
                        no_match()
                    } else {
                        no_elements()
                    });
                }
                (None, _) => Value::Null,
            }
        }
        Linq::Contains => {
            let needle = arg.unwrap_or(Value::Null);
            Value::Bool(items.iter().any(|i| ops::values_equal(i, &needle)))
        }
        Linq::ToArray => arr(items),
        Linq::Distinct => {
            let mut out: Vec<Value> = Vec::new();
            for i in items {
                if !out.iter().any(|o| ops::values_equal(o, &i)) {
                    out.push(i);
                }
            }
            arr(out)
        }
        Linq::Skip | Linq::Take => {
            let n = a_usize(&arg.unwrap_or(Value::Int(0)), "count").unwrap_or(0);
            if op == Linq::Skip {
                arr(items.into_iter().skip(n).collect())
            } else {
                arr(items.into_iter().take(n).collect())
            }
        }
        Linq::ElementAt | Linq::ElementAtOrDefault => {
            let n = a_usize(&arg.unwrap_or(Value::Int(0)), "index")?;
            match (items.into_iter().nth(n), op) {
                (Some(v), _) => v,
                (None, Linq::ElementAt) => {
                    return Err(EvalError::out_of_range(
                        "Index was out of range. (Parameter 'index')",
                    ));
                }
                (None, _) => Value::Null,
            }
        }
        Linq::Reverse => arr(items.into_iter().rev().collect()),
        Linq::OrderBy | Linq::OrderByDescending => {
            let mut keyed = Vec::with_capacity(items.len());
            for i in items {
                let k = match l {
                    Some(l) => call(f, l, &i)?,
                    None => i.clone(),
                };
                keyed.push((k, i));
            }
            keyed.sort_by(|a, b| ops::sort_order(&a.0, &b.0));
            if op == Linq::OrderByDescending {
                keyed.reverse();
            }
            arr(keyed.into_iter().map(|(_, v)| v).collect())
        }
        Linq::Sum | Linq::Min | Linq::Max => {
            let mut vals = Vec::with_capacity(items.len());
            for i in &items {
                vals.push(match l {
                    Some(l) => call(f, l, i)?,
                    None => i.clone(),
                });
            }
            match op {
                Linq::Sum => {
                    let mut acc = Value::Int(0);
                    for v in &vals {
                        if !v.is_null() {
                            acc = ops::arith(Arith::Add, &acc, v)?;
                        }
                    }
                    acc
                }
                _ => {
                    let mut best: Option<Value> = None;
                    for v in vals.into_iter().filter(|v| !v.is_null()) {
                        best = Some(match best {
                            None => v,
                            Some(b) => {
                                let o = ops::sort_order(&v, &b);
                                let better = if op == Linq::Min {
                                    o.is_lt()
                                } else {
                                    o.is_gt()
                                };
                                if better { v } else { b }
                            }
                        });
                    }
                    best.ok_or_else(no_elements)?
                }
            }
        }
    })
}
