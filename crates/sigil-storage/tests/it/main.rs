//! The storage suite. Every test runs twice: against a fresh SQLite file and against a fresh
//! PostgreSQL schema (`SIGIL_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//! PostgreSQL being unreachable is a failure, not a skip: set `SIGIL_TEST_NO_POSTGRES=1` to opt
//! out explicitly (it is reported loudly).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on setup failure

mod harness;
mod installation;
mod versioned;
