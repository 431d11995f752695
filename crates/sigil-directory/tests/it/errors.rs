//! Error fixtures: every `fixtures/errors/NAME.yaml` must fail with exactly the lines in
//! `NAME.errors`. Run with `SIGIL_BLESS=1` to rewrite the golden files after a deliberate change.

use std::path::PathBuf;

use sigil_directory::{Directory, Document};

use crate::support::{World, lines};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/errors")
}

fn check(name: &str) {
    let dir = fixtures();
    let text = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).unwrap();
    let file = format!("errors/{name}.yaml");
    let mut w = World::new();
    w.env.insert("SHORT_SECRET".into(), "short".into());
    w.files.insert(
        PathBuf::from("errors/certs/key.pem"),
        include_bytes!("fixtures/errors/certs/key.pem").to_vec(),
    );
    let errors = match Document::parse(&file, &text) {
        Err(e) => e,
        Ok(doc) => match w.apply(&Directory::default(), &doc, false) {
            Err(e) => e,
            Ok(_) => panic!("{name} applied without errors"),
        },
    };
    let got = lines(&errors);
    let golden = dir.join(format!("{name}.errors"));
    if std::env::var_os("SIGIL_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        got, want,
        "golden {name}.errors differs (SIGIL_BLESS=1 rewrites it)"
    );
}

#[test]
fn syntax_error_is_located() {
    check("syntax");
}

#[test]
fn schema_errors_are_all_reported() {
    check("schema");
}

#[test]
fn reference_errors_are_all_reported() {
    check("references");
}

#[test]
fn credential_errors_are_all_reported() {
    check("credentials");
}
