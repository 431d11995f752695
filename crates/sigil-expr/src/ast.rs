//! Syntax tree produced by the parser. Positions are byte offsets into the original source.

/// A parsed expression: either `@(expr)` or `@{ statements }`.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) body: Body,
}

#[derive(Clone, Debug)]
pub(crate) enum Body {
    Expr(Expr),
    Block(Vec<Stmt>, usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) pos: usize,
}

#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Long(i64),
    Double(f64),
    Str(String),
    Char(char),
    Interp(Vec<InterpPart>),
    Name(String),
    Member {
        recv: Box<Expr>,
        name: String,
        null_cond: bool,
        type_args: Vec<TypeRef>,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    Index {
        recv: Box<Expr>,
        args: Vec<Expr>,
        null_cond: bool,
    },
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Cast(TypeRef, Box<Expr>),
    Is(Box<Expr>, IsPattern),
    As(Box<Expr>, TypeRef),
    Lambda {
        params: Vec<(String, usize)>,
        body: Box<LambdaBody>,
    },
    New {
        ty: TypeRef,
        args: Vec<Arg>,
        init: Option<Vec<InitItem>>,
    },
    NewArray {
        elem: Option<TypeRef>,
        items: Vec<Expr>,
    },
    Assign {
        target: Box<Expr>,
        op: Option<BinOp>,
        value: Box<Expr>,
    },
    IncDec {
        target: Box<Expr>,
        inc: bool,
    },
    Default(TypeRef),
    Typeof(TypeRef),
}

#[derive(Clone, Debug)]
pub(crate) enum InterpPart {
    Text(String),
    Hole {
        expr: Expr,
        align: Option<i64>,
        format: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub(crate) enum LambdaBody {
    Expr(Expr),
    Block(Vec<Stmt>),
}

#[derive(Clone, Debug)]
pub(crate) enum InitItem {
    /// `{ a, b }` collection initializer element.
    Elem(Expr),
    /// `{ Name = value }` object initializer member.
    Member(String, Expr),
    /// `{ ["key"] = value }` index initializer.
    Index(Expr, Expr),
}

#[derive(Clone, Debug)]
pub(crate) struct Arg {
    pub(crate) name: Option<String>,
    pub(crate) out: Option<OutTarget>,
    pub(crate) expr: Expr,
}

#[derive(Clone, Debug)]
pub(crate) enum OutTarget {
    /// `out var x` / `out T x`.
    Declare(Option<TypeRef>, String),
    /// `out x` for an existing local.
    Existing(String),
}

#[derive(Clone, Debug)]
pub(crate) enum IsPattern {
    Type(TypeRef, Option<String>),
    Null,
    NotNull,
    Const(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TypeRef {
    pub(crate) name: String,
    pub(crate) args: Vec<TypeRef>,
    pub(crate) array: u8,
    pub(crate) nullable: bool,
    pub(crate) pos: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Coalesce,
}

#[derive(Clone, Debug)]
pub(crate) struct Stmt {
    pub(crate) kind: StmtKind,
    pub(crate) pos: usize,
}

#[derive(Clone, Debug)]
pub(crate) enum StmtKind {
    Expr(Expr),
    Decl(Option<TypeRef>, Vec<(String, usize, Option<Expr>)>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    Return(Option<Expr>),
    Block(Vec<Stmt>),
    Foreach {
        ty: Option<TypeRef>,
        name: String,
        seq: Expr,
        body: Box<Stmt>,
    },
    While(Expr, Box<Stmt>),
    For {
        init: Vec<Stmt>,
        cond: Option<Expr>,
        step: Vec<Expr>,
        body: Box<Stmt>,
    },
    Break,
    Continue,
    Throw(Option<Expr>),
    Empty,
}

impl TypeRef {
    /// C#-ish spelling, for messages.
    pub(crate) fn display(&self) -> String {
        let mut s = self.name.clone();
        if !self.args.is_empty() {
            s.push('<');
            s.push_str(
                &self
                    .args
                    .iter()
                    .map(TypeRef::display)
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            s.push('>');
        }
        if self.nullable {
            s.push('?');
        }
        for _ in 0..self.array {
            s.push_str("[]");
        }
        s
    }
}
