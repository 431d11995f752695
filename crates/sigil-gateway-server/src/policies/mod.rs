//! One module per family of policies; `exec` dispatches to them.

pub(crate) mod access;
pub(crate) mod backend;
pub(crate) mod cors;
pub(crate) mod jwt;
pub(crate) mod limits;
pub(crate) mod message;
pub(crate) mod respond;
pub(crate) mod validate;
