use sigil_expr::testing::MapContext;
use sigil_expr::{CompileError, EvalError, ExpectedType, Value, compile, parse};

pub(crate) fn run(ctx: &MapContext, src: &str) -> Result<Value, EvalError> {
    let p = parse(src).unwrap_or_else(|e| panic!("parse {src}: {e}"));
    let c = compile(&p, ExpectedType::Any).unwrap_or_else(|e| panic!("compile {src}: {e}"));
    c.eval(ctx)
}

pub(crate) fn ev(src: &str) -> Value {
    ev_in(&MapContext::new(), src)
}

pub(crate) fn ev_in(ctx: &MapContext, src: &str) -> Value {
    run(ctx, src).unwrap_or_else(|e| panic!("eval {src}: {e}"))
}

/// The .NET `ToString()` of the result, for compact table tests.
pub(crate) fn s(src: &str) -> String {
    ev(src).to_dotnet_string()
}

pub(crate) fn s_in(ctx: &MapContext, src: &str) -> String {
    ev_in(ctx, src).to_dotnet_string()
}

pub(crate) fn compile_err(src: &str) -> CompileError {
    let p = parse(src).unwrap_or_else(|e| panic!("parse {src}: {e}"));
    match compile(&p, ExpectedType::Any) {
        Ok(_) => panic!("expected a compile error for {src}"),
        Err(e) => e,
    }
}

pub(crate) fn eval_err(ctx: &MapContext, src: &str) -> EvalError {
    match run(ctx, src) {
        Ok(v) => panic!("expected an eval error for {src}, got {v:?}"),
        Err(e) => e,
    }
}

/// An unsigned JWT with the given claims.
pub(crate) fn jwt(claims: &serde_json::Value) -> String {
    use base64::Engine as _;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        e.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        e.encode(claims.to_string())
    )
}
