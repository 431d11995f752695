//! Errors of this crate: located document errors (`file:line:col: field: message`) and the
//! outcome of a client-secret check.

use std::fmt;

/// A problem in a directory document, located by file, line, column and field path.
///
/// `Display` gives `file:line:col: field: message`, the form editors and CI logs turn into links.
/// Line and column are 1-based; 0 means "not known" (for example a problem found in entities
/// the document does not mention).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyError {
    /// The document's file name, as the caller passed it.
    pub file: String,
    /// 1-based line of the offending node.
    pub line: u32,
    /// 1-based column of the offending node.
    pub column: u32,
    /// Path of the field, e.g. `tenants[0].applications[1].appRoles[0].allowedMemberTypes`.
    pub field_path: String,
    /// What is wrong and, where possible, what to write instead.
    pub message: String,
}

/// A located remark that does not stop the apply (for example an `endDateTime` in the past).
pub type ApplyWarning = ApplyError;

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.field_path, self.message
        )
    }
}

impl std::error::Error for ApplyError {}

/// Why a presented client secret was refused. The two cases map to different AADSTS codes
/// (7000215 invalid secret, 7000222 expired secret), so the token endpoint needs to tell them
/// apart; neither says which credential was tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// No credential of the application matches, or the matching one is not valid yet.
    #[error("invalid client secret")]
    Invalid,
    /// The secret matches a credential whose `endDateTime` has passed.
    #[error("client secret expired")]
    Expired,
}
