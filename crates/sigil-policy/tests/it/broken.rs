//! A broken folder: every error is reported, with file:line:col, matching a golden file.

use sigil_policy::check;

use crate::support::{env, fixture};

#[test]
fn every_error_is_reported_with_its_position() {
    let diags = check(&fixture("broken"), &env);
    let got: String = diags.iter().map(|d| format!("{d}\n")).collect();
    let golden_path = fixture("broken.expected");
    if std::env::var_os("SIGIL_BLESS").is_some() {
        std::fs::write(&golden_path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden_path).unwrap();
    assert_eq!(
        got,
        want,
        "set SIGIL_BLESS=1 to update {}",
        golden_path.display()
    );
}
