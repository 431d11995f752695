//! Load-time errors name the problem and point at it; runtime errors look like .NET's.

use sigil_expr::testing::MapContext;
use sigil_expr::{ExpectedType, compile, parse};

use crate::support::{compile_err, eval_err};

#[test]
fn unsupported_members_are_named() {
    let cases: &[(&str, &str, usize)] = &[
        (
            r#"@("x".Normalize())"#,
            "unsupported member 'string.Normalize'",
            2,
        ),
        (
            "@(context.Request.Foo)",
            "unsupported member 'IRequest.Foo'",
            2,
        ),
        (
            "@(context.Principal.Claims)",
            "unsupported member 'IProxyRequestContext.Principal'",
            2,
        ),
        (
            "@(context.User.Groups)",
            "unsupported member 'IUser.Groups'",
            2,
        ),
        (
            "@(String.Intern(\"x\"))",
            "unsupported member 'String.Intern'",
            2,
        ),
        (
            "@(System.IO.File.ReadAllText(\"x\"))",
            "the name 'System' does not exist",
            2,
        ),
        (
            "@(context.Request.Body.As<XDocument>())",
            "unsupported type 'XDocument'",
            26,
        ),
        (
            "@(new System.Net.WebClient())",
            "unsupported constructor 'new WebClient'",
            2,
        ),
        ("@(typeof(string))", "typeof", 2),
        (
            "@(context.Variables[\"x\"].Length)",
            "unsupported member 'object.Length'",
            2,
        ),
    ];
    for (src, want, offset) in cases {
        let e = compile_err(src);
        assert!(e.message.contains(want), "{src}: {}", e.message);
        assert_eq!(e.offset, *offset, "{src}: {}", e.message);
    }
}

#[test]
fn type_errors() {
    let cases: &[(&str, &str)] = &[
        (r#"@("a" - 1)"#, "operator '-' cannot be applied"),
        (r#"@("a" == 1)"#, "operator '==' cannot be applied"),
        (r#"@("a" < "b")"#, "operator '<' cannot be applied"),
        ("@(x + 1)", "the name 'x' does not exist"),
        ("@{ var x = 1; var x = 2; return x; }", "already defined"),
        (
            "@{ int x = \"s\"; return x; }",
            "cannot implicitly convert type 'string' to 'int'",
        ),
        ("@{ var x = 1; }", "not all code paths return a value"),
        (
            "@{ if (true) return 1; }",
            "not all code paths return a value",
        ),
        ("@{ 1 + 1; return 1; }", "only assignment, call"),
        ("@((int)\"5\")", "cannot convert type 'string' to 'int'"),
        (
            "@(\"abc\".Substring(\"x\"))",
            "unsupported member 'string.Substring' with 1 argument(s)",
        ),
        ("@(new[] {1}.Where(x => x + 1))", "must return bool"),
        ("@(h => h)", "lambda expressions are only supported"),
        ("@(Regex.IsMatch(\"a\", \"(\"))", "Invalid pattern"),
        ("@{ break; }", "no enclosing loop"),
        ("@(context = null)", "read-only"),
    ];
    for (src, want) in cases {
        let e = compile_err(src);
        assert!(e.message.contains(want), "{src}: {}", e.message);
    }
}

#[test]
fn expected_type_is_checked_at_load_time() {
    let p = parse(r#"@("yes")"#).unwrap();
    let e = compile(&p, ExpectedType::Bool).unwrap_err();
    assert!(
        e.message.contains("expected a boolean expression"),
        "{}",
        e.message
    );
    let p = parse(r#"@(context.Variables["flag"])"#).unwrap();
    assert!(
        compile(&p, ExpectedType::Bool).is_ok(),
        "object is checked at runtime"
    );
    let p = parse("@(42)").unwrap();
    let c = compile(&p, ExpectedType::String).unwrap();
    assert_eq!(c.eval(&MapContext::new()).unwrap().as_str(), Some("42"));
    assert_eq!(c.result_type(), "string");
}

#[test]
fn parse_errors_have_offsets() {
    for (src, offset) in [
        ("@(1 +)", 5),
        ("@(\"abc)", 2),
        ("@{ return 1 }", 12),
        ("@(a.)", 4),
        ("context.Request", 0),
    ] {
        let e = parse(src).unwrap_err();
        assert_eq!(e.offset, offset, "{src}: {}", e.message);
    }
}

#[test]
fn runtime_errors_look_like_dotnet() {
    let c = MapContext::new();
    let cases: &[(&str, &str)] = &[
        ("@(1 / (1 - 1))", "DivideByZeroException"),
        (r#"@(int.Parse("x"))"#, "FormatException"),
        (r#"@("abc".Substring(5))"#, "ArgumentOutOfRangeException"),
        (r#"@(((string)null).Length)"#, "NullReferenceException"),
        (
            r#"@(context.Request.Headers["missing"])"#,
            "KeyNotFoundException",
        ),
        (
            r#"@(new[] {"a"}.First(x => x == "b"))"#,
            "InvalidOperationException",
        ),
        (r#"@{ throw new Exception("boom"); }"#, "Exception"),
        (
            "@{ var i = 0; while (true) { i++; } return i; }",
            "InvalidOperationException",
        ),
    ];
    for (src, kind) in cases {
        let e = eval_err(&c, src);
        assert_eq!(e.kind, *kind, "{src}: {e}");
    }
}
