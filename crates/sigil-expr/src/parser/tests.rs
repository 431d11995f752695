use super::*;
use crate::ast::{BinOp, ExprKind};

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

#[test]
fn long_operator_chains_are_bounded() {
    let ok_chain = format!("@(1{})", " + 1".repeat(90));
    assert!(parse_program(&ok_chain).is_ok());
    let too_long = format!("@(1{})", " + 1".repeat(5_000));
    assert!(
        parse_program(&too_long)
            .unwrap_err()
            .message
            .contains("too complex")
    );
    let nested = format!("@({}1{})", "(1 + ".repeat(10), ")".repeat(10));
    assert!(parse_program(&nested).is_ok());
    let chain_of_members = format!("@(x{})", ".y".repeat(5_000));
    assert!(parse_program(&chain_of_members).is_err());
}
