//! Lookups the token endpoint makes.

use sigil_directory::{Directory, DirectoryIndex, split_scope};
use uuid::Uuid;

use crate::support::{World, product_example};

fn product_index() -> DirectoryIndex {
    let w = World::product();
    let out = w.apply_text(
        &Directory::default(),
        "fixtures/product-example.yaml",
        product_example(),
        false,
    );
    DirectoryIndex::new(out.directory)
}

const TID: Uuid = Uuid::from_u128(0x1111_1111_1111_1111_1111_1111_1111_1111);

#[test]
fn tenants_by_guid_or_domain() {
    let ix = product_index();
    assert_eq!(
        ix.tenant("11111111-1111-1111-1111-111111111111")
            .unwrap()
            .id,
        TID
    );
    assert_eq!(ix.tenant("FinTech.Example").unwrap().id, TID);
    assert!(ix.tenant("other.example").is_none());
    assert!(ix.tenant("22222222-2222-2222-2222-222222222222").is_none());
}

#[test]
fn client_resource_and_granted_roles() {
    let ix = product_index();
    let t = ix.tenant_by_id(TID).unwrap();
    let tp = t.applications[1].app_id;
    let client = ix.client(TID, tp).unwrap();
    assert_eq!(
        client.application.display_name,
        "FinTech-TransactionProcessor"
    );
    for name in [
        "api://fraud-detector",
        "api://fraud-detector/",
        "API://Fraud-Detector",
    ] {
        let r = ix.resource(TID, name).unwrap();
        assert_eq!(
            r.application.display_name, "FinTech-FraudDetector-API",
            "{name}"
        );
        assert_eq!(r.matched_uri, Some("api://fraud-detector"));
    }
    let (r, permission) = ix
        .resource_for_scope(TID, "api://fraud-detector/.default")
        .unwrap();
    assert_eq!(permission, ".default");
    let by_app_id = ix.resource(TID, &r.application.app_id.to_string()).unwrap();
    assert_eq!(by_app_id.matched_uri, None);
    assert_eq!(
        ix.granted_app_roles(client.service_principal.id, r.service_principal.id),
        ["Fraud.Scan"]
    );
    // No grant the other way round, and none to an unknown resource.
    assert!(
        ix.granted_app_roles(r.service_principal.id, client.service_principal.id)
            .is_empty()
    );
    assert!(ix.resource(TID, "api://nowhere").is_none());
    assert!(
        ix.granted_scopes(client.service_principal.id, r.service_principal.id, None)
            .is_empty()
    );
}

#[test]
fn key_credentials_by_either_thumbprint() {
    let ix = product_index();
    let app = &ix.tenant_by_id(TID).unwrap().applications[1];
    let k = &app.key_credentials[0];
    assert_eq!(k.x5t_sha1, sigil_crypto::sha1(&k.cert_der));
    assert_eq!(
        app.key_credential_by_thumbprint(&k.x5t_sha1)
            .unwrap()
            .key_id,
        k.key_id
    );
    assert_eq!(
        app.key_credential_by_thumbprint(&k.x5t_sha256)
            .unwrap()
            .key_id,
        k.key_id
    );
    assert!(app.key_credential_by_thumbprint(&[0; 20]).is_none());
    assert!(app.key_credential_by_thumbprint(&[0; 7]).is_none());
}

#[test]
fn disabled_roles_vanish_and_multi_tenant_rule_holds() {
    let w = World::new();
    let doc = |enabled: bool, audience: &str| {
        format!(
            "tenants:\n  - id: 55555555-5555-5555-5555-555555555555\n    domains: [home.example]\n    applications:\n      - displayName: Saas\n        appId: 22222222-2222-2222-2222-222222222222\n        signInAudience: {audience}\n        identifierUris: [api://saas]\n        appRoles: [{{value: Data.Read, isEnabled: {enabled}}}]\n  - id: 66666666-6666-6666-6666-666666666666\n    domains: [customer.example]\n    applications:\n      - displayName: Customer-Client\n        appId: 77777777-7777-7777-7777-777777777777\n        requiredResourceAccess:\n          - resource: 22222222-2222-2222-2222-222222222222\n            appRoles: [Data.Read]\n            adminConsent: true\n"
        )
    };
    let home = Uuid::from_u128(0x5555_5555_5555_5555_5555_5555_5555_5555);
    let customer = Uuid::from_u128(0x6666_6666_6666_6666_6666_6666_6666_6666);
    let saas = Uuid::from_u128(0x2222_2222_2222_2222_2222_2222_2222_2222);
    let client_id = Uuid::from_u128(0x7777_7777_7777_7777_7777_7777_7777_7777);
    let first = w.apply_text(
        &Directory::default(),
        "m.yaml",
        &doc(true, "AzureADMultipleOrgs"),
        false,
    );
    let ix = DirectoryIndex::new(first.directory.clone());
    // Consent provisioned the resource's service principal in the customer tenant.
    let r = ix.resource(customer, "api://saas").unwrap();
    assert_eq!(r.home_tenant.id, home);
    let c = ix.client(customer, client_id).unwrap();
    assert_eq!(
        ix.granted_app_roles(c.service_principal.id, r.service_principal.id),
        ["Data.Read"]
    );
    // The customer's single-tenant client is not usable from the home tenant.
    assert!(ix.client(home, client_id).is_none());

    let second = w.apply_text(
        &first.directory,
        "m.yaml",
        &doc(false, "AzureADMultipleOrgs"),
        false,
    );
    let ix = DirectoryIndex::new(second.directory);
    let r = ix.resource(customer, "api://saas").unwrap();
    let c = ix.client(customer, client_id).unwrap();
    assert!(
        ix.granted_app_roles(c.service_principal.id, r.service_principal.id)
            .is_empty()
    );
    assert!(ix.resource(customer, &saas.to_string()).is_some());
}

#[test]
fn scopes_split_at_the_last_slash() {
    assert_eq!(
        split_scope("api://x/.default"),
        Some(("api://x", ".default"))
    );
    assert_eq!(
        split_scope("https://database.windows.net//.default"),
        Some(("https://database.windows.net/", ".default"))
    );
    assert_eq!(
        split_scope("11111111-1111-1111-1111-111111111111/.default"),
        Some(("11111111-1111-1111-1111-111111111111", ".default"))
    );
    assert_eq!(
        split_scope("api://x/Fraud.Read"),
        Some(("api://x", "Fraud.Read"))
    );
    assert_eq!(split_scope("openid"), None);
    assert_eq!(split_scope("api://x"), None);
    assert_eq!(split_scope("api://x/"), None);
}
