//! Fergus, described by data: the catalog entry and the wizard's form.

use super::entities::EntityKind;
use crate::model::{FieldSpec, Guidance, Hosting, SystemDescriptor};

pub const SYSTEM_ID: &str = "fergus";
pub const DEFAULT_API_URL: &str = "https://api.fergus.com";
/// The format of a Fergus personal access token (`fergPAT_` + a UUID-like tail).
pub const TOKEN_PATTERN: &str = "^fergPAT_[A-Za-z0-9-]{8,}$";
/// An http(s) address.
pub const URL_PATTERN: &str = "^https?://[^\\s/?#]+[^\\s]*$";

pub fn descriptor() -> SystemDescriptor {
    SystemDescriptor {
        id: SYSTEM_ID.to_string(),
        name: "Fergus".to_string(),
        summary: "Job management for trades businesses: quotes, jobs, scheduling and invoices."
            .to_string(),
        category: "Job management".to_string(),
        hosting: Hosting::Cloud,
        credit_cost: 1,
        fields: vec![
            FieldSpec {
                key: "token".to_string(),
                label: "Fergus access token".to_string(),
                example: "fergPAT_…".to_string(),
                help: "Paste the personal access token you generated in Fergus. It starts with fergPAT_."
                    .to_string(),
                secret: true,
                required: true,
                pattern: Some(TOKEN_PATTERN.to_string()),
                pattern_message: Some(
                    "This doesn't look like a Fergus access token. It starts with fergPAT_ — check you copied all of it."
                        .to_string(),
                ),
                default_value: None,
                advanced: false,
            },
            FieldSpec {
                key: "apiUrl".to_string(),
                label: "Fergus address".to_string(),
                example: DEFAULT_API_URL.to_string(),
                help: "Leave this as it is unless support asked you to change it.".to_string(),
                secret: false,
                required: true,
                pattern: Some(URL_PATTERN.to_string()),
                pattern_message: Some(
                    "This should be a web address starting with https://, like https://api.fergus.com."
                        .to_string(),
                ),
                default_value: Some(DEFAULT_API_URL.to_string()),
                advanced: true,
            },
        ],
        guidance: Guidance {
            steps: vec![
                "Sign in to Fergus as an Admin or Full User (other roles can't create a token)."
                    .to_string(),
                "Open Settings → Integrations → Fergus API.".to_string(),
                "Press Generate PAT and give it a name, for example \"Patchbay\".".to_string(),
                "Copy the token at once — Fergus shows it only once — and paste it here."
                    .to_string(),
            ],
            notes: vec![
                "Each Fergus user has one token. Generating a new one replaces the old one, and anything using the old one stops working."
                    .to_string(),
                "A token expires 365 days after it was made. You can renew it on the same page."
                    .to_string(),
                "A token stops working if its user is removed or no longer an Admin or Full User."
                    .to_string(),
                "Lost the token? Generate a new one — Fergus can't show an old one again."
                    .to_string(),
            ],
            settings_path: "/settings/integrations/fergus-api".to_string(),
            // Not confirmed against the real Fergus web app; keep it easy to change.
            settings_url: "https://app.fergus.com/settings/integrations/fergus-api".to_string(),
        },
        entity_types: EntityKind::ALL.into_iter().map(EntityKind::spec).collect(),
        token_lifetime_days: Some(365),
        available: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_pattern_accepts_real_shapes_only() {
        let re = regex::Regex::new(TOKEN_PATTERN).expect("valid regex");
        assert!(re.is_match("fergPAT_3f2b9c1e-7d4a-4b8e-9f00-1a2b3c4d3f9a"));
        assert!(re.is_match("fergPAT_abcdEFGH"));
        assert!(!re.is_match("fergPAT_short"));
        assert!(!re.is_match("FERGPAT_3f2b9c1e-7d4a"));
        assert!(!re.is_match(" fergPAT_3f2b9c1e-7d4a"));
        assert!(!re.is_match("fergPAT_3f2b9c1e 7d4a"));
        assert!(!re.is_match("Bearer fergPAT_3f2b9c1e-7d4a"));
    }

    #[test]
    fn url_pattern_accepts_http_and_https() {
        let re = regex::Regex::new(URL_PATTERN).expect("valid regex");
        assert!(re.is_match("https://api.fergus.com"));
        assert!(re.is_match("http://127.0.0.1:8080"));
        assert!(re.is_match("http://localhost:3000/api/"));
        assert!(!re.is_match("ftp://api.fergus.com"));
        assert!(!re.is_match("api.fergus.com"));
        assert!(!re.is_match("https://"));
        assert!(!re.is_match("https://api fergus.com"));
    }

    #[test]
    fn descriptor_is_complete() {
        let d = descriptor();
        assert_eq!(d.id, "fergus");
        assert_eq!(d.category, "Job management");
        assert_eq!(d.hosting, Hosting::Cloud);
        assert_eq!(d.credit_cost, 1);
        assert_eq!(d.token_lifetime_days, Some(365));
        assert!(d.available);
        let keys: Vec<_> = d.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["token", "apiUrl"]);
        assert!(d.fields[0].secret && d.fields[0].required);
        assert!(!d.fields[1].secret && d.fields[1].advanced);
        assert_eq!(d.fields[1].default_value.as_deref(), Some(DEFAULT_API_URL));
        assert_eq!(d.guidance.steps.len(), 4);
        assert!(d.guidance.steps[1].contains("Settings → Integrations → Fergus API"));
        assert!(d.guidance.steps[2].contains("Generate PAT"));
        assert!(d.guidance.notes.iter().any(|n| n.contains("365 days")));
        // The serialised form is camelCase for the UI.
        let json = serde_json::to_value(&d).expect("serialises");
        assert!(json.get("creditCost").is_some());
        assert!(json.get("entityTypes").is_some());
    }
}
