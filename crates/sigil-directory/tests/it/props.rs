//! Property tests: for generated documents, apply is idempotent and export round-trips.

use std::fmt::Write as _;

use proptest::prelude::*;
use sigil_directory::{Directory, TenantFilter, export};

use crate::support::{World, lines};

#[derive(Clone, Debug)]
struct AppSpec {
    roles: Vec<bool>,                                 // which of ROLES exist, and ...
    role_users: bool,                                 // whether they also allow User
    scopes: Vec<bool>,                                // which of SCOPES exist
    uri: bool,                                        // has an identifier URI
    passwords: Vec<Option<bool>>, // per credential: None = generated, Some(b) = literal (b picks the text)
    rra: Option<(usize, Vec<bool>, Vec<bool>, bool)>, // target, roles mask, scopes mask, adminConsent
    multi: bool,
}

const ROLES: [&str; 3] = ["Data.Read", "Data.Write", "Admin.All"];
const SCOPES: [&str; 2] = ["user_impersonation", "Files.Read"];

fn app_spec() -> impl Strategy<Value = AppSpec> {
    (
        prop::collection::vec(any::<bool>(), 3),
        any::<bool>(),
        prop::collection::vec(any::<bool>(), 2),
        any::<bool>(),
        prop::collection::vec(prop::option::of(any::<bool>()), 0..3),
        prop::option::of((
            0usize..4,
            prop::collection::vec(any::<bool>(), 3),
            prop::collection::vec(any::<bool>(), 2),
            any::<bool>(),
        )),
        any::<bool>(),
    )
        .prop_map(
            |(roles, role_users, scopes, uri, passwords, rra, multi)| AppSpec {
                roles,
                role_users,
                scopes,
                uri,
                passwords,
                rra,
                multi,
            },
        )
}

fn render(tenants: &[Vec<AppSpec>]) -> String {
    let mut y = String::from("tenants:\n");
    for (ti, apps) in tenants.iter().enumerate() {
        let _ = writeln!(y, "  - domains: [t{ti}.example]\n    applications:");
        for (ai, a) in apps.iter().enumerate() {
            let _ = writeln!(y, "      - displayName: App-{ti}-{ai}");
            if a.multi {
                y.push_str("        signInAudience: AzureADMultipleOrgs\n");
            }
            if a.uri {
                let _ = writeln!(y, "        identifierUris: [api://t{ti}-app{ai}]");
            }
            let roles: Vec<&str> = ROLES
                .iter()
                .zip(&a.roles)
                .filter(|(_, b)| **b)
                .map(|(r, _)| *r)
                .collect();
            if !roles.is_empty() {
                y.push_str("        appRoles:\n");
                for r in &roles {
                    let types = if a.role_users {
                        "[Application, User]"
                    } else {
                        "[Application]"
                    };
                    let _ = writeln!(
                        y,
                        "          - value: {r}\n            allowedMemberTypes: {types}"
                    );
                }
            }
            let scopes: Vec<&str> = SCOPES
                .iter()
                .zip(&a.scopes)
                .filter(|(_, b)| **b)
                .map(|(s, _)| *s)
                .collect();
            if !scopes.is_empty() {
                y.push_str("        api:\n          oauth2PermissionScopes:\n");
                for s in &scopes {
                    let _ = writeln!(y, "            - value: {s}");
                }
            }
            if !a.passwords.is_empty() {
                y.push_str("        passwordCredentials:\n");
                for (pi, p) in a.passwords.iter().enumerate() {
                    let _ = writeln!(y, "          - displayName: cred{pi}");
                    if let Some(which) = p {
                        let _ =
                            writeln!(y, "            secretText: literal-secret-number-{which}");
                    }
                }
            }
            // Only resources listed before this app, so the reference always resolves.
            if let Some((target, rmask, smask, consent)) = &a.rra {
                if ai > 0 {
                    let t = &apps[target % ai];
                    let ti_roles: Vec<&str> = ROLES
                        .iter()
                        .zip(&t.roles)
                        .zip(rmask)
                        .filter(|((_, has), want)| **has && **want)
                        .map(|((r, _), _)| *r)
                        .collect();
                    let ti_scopes: Vec<&str> = SCOPES
                        .iter()
                        .zip(&t.scopes)
                        .zip(smask)
                        .filter(|((_, has), want)| **has && **want)
                        .map(|((s, _), _)| *s)
                        .collect();
                    if !ti_roles.is_empty() || !ti_scopes.is_empty() {
                        let resource = if t.uri {
                            format!("api://t{ti}-app{}", target % ai)
                        } else {
                            String::new()
                        };
                        if !resource.is_empty() {
                            let _ = writeln!(
                                y,
                                "        requiredResourceAccess:\n          - resource: {resource}\n            appRoles: [{}]\n            scopes: [{}]\n            adminConsent: {consent}",
                                ti_roles.join(", "),
                                ti_scopes.join(", ")
                            );
                        }
                    }
                }
            }
        }
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn apply_is_idempotent_and_export_round_trips(
        tenants in prop::collection::vec(prop::collection::vec(app_spec(), 1..4), 1..3),
        prune in any::<bool>(),
    ) {
        let text = render(&tenants);
        let w = World::new();
        let first = w.apply_text(&Directory::default(), "p.yaml", &text, false);
        let again = w.apply_text(&first.directory, "p.yaml", &text, prune);
        prop_assert!(again.changes.is_empty(), "{}\n{text}", lines(&again.changes));
        prop_assert!(again.generated_secrets.is_empty());
        prop_assert_eq!(&again.directory, &first.directory);
        let exported = export(&first.directory, TenantFilter::All).unwrap();
        let round = w.apply_text(&first.directory, "e.yaml", &exported, true);
        prop_assert!(round.changes.is_empty(), "{}\n{exported}", lines(&round.changes));
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = sigil_directory::fuzzing::parse_document(s.as_bytes());
    }
}
