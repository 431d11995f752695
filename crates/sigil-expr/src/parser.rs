//! Recursive-descent / precedence-climbing parser for the C# subset APIM accepts in policy
//! expressions. Hand-written because no crate parses C#; nesting depth is bounded so hostile
//! input such as `((((((...` yields an error, never a stack overflow.

use crate::ast::{Body, Program, Stmt, StmtKind, TypeRef};
use crate::error::ParseError;
use crate::lexer::{Tok, Token, lex};

/// Maximum syntactic nesting (parentheses, unary chains, blocks, interpolation holes).
pub(crate) const MAX_DEPTH: u32 = 64;

/// Maximum depth of the syntax tree, counting operator chains (`a + b + c ...` nests to the
/// left) as well as parentheses; bounds the recursion of the checker and the evaluator.
pub(crate) const MAX_TREE_DEPTH: u32 = 100;

/// Largest accepted source, so one expression can't make load time unbounded.
pub(crate) const MAX_SOURCE_LEN: usize = 256 * 1024;

type PResult<T> = Result<T, ParseError>;

mod expr;
#[cfg(test)]
mod tests;

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
        tree: 0,
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
    /// Estimated syntax-tree depth at the current position (see `MAX_TREE_DEPTH`).
    tree: u32,
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

    /// One more level of tree depth without parser recursion (an operator in a chain).
    fn grow(&mut self) -> PResult<()> {
        self.tree += 1;
        if self.tree + self.depth > MAX_TREE_DEPTH {
            return Err(ParseError::new(
                self.pos(),
                "expression is too complex (operator chain too long)",
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
}
