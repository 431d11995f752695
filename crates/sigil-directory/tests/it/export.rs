//! Export: the format round-trips and never shows a secret.

use base64::Engine as _;
use sigil_directory::{Directory, Document, ExportError, TenantFilter, export};

use crate::support::{World, lines, product_example};

#[test]
fn export_then_apply_changes_nothing() {
    let w = World::product();
    let first = w.apply_text(
        &Directory::default(),
        "fixtures/product-example.yaml",
        product_example(),
        false,
    );
    let text = export(&first.directory, TenantFilter::All).unwrap();
    let again = w.apply_text(&first.directory, "export.yaml", &text, true);
    assert!(
        again.changes.is_empty(),
        "{}\n{text}",
        lines(&again.changes)
    );
    assert_eq!(again.directory, first.directory);
    // The export of the re-applied directory is byte-identical.
    assert_eq!(export(&again.directory, TenantFilter::All).unwrap(), text);
}

#[test]
fn export_into_an_empty_directory_keeps_ids_and_regenerates_secrets() {
    let w = World::product();
    let first = w.apply_text(
        &Directory::default(),
        "fixtures/product-example.yaml",
        product_example(),
        false,
    );
    let text = export(&first.directory, TenantFilter::One("FINTECH.example")).unwrap();
    let fresh = w.apply_text(&Directory::default(), "export.yaml", &text, false);
    let (a, b) = (&first.directory.tenants[0], &fresh.directory.tenants[0]);
    for (x, y) in a.applications.iter().zip(&b.applications) {
        assert_eq!(
            (x.id, x.app_id, &x.app_roles, &x.key_credentials),
            (y.id, y.app_id, &y.app_roles, &y.key_credentials)
        );
    }
    assert_eq!(a.service_principals, b.service_principals);
    // The secret itself never left: a new one is generated under the same keyId.
    assert_eq!(fresh.generated_secrets.len(), 1);
    assert_eq!(
        fresh.generated_secrets[0].key_id,
        a.applications[1].password_credentials[0].key_id
    );
}

#[test]
fn export_never_contains_a_secret_or_its_hash() {
    let w = World::product();
    let out = w.apply_text(
        &Directory::default(),
        "fixtures/product-example.yaml",
        product_example(),
        false,
    );
    let text = export(&out.directory, TenantFilter::All).unwrap();
    let hash = &out.directory.tenants[0].applications[1].password_credentials[0].secret_hash;
    assert!(!text.contains("tp-secret-from-the-environment"));
    assert!(!text.contains(&base64::engine::general_purpose::STANDARD.encode(hash)));
    assert!(!text.contains("secretText"));
    assert!(text.contains("hint: tp-"), "{text}");
    assert!(text.contains("-----BEGIN CERTIFICATE-----"));
    Document::parse("export.yaml", &text).unwrap();
    assert!(matches!(
        export(&out.directory, TenantFilter::One("nope.example")),
        Err(ExportError::UnknownTenant(_))
    ));
}
