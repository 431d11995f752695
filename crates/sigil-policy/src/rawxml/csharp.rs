//! Finds where a policy expression (`@(...)` or `@{...}`) ends inside raw policy XML.
//!
//! Written by hand because no XML crate reads APIM's "rawxml": expression text sits unescaped
//! inside attribute values and element text, so its end can only be found by lexing just enough
//! C# (brackets, string/char/verbatim/interpolated literals, comments) to balance the brackets.
//! The lexer reads XML entities (`&quot;`, `&lt;` ...) as the characters they stand for, so the
//! already-escaped form of a file is read the same way.

/// Where an expression sits, which decides which raw characters must be escaped for XML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ctx {
    /// Inside an attribute value delimited by this quote byte.
    Attr(u8),
    /// Inside element text.
    Text,
}

/// One change the pre-pass makes to the raw text so a strict XML parser accepts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// The raw byte at `at` becomes its XML entity.
    Escape { at: usize, byte: u8 },
    /// The two bytes `\"` at `at` become `&quot;` (blog-style escaping of a quote inside an
    /// attribute; not valid C#, read as a plain quote).
    Unbackslash { at: usize },
}

/// The extent of one expression and the edits that make it XML-safe.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Offset just past the closing `)` or `}`.
    pub(crate) end: usize,
    pub(crate) edits: Vec<Edit>,
}

/// Nesting bound: deeper input is refused rather than risking the stack.
const MAX_DEPTH: usize = 200;

/// Scans the expression starting at `start` (which must hold `@(` or `@{`). Returns `None` when
/// the brackets do not balance before the end of input; the caller then reads the text as plain
/// XML so the XML parser reports the problem.
pub(crate) fn scan(src: &[u8], start: usize, ctx: Ctx) -> Option<Scan> {
    let close = match (src.get(start), src.get(start + 1)) {
        (Some(b'@'), Some(b'(')) => b')',
        (Some(b'@'), Some(b'{')) => b'}',
        _ => return None,
    };
    let mut lx = Lexer {
        src,
        ctx,
        edits: Vec::new(),
        depth: 0,
    };
    let end = lx.code(start + 2, close)?;
    Some(Scan {
        end,
        edits: lx.edits,
    })
}

/// True when `src[at..]` begins an expression.
pub(crate) fn starts_expression(src: &[u8], at: usize) -> bool {
    src.get(at) == Some(&b'@') && matches!(src.get(at + 1), Some(b'(' | b'{'))
}

struct Lexer<'a> {
    src: &'a [u8],
    ctx: Ctx,
    edits: Vec<Edit>,
    depth: usize,
}

/// One logical character: the byte it stands for and how many raw bytes it takes.
#[derive(Clone, Copy)]
struct Ch {
    byte: u8,
    len: usize,
    /// True when the raw byte is itself the character (not an entity).
    raw: bool,
}

impl Lexer<'_> {
    /// Reads the logical character at `i`, decoding the XML entities that can stand for C#
    /// punctuation. Non-ASCII bytes are returned as-is (they never matter to the lexer).
    fn peek(&self, i: usize) -> Option<Ch> {
        let b = *self.src.get(i)?;
        if b == b'&' {
            for (ent, ch) in ENTITIES {
                if self.src.get(i..i + ent.len()) == Some(ent.as_bytes()) {
                    return Some(Ch {
                        byte: ch,
                        len: ent.len(),
                        raw: false,
                    });
                }
            }
        }
        Some(Ch {
            byte: b,
            len: 1,
            raw: true,
        })
    }

    /// Records the escape a raw byte needs in this context, and returns the next offset.
    fn take(&mut self, i: usize, c: Ch) -> usize {
        if c.raw && self.needs_escape(c.byte) {
            self.edits.push(Edit::Escape {
                at: i,
                byte: c.byte,
            });
        }
        i + c.len
    }

    fn needs_escape(&self, b: u8) -> bool {
        match self.ctx {
            Ctx::Attr(q) => b == b'<' || b == b'&' || b == b'>' || b == q,
            Ctx::Text => b == b'<' || b == b'&' || b == b'>',
        }
    }

    /// Code until the unmatched `close` byte; returns the offset past it.
    fn code(&mut self, mut i: usize, close: u8) -> Option<usize> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        loop {
            let c = self.peek(i)?;
            match c.byte {
                b if b == close => {
                    self.depth -= 1;
                    return Some(self.take(i, c));
                }
                b'(' => i = self.nested(i, c, b')')?,
                b'{' => i = self.nested(i, c, b'}')?,
                b'[' => i = self.nested(i, c, b']')?,
                b')' | b'}' | b']' => return None,
                b'"' => {
                    let next = self.take(i, c);
                    i = self.string(next, Str::Regular)?;
                }
                b'\'' => {
                    let next = self.take(i, c);
                    i = self.char_lit(next)?;
                }
                b'\\' if c.raw && self.is_backslash_quote(i) => i = self.backslash_string(i)?,
                b'@' | b'$' => i = self.prefixed_string(i, c)?,
                b'/' => i = self.maybe_comment(i, c)?,
                _ => i = self.take(i, c),
            }
        }
    }

    fn nested(&mut self, i: usize, c: Ch, close: u8) -> Option<usize> {
        let next = self.take(i, c);
        self.code(next, close)
    }

    /// `\"` outside a string inside a `"`-quoted attribute: the author escaped the quote the way
    /// JSON or C source would. Read `\"...\"` as a string literal.
    fn is_backslash_quote(&self, i: usize) -> bool {
        self.ctx == Ctx::Attr(b'"') && self.src.get(i + 1) == Some(&b'"')
    }

    fn backslash_string(&mut self, i: usize) -> Option<usize> {
        self.edits.push(Edit::Unbackslash { at: i });
        let mut j = i + 2;
        loop {
            let c = self.peek(j)?;
            if c.raw && c.byte == b'\\' && self.src.get(j + 1) == Some(&b'"') {
                self.edits.push(Edit::Unbackslash { at: j });
                return Some(j + 2);
            }
            if c.raw && c.byte == b'"' {
                // A bare quote inside a backslash-quoted string: not the blog pattern after all.
                return None;
            }
            j = self.take(j, c);
        }
    }

    /// `@"..."`, `$"..."`, `$@"..."`, `@$"..."`, or an `@identifier` / stray `$`.
    fn prefixed_string(&mut self, i: usize, c: Ch) -> Option<usize> {
        let mut j = self.take(i, c);
        let mut verbatim = c.byte == b'@';
        let mut interpolated = c.byte == b'$';
        if let Some(n) = self.peek(j) {
            if (n.byte == b'@' && !verbatim) || (n.byte == b'$' && !interpolated) {
                verbatim = true;
                interpolated = true;
                j = self.take(j, n);
            }
        }
        match self.peek(j) {
            Some(q) if q.byte == b'"' => {
                let kind = match (verbatim, interpolated) {
                    (true, true) => Str::VerbatimInterpolated,
                    (true, false) => Str::Verbatim,
                    (false, true) => Str::Interpolated,
                    (false, false) => Str::Regular,
                };
                let after = self.take(j, q);
                self.string(after, kind)
            }
            _ => Some(j),
        }
    }

    /// The body of a string literal after its opening quote; returns the offset past the close.
    fn string(&mut self, mut i: usize, kind: Str) -> Option<usize> {
        loop {
            let c = self.peek(i)?;
            match c.byte {
                b'"' => {
                    let next = self.take(i, c);
                    if kind.verbatim() && self.peek(next).is_some_and(|n| n.byte == b'"') {
                        let n = self.peek(next)?;
                        i = self.take(next, n);
                        continue;
                    }
                    return Some(next);
                }
                b'\\' if !kind.verbatim() => {
                    let next = self.take(i, c);
                    let escaped = self.peek(next)?;
                    i = self.take(next, escaped);
                }
                b'{' if kind.interpolated() => {
                    let next = self.take(i, c);
                    match self.peek(next) {
                        Some(n) if n.byte == b'{' => i = self.take(next, n),
                        _ => i = self.code(next, b'}')?,
                    }
                }
                _ => i = self.take(i, c),
            }
        }
    }

    fn char_lit(&mut self, mut i: usize) -> Option<usize> {
        // At most a handful of characters ('\u0041'); bail out on anything longer so an
        // apostrophe in prose cannot swallow the document.
        for _ in 0..12 {
            let c = self.peek(i)?;
            match c.byte {
                b'\'' => return Some(self.take(i, c)),
                b'\\' => {
                    let next = self.take(i, c);
                    let e = self.peek(next)?;
                    i = self.take(next, e);
                }
                b'\n' => return None,
                _ => i = self.take(i, c),
            }
        }
        None
    }

    fn maybe_comment(&mut self, i: usize, c: Ch) -> Option<usize> {
        let next = self.take(i, c);
        match self.peek(next) {
            Some(n) if n.byte == b'/' => {
                let mut j = self.take(next, n);
                loop {
                    let c = self.peek(j)?;
                    j = self.take(j, c);
                    if c.byte == b'\n' {
                        return Some(j);
                    }
                }
            }
            Some(n) if n.byte == b'*' => {
                let mut j = self.take(next, n);
                loop {
                    let c = self.peek(j)?;
                    j = self.take(j, c);
                    if c.byte == b'*' && self.peek(j).is_some_and(|n| n.byte == b'/') {
                        let n = self.peek(j)?;
                        return Some(self.take(j, n));
                    }
                }
            }
            _ => Some(next),
        }
    }
}

#[derive(Clone, Copy)]
enum Str {
    Regular,
    Verbatim,
    Interpolated,
    VerbatimInterpolated,
}

impl Str {
    fn verbatim(self) -> bool {
        matches!(self, Str::Verbatim | Str::VerbatimInterpolated)
    }

    fn interpolated(self) -> bool {
        matches!(self, Str::Interpolated | Str::VerbatimInterpolated)
    }
}

/// The entities the lexer reads as punctuation (the XML predefined ones plus common numeric
/// forms of quotes).
const ENTITIES: [(&str, u8); 9] = [
    ("&quot;", b'"'),
    ("&apos;", b'\''),
    ("&lt;", b'<'),
    ("&gt;", b'>'),
    ("&amp;", b'&'),
    ("&#34;", b'"'),
    ("&#39;", b'\''),
    ("&#x22;", b'"'),
    ("&#x27;", b'\''),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn end_of(src: &str, ctx: Ctx) -> Option<usize> {
        scan(src.as_bytes(), 0, ctx).map(|s| s.end)
    }

    #[test]
    fn balances_parentheses_and_skips_strings() {
        let e = r#"@(context.Request.Headers.GetValueOrDefault("X-Tier)", "free"))"#;
        assert_eq!(end_of(&format!("{e}\" />"), Ctx::Attr(b'"')), Some(e.len()));
    }

    #[test]
    fn block_with_generics_and_logic() {
        let e = "@{ var j = context.Request.Body.As<JObject>(); if (a && b < 3) { return \"}\"; } return j.ToString(); }";
        assert_eq!(end_of(&format!("{e}</set-body>"), Ctx::Text), Some(e.len()));
    }

    #[test]
    fn interpolated_strings_with_nested_quotes() {
        let e = r#"@($"{context.Request.IpAddress}-{x.GetValueOrDefault("oid")}")"#;
        assert_eq!(end_of(&format!("{e}\" />"), Ctx::Attr(b'"')), Some(e.len()));
        let e = r#"@{ return $"{{ \"path\": \"{p}\" }}"; }"#;
        assert_eq!(end_of(&format!("{e}<"), Ctx::Text), Some(e.len()));
    }

    #[test]
    fn verbatim_strings_and_chars_and_comments() {
        let e = "@{ var s = @\"a\"\"(b\"; var c = ')'; // ) not code\n /* } */ return s; }";
        assert_eq!(end_of(e, Ctx::Text), Some(e.len()));
    }

    #[test]
    fn escaped_form_reads_entities_as_quotes() {
        let e = "@(x.GetValueOrDefault(&quot;a)&quot;) &lt; 3)";
        let s = scan(format!("{e}\"").as_bytes(), 0, Ctx::Attr(b'"')).unwrap();
        assert_eq!(s.end, e.len());
        assert!(s.edits.is_empty(), "{:?}", s.edits);
    }

    #[test]
    fn escapes_what_xml_needs() {
        let s = scan(br#"@(a<b && c == "q")"#, 0, Ctx::Attr(b'"')).unwrap();
        let bytes: Vec<u8> = s
            .edits
            .iter()
            .map(|e| match e {
                Edit::Escape { byte, .. } => *byte,
                Edit::Unbackslash { .. } => b'\\',
            })
            .collect();
        assert_eq!(bytes, b"<&&\"\"");
    }

    #[test]
    fn backslash_quotes_in_attributes_are_read_as_quotes() {
        let e = r#"@(context.Subscription.Id == \"subs-gold-123\")"#;
        let s = scan(format!("{e}\">").as_bytes(), 0, Ctx::Attr(b'"')).unwrap();
        assert_eq!(s.end, e.len());
        assert_eq!(
            s.edits
                .iter()
                .filter(|e| matches!(e, Edit::Unbackslash { .. }))
                .count(),
            2
        );
    }

    #[test]
    fn unbalanced_is_none() {
        assert_eq!(end_of("@(a(b)", Ctx::Text), None);
        assert_eq!(end_of("@(a}", Ctx::Text), None);
        assert_eq!(end_of("@(\"abc)", Ctx::Text), None);
        let deep = format!("@{}{}", "(".repeat(500), ")".repeat(500));
        assert_eq!(end_of(&deep, Ctx::Text), None);
    }
}
