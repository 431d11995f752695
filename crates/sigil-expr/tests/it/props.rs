//! Property tests: the parser and checker never panic; literals round-trip.

use proptest::prelude::*;
use sigil_expr::fuzzing::parse_and_compile;

use sigil_expr::testing::MapContext;
use sigil_expr::{ExpectedType, compile, parse};

use crate::support::ev;

fn csharp_string_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        parse_and_compile(&data);
    }

    #[test]
    fn never_panics_on_expression_like_text(s in r#"[@(){}\[\]."'$a-zA-Z0-9 +\-*/<>=!?:;,&|\\]{0,80}"#) {
        parse_and_compile(s.as_bytes());
    }

    #[test]
    fn string_literals_round_trip(s in "\\PC{0,40}") {
        let src = format!("@({})", csharp_string_literal(&s));
        let v = ev(&src);
        prop_assert_eq!(v.as_str(), Some(s.as_str()));
        let verbatim = format!("@(@\"{}\")", s.replace('"', "\"\""));
        let v = ev(&verbatim);
        prop_assert_eq!(v.as_str(), Some(s.as_str()));
    }

    #[test]
    fn int_literals_round_trip(i in 0i64..i64::MAX) {
        prop_assert_eq!(ev(&format!("@({i})")).as_int(), Some(i));
        prop_assert_eq!(ev(&format!("@(-{i})")).as_int(), Some(-i));
    }

    #[test]
    fn interpolation_matches_concatenation(a in "[a-z]{0,10}", n in 0i64..1000) {
        let x = ev(&format!("@($\"{a}{{{n}}}\")"));
        let y = ev(&format!("@(\"{a}\" + {n})"));
        prop_assert_eq!(x.as_str(), y.as_str());
    }
}

/// Every expression in this test suite, truncated, with a byte dropped or doubled at each
/// position, must parse, compile and evaluate without panicking.
#[test]
fn corpus_mutations_never_panic() {
    let mut corpus = Vec::new();
    for f in [
        "eval.rs",
        "context.rs",
        "json.rs",
        "jwt.rs",
        "seeds.rs",
        "snippets.rs",
        "errors.rs",
    ] {
        let text = std::fs::read_to_string(format!("{}/tests/it/{f}", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
        for line in text.lines() {
            if let Some(i) = line.find("r#\"@") {
                let rest = &line[i + 3..];
                if let Some(j) = rest.find("\"#") {
                    corpus.push(rest[..j].to_string());
                }
            }
        }
    }
    assert!(
        corpus.len() > 150,
        "corpus extraction broke: {}",
        corpus.len()
    );
    let ctx = MapContext::new()
        .with_request_body("{\"a\":1}")
        .with_request_header("Authorization", "Bearer x.y.z");
    let mut n = 0usize;
    for src in &corpus {
        let bytes = src.as_bytes();
        let mut variants = Vec::new();
        for cut in 0..bytes.len() {
            variants.push(bytes[..cut].to_vec());
            let mut m = bytes.to_vec();
            m.remove(cut);
            variants.push(m);
            let mut d = bytes.to_vec();
            d.insert(cut, bytes[cut]);
            variants.push(d);
        }
        for v in variants {
            let Ok(s) = String::from_utf8(v) else {
                continue;
            };
            if let Ok(p) = parse(&s) {
                for t in [ExpectedType::Any, ExpectedType::String, ExpectedType::Bool] {
                    if let Ok(c) = compile(&p, t) {
                        n += 1;
                        let _ = c.eval(&ctx);
                    }
                }
            }
        }
    }
    assert!(n > 1000, "too few variants compiled: {n}");
}

/// The deepest trees the parser accepts still check and evaluate on a default 2 MiB test thread.
#[test]
fn deepest_accepted_trees_evaluate() {
    let chain = format!("@(1{})", " + 1".repeat(90));
    assert_eq!(ev(&chain).as_int(), Some(91));
    let nested = format!("@({}1{})", "(1 + ".repeat(10), ")".repeat(10));
    assert_eq!(ev(&nested).as_int(), Some(11));
    let strings = format!("@(\"a\"{})", " + \"b\"".repeat(90));
    assert_eq!(ev(&strings).as_str().map(str::len), Some(91));
    let interp = format!("@({}1{})", "$\"{".repeat(8), "}\"".repeat(8));
    assert_eq!(ev(&interp).as_str(), Some("1"));
    let calls = format!("@(\"a\"{})", ".ToString()".repeat(45));
    assert_eq!(ev(&calls).as_str(), Some("a"));
    let json = format!("@(JToken.Parse(\"1\"){})", "[\"a\"]".repeat(90));
    assert!(sigil_expr::parse(&json).is_ok());
    let ternary = format!("@({} 0)", "true ? 1 :".repeat(30));
    assert_eq!(ev(&ternary).as_int(), Some(1));
}
