//! The three error kinds, one per phase: parsing, load-time checking, evaluation.

use std::fmt;

/// The source text is not valid expression syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the source passed to [`crate::parse`].
    pub offset: usize,
    /// Human-readable description, e.g. "expected ')'".
    pub message: String,
}

/// The expression parsed but is not valid for this engine: unknown or unsupported member, type
/// mismatch, undeclared local. Reported when a policy is loaded, never per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Byte offset into the source passed to [`crate::parse`].
    pub offset: usize,
    /// E.g. "unknown member 'Foo' on IRequest" or "unsupported member 'String.Normalize'".
    pub message: String,
}

/// A runtime failure: null reference, bad cast, parse failure, exhausted step budget. The gateway
/// maps it to APIM's `ExpressionValueEvaluationFailure`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// .NET-style exception name, e.g. "NullReferenceException", "FormatException".
    pub kind: &'static str,
    /// .NET-style message.
    pub message: String,
}

/// Either a parse or a compile error, for the one-call [`crate::compile_source`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// See [`ParseError`].
    #[error("{0}")]
    Parse(ParseError),
    /// See [`CompileError`].
    #[error("{0}")]
    Compile(CompileError),
}

// === impl ParseError ===

impl ParseError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "syntax error at offset {}: {}",
            self.offset, self.message
        )
    }
}

impl std::error::Error for ParseError {}

// === impl CompileError ===

impl CompileError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expression error at offset {}: {}",
            self.offset, self.message
        )
    }
}

impl std::error::Error for CompileError {}

// === impl EvalError ===

impl EvalError {
    pub(crate) fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn null_ref() -> Self {
        Self::new(
            "NullReferenceException",
            "Object reference not set to an instance of an object.",
        )
    }

    pub(crate) fn format(message: impl Into<String>) -> Self {
        Self::new("FormatException", message)
    }

    pub(crate) fn invalid_cast(from: &str, to: &str) -> Self {
        Self::new(
            "InvalidCastException",
            format!("Unable to cast object of type '{from}' to type '{to}'."),
        )
    }

    pub(crate) fn argument(message: impl Into<String>) -> Self {
        Self::new("ArgumentException", message)
    }

    pub(crate) fn out_of_range(message: impl Into<String>) -> Self {
        Self::new("ArgumentOutOfRangeException", message)
    }

    pub(crate) fn key_not_found(key: &str) -> Self {
        Self::new(
            "KeyNotFoundException",
            format!("The given key '{key}' was not present in the dictionary."),
        )
    }

    pub(crate) fn invalid_op(message: impl Into<String>) -> Self {
        Self::new("InvalidOperationException", message)
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for EvalError {}
