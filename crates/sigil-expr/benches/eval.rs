//! ns/eval for typical policy expressions. Run: `cargo bench -p sigil-expr --bench eval`.
#![allow(clippy::expect_used)] // Bench setup: a broken fixture should abort the run loudly.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use sigil_expr::testing::MapContext;
use sigil_expr::{
    EvalContext, ExpectedType, Jwt, Message, Property, UrlKind, Value, compile_source,
};

/// A context with pre-built values, so the numbers show the engine rather than `MapContext`'s
/// map scans and string joins (a gateway keeps its headers parsed the same way).
struct Lean {
    version: Arc<str>,
    jwt: Value,
}

impl EvalContext for Lean {
    fn now(&self) -> sigil_core::UnixTime {
        sigil_core::UnixTime::from_secs(1_704_067_200)
    }
    fn new_guid(&self) -> uuid::Uuid {
        uuid::Uuid::nil()
    }
    fn property(&self, p: Property) -> Value {
        match p {
            Property::RequestMethod => Value::str("GET"),
            _ => Value::Null,
        }
    }
    fn header(&self, _: Message, name: &str) -> Option<Arc<str>> {
        name.eq_ignore_ascii_case("x-api-version")
            .then(|| self.version.clone())
    }
    fn header_names(&self, _: Message) -> Vec<Arc<str>> {
        Vec::new()
    }
    fn query(&self, _: UrlKind, _: &str) -> Option<Arc<str>> {
        None
    }
    fn query_names(&self, _: UrlKind) -> Vec<Arc<str>> {
        Vec::new()
    }
    fn matched_parameter(&self, _: &str) -> Option<Arc<str>> {
        None
    }
    fn variable(&self, name: &str) -> Option<Value> {
        (name == "jwt").then(|| self.jwt.clone())
    }
    fn body(&self, _: Message, _: bool) -> Result<Option<bytes::Bytes>, String> {
        Ok(None)
    }
}

fn token() -> String {
    use base64::Engine as _;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = r#"{"sub":"u1","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","roles":["Api.Reader","Fraud.Scan"],"aud":"api://x","exp":1704070800}"#;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        e.encode(br#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#),
        e.encode(claims)
    )
}

fn benches(c: &mut Criterion) {
    let t = token();
    let jwt = Value::Jwt(Arc::new(Jwt::parse(&t).expect("token")));
    let ctx = MapContext::new()
        .with_request_header("X-Api-Version", "2")
        .with_request_header("Authorization", &format!("Bearer {t}"))
        .with_variable("jwt", jwt.clone());
    let lean = Lean {
        version: Arc::from("2"),
        jwt,
    };

    let cases = [
        (
            "header_compare",
            r#"@(context.Request.Headers.GetValueOrDefault("X-Api-Version", "") == "2")"#,
            ExpectedType::Bool,
        ),
        (
            "jwt_claim_from_variable",
            r#"@(((Jwt)context.Variables["jwt"]).Claims["roles"].Contains("Fraud.Scan"))"#,
            ExpectedType::Bool,
        ),
        (
            "jwt_claim_parse_header",
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("tid", ""))"#,
            ExpectedType::String,
        ),
        (
            "block_interpolation",
            r#"@{ var v = context.Request.Headers.GetValueOrDefault("X-Api-Version", "1"); if (v == "2") { return $"v{v}-{context.Request.Method}"; } return "old"; }"#,
            ExpectedType::String,
        ),
    ];
    for (name, src, t) in cases {
        let compiled = compile_source(src, t).expect("compiles");
        c.bench_function(&format!("eval/{name}"), |b| {
            b.iter(|| black_box(compiled.eval(black_box(&ctx))))
        });
        if name != "jwt_claim_parse_header" {
            c.bench_function(&format!("eval_lean/{name}"), |b| {
                b.iter(|| black_box(compiled.eval(black_box(&lean))))
            });
        }
    }
    c.bench_function("compile/block_interpolation", |b| {
        b.iter(|| black_box(compile_source(black_box(cases[3].1), ExpectedType::String)))
    });
}

criterion_group!(group, benches);
criterion_main!(group);
