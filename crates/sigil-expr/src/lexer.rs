//! Tokenizer for the C# subset. Hand-written: no maintained crate lexes C# 7 expressions
//! (interpolated strings with nested holes, verbatim strings, char literals) and we need exact
//! byte offsets for load-time errors.

use crate::error::ParseError;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Int(i64),
    Long(i64),
    Double(f64),
    Str(String),
    Char(char),
    /// `$"..."`: literal text pieces and holes (byte ranges of the hole expressions in the source).
    Interp(Vec<InterpPiece>),
    Punct(&'static str),
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InterpPiece {
    Text(String),
    Hole {
        start: usize,
        end: usize,
        align: Option<i64>,
        format: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) start: usize,
}

/// Longest first so that "??" wins over "?".
const PUNCTS: &[&str] = &[
    "?.", "?[", "??", "=>", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "(", ")", "{", "}", "[", "]", ";", ",", ".", "?", ":", "+", "-", "*",
    "/", "%", "!", "~", "<", ">", "=", "&", "|", "^", "@",
];

/// Tokenizes `src[from..to]`; offsets are absolute in `src`.
pub(crate) fn lex(src: &str, from: usize, to: usize) -> Result<Vec<Token>, ParseError> {
    let mut lx = Lexer {
        src,
        pos: from,
        end: to,
    };
    let mut out = Vec::new();
    loop {
        lx.skip_trivia()?;
        let start = lx.pos;
        if lx.pos >= lx.end {
            out.push(Token {
                tok: Tok::Eof,
                start,
            });
            return Ok(out);
        }
        let tok = lx.token()?;
        out.push(Token { tok, start });
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        if self.pos >= self.end {
            return None;
        }
        self.src[self.pos..self.end].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src.get(self.pos..self.end)?.chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err<T>(&self, at: usize, msg: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError::new(at, msg))
    }

    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                (Some('/'), Some('*')) => {
                    let at = self.pos;
                    self.pos += 2;
                    loop {
                        match self.bump() {
                            None => return self.err(at, "unterminated comment"),
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn token(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        let c = self.peek().unwrap_or('\0');
        let c1 = self.peek_at(1);
        let c2 = self.peek_at(2);
        match (c, c1, c2) {
            ('$', Some('"'), _) => {
                self.pos += 2;
                return self.interpolated(false, start);
            }
            ('$', Some('@'), Some('"')) | ('@', Some('$'), Some('"')) => {
                self.pos += 3;
                return self.interpolated(true, start);
            }
            ('@', Some('"'), _) => {
                self.pos += 2;
                return self.verbatim(start).map(Tok::Str);
            }
            ('@', Some(n), _) if is_ident_start(n) => {
                self.bump();
                return Ok(Tok::Ident(self.ident()));
            }
            ('"', _, _) => {
                self.bump();
                return self.regular_string(start).map(Tok::Str);
            }
            ('\'', _, _) => {
                self.bump();
                return self.char_lit(start);
            }
            _ => {}
        }
        if is_ident_start(c) {
            return Ok(Tok::Ident(self.ident()));
        }
        if c.is_ascii_digit() || (c == '.' && c1.is_some_and(|d| d.is_ascii_digit())) {
            return self.number(start);
        }
        let rest = &self.src[self.pos..self.end];
        for p in PUNCTS {
            if rest.starts_with(p) {
                self.pos += p.len();
                return Ok(Tok::Punct(p));
            }
        }
        self.err(start, format!("unexpected character '{c}'"))
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
        self.src[start..self.pos].to_string()
    }

    fn number(&mut self, start: usize) -> Result<Tok, ParseError> {
        if self.peek() == Some('0') && matches!(self.peek_at(1), Some('x' | 'X')) {
            self.pos += 2;
            let ds = self.pos;
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_hexdigit() || c == '_')
            {
                self.bump();
            }
            let digits: String = self.src[ds..self.pos]
                .chars()
                .filter(|c| *c != '_')
                .collect();
            let v = u64::from_str_radix(&digits, 16)
                .map_err(|_| ParseError::new(start, "invalid hexadecimal literal"))?;
            let long = self.int_suffix();
            #[allow(clippy::cast_possible_wrap)] // C# hex literals wrap into the signed type.
            return Ok(if long || v > u64::from(u32::MAX) {
                Tok::Long(v as i64)
            } else {
                Tok::Int(v as i64)
            });
        }
        let mut is_float = false;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '_') {
            self.bump();
        }
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            is_float = true;
            self.bump();
            while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '_') {
                self.bump();
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let save = self.pos;
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
            } else {
                self.pos = save;
            }
        }
        let text: String = self.src[start..self.pos]
            .chars()
            .filter(|c| *c != '_')
            .collect();
        if matches!(self.peek(), Some('d' | 'D' | 'f' | 'F' | 'm' | 'M')) {
            self.bump();
            is_float = true;
        }
        if is_float {
            let v: f64 = text
                .parse()
                .map_err(|_| ParseError::new(start, "invalid number"))?;
            return Ok(Tok::Double(v));
        }
        let v: u64 = text
            .parse()
            .map_err(|_| ParseError::new(start, "integral constant is too large"))?;
        let long = self.int_suffix();
        let v = i64::try_from(v)
            .map_err(|_| ParseError::new(start, "integral constant is too large"))?;
        Ok(if long || v > i64::from(i32::MAX) {
            Tok::Long(v)
        } else {
            Tok::Int(v)
        })
    }

    fn int_suffix(&mut self) -> bool {
        let mut long = false;
        while let Some(c @ ('l' | 'L' | 'u' | 'U')) = self.peek() {
            long |= matches!(c, 'l' | 'L');
            self.bump();
        }
        long
    }

    fn escape(&mut self, start: usize) -> Result<char, ParseError> {
        let at = self.pos;
        let c = self
            .bump()
            .ok_or_else(|| ParseError::new(start, "unterminated literal"))?;
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'v' => '\u{b}',
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            'u' | 'x' => {
                let max = 4;
                let ds = self.pos;
                while self.pos - ds < max && self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.bump();
                }
                if self.pos == ds || (c == 'u' && self.pos - ds != 4) {
                    return self.err(at, "invalid unicode escape");
                }
                let v = u32::from_str_radix(&self.src[ds..self.pos], 16)
                    .map_err(|_| ParseError::new(at, "invalid escape"))?;
                char::from_u32(v).unwrap_or('\u{FFFD}')
            }
            'U' => {
                let ds = self.pos;
                for _ in 0..8 {
                    if self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                        self.bump();
                    }
                }
                let v = u32::from_str_radix(&self.src[ds..self.pos], 16)
                    .map_err(|_| ParseError::new(at, "invalid escape"))?;
                char::from_u32(v).ok_or_else(|| ParseError::new(at, "invalid escape"))?
            }
            other => return self.err(at, format!("unrecognized escape sequence '\\{other}'")),
        })
    }

    fn regular_string(&mut self, start: usize) -> Result<String, ParseError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => {
                    return self.err(start, "newline in constant (unterminated string)");
                }
                Some('"') => return Ok(s),
                Some('\\') => s.push(self.escape(start)?),
                Some(c) => s.push(c),
            }
        }
    }

    fn verbatim(&mut self, start: usize) -> Result<String, ParseError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return self.err(start, "unterminated verbatim string"),
                Some('"') if self.peek() == Some('"') => {
                    self.bump();
                    s.push('"');
                }
                Some('"') => return Ok(s),
                Some(c) => s.push(c),
            }
        }
    }

    fn char_lit(&mut self, start: usize) -> Result<Tok, ParseError> {
        let c = match self.bump() {
            None | Some('\n') | Some('\'') => {
                return self.err(start, "empty or unterminated character literal");
            }
            Some('\\') => self.escape(start)?,
            Some(c) => c,
        };
        if self.bump() != Some('\'') {
            return self.err(start, "too many characters in character literal");
        }
        Ok(Tok::Char(c))
    }

    fn interpolated(&mut self, verbatim: bool, start: usize) -> Result<Tok, ParseError> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        loop {
            let Some(c) = self.bump() else {
                return self.err(start, "unterminated interpolated string");
            };
            match c {
                '"' if verbatim && self.peek() == Some('"') => {
                    self.bump();
                    text.push('"');
                }
                '"' => break,
                '\n' if !verbatim => return self.err(start, "newline in interpolated string"),
                '\\' if !verbatim => text.push(self.escape(start)?),
                '{' if self.peek() == Some('{') => {
                    self.bump();
                    text.push('{');
                }
                '}' if self.peek() == Some('}') => {
                    self.bump();
                    text.push('}');
                }
                '}' => {
                    return self.err(
                        self.pos - 1,
                        "unexpected '}' in interpolated string (use '}}')",
                    );
                }
                '{' => {
                    if !text.is_empty() {
                        pieces.push(InterpPiece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(self.hole()?);
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(InterpPiece::Text(text));
        }
        Ok(Tok::Interp(pieces))
    }

    /// Scans one `{expr[,align][:format]}` hole; the opening brace is consumed.
    fn hole(&mut self) -> Result<InterpPiece, ParseError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut align_start = None;
        loop {
            self.skip_trivia()?;
            let at = self.pos;
            let Some(c) = self.peek() else {
                return self.err(start, "unterminated interpolation hole");
            };
            match c {
                '(' | '[' | '{' => {
                    depth += 1;
                    self.bump();
                }
                ')' | ']' => {
                    depth = depth.saturating_sub(1);
                    self.bump();
                }
                '}' if depth > 0 => {
                    depth -= 1;
                    self.bump();
                }
                '}' => {
                    let end = at;
                    self.bump();
                    let align = match align_start {
                        Some(a) => {
                            let text = self.src[a..end].trim();
                            Some(
                                text.parse::<i64>()
                                    .map_err(|_| ParseError::new(a, "invalid alignment"))?,
                            )
                        }
                        None => None,
                    };
                    let expr_end = align_start.map_or(end, |a| a - 1);
                    return Ok(InterpPiece::Hole {
                        start,
                        end: expr_end,
                        align,
                        format: None,
                    });
                }
                ',' if depth == 0 && align_start.is_none() => {
                    self.bump();
                    align_start = Some(self.pos);
                }
                ':' if depth == 0 => {
                    let expr_end = align_start.map_or(at, |a| a - 1);
                    let align = match align_start {
                        Some(a) => Some(
                            self.src[a..at]
                                .trim()
                                .parse::<i64>()
                                .map_err(|_| ParseError::new(a, "invalid alignment"))?,
                        ),
                        None => None,
                    };
                    self.bump();
                    let fs = self.pos;
                    while self.peek().is_some_and(|c| c != '}' && c != '"') {
                        self.bump();
                    }
                    if self.peek() != Some('}') {
                        return self.err(fs, "unterminated format specifier");
                    }
                    let format = self.src[fs..self.pos].to_string();
                    self.bump();
                    return Ok(InterpPiece::Hole {
                        start,
                        end: expr_end,
                        align,
                        format: Some(format),
                    });
                }
                '"' | '\'' | '$' | '@' => {
                    // Nested literals may contain braces and colons; lex them as whole tokens.
                    self.token()?;
                }
                _ => {
                    self.bump();
                }
            }
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s, 0, s.len())
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn literals() {
        assert_eq!(toks("42"), vec![Tok::Int(42), Tok::Eof]);
        assert_eq!(toks("42L"), vec![Tok::Long(42), Tok::Eof]);
        assert_eq!(toks("1.5"), vec![Tok::Double(1.5), Tok::Eof]);
        assert_eq!(
            toks(r#""a\"b\n""#),
            vec![Tok::Str("a\"b\n".into()), Tok::Eof]
        );
        assert_eq!(
            toks(r#"@"a""b\n""#),
            vec![Tok::Str("a\"b\\n".into()), Tok::Eof]
        );
        assert_eq!(toks("'x'"), vec![Tok::Char('x'), Tok::Eof]);
        assert_eq!(toks(r"'\u0041'"), vec![Tok::Char('A'), Tok::Eof]);
    }

    #[test]
    fn interpolation_holes() {
        let s = r#"$"a{x}b{{c}}{y:yyyy}{z,5}""#;
        let t = toks(s);
        let Tok::Interp(p) = &t[0] else {
            panic!("{t:?}")
        };
        assert_eq!(p.len(), 5);
        assert_eq!(p[0], InterpPiece::Text("a".into()));
        assert_eq!(p[2], InterpPiece::Text("b{c}".into()));
        let InterpPiece::Hole {
            start, end, format, ..
        } = &p[3]
        else {
            panic!()
        };
        assert_eq!(&s[*start..*end], "y");
        assert_eq!(format.as_deref(), Some("yyyy"));
        let InterpPiece::Hole {
            start, end, align, ..
        } = &p[4]
        else {
            panic!()
        };
        assert_eq!(&s[*start..*end], "z");
        assert_eq!(*align, Some(5));
    }

    #[test]
    fn nested_string_in_hole() {
        let s = r#"$"{d.GetValueOrDefault("a:}", "")}""#;
        let t = toks(s);
        let Tok::Interp(p) = &t[0] else { panic!() };
        let InterpPiece::Hole { start, end, .. } = &p[0] else {
            panic!()
        };
        assert_eq!(&s[*start..*end], r#"d.GetValueOrDefault("a:}", "")"#);
    }

    #[test]
    fn errors_have_offsets() {
        let e = lex("a + \"abc", 0, 8).unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(lex("a # b", 0, 5).is_err());
    }
}
