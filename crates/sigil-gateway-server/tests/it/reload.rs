//! Hot reload: atomic swap, in-flight requests finish on their generation, broken folders are
//! refused while the old configuration keeps serving, the watcher picks up changes.

use std::time::Duration;

use crate::support::*;

fn version_policy(v: &str) -> String {
    policies(
        &format!(
            r#"<set-header name="X-Gen" exists-action="override"><value>{v}</value></set-header>"#
        ),
        "<base />",
        &format!(
            r#"<set-header name="X-Gen-Out" exists-action="override"><value>{v}</value></set-header>"#
        ),
        "",
    )
}

#[tokio::test]
async fn reload_swaps_and_refuses_broken_folders() {
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &be, false)
        .api_policy("echo", &version_policy("A"));
    let gw = start(f.path()).await;
    assert_eq!(gw.get("/echo/items/1").await.header("x-gen-out"), Some("A"));

    // In flight across a reload: finishes on A.
    let slow = gw.send(
        gw.req("GET", "/echo/items/1")
            .header("x-echo-delay-ms", "500"),
    );
    let swap = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        f.write("apis/echo/policy.xml", &version_policy("B"));
        gw.gw.reload(f.path(), &env).unwrap();
    };
    let (r, ()) = tokio::join!(slow, swap);
    assert_eq!(r.json()["headers"]["x-gen"], "A");
    assert_eq!(r.header("x-gen-out"), Some("A"));
    assert_eq!(gw.get("/echo/items/1").await.header("x-gen-out"), Some("B"));

    // Broken XML: refused, B keeps serving.
    f.write(
        "apis/echo/policy.xml",
        "<policies><inbound><set-header></inbound>",
    );
    let diags = gw.gw.reload(f.path(), &env).unwrap_err();
    assert!(!diags.is_empty());
    // Loads, but not executable: refused too.
    f.write(
        "apis/echo/policy.xml",
        &policies(
            r#"<set-body template="liquid">hi</set-body>"#,
            "<base />",
            "",
            "",
        ),
    );
    let diags = gw.gw.reload(f.path(), &env).unwrap_err();
    assert!(diags[0].message.contains("liquid"), "{diags:?}");
    assert_eq!(gw.get("/echo/items/1").await.header("x-gen-out"), Some("B"));
}

#[tokio::test]
async fn watcher_reloads_on_change() {
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &be, false)
        .api_policy("echo", &version_policy("A"));
    let gw = start(f.path()).await;
    let task = gw.gw.watch(f.path().to_path_buf());
    tokio::time::sleep(Duration::from_millis(300)).await;
    f.write("apis/echo/policy.xml", &version_policy("WATCHED"));
    let mut seen = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        seen = gw
            .get("/echo/items/1")
            .await
            .header("x-gen-out")
            .map(str::to_owned);
        if seen.as_deref() == Some("WATCHED") {
            break;
        }
    }
    task.abort();
    assert_eq!(seen.as_deref(), Some("WATCHED"));
}
