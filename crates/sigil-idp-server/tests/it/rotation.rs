use crate::fixtures::{SECRET, TENANT, fintech, header};

#[tokio::test]
async fn forced_rotation_publishes_and_signs_with_the_new_key_old_stays_published() {
    let (sigil, tp) = fintech().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", tp.as_str()),
        ("client_secret", SECRET),
        ("scope", "api://fraud-detector/.default"),
    ];
    let (_, before) = sigil.token_request(TENANT, &form).await;
    let old_kid = header(before["access_token"].as_str().unwrap())["kid"]
        .as_str()
        .unwrap()
        .to_owned();

    let r: serde_json::Value = sigil
        .client()
        .post(format!(
            "{}/admin/v1.0/keys/rotate?force=true",
            sigil.idp_url()
        ))
        .bearer_auth(sigil.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_kid = r["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);

    let (_, after) = sigil.token_request(TENANT, &form).await;
    assert_eq!(
        header(after["access_token"].as_str().unwrap())["kid"],
        new_kid.as_str()
    );
    let jwks: serde_json::Value = sigil
        .client()
        .get(format!("{}/{TENANT}/discovery/v2.0/keys", sigil.idp_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(
        kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()),
        "{kids:?}"
    );
    sigil.shutdown().await;
}

#[tokio::test]
async fn scheduled_rotation_publishes_next_key_without_signing_with_it() {
    let (sigil, tp) = fintech().await;
    let r: serde_json::Value = sigil
        .client()
        .post(format!("{}/admin/v1.0/keys/rotate", sigil.idp_url()))
        .bearer_auth(sigil.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = r["kid"].as_str().unwrap().to_owned();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", tp.as_str()),
        ("client_secret", SECRET),
        ("scope", "api://fraud-detector/.default"),
    ];
    let (_, t) = sigil.token_request(TENANT, &form).await;
    assert_ne!(
        header(t["access_token"].as_str().unwrap())["kid"],
        next.as_str()
    );
    let jwks: serde_json::Value = sigil
        .client()
        .get(format!("{}/common/discovery/v2.0/keys", sigil.idp_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    sigil.shutdown().await;
}

#[tokio::test]
async fn keys_survive_restart() {
    let (sigil, tp) = fintech().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", tp.as_str()),
        ("client_secret", SECRET),
        ("scope", "api://fraud-detector/.default"),
    ];
    let (_, t) = sigil.token_request(TENANT, &form).await;
    let kid = header(t["access_token"].as_str().unwrap())["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let home = sigil.shutdown().await.unwrap();
    let again = sigil_testkit::TestSigil::start_with(sigil_testkit::Options {
        home: Some(home.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let (status, t) = again.token_request(TENANT, &form).await;
    assert_eq!(status, 200, "directory and secret survived: {t:#}");
    assert_eq!(
        header(t["access_token"].as_str().unwrap())["kid"],
        kid.as_str()
    );
    again.shutdown().await;
}
