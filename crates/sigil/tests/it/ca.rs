use crate::proc::run;

#[test]
fn ca_export_is_stable_pem() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_str().unwrap();
    let a = run(&["ca", "export", "--home", home]);
    assert!(a.status.success());
    let pem = String::from_utf8(a.stdout).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let b = run(&["ca", "export", "--home", home]);
    assert_eq!(pem, String::from_utf8(b.stdout).unwrap());
}
