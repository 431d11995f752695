//! Property tests: the parser and checker never panic; literals round-trip.

use proptest::prelude::*;
use sigil_expr::fuzzing::parse_and_compile;

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
