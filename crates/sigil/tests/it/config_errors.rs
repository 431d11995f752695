use crate::proc::run;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn unknown_config_key_exits_2_naming_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sigil.toml");
    std::fs::write(&cfg, "[idp]\nlisten = \"127.0.0.1:0\"\nport = 1\n").unwrap();
    let home = dir.path().join("home");
    let out = run(&[
        "up",
        "--home",
        home.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("sigil.toml"), "{err}");
    assert!(err.contains("unknown field `port`"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn bad_port_exits_2_with_range() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "up",
        "--home",
        dir.path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:70000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--listen: idp.listen: port 70000 is out of range (0-65535)"));
}

#[test]
fn unknown_command_exits_2() {
    let out = run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn version_and_help() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sigil "));
    let out = run(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(help.contains("up") && help.contains("ca"), "{help}");
}

#[test]
fn port_in_use_is_a_runtime_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "up",
        "--home",
        dir.path().to_str().unwrap(),
        "--listen",
        &addr,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
}
