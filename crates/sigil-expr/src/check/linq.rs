//! LINQ methods with their lambdas.

use super::{CResult, Checker, err};
use crate::ast::{Arg, Expr, ExprKind, LambdaBody};
use crate::ir::{Lambda, Linq, Node};
use crate::types::Type;

pub(super) fn linq_op(name: &str) -> Option<Linq> {
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

impl Checker {
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

    pub(super) fn linq(
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
}
