//! Diagnostics: every load problem names a file, a line and a column.

use std::fmt;
use std::sync::Arc;

/// A position in a configuration file (1-based line and column; column counts characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pos {
    /// Path of the file, relative to the configuration folder, with `/` separators.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Pos {
    /// A position at the start of `file` (used for whole-file problems such as JSON shape).
    pub fn start_of(file: &Arc<str>) -> Self {
        Self {
            file: file.clone(),
            line: 1,
            col: 1,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// How bad a diagnostic is: errors stop the load, warnings are reported and loading goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The configuration is rejected.
    Error,
    /// The configuration loads, but something is read in a tolerant way the author should fix.
    Warning,
}

/// One problem found while loading a configuration folder.
///
/// `Display` is `file:line:col: message` for errors and `file:line:col: warning: message` for
/// warnings, the shape compilers use so editors can jump to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Relative file path (`/` separators).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong and, where possible, what to write instead.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
}

impl Diagnostic {
    /// An error at `pos`.
    pub fn error(pos: &Pos, message: impl Into<String>) -> Self {
        Self {
            file: pos.file.clone(),
            line: pos.line,
            col: pos.col,
            message: message.into(),
            severity: Severity::Error,
        }
    }

    /// A warning at `pos`.
    pub fn warning(pos: &Pos, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(pos, message)
        }
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The position this diagnostic points at.
    pub fn pos(&self) -> Pos {
        Pos {
            file: self.file.clone(),
            line: self.line,
            col: self.col,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            ),
            Severity::Warning => {
                write!(
                    f,
                    "{}:{}:{}: warning: {}",
                    self.file, self.line, self.col, self.message
                )
            }
        }
    }
}

/// Collects diagnostics while loading so every problem is reported, not only the first.
#[derive(Debug, Default)]
pub(crate) struct Diags {
    list: Vec<Diagnostic>,
}

impl Diags {
    pub(crate) fn error(&mut self, pos: &Pos, message: impl Into<String>) {
        self.list.push(Diagnostic::error(pos, message));
    }

    pub(crate) fn warning(&mut self, pos: &Pos, message: impl Into<String>) {
        self.list.push(Diagnostic::warning(pos, message));
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub(crate) fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.list.extend(ds);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics, sorted by file, line, column so output is stable.
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.list.sort_by(|a, b| {
            (&a.file, a.line, a.col, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.col, b.severity, &b.message))
        });
        self.list.dedup();
        self.list
    }
}

/// Maps byte offsets of one source text to 1-based line and character column.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// Line and column of byte `offset` in `text` (clamped to the text).
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text.get(start..end).map_or(0, |s| s.chars().count());
        (to_u32(line + 1), to_u32(col + 1))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_file_line_col_message() {
        let pos = Pos {
            file: "apis/a/policy.xml".into(),
            line: 3,
            col: 7,
        };
        assert_eq!(
            Diagnostic::error(&pos, "boom").to_string(),
            "apis/a/policy.xml:3:7: boom"
        );
        assert_eq!(
            Diagnostic::warning(&pos, "hmm").to_string(),
            "apis/a/policy.xml:3:7: warning: hmm"
        );
    }

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let text = "ab\ncé<x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        let lt = text.find('<').unwrap();
        assert_eq!(idx.line_col(text, lt), (2, 3));
        assert_eq!(idx.line_col(text, text.len()), (3, 1));
    }
}
