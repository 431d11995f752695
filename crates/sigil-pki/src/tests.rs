use std::time::Duration;

use sigil_core::{FixedClock, UnixTime};

use super::*;

fn clock() -> FixedClock {
    FixedClock::at(UnixTime::from_secs(1_800_000_000))
}

#[test]
fn second_ensure_reuses_ca_and_server_cert() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let a = ensure(dir.path(), &ServerNames::default(), &c).unwrap();
    let b = ensure(dir.path(), &ServerNames::default(), &c).unwrap();
    assert_eq!(a.ca_cert_pem, b.ca_cert_pem);
    assert_eq!(a.server_chain_pem, b.server_chain_pem);
    assert!(a.server_chain_pem.ends_with(&a.ca_cert_pem));
}

#[test]
fn server_cert_renewed_near_expiry_with_same_ca() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let a = ensure(dir.path(), &ServerNames::default(), &c).unwrap();
    c.advance(Duration::from_secs(340 * 86_400));
    let b = ensure(dir.path(), &ServerNames::default(), &c).unwrap();
    assert_eq!(a.ca_cert_pem, b.ca_cert_pem);
    assert_ne!(a.server_chain_pem, b.server_chain_pem);
}

#[test]
fn new_name_reissues_server_cert() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let a = ensure(dir.path(), &ServerNames::default(), &c).unwrap();
    let names = ServerNames::default().with_dns("vault.localhost");
    let b = ensure(dir.path(), &names, &c).unwrap();
    assert_ne!(a.server_chain_pem, b.server_chain_pem);
    let again = ensure(dir.path(), &names, &c).unwrap();
    assert_eq!(b.server_chain_pem, again.server_chain_pem);
}

#[cfg(unix)]
#[test]
fn keys_and_dir_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    ensure(&pki, &ServerNames::default(), &clock()).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&pki), 0o700);
    assert_eq!(mode(&pki.join("ca.key")), 0o600);
    assert_eq!(mode(&pki.join("server.key")), 0o600);
}

#[test]
fn corrupt_ca_key_is_reported_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    ensure(dir.path(), &ServerNames::default(), &clock()).unwrap();
    std::fs::write(dir.path().join("ca.key"), "garbage").unwrap();
    let err = ensure(dir.path(), &ServerNames::default(), &clock()).unwrap_err();
    assert!(err.to_string().contains("ca.key"), "{err}");
}
