//! The FitBuzz demo of seed 000 (fitbuzz.top): a fitness platform's Workouts API behind
//! Sigil's gateway.
//!
//! - `gateway/` is an APIOps folder: `validate-jwt` against Sigil's IdP, per-tier hourly limits
//!   (`quota-by-key` keyed on the caller's `oid`, the tier from the `roles` claim), the `oid`
//!   mapped to an internal member id before the backend, internal headers stripped and every
//!   error masked.
//! - [`workout_api`]: the internal Workouts service the gateway forwards to. It addresses
//!   members by internal id only, accepts only calls carrying the gateway's key, and is
//!   deliberately talkative (internal headers, detailed error bodies): the gateway is what keeps
//!   that inside.
//!
//! [`DEMO_DIRECTORY`] registers the API and one client application per tier
//! (`sigil up --demo` applies it).

pub mod workout_api;

/// The demo directory: the Workouts API with its tier app roles, a second API (Nutrition), and
/// one member application per tier with its secret from `${env:FITBUZZ_FREE_SECRET}`,
/// `${env:FITBUZZ_PREMIUM_SECRET}` and `${env:FITBUZZ_ENTERPRISE_SECRET}`.
pub const DEMO_DIRECTORY: &str = include_str!("../directory.yaml");

/// The FitBuzz tenant.
pub const TENANT: &str = "66666666-6666-6666-6666-666666666666";
/// The Workouts API's appId (the `aud` of v2 tokens for it).
pub const WORKOUTS_APP_ID: &str = "66666666-0000-4000-8000-000000000001";
/// The scope member applications request.
pub const WORKOUTS_SCOPE: &str = "api://fitbuzz-workouts/.default";
/// Another API of the tenant; its tokens must not open the Workouts API.
pub const NUTRITION_SCOPE: &str = "api://fitbuzz-nutrition/.default";

/// One membership tier: the client application that stands for a member of that tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The tier's app role on the Workouts API (`roles` claim).
    pub role: &'static str,
    /// The member application's client id.
    pub client_id: &'static str,
    /// Its service principal's object id: the `oid` claim, the external opaque id.
    pub oid: &'static str,
    /// The internal id the Workouts service knows the member by (gateway named value
    /// `fitbuzz-member-ids`).
    pub member_id: u64,
    /// The environment variable holding the application's client secret.
    pub secret_env: &'static str,
}

/// Free tier: 100 calls per hour.
pub const FREE: Member = Member {
    role: "FreeUser",
    client_id: "66666666-0000-4000-8000-000000000011",
    oid: "9f1c4a52-3e7b-4d21-a8c6-5b0e2f7d9a11",
    member_id: 100_231,
    secret_env: "FITBUZZ_FREE_SECRET",
};

/// Premium tier: 10,000 calls per hour.
pub const PREMIUM: Member = Member {
    role: "PremiumUser",
    client_id: "66666666-0000-4000-8000-000000000012",
    oid: "2b8e6d14-7c3a-4f59-b1e0-8d4a6c2f3b22",
    member_id: 100_232,
    secret_env: "FITBUZZ_PREMIUM_SECRET",
};

/// Enterprise tier: no call limit.
pub const ENTERPRISE: Member = Member {
    role: "EnterpriseUser",
    client_id: "66666666-0000-4000-8000-000000000013",
    oid: "c47a0e93-1d6f-4b8c-9e25-3f7b1a5d6c33",
    member_id: 100_233,
    secret_env: "FITBUZZ_ENTERPRISE_SECRET",
};

/// The three tiers, cheapest first.
pub const MEMBERS: [Member; 3] = [FREE, PREMIUM, ENTERPRISE];

/// Calls per hour of the free tier (the gateway policy's literal; kept here for the demo
/// output and the tests).
pub const FREE_CALLS_PER_HOUR: u32 = 100;
/// Calls per hour of the premium tier.
pub const PREMIUM_CALLS_PER_HOUR: u32 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    /// The gateway folder, the directory and these constants describe the same members: the
    /// named value maps each service principal's object id to its member id.
    #[test]
    fn gateway_member_map_directory_and_constants_agree() {
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/gateway/named values/fitbuzz-member-ids/namedValueInformation.json"
        );
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let map: serde_json::Value =
            serde_json::from_str(doc["properties"]["value"].as_str().unwrap()).unwrap();
        let map = map.as_object().unwrap();
        assert_eq!(map.len(), MEMBERS.len());
        for m in MEMBERS {
            assert_eq!(map[m.oid], m.member_id, "{}", m.role);
            let sp = format!("      - appId: {}\n        id: {}\n", m.client_id, m.oid);
            assert!(DEMO_DIRECTORY.contains(&sp), "no service principal {sp}");
            assert!(
                DEMO_DIRECTORY.contains(&format!("${{env:{}}}", m.secret_env)),
                "{}",
                m.secret_env
            );
            assert!(
                DEMO_DIRECTORY.contains(&format!("appRoles: [{}]", m.role)),
                "{}",
                m.role
            );
        }
        assert!(DEMO_DIRECTORY.contains(&format!("id: {TENANT}")));
        assert!(DEMO_DIRECTORY.contains(&format!("appId: {WORKOUTS_APP_ID}")));
    }

    /// The policy's limits are the ones these constants (and the docs) state.
    #[test]
    fn policy_states_the_documented_limits() {
        let policy = include_str!("../gateway/apis/workouts/policy.xml");
        let calls = format!("== \"premium\" ? {PREMIUM_CALLS_PER_HOUR} : {FREE_CALLS_PER_HOUR})");
        assert!(policy.contains(&calls), "{calls}");
        assert!(policy.contains(r#"renewal-period="3600""#));
        assert!(policy.contains(&format!("<audience>{WORKOUTS_APP_ID}</audience>")));
    }
}
