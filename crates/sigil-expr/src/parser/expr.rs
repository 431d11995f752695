//! Expressions: precedence climbing, casts, postfix chains, primaries, `new`, interpolation.

use super::{MAX_DEPTH, PREDEFINED, PResult, Parser, RESERVED};
use crate::ast::{
    Arg, BinOp, Expr, ExprKind, InitItem, InterpPart, IsPattern, LambdaBody, OutTarget, UnOp,
};
use crate::error::ParseError;
use crate::lexer::{InterpPiece, Tok, lex};

impl Parser<'_> {
    // --- expressions ---

    pub(crate) fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.expr_inner();
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self) -> PResult<Expr> {
        if let Some(l) = self.try_lambda()? {
            return Ok(l);
        }
        let pos = self.pos();
        let lhs = self.conditional()?;
        let op = match self.tok() {
            Tok::Punct("=") => None,
            Tok::Punct("+=") => Some(BinOp::Add),
            Tok::Punct("-=") => Some(BinOp::Sub),
            Tok::Punct("*=") => Some(BinOp::Mul),
            Tok::Punct("/=") => Some(BinOp::Div),
            Tok::Punct("%=") => Some(BinOp::Rem),
            Tok::Punct("&=") => Some(BinOp::BitAnd),
            Tok::Punct("|=") => Some(BinOp::BitOr),
            Tok::Punct("^=") => Some(BinOp::BitXor),
            _ => return Ok(lhs),
        };
        self.i += 1;
        let value = self.expr()?;
        Ok(Expr {
            kind: ExprKind::Assign {
                target: Box::new(lhs),
                op,
                value: Box::new(value),
            },
            pos,
        })
    }

    fn try_lambda(&mut self) -> PResult<Option<Expr>> {
        let pos = self.pos();
        let params = match self.tok() {
            Tok::Ident(s) if self.at_n(1, "=>") && !RESERVED.contains(&s.as_str()) => {
                let p = vec![(s.clone(), pos)];
                self.i += 2;
                p
            }
            Tok::Punct("(") => {
                // `()`, `(a)`, `(a, b)` followed by `=>`.
                let mut n = 1;
                let mut params = Vec::new();
                loop {
                    match self.tok_at(n) {
                        Tok::Punct(")") if self.at_n(n + 1, "=>") => break,
                        Tok::Ident(s) => {
                            params.push((
                                s.clone(),
                                self.toks[(self.i + n).min(self.toks.len() - 1)].start,
                            ));
                            n += 1;
                            if self.at_n(n, ",") {
                                n += 1;
                            }
                        }
                        _ => return Ok(None),
                    }
                }
                self.i += n + 2;
                params
            }
            _ => return Ok(None),
        };
        let body = if self.at("{") {
            LambdaBody::Block(self.block()?)
        } else {
            LambdaBody::Expr(self.expr()?)
        };
        Ok(Some(Expr {
            kind: ExprKind::Lambda {
                params,
                body: Box::new(body),
            },
            pos,
        }))
    }

    fn conditional(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        let c = self.binary(1)?;
        if !self.eat("?") {
            return Ok(c);
        }
        let a = self.expr()?;
        self.expect(":")?;
        let b = self.expr()?;
        Ok(Expr {
            kind: ExprKind::Cond(Box::new(c), Box::new(a), Box::new(b)),
            pos,
        })
    }

    fn binop(&self) -> Option<(u8, BinOp)> {
        let Tok::Punct(p) = self.tok() else {
            return None;
        };
        Some(match *p {
            "??" => (1, BinOp::Coalesce),
            "||" => (2, BinOp::Or),
            "&&" => (3, BinOp::And),
            "|" => (4, BinOp::BitOr),
            "^" => (5, BinOp::BitXor),
            "&" => (6, BinOp::BitAnd),
            "==" => (7, BinOp::Eq),
            "!=" => (7, BinOp::Ne),
            "<" => (8, BinOp::Lt),
            ">" => (8, BinOp::Gt),
            "<=" => (8, BinOp::Le),
            ">=" => (8, BinOp::Ge),
            "+" => (9, BinOp::Add),
            "-" => (9, BinOp::Sub),
            "*" => (10, BinOp::Mul),
            "/" => (10, BinOp::Div),
            "%" => (10, BinOp::Rem),
            _ => return None,
        })
    }

    fn binary(&mut self, min: u8) -> PResult<Expr> {
        self.enter()?;
        let r = self.binary_inner(min);
        self.depth -= 1;
        r
    }

    fn binary_inner(&mut self, min: u8) -> PResult<Expr> {
        let saved = self.tree;
        let r = self.binary_chain(min);
        self.tree = saved;
        r
    }

    fn binary_chain(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        loop {
            self.grow()?;
            let pos = lhs.pos;
            // `is` / `as` bind like relational operators.
            if min <= 8 && self.at_kw("is") {
                self.i += 1;
                let pat = if self.eat_kw("null") {
                    IsPattern::Null
                } else if self.at_kw("not")
                    && matches!(self.tok_at(1), Tok::Ident(s) if s == "null")
                {
                    self.i += 2;
                    IsPattern::NotNull
                } else if matches!(self.tok(), Tok::Ident(s) if !RESERVED.contains(&s.as_str())) {
                    let t = self.ty(false)?;
                    let bind = match self.tok() {
                        Tok::Ident(s) if !RESERVED.contains(&s.as_str()) => Some(self.ident()?),
                        _ => None,
                    };
                    IsPattern::Type(t, bind)
                } else {
                    IsPattern::Const(Box::new(self.unary()?))
                };
                lhs = Expr {
                    kind: ExprKind::Is(Box::new(lhs), pat),
                    pos,
                };
                continue;
            }
            if min <= 8 && self.at_kw("as") {
                self.i += 1;
                let t = self.ty(false)?;
                lhs = Expr {
                    kind: ExprKind::As(Box::new(lhs), t),
                    pos,
                };
                continue;
            }
            let Some((prec, op)) = self.binop() else {
                break;
            };
            if prec < min {
                break;
            }
            self.i += 1;
            // `??` is right-associative; everything else left.
            let next = if op == BinOp::Coalesce {
                prec
            } else {
                prec + 1
            };
            let rhs = self.binary(next)?;
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                pos,
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        let op = match self.tok() {
            Tok::Punct("-") => Some(UnOp::Neg),
            Tok::Punct("+") => Some(UnOp::Plus),
            Tok::Punct("!") => Some(UnOp::Not),
            Tok::Punct("~") => Some(UnOp::BitNot),
            _ => None,
        };
        if let Some(op) = op {
            self.i += 1;
            let e = self.unary()?;
            return Ok(Expr {
                kind: ExprKind::Unary(op, Box::new(e)),
                pos,
            });
        }
        if self.at("++") || self.at("--") {
            let inc = self.at("++");
            self.i += 1;
            let e = self.unary()?;
            return Ok(Expr {
                kind: ExprKind::IncDec {
                    target: Box::new(e),
                    inc,
                },
                pos,
            });
        }
        if self.at("(") {
            if let Some(cast) = self.try_cast()? {
                return Ok(cast);
            }
        }
        let prim = self.primary()?;
        self.postfix(prim)
    }

    fn try_cast(&mut self) -> PResult<Option<Expr>> {
        let pos = self.pos();
        let save = self.i;
        self.i += 1;
        let predefined = matches!(self.tok(), Tok::Ident(s) if PREDEFINED.contains(&s.as_str()));
        let Ok(t) = self.ty(true) else {
            self.i = save;
            return Ok(None);
        };
        if !self.eat(")") {
            self.i = save;
            return Ok(None);
        }
        let follows_operand = match self.tok() {
            Tok::Ident(s) => !matches!(s.as_str(), "is" | "as" | "in"),
            Tok::Int(_)
            | Tok::Long(_)
            | Tok::Double(_)
            | Tok::Str(_)
            | Tok::Char(_)
            | Tok::Interp(_) => true,
            Tok::Punct(p) => matches!(*p, "(" | "!" | "~"),
            Tok::Eof => false,
        };
        let is_cast = follows_operand
            || (predefined && matches!(self.tok(), Tok::Punct("-" | "+")) && t.array == 0);
        if !is_cast {
            self.i = save;
            return Ok(None);
        }
        let e = self.unary()?;
        Ok(Some(Expr {
            kind: ExprKind::Cast(t, Box::new(e)),
            pos,
        }))
    }

    fn args(&mut self, close: &str) -> PResult<Vec<Arg>> {
        let mut out = Vec::new();
        if self.eat(close) {
            return Ok(out);
        }
        loop {
            let name = match self.tok() {
                Tok::Ident(s) if self.at_n(1, ":") && !RESERVED.contains(&s.as_str()) => {
                    let s = s.clone();
                    self.i += 2;
                    Some(s)
                }
                _ => None,
            };
            let pos = self.pos();
            let (out_t, expr) = if self.eat_kw("out") {
                let target = if self.eat_kw("var") {
                    OutTarget::Declare(None, self.ident()?)
                } else if matches!(self.tok_at(1), Tok::Ident(_))
                    || self.at_n(1, "<")
                    || self.at_n(1, ".")
                    || self.at_n(1, "[")
                {
                    let t = self.ty(true)?;
                    OutTarget::Declare(Some(t), self.ident()?)
                } else {
                    OutTarget::Existing(self.ident()?)
                };
                (
                    Some(target),
                    Expr {
                        kind: ExprKind::Null,
                        pos,
                    },
                )
            } else {
                (None, self.expr()?)
            };
            out.push(Arg {
                name,
                out: out_t,
                expr,
            });
            if self.eat(close) {
                return Ok(out);
            }
            self.expect(",")?;
        }
    }

    fn postfix(&mut self, e: Expr) -> PResult<Expr> {
        let saved = self.tree;
        let r = self.postfix_chain(e);
        self.tree = saved;
        r
    }

    fn postfix_chain(&mut self, mut e: Expr) -> PResult<Expr> {
        let mut links = 0u32;
        loop {
            links += 1;
            self.grow()?;
            if links > 4 * MAX_DEPTH {
                return Err(ParseError::new(
                    self.pos(),
                    "member access chain is too long",
                ));
            }
            let pos = e.pos;
            if self.at(".") || self.at("?.") {
                let null_cond = self.at("?.");
                self.i += 1;
                let name = self.ident()?;
                let type_args = self.try_type_args();
                e = Expr {
                    kind: ExprKind::Member {
                        recv: Box::new(e),
                        name,
                        null_cond,
                        type_args,
                    },
                    pos,
                };
            } else if self.at("(") {
                self.i += 1;
                let args = self.args(")")?;
                e = Expr {
                    kind: ExprKind::Call {
                        callee: Box::new(e),
                        args,
                    },
                    pos,
                };
            } else if self.at("[") || self.at("?[") {
                let null_cond = self.at("?[");
                self.i += 1;
                let mut args = Vec::new();
                loop {
                    args.push(self.expr()?);
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect("]")?;
                e = Expr {
                    kind: ExprKind::Index {
                        recv: Box::new(e),
                        args,
                        null_cond,
                    },
                    pos,
                };
            } else if self.at("++") || self.at("--") {
                let inc = self.at("++");
                self.i += 1;
                e = Expr {
                    kind: ExprKind::IncDec {
                        target: Box::new(e),
                        inc,
                    },
                    pos,
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        let kind = match self.tok().clone() {
            Tok::Int(v) => {
                self.i += 1;
                ExprKind::Int(v)
            }
            Tok::Long(v) => {
                self.i += 1;
                ExprKind::Long(v)
            }
            Tok::Double(v) => {
                self.i += 1;
                ExprKind::Double(v)
            }
            Tok::Str(s) => {
                self.i += 1;
                ExprKind::Str(s)
            }
            Tok::Char(c) => {
                self.i += 1;
                ExprKind::Char(c)
            }
            Tok::Interp(pieces) => {
                self.i += 1;
                ExprKind::Interp(self.interp(pieces)?)
            }
            Tok::Punct("(") => {
                self.i += 1;
                let e = self.expr()?;
                self.expect(")")?;
                return Ok(e);
            }
            Tok::Ident(s) => match s.as_str() {
                "true" | "false" => {
                    self.i += 1;
                    ExprKind::Bool(s == "true")
                }
                "null" => {
                    self.i += 1;
                    ExprKind::Null
                }
                "new" => {
                    self.i += 1;
                    return self.new_expr(pos);
                }
                "typeof" | "default" => {
                    self.i += 1;
                    self.expect("(")?;
                    let t = self.ty(true)?;
                    self.expect(")")?;
                    if s == "typeof" {
                        ExprKind::Typeof(t)
                    } else {
                        ExprKind::Default(t)
                    }
                }
                _ if PREDEFINED.contains(&s.as_str()) => {
                    self.i += 1;
                    ExprKind::Name(s)
                }
                _ => {
                    let name = self.ident()?;
                    let type_args = self.try_type_args();
                    if type_args.is_empty() {
                        ExprKind::Name(name)
                    } else {
                        // A generic call on the implicit receiver is not something APIM has.
                        return Err(ParseError::new(
                            pos,
                            format!("unsupported generic method '{name}'"),
                        ));
                    }
                }
            },
            _ => return Err(self.unexpected("an expression")),
        };
        Ok(Expr { kind, pos })
    }

    fn new_expr(&mut self, pos: usize) -> PResult<Expr> {
        if self.at("[") {
            self.expect("[")?;
            self.expect("]")?;
            let items = self.array_items()?;
            return Ok(Expr {
                kind: ExprKind::NewArray { elem: None, items },
                pos,
            });
        }
        if self.at("{") {
            return Err(ParseError::new(
                pos,
                "anonymous types ('new { ... }') are not supported",
            ));
        }
        let mut t = self.ty(true)?;
        if t.array > 0 {
            t.array -= 1;
            let items = self.array_items()?;
            return Ok(Expr {
                kind: ExprKind::NewArray {
                    elem: Some(t),
                    items,
                },
                pos,
            });
        }
        if self.at("[") {
            return Err(ParseError::new(
                self.pos(),
                "sized array creation ('new T[n]') is not supported; use an initializer",
            ));
        }
        let args = if self.eat("(") {
            self.args(")")?
        } else {
            Vec::new()
        };
        let init = if self.at("{") {
            Some(self.init_items()?)
        } else {
            None
        };
        if args.is_empty()
            && init.is_none()
            && !matches!(self.toks[self.i.saturating_sub(1)].tok, Tok::Punct(")"))
        {
            return Err(self.unexpected("'(' or '{'"));
        }
        Ok(Expr {
            kind: ExprKind::New { ty: t, args, init },
            pos,
        })
    }

    fn array_items(&mut self) -> PResult<Vec<Expr>> {
        self.expect("{")?;
        let mut items = Vec::new();
        while !self.eat("}") {
            items.push(self.expr()?);
            if !self.eat(",") {
                self.expect("}")?;
                break;
            }
        }
        Ok(items)
    }

    fn init_items(&mut self) -> PResult<Vec<InitItem>> {
        self.expect("{")?;
        let mut items = Vec::new();
        while !self.eat("}") {
            if self.at("[") {
                self.i += 1;
                let k = self.expr()?;
                self.expect("]")?;
                self.expect("=")?;
                items.push(InitItem::Index(k, self.expr()?));
            } else if matches!(self.tok(), Tok::Ident(_)) && self.at_n(1, "=") {
                let name = self.ident()?;
                self.i += 1;
                items.push(InitItem::Member(name, self.expr()?));
            } else if self.at("{") {
                // `{ key, value }` dictionary element: keep as a two-element array.
                let p = self.pos();
                let inner = self.array_items()?;
                items.push(InitItem::Elem(Expr {
                    kind: ExprKind::NewArray {
                        elem: None,
                        items: inner,
                    },
                    pos: p,
                }));
            } else {
                items.push(InitItem::Elem(self.expr()?));
            }
            if !self.eat(",") {
                self.expect("}")?;
                break;
            }
        }
        Ok(items)
    }

    fn interp(&mut self, pieces: Vec<InterpPiece>) -> PResult<Vec<InterpPart>> {
        let mut parts = Vec::with_capacity(pieces.len());
        for piece in pieces {
            match piece {
                InterpPiece::Text(t) => parts.push(InterpPart::Text(t)),
                InterpPiece::Hole {
                    start,
                    end,
                    align,
                    format,
                } => {
                    if self.src[start..end].trim().is_empty() {
                        return Err(ParseError::new(start, "empty interpolation hole"));
                    }
                    let mut sub = Parser {
                        src: self.src,
                        toks: lex(self.src, start, end)?,
                        i: 0,
                        depth: self.depth,
                        tree: self.tree,
                    };
                    let expr = sub.expr()?;
                    if !sub.at_eof() {
                        return Err(sub.unexpected("'}'"));
                    }
                    parts.push(InterpPart::Hole {
                        expr,
                        align,
                        format,
                    });
                }
            }
        }
        Ok(parts)
    }
}
