//! Integration tests: whole configuration folders under tests/fixtures.

mod broken;
mod multitenant;
mod support;
