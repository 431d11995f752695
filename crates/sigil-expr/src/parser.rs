//! Recursive-descent / precedence-climbing parser for the C# subset APIM accepts in policy
//! expressions. Hand-written because no crate parses C#; nesting depth is bounded so hostile
//! input such as `((((((...` yields an error, never a stack overflow.

use crate::ast::{
    Arg, BinOp, Body, Expr, ExprKind, InitItem, InterpPart, IsPattern, LambdaBody, OutTarget,
    Program, Stmt, StmtKind, TypeRef, UnOp,
};
use crate::error::ParseError;
use crate::lexer::{InterpPiece, Tok, Token, lex};

/// Maximum syntactic nesting (parentheses, unary chains, blocks, interpolation holes).
pub(crate) const MAX_DEPTH: u32 = 64;

/// Largest accepted source, so one expression can't make load time unbounded.
pub(crate) const MAX_SOURCE_LEN: usize = 256 * 1024;

type PResult<T> = Result<T, ParseError>;

/// C# keywords for predefined types: `(int)x` is always a cast.
const PREDEFINED: &[&str] = &[
    "string", "int", "long", "bool", "double", "float", "decimal", "object", "char", "byte",
    "short", "uint", "ulong", "ushort", "sbyte",
];

const RESERVED: &[&str] = &[
    "is", "as", "in", "out", "new", "return", "if", "else", "foreach", "for", "while", "break",
    "continue", "throw", "true", "false", "null", "typeof", "default", "var", "ref", "this",
];

pub(crate) fn parse_program(src: &str) -> PResult<Program> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(ParseError::new(
            0,
            format!("expression longer than {MAX_SOURCE_LEN} bytes"),
        ));
    }
    let mut p = Parser {
        src,
        toks: lex(src, 0, src.len())?,
        i: 0,
        depth: 0,
    };
    if !p.eat("@") {
        return Err(ParseError::new(
            p.pos(),
            "a policy expression must start with '@(' or '@{'",
        ));
    }
    let body = if p.eat("(") {
        let e = p.expr()?;
        p.expect(")")?;
        Body::Expr(e)
    } else if p.at("{") {
        let pos = p.pos();
        p.i += 1;
        let mut stmts = Vec::new();
        while !p.at("}") {
            if p.at_eof() {
                return Err(ParseError::new(pos, "missing '}' closing the '@{' block"));
            }
            stmts.push(p.stmt()?);
        }
        p.i += 1;
        Body::Block(stmts, pos)
    } else {
        return Err(ParseError::new(p.pos(), "expected '(' or '{' after '@'"));
    };
    if !p.at_eof() {
        return Err(ParseError::new(
            p.pos(),
            "unexpected text after the end of the expression",
        ));
    }
    Ok(Program { body })
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    i: usize,
    depth: u32,
}

impl Parser<'_> {
    // --- token helpers ---

    fn tok(&self) -> &Tok {
        self.tok_at(0)
    }

    fn tok_at(&self, n: usize) -> &Tok {
        let idx = (self.i + n).min(self.toks.len() - 1);
        &self.toks[idx].tok
    }

    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].start
    }

    fn at_eof(&self) -> bool {
        matches!(self.tok(), Tok::Eof)
    }

    fn at(&self, p: &str) -> bool {
        matches!(self.tok(), Tok::Punct(q) if *q == p)
    }

    fn at_n(&self, n: usize, p: &str) -> bool {
        matches!(self.tok_at(n), Tok::Punct(q) if *q == p)
    }

    fn at_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Ident(s) if s == kw)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.at(p) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.at_kw(kw) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> PResult<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{p}'")))
        }
    }

    fn unexpected(&self, wanted: &str) -> ParseError {
        let found = match self.tok() {
            Tok::Eof => "end of expression".to_string(),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::Ident(s) => format!("'{s}'"),
            _ => "a literal".to_string(),
        };
        ParseError::new(self.pos(), format!("expected {wanted}, found {found}"))
    }

    fn ident(&mut self) -> PResult<String> {
        match self.tok() {
            Tok::Ident(s) if !RESERVED.contains(&s.as_str()) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            _ => Err(self.unexpected("an identifier")),
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                self.pos(),
                "expression is nested too deeply",
            ));
        }
        Ok(())
    }

    // --- statements ---

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect("{")?;
        let mut out = Vec::new();
        while !self.eat("}") {
            if self.at_eof() {
                return Err(self.unexpected("'}'"));
            }
            out.push(self.stmt()?);
        }
        Ok(out)
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let r = self.stmt_inner();
        self.depth -= 1;
        r
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        let pos = self.pos();
        let kind = if self.at("{") {
            StmtKind::Block(self.block()?)
        } else if self.eat(";") {
            StmtKind::Empty
        } else if self.eat_kw("if") {
            self.expect("(")?;
            let c = self.expr()?;
            self.expect(")")?;
            let then = Box::new(self.stmt()?);
            let els = if self.eat_kw("else") {
                Some(Box::new(self.stmt()?))
            } else {
                None
            };
            StmtKind::If(c, then, els)
        } else if self.eat_kw("return") {
            let e = if self.at(";") {
                None
            } else {
                Some(self.expr()?)
            };
            self.expect(";")?;
            StmtKind::Return(e)
        } else if self.eat_kw("throw") {
            let e = if self.at(";") {
                None
            } else {
                Some(self.expr()?)
            };
            self.expect(";")?;
            StmtKind::Throw(e)
        } else if self.eat_kw("break") {
            self.expect(";")?;
            StmtKind::Break
        } else if self.eat_kw("continue") {
            self.expect(";")?;
            StmtKind::Continue
        } else if self.eat_kw("foreach") {
            self.expect("(")?;
            let ty = if self.eat_kw("var") {
                None
            } else {
                Some(self.ty(true)?)
            };
            let name = self.ident()?;
            if !self.eat_kw("in") {
                return Err(self.unexpected("'in'"));
            }
            let seq = self.expr()?;
            self.expect(")")?;
            StmtKind::Foreach {
                ty,
                name,
                seq,
                body: Box::new(self.stmt()?),
            }
        } else if self.eat_kw("while") {
            self.expect("(")?;
            let c = self.expr()?;
            self.expect(")")?;
            StmtKind::While(c, Box::new(self.stmt()?))
        } else if self.eat_kw("for") {
            self.expect("(")?;
            let mut init = Vec::new();
            if !self.at(";") {
                let ipos = self.pos();
                init.push(match self.try_decl()? {
                    Some(d) => Stmt { kind: d, pos: ipos },
                    None => Stmt {
                        kind: StmtKind::Expr(self.expr()?),
                        pos: ipos,
                    },
                });
            }
            self.expect(";")?;
            let cond = if self.at(";") {
                None
            } else {
                Some(self.expr()?)
            };
            self.expect(";")?;
            let mut step = Vec::new();
            while !self.at(")") {
                step.push(self.expr()?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(")")?;
            StmtKind::For {
                init,
                cond,
                step,
                body: Box::new(self.stmt()?),
            }
        } else if let Some(d) = self.try_decl()? {
            self.expect(";")?;
            d
        } else {
            let e = self.expr()?;
            self.expect(";")?;
            StmtKind::Expr(e)
        };
        Ok(Stmt { kind, pos })
    }

    /// `var x = e` or `Type x = e, y = e` (without the `;`), or None after backtracking.
    fn try_decl(&mut self) -> PResult<Option<StmtKind>> {
        let save = self.i;
        let ty = if self.at_kw("var") && matches!(self.tok_at(1), Tok::Ident(_)) {
            self.i += 1;
            None
        } else if matches!(self.tok(), Tok::Ident(s) if !RESERVED.contains(&s.as_str())) {
            match self.ty(true) {
                Ok(t) => Some(t),
                Err(_) => {
                    self.i = save;
                    return Ok(None);
                }
            }
        } else {
            return Ok(None);
        };
        let is_decl = matches!(self.tok(), Tok::Ident(s) if !RESERVED.contains(&s.as_str()))
            && (self.at_n(1, "=") || self.at_n(1, ";") || self.at_n(1, ","));
        if !is_decl {
            self.i = save;
            return Ok(None);
        }
        let mut vars = Vec::new();
        loop {
            let pos = self.pos();
            let name = self.ident()?;
            let init = if self.eat("=") {
                Some(self.expr()?)
            } else {
                None
            };
            vars.push((name, pos, init));
            if !self.eat(",") {
                break;
            }
        }
        Ok(Some(StmtKind::Decl(ty, vars)))
    }

    // --- types ---

    fn ty(&mut self, allow_nullable: bool) -> PResult<TypeRef> {
        let pos = self.pos();
        let mut name = self.ident()?;
        while self.at(".") && matches!(self.tok_at(1), Tok::Ident(_)) {
            self.i += 1;
            name.push('.');
            name.push_str(&self.ident()?);
        }
        let mut args = Vec::new();
        if self.at("<") {
            self.i += 1;
            loop {
                self.enter()?;
                let t = self.ty(true);
                self.depth -= 1;
                args.push(t?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(">")?;
        }
        let nullable = allow_nullable && self.eat("?");
        let mut array = 0u8;
        while self.at("[") && self.at_n(1, "]") {
            self.i += 2;
            array = array.saturating_add(1);
        }
        Ok(TypeRef {
            name,
            args,
            array,
            nullable,
            pos,
        })
    }

    /// Speculatively parses `<T, U>` followed by `(`; restores the position on failure.
    fn try_type_args(&mut self) -> Vec<TypeRef> {
        let save = self.i;
        if !self.eat("<") {
            return Vec::new();
        }
        let mut args = Vec::new();
        loop {
            match self.ty(true) {
                Ok(t) => args.push(t),
                Err(_) => {
                    self.i = save;
                    return Vec::new();
                }
            }
            if !self.eat(",") {
                break;
            }
        }
        if self.eat(">") && self.at("(") {
            args
        } else {
            self.i = save;
            Vec::new()
        }
    }

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
        let mut lhs = self.unary()?;
        loop {
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

    fn postfix(&mut self, mut e: Expr) -> PResult<Expr> {
        let mut links = 0u32;
        loop {
            links += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Program {
        parse_program(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_common_forms() {
        ok(
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims["tid"])"#,
        );
        ok(r#"@((string)context.Variables["x"] == "a" ? 1 : 2)"#);
        ok(r#"@(((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))"#);
        ok(r#"@(context.Variables.GetValueOrDefault<string>("a", "b"))"#);
        ok(r#"@(context.Request.Body.As<JObject>(preserveContent: true)["a"])"#);
        ok(r#"@(new [] {"a","b"}.Any(h => h == "a"))"#);
        ok(r#"@{ var x = 1; string y = "a"; if (x > 0) { return y; } else return "b"; }"#);
        ok(r#"@{ int n; if (int.TryParse("5", out n)) return n; return 0; }"#);
        ok(r#"@{ foreach (var h in new string[] {"a"}) { if (h == "a") break; } return 1; }"#);
        ok(r#"@(x is string s && s.Length > 0)"#);
        ok(r#"@(a < b && c > d)"#);
        ok(r#"@((x) - 1)"#);
    }

    #[test]
    fn cast_vs_parenthesized() {
        let p = ok("@((x) - 1)");
        let Body::Expr(e) = p.body else { panic!() };
        assert!(matches!(e.kind, ExprKind::Binary(BinOp::Sub, _, _)));
        let p = ok("@((int)-1)");
        let Body::Expr(e) = p.body else { panic!() };
        assert!(matches!(e.kind, ExprKind::Cast(..)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = format!("@({}1{})", "(".repeat(10_000), ")".repeat(10_000));
        assert!(
            parse_program(&s)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
        let s = format!("@({}1)", "!".repeat(10_000));
        assert!(parse_program(&s).is_err());
        let s = format!("@{{{}}}", "{".repeat(5_000));
        assert!(parse_program(&s).is_err());
    }

    #[test]
    fn error_offsets() {
        let e = parse_program("@(1 + )").unwrap_err();
        assert_eq!(e.offset, 6);
        let e = parse_program("(1)").unwrap_err();
        assert_eq!(e.offset, 0);
        let e = parse_program("@(1) x").unwrap_err();
        assert_eq!(e.offset, 5);
    }
}
