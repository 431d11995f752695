//! Reading APIM "rawxml": policy XML whose expressions are not XML-escaped.
//!
//! The APIOps extractor asks APIM for `format=rawxml`, so an attribute such as
//! `value="@(h.GetValueOrDefault("X-Tier", "free"))"` holds bare quotes, `<`, `>` and `&&`. A
//! strict parser rejects that. [`prepare`] finds each `@(...)` / `@{...}` in attribute values and
//! element text (see [`csharp`]) and escapes the characters XML cares about, keeping an offset
//! map so errors point at the original text. Files that are already escaped pass through
//! unchanged.

mod csharp;

pub(crate) use csharp::starts_expression;
use csharp::{Ctx, Edit};

/// The XML-safe text of one file plus what is needed to map positions back.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// Text a strict XML parser accepts (if the original is otherwise well-formed).
    pub(crate) text: String,
    pub(crate) map: OffsetMap,
    /// Tolerated oddities, as (original offset, message).
    pub(crate) warnings: Vec<(usize, String)>,
}

/// Maps offsets in the prepared text back to offsets in the original text.
#[derive(Debug, Default, Clone)]
pub(crate) struct OffsetMap {
    /// (prepared offset, original offset, prepared length, original length) of each edit, in order.
    edits: Vec<(usize, usize, usize, usize)>,
}

impl OffsetMap {
    /// The original offset of prepared offset `at`. Offsets inside an inserted entity map to the
    /// character it replaced.
    pub(crate) fn to_original(&self, at: usize) -> usize {
        let idx = self.edits.partition_point(|e| e.0 <= at);
        if idx == 0 {
            return at;
        }
        let (p, o, plen, olen) = self.edits[idx - 1];
        if at < p + plen {
            o
        } else {
            o + olen + (at - (p + plen))
        }
    }
}

/// Escapes the expressions of `src` so it parses as XML.
pub(crate) fn prepare(src: &str) -> Prepared {
    let mut pp = PrePass {
        src: src.as_bytes(),
        out: String::with_capacity(src.len() + 64),
        ..Default::default()
    };
    pp.run(src);
    Prepared {
        text: pp.out,
        map: pp.map,
        warnings: pp.warnings,
    }
}

#[derive(Default)]
struct PrePass<'a> {
    src: &'a [u8],
    out: String,
    map: OffsetMap,
    warnings: Vec<(usize, String)>,
    /// Original offset up to which `out` holds the input.
    copied: usize,
}

impl PrePass<'_> {
    fn run(&mut self, src: &str) {
        let b = self.src;
        let mut i = 0;
        let mut text_start = true;
        while i < b.len() {
            if b[i] == b'<' {
                text_start = true;
                i = if b[i..].starts_with(b"<!--") {
                    skip_past(b, i, b"-->")
                } else if b[i..].starts_with(b"<![CDATA[") {
                    skip_past(b, i, b"]]>")
                } else if b[i..].starts_with(b"<?") {
                    skip_past(b, i, b"?>")
                } else if b[i..].starts_with(b"<!") {
                    skip_past(b, i, b">")
                } else {
                    self.tag(src, i)
                };
                continue;
            }
            if text_start {
                if b[i].is_ascii_whitespace() {
                    i += 1;
                    continue;
                }
                text_start = false;
                if starts_expression(b, i) {
                    if let Some(scan) = csharp::scan(b, i, Ctx::Text) {
                        self.apply(src, &scan.edits);
                        i = scan.end;
                        continue;
                    }
                }
            }
            i += 1;
        }
        self.flush(src, b.len());
    }

    /// A start or end tag beginning at `i` (`<`); returns the offset after it.
    fn tag(&mut self, src: &str, mut i: usize) -> usize {
        let b = self.src;
        i += 1;
        while i < b.len() {
            match b[i] {
                b'>' => return i + 1,
                q @ (b'"' | b'\'') => i = self.attr_value(src, i + 1, q),
                b'<' => return i, // malformed; let the XML parser report it
                _ => i += 1,
            }
        }
        i
    }

    /// An attribute value starting at `i` (after the quote `q`); returns the offset after the
    /// closing quote.
    fn attr_value(&mut self, src: &str, i: usize, q: u8) -> usize {
        let b = self.src;
        if starts_expression(b, i) {
            if let Some(scan) = csharp::scan(b, i, Ctx::Attr(q)) {
                if b.get(scan.end) == Some(&q) {
                    self.apply(src, &scan.edits);
                    return scan.end + 1;
                }
            }
        }
        match b[i..].iter().position(|&c| c == q) {
            Some(n) => i + n + 1,
            None => b.len(),
        }
    }

    fn apply(&mut self, src: &str, edits: &[Edit]) {
        for edit in edits {
            match *edit {
                Edit::Escape { at, byte } => {
                    self.flush(src, at);
                    let ent = match byte {
                        b'<' => "&lt;",
                        b'>' => "&gt;",
                        b'&' => "&amp;",
                        b'"' => "&quot;",
                        _ => "&apos;",
                    };
                    self.replace(at, 1, ent);
                }
                Edit::Unbackslash { at } => {
                    self.flush(src, at);
                    self.warnings.push((
                        at,
                        "backslash-escaped quote in an expression read as '\"'; \\\" is not valid \
                         C# here: write the quote as &quot; or leave it bare"
                            .to_owned(),
                    ));
                    self.replace(at, 2, "&quot;");
                }
            }
        }
    }

    fn replace(&mut self, at: usize, orig_len: usize, with: &str) {
        self.map
            .edits
            .push((self.out.len(), at, with.len(), orig_len));
        self.out.push_str(with);
        self.copied = at + orig_len;
    }

    /// Copies the original text up to `to`. Every edit is at an ASCII byte, so the slice
    /// boundaries are always character boundaries.
    fn flush(&mut self, src: &str, to: usize) {
        if to > self.copied {
            self.out
                .push_str(src.get(self.copied..to).unwrap_or_default());
            self.copied = to;
        }
    }
}

fn skip_past(b: &[u8], i: usize, end: &[u8]) -> usize {
    b[i..]
        .windows(end.len())
        .position(|w| w == end)
        .map_or(b.len(), |n| i + n + end.len())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::xml::{Node, Source, parse};

    /// C#-ish expression bodies with balanced brackets, string literals holding anything
    /// (quotes escaped the C# way), generics and the characters XML cares about.
    fn body() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            "[a-zA-Z_][a-zA-Z0-9_.]{0,8}",
            Just(" < ".to_owned()),
            Just(" > ".to_owned()),
            Just(" && ".to_owned()),
            Just(".As<JObject>()".to_owned()),
            "[ -~]{0,10}"
                .prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
            "[ -~]{0,6}".prop_map(|s| format!("@\"{}\"", s.replace('"', "\"\""))),
            Just("'\\''".to_owned()),
            Just("'\"'".to_owned()),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("({})", v.join(" "))),
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("{{{}}}", v.join(";"))),
                inner.clone().prop_map(|x| format!("$\"a{{({x})}}b\"")),
            ]
        })
    }

    proptest! {
        #[test]
        fn escaping_then_parsing_yields_the_original_expression(b in body(), block in any::<bool>()) {
            let expr = if block { format!("@{{ return {b}; }}") } else { format!("@({b})") };
            let doc = format!("<policies>\n<set-variable name=\"v\" value=\"{expr}\" />\n<set-body>{expr}</set-body>\n</policies>");
            let src = Source::new("p.xml".into(), doc);
            let root = parse(&src).map_err(|d| TestCaseError::fail(d.to_string()))?;
            let els: Vec<_> = root.elements().collect();
            prop_assert_eq!(&els[0].attrs[1].value, &expr);
            let Some(Node::Text(t)) = els[1].children.first() else { return Err(TestCaseError::fail("no text")) };
            prop_assert_eq!(&t.value, &expr);
        }

        #[test]
        fn prepare_never_panics(s in "[<>&\"'@(){}a-z/!?\\[\\] =\n-]{0,80}") {
            let p = prepare(&s);
            // Offsets map back inside the original text.
            for i in 0..=p.text.len() {
                prop_assert!(p.map.to_original(i) <= s.len());
            }
        }
    }

    #[test]
    fn escapes_attribute_expressions() {
        let src = r#"<set-variable name="t" value="@(h.GetValueOrDefault("X-Tier", "free") && a < b)" />"#;
        let p = prepare(src);
        assert_eq!(
            p.text,
            r#"<set-variable name="t" value="@(h.GetValueOrDefault(&quot;X-Tier&quot;, &quot;free&quot;) &amp;&amp; a &lt; b)" />"#
        );
        // The closing `)` maps back to where it was.
        let close = p.text.rfind(')').unwrap();
        assert_eq!(p.map.to_original(close), src.rfind(')').unwrap());
        // An offset inside `&quot;` maps to the quote it replaced.
        let q = p.text.find("&quot;").unwrap();
        assert_eq!(p.map.to_original(q + 3), src.find("\"X").unwrap());
    }

    #[test]
    fn escapes_text_expressions_only_at_text_start() {
        let src =
            "<set-body>@{ var j = b.As<JObject>(); return j; }</set-body><value>a < b</value>";
        let p = prepare(src);
        assert_eq!(
            p.text,
            "<set-body>@{ var j = b.As&lt;JObject&gt;(); return j; }</set-body><value>a < b</value>"
        );
    }

    #[test]
    fn already_escaped_files_are_unchanged() {
        let src = r#"<when condition="@(x == &quot;a&quot; &amp;&amp; y &lt; 2)"><!-- "@( --><![CDATA[@(<)]]></when>"#;
        let p = prepare(src);
        assert_eq!(p.text, src);
        assert!(p.map.edits.is_empty());
    }

    #[test]
    fn backslash_quotes_warn_and_become_quotes() {
        let src = r#"<when condition="@(context.Subscription.Id == \"subs-gold-123\")">"#;
        let p = prepare(src);
        assert_eq!(
            p.text,
            r#"<when condition="@(context.Subscription.Id == &quot;subs-gold-123&quot;)">"#
        );
        assert_eq!(p.warnings.len(), 2);
        assert_eq!(p.warnings[0].0, src.find('\\').unwrap());
    }

    #[test]
    fn unbalanced_expression_is_left_for_the_xml_parser() {
        let src = r#"<a v="@(x" /><b/>"#;
        assert_eq!(prepare(src).text, src);
    }
}
