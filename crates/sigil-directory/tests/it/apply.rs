//! Applying documents: the product example, idempotency, stable ids, secrets, prune.

use sigil_core::UnixTime;
use sigil_directory::{
    ChangeOp, Directory, Document, EntityKind, SecretError, verify_client_secret,
};

use crate::support::{World, cert_pem, indent, lines, product_example};

const FILE: &str = "fixtures/product-example.yaml";

#[test]
fn product_example_applies_with_consent_and_credentials() {
    let w = World::product();
    let out = w.apply_text(&Directory::default(), FILE, product_example(), false);
    assert!(
        out.generated_secrets.is_empty(),
        "secretText came from the environment"
    );
    assert!(out.warnings.is_empty(), "{}", lines(&out.warnings));
    let t = &out.directory.tenants[0];
    assert_eq!(t.id.to_string(), "11111111-1111-1111-1111-111111111111");
    assert_eq!(t.display_name, "fintech.example");
    let [fd, tp] = &t.applications[..] else {
        panic!("two applications")
    };
    assert_eq!(fd.identifier_uris, ["api://fraud-detector"]);
    assert_eq!(tp.password_credentials[0].hint, "tp-");
    assert_eq!(tp.password_credentials[0].end_date_time.year(), 2027);
    assert_eq!(tp.key_credentials[0].end_date_time.year(), 2034);
    assert_eq!(t.service_principals.len(), 2);
    let tp_sp = t.service_principal_by_app_id(tp.app_id).unwrap();
    let fd_sp = t.service_principal_by_app_id(fd.app_id).unwrap();
    assert_eq!(t.app_role_assignments.len(), 1);
    let a = t.app_role_assignments[0];
    assert_eq!(
        (a.principal_id, a.resource_id, a.app_role_id),
        (tp_sp.id, fd_sp.id, fd.app_roles[0].id)
    );
    let ok = verify_client_secret(tp, "tp-secret-from-the-environment", &w.key, w.now);
    assert_eq!(ok.unwrap().display_name, "ci");
    let later = UnixTime::from_secs(1_830_297_600); // 2028-01-01
    assert_eq!(
        verify_client_secret(tp, "tp-secret-from-the-environment", &w.key, later).unwrap_err(),
        SecretError::Expired
    );

    let summary: Vec<String> = out.changes.iter().map(ToString::to_string).collect();
    let expected = vec![
        "+ tenant fintech.example (id 11111111-1111-1111-1111-111111111111)".to_owned(),
        format!("+ application FinTech-FraudDetector-API (appId {})", fd.app_id),
        format!("+ application FinTech-TransactionProcessor (appId {})", tp.app_id),
        format!("+ service principal FinTech-FraudDetector-API (appId {})", fd.app_id),
        format!("+ service principal FinTech-TransactionProcessor (appId {})", tp.app_id),
        "+ app role assignment Fraud.Scan: FinTech-TransactionProcessor -> FinTech-FraudDetector-API".to_owned(),
    ];
    assert_eq!(summary, expected);
}

#[test]
fn reapplying_changes_nothing_and_keeps_every_id() {
    let w = World::product();
    let first = w.apply_text(&Directory::default(), FILE, product_example(), false);
    let second = w.apply_text(&first.directory, FILE, product_example(), false);
    assert!(second.changes.is_empty(), "{}", lines(&second.changes));
    assert_eq!(second.directory, first.directory);
    let third = w.apply_text(&second.directory, FILE, product_example(), true);
    assert!(
        third.changes.is_empty(),
        "prune with the same document: {}",
        lines(&third.changes)
    );
}

#[test]
fn omitted_secret_is_generated_once() {
    let w = World::new();
    let doc = "tenants:\n  - domains: [a.example]\n    applications:\n      - displayName: App\n        passwordCredentials:\n          - displayName: deploy\n";
    let first = w.apply_text(&Directory::default(), "a.yaml", doc, false);
    assert_eq!(first.generated_secrets.len(), 1);
    let g = &first.generated_secrets[0];
    assert_eq!(
        (
            g.app_display_name.as_str(),
            g.credential_display_name.as_str()
        ),
        ("App", "deploy")
    );
    let secret = g.secret.expose();
    assert_eq!(secret.len(), 40);
    assert_eq!(&secret[3..6], "8Q~");
    let app = &first.directory.tenants[0].applications[0];
    assert_eq!(app.password_credentials[0].key_id, g.key_id);
    assert!(verify_client_secret(app, secret, &w.key, w.now).is_ok());
    // Default lifetime: two years from now.
    assert_eq!(app.password_credentials[0].end_date_time.year(), 2028);

    let second = w.apply_text(&first.directory, "a.yaml", doc, false);
    assert!(second.generated_secrets.is_empty());
    assert!(second.changes.is_empty(), "{}", lines(&second.changes));
}

#[test]
fn changed_secret_and_renamed_application_are_modifications() {
    let mut w = World::product();
    let first = w.apply_text(&Directory::default(), FILE, product_example(), false);
    w.env
        .insert("TP_SECRET".into(), "a-rotated-secret-value-000".into());
    let renamed = product_example().replace(
        "      - displayName: FinTech-FraudDetector-API\n",
        &format!(
            "      - id: {}\n        displayName: Fraud-Detector\n",
            first.directory.tenants[0].applications[0].id
        ),
    );
    let out = w.apply_text(&first.directory, FILE, &renamed, false);
    let summary: Vec<String> = out.changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        summary,
        [
            "~ application Fraud-Detector: displayName",
            "~ application FinTech-TransactionProcessor: passwordCredentials",
            "~ service principal Fraud-Detector: displayName",
        ]
    );
    let t = &out.directory.tenants[0];
    assert_eq!(
        t.applications[0].app_id,
        first.directory.tenants[0].applications[0].app_id
    );
    let tp = &t.applications[1];
    assert!(verify_client_secret(tp, "a-rotated-secret-value-000", &w.key, w.now).is_ok());
    assert!(verify_client_secret(tp, "tp-secret-from-the-environment", &w.key, w.now).is_err());
}

#[test]
fn prune_removes_what_the_document_no_longer_describes() {
    let w = World::product();
    let first = w.apply_text(&Directory::default(), FILE, product_example(), false);
    let only_fd = "tenants:\n  - id: 11111111-1111-1111-1111-111111111111\n    domains: [fintech.example]\n    applications:\n      - displayName: FinTech-FraudDetector-API\n        identifierUris: [api://fraud-detector]\n        appRoles:\n          - value: Fraud.Scan\n        api:\n          oauth2PermissionScopes:\n            - value: Fraud.Read\n";
    let kept = w.apply_text(&first.directory, "b.yaml", only_fd, false);
    assert!(kept.changes.is_empty(), "{}", lines(&kept.changes));
    let pruned = w.apply_text(&first.directory, "b.yaml", only_fd, true);
    let ops: Vec<(ChangeOp, EntityKind)> = pruned.changes.iter().map(|c| (c.op, c.kind)).collect();
    assert_eq!(
        ops,
        [
            (ChangeOp::Remove, EntityKind::Application),
            (ChangeOp::Remove, EntityKind::ServicePrincipal),
            (ChangeOp::Remove, EntityKind::AppRoleAssignment),
        ]
    );
    let t = &pruned.directory.tenants[0];
    assert_eq!(t.applications.len(), 1);
    assert_eq!(t.service_principals.len(), 1);
    assert!(t.app_role_assignments.is_empty());
    assert!(
        pruned.changes[0]
            .to_string()
            .starts_with("- application FinTech-TransactionProcessor (appId ")
    );

    let no_tenants = w.apply_text(&first.directory, "c.yaml", "tenants: []\n", true);
    assert!(no_tenants.directory.tenants.is_empty());
    assert_eq!(
        no_tenants.changes.len(),
        1,
        "{}",
        lines(&no_tenants.changes)
    );
}

#[test]
fn delegated_consent_creates_one_grant_and_merges_scopes() {
    let w = World::new();
    let doc = |scopes: &str| {
        format!(
            "tenants:\n  - domains: [a.example]\n    applications:\n      - displayName: Api\n        identifierUris: [api://x]\n        api:\n          oauth2PermissionScopes:\n            - value: Read\n            - value: Write\n              type: Admin\n      - displayName: Web\n        requiredResourceAccess:\n          - resource: api://x/\n            scopes: [{scopes}]\n            adminConsent: true\n"
        )
    };
    let first = w.apply_text(&Directory::default(), "a.yaml", &doc("Read"), false);
    let t = &first.directory.tenants[0];
    assert_eq!(t.delegated_grants.len(), 1);
    assert_eq!(t.delegated_grants[0].scope, "Read");
    let second = w.apply_text(&first.directory, "a.yaml", &doc("Write"), false);
    assert_eq!(
        second.directory.tenants[0].delegated_grants[0].scope,
        "Read Write"
    );
    let pruned = w.apply_text(&second.directory, "a.yaml", &doc("Write"), true);
    assert_eq!(
        pruned.directory.tenants[0].delegated_grants[0].scope,
        "Write"
    );
    assert_eq!(
        pruned.directory.tenants[0].delegated_grants[0].id,
        t.delegated_grants[0].id
    );
}

#[test]
fn multi_tenant_application_gets_a_service_principal_in_another_tenant() {
    let w = World::new();
    let doc = "tenants:\n  - id: 55555555-5555-5555-5555-555555555555\n    domains: [home.example]\n    applications:\n      - displayName: Saas\n        appId: 22222222-2222-2222-2222-222222222222\n        signInAudience: AzureADMultipleOrgs\n        identifierUris: [api://saas]\n        appRoles: [{value: Data.Read}]\n  - domains: [customer.example]\n    servicePrincipals:\n      - appId: 22222222-2222-2222-2222-222222222222\n    applications:\n      - displayName: Customer-Client\n        requiredResourceAccess:\n          - resource: api://saas\n            appRoles: [Data.Read]\n            adminConsent: true\n";
    let out = w.apply_text(&Directory::default(), "m.yaml", doc, false);
    let customer = &out.directory.tenants[1];
    assert_eq!(customer.service_principals.len(), 2);
    assert_eq!(customer.app_role_assignments.len(), 1);

    let single = doc.replace("        signInAudience: AzureADMultipleOrgs\n", "");
    let errs = w
        .apply(
            &Directory::default(),
            &Document::parse("m.yaml", &single).unwrap(),
            false,
        )
        .unwrap_err();
    assert_eq!(
        lines(&errs),
        "m.yaml:11:16: tenants[1].servicePrincipals[0].appId: application Saas (22222222-2222-2222-2222-222222222222) is single-tenant (signInAudience AzureADMyOrg) in tenant ".to_owned()
            + &out.directory.tenants[0].id.to_string()
            + "; make it AzureADMultipleOrgs to use it here\n"
            + "m.yaml:15:23: tenants[1].applications[0].requiredResourceAccess[0].resource: no application has identifierUri or appId `api://saas` (looked in this tenant, then among multi-tenant applications)\n"
    );
}

#[test]
fn inline_pem_and_expired_dates_warn_but_apply() {
    let w = World::new();
    let pem = cert_pem("old", 2020, 2021);
    let doc = format!(
        "tenants:\n  - domains: [a.example]\n    applications:\n      - displayName: App\n        keyCredentials:\n          - displayName: old\n            key: |\n{}        passwordCredentials:\n          - secretText: an-old-but-long-secret\n            endDateTime: 2025-06-30\n",
        indent(&pem, 14)
    );
    let out = w.apply_text(&Directory::default(), "w.yaml", &doc, false);
    let warnings = lines(&out.warnings);
    assert!(warnings.contains("w.yaml:8:15: tenants[0].applications[0].keyCredentials[0].key: this certificate expired on 2021-01-01T00:00:00Z"), "{warnings}");
    assert!(warnings.contains("tenants[0].applications[0].passwordCredentials[0].endDateTime: this secret expired on 2025-06-30T00:00:00Z"), "{warnings}");
    let app = &out.directory.tenants[0].applications[0];
    assert_eq!(
        verify_client_secret(app, "an-old-but-long-secret", &w.key, w.now).unwrap_err(),
        SecretError::Expired
    );
}

#[test]
fn conflicts_with_entities_outside_the_document_are_errors() {
    let w = World::product();
    let first = w.apply_text(&Directory::default(), FILE, product_example(), false);
    let clash = "tenants:\n  - id: 11111111-1111-1111-1111-111111111111\n    applications:\n      - displayName: Newcomer\n        identifierUris: [API://fraud-detector/]\n";
    let doc = Document::parse("clash.yaml", clash).unwrap();
    let errs = w.apply(&first.directory, &doc, false).unwrap_err();
    assert_eq!(
        lines(&errs),
        "clash.yaml:4:9: tenants[0].applications[0]: identifierUri API://fraud-detector/ is used by another application of tenant 11111111-1111-1111-1111-111111111111\n"
    );
    // With --prune the old owner of the URI goes away, so there is no clash.
    let pruned = w.apply(&first.directory, &doc, true).unwrap();
    assert_eq!(pruned.directory.tenants[0].applications.len(), 1);
}
