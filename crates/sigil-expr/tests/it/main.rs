//! Integration tests for sigil-expr: one binary, modules by concern.

mod context;
mod errors;
mod eval;
mod json;
mod jwt;
mod props;
mod seeds;
mod snippets;
mod support;
