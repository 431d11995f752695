//! `sigil-expr`: the C# expression subset that Azure API Management allows inside policies —
//! `@(expression)` and `@{ statements }` — parsed and type-checked once when a policy is loaded,
//! then evaluated per request against the gateway's [`EvalContext`].
//!
//! What it is: a hand-written lexer and recursive-descent parser (no crate parses C#), a
//! pragmatic static checker that resolves every member to an id at load time (anything unknown
//! is a [`CompileError`] naming it, never ignored), and a tree-walking evaluator with a step
//! budget. What it is not: a C# compiler. Reflection, I/O, threads, crypto, XML (`XNode`),
//! user-defined types and `dynamic` are out of scope and rejected at load time.
//!
//! Limits: source ≤ 256 KiB; syntactic nesting ≤ 64 (about 12 parenthesised levels of binary
//! expressions); syntax-tree depth ≤ 100 including operator chains (`a + b + ...` counts one per
//! operator, a method call two); 100 000 evaluation steps (statements, loop iterations, lambda
//! calls). Checking and evaluation recurse at most that deep, which fits a 2 MiB thread stack
//! even in debug builds.
//!
//! ```
//! use sigil_expr::{compile, parse, testing::MapContext, ExpectedType, Value};
//!
//! let program = parse(r#"@(context.Request.Headers.GetValueOrDefault("X-Tenant", "none").ToUpper())"#).unwrap();
//! let compiled = compile(&program, ExpectedType::String).unwrap();
//! let ctx = MapContext::new().with_request_header("X-Tenant", "contoso");
//! assert_eq!(compiled.eval(&ctx).unwrap().as_str(), Some("CONTOSO"));
//! ```

mod ast;
mod builtins;
mod check;
mod claims;
mod context;
mod error;
mod eval;
mod ir;
mod lexer;
mod parser;
mod types;
mod value;

#[cfg(any(test, feature = "test-util"))]
pub mod testing;

pub use ast::Program;
pub use builtins::datetime::{DateTime, TimeSpan};
pub use builtins::jwt::Jwt;
pub use claims::Claims;
pub use context::{EvalContext, Message, Presence, Property, UrlKind};
pub use error::{CompileError, Error, EvalError, ParseError};
pub use value::{Handle, ResponseData, Value};

/// The type a policy attribute wants from its expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExpectedType {
    /// Any value (`set-variable`): the result is returned as is.
    Any,
    /// A string (`set-header` values, `set-body`, `counter-key` ...): non-string results are
    /// converted with .NET `ToString()` semantics; `null` stays `Value::Null`.
    String,
    /// A boolean (`choose/when condition`, `increment-condition`).
    Bool,
    /// An integer (`calls`, `renewal-period`, `set-status code`).
    Int,
    /// A number (`emit-metric value`).
    Double,
}

/// A compiled expression, ready to evaluate. Cheap to share (`Send + Sync`).
#[derive(Debug)]
pub struct Compiled {
    root: ir::Node,
    n_slots: usize,
    ty: types::Type,
}

/// Parses the whole `@(...)` or `@{...}` text of a policy expression.
pub fn parse(source: &str) -> Result<Program, ParseError> {
    parser::parse_program(source)
}

/// Type-checks `program` and lowers it for evaluation. `expected` is what the policy attribute
/// needs; a mismatch that C# would reject at compile time is reported here.
pub fn compile(program: &Program, expected: ExpectedType) -> Result<Compiled, CompileError> {
    let l = check::compile_program(program, expected)?;
    Ok(Compiled {
        root: l.root,
        n_slots: l.n_slots,
        ty: l.ty,
    })
}

/// [`parse`] then [`compile`].
pub fn compile_source(source: &str, expected: ExpectedType) -> Result<Compiled, Error> {
    let p = parse(source).map_err(Error::Parse)?;
    compile(&p, expected).map_err(Error::Compile)
}

/// Whether a policy attribute value is an expression (`@(` or `@{` after optional whitespace).
pub fn is_expression(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("@(") || t.starts_with("@{")
}

impl Compiled {
    /// Evaluates against one request's context.
    pub fn eval(&self, ctx: &dyn EvalContext) -> Result<Value, EvalError> {
        let mut frame = eval::Frame::new(self.n_slots, ctx);
        frame.eval(&self.root)
    }

    /// The C# spelling of the static result type (`string`, `bool`, `JObject`, `object` ...).
    pub fn result_type(&self) -> String {
        self.ty.to_string()
    }
}

/// Entry points for fuzz targets (`fuzz/fuzz_targets/expr_parse.rs`, `claims_parse.rs`).
pub mod fuzzing {
    /// Arbitrary bytes as a JWT payload: `Claims` must agree with `serde_json::Map` on whether
    /// it is an object, which members it has and what each one holds, and never panic.
    pub fn claims_parse(data: &[u8]) {
        let map = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(data).ok();
        let claims = crate::Claims::from_slice(data);
        assert_eq!(claims.is_some(), map.is_some(), "object or not");
        let (Some(c), Some(map)) = (claims, map) else {
            return;
        };
        assert_eq!(c.len(), map.len());
        for (name, value) in &map {
            assert_eq!(c.value(name).as_ref(), Some(value), "{name}");
            let _ = (c.text(name), c.str(name), c.number(name));
            c.any_text(name, |_| false);
        }
    }

    /// Parses and compiles arbitrary bytes for every expected type. Never panics.
    pub fn parse_and_compile(data: &[u8]) {
        let Ok(src) = std::str::from_utf8(data) else {
            return;
        };
        for s in [src.to_string(), format!("@({src})"), format!("@{{{src}}}")] {
            if let Ok(p) = crate::parse(&s) {
                for t in [
                    crate::ExpectedType::Any,
                    crate::ExpectedType::String,
                    crate::ExpectedType::Bool,
                ] {
                    let _ = crate::compile(&p, t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_is_send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Compiled>();
        assert_send_sync::<Value>();
    }
}
