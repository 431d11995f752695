//! The compiled tree evaluated per request. Members are resolved to `Builtin` ids and locals to
//! slots at load time, so evaluation does no name look-ups.

use crate::ast::UnOp;
use crate::builtins::Builtin;
use crate::types::Type;
use crate::value::Value;

pub(crate) type Slot = u16;

#[derive(Debug)]
pub(crate) enum Node {
    Const(Value),
    Local(Slot),
    Unary(UnOp, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    /// String concatenation of any values (`+` with a string operand).
    Concat(Vec<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Coalesce(Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Call {
        f: Builtin,
        recv: Option<Box<Node>>,
        args: Vec<Node>,
        null_cond: bool,
    },
    /// A call whose builtin returns `[bool, out-value]`; the out value goes to `slot`.
    OutCall {
        call: Box<Node>,
        slot: Slot,
    },
    Linq {
        op: Linq,
        recv: Box<Node>,
        lambda: Option<Lambda>,
        arg: Option<Box<Node>>,
        null_cond: bool,
    },
    Convert(Conv, Box<Node>),
    Is {
        test: TypeTest,
        value: Box<Node>,
        bind: Option<Slot>,
    },
    Interp(Vec<Part>),
    NewArray(Vec<Node>),
    NewJObject(Vec<Node>),
    NewJArray(Vec<Node>),
    NewJProperty(Box<Node>, Box<Node>),
    /// `local = v`, `local[k1][k2] = v`, `local += v` ...; yields the assigned value.
    Assign {
        slot: Slot,
        path: Vec<Node>,
        op: Option<Arith>,
        value: Box<Node>,
    },
    /// A mutating JSON method on a local or an element of one (`obj.Add(..)`, `arr.Remove(..)`).
    Mutate {
        slot: Slot,
        path: Vec<Node>,
        op: Mutation,
        args: Vec<Node>,
    },
    /// A lambda with a statement body, or a statement block used as an expression.
    Block(Vec<Stmt>),
}

#[derive(Debug)]
pub(crate) struct Lambda {
    pub(crate) params: Vec<Slot>,
    pub(crate) body: Box<Node>,
}

#[derive(Debug)]
pub(crate) enum Part {
    Text(String),
    Hole {
        node: Node,
        align: Option<i64>,
        format: Option<String>,
    },
}

#[derive(Debug)]
pub(crate) enum Stmt {
    Expr(Node),
    Set(Slot, Node),
    If(Node, Vec<Stmt>, Vec<Stmt>),
    Return(Node),
    Foreach(Slot, Node, Vec<Stmt>),
    While(Node, Vec<Stmt>),
    /// `for`: cond, step, body (the init statements are emitted before it).
    For(Option<Node>, Vec<Node>, Vec<Stmt>),
    Break,
    Continue,
    Throw(Option<Node>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Linq {
    Any,
    All,
    Where,
    Select,
    First,
    FirstOrDefault,
    Last,
    LastOrDefault,
    Single,
    SingleOrDefault,
    Count,
    Contains,
    ToArray,
    Distinct,
    Skip,
    Take,
    OrderBy,
    OrderByDescending,
    Sum,
    Min,
    Max,
    Reverse,
    ElementAt,
    ElementAtOrDefault,
}

/// Explicit conversions (casts, `as`, expected-type coercion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conv {
    /// `(T)x`: throws InvalidCastException when the runtime type does not match.
    Cast(Type),
    /// `x as T`: null when it does not match.
    As(Type),
    /// Explicit numeric conversion (`(int)3.7`).
    Numeric(Type),
    /// Result coercion to the policy attribute's type via .NET `ToString()`.
    ToStringOrNull,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TypeTest {
    Null,
    NotNull,
    Type(Type),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mutation {
    /// `JObject.Add(name, value)` / `JArray.Add(value)` / `JObject.Add(JProperty)`.
    Add,
    /// `JObject.Remove(name)` / `JArray.Remove(item)`.
    Remove,
    /// `JArray.RemoveAt(i)`.
    RemoveAt,
    /// `JArray.Insert(i, v)`.
    Insert,
    /// `JObject.Merge(other)` (shallow: last writer wins per property).
    Merge,
    /// `JObject.Property(name).Remove()` is spelled `Remove(name)`; `RemoveAll()`.
    RemoveAll,
}
