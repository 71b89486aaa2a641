//! Connector errors in plain words: `ConnectorError` → `AppError` with the
//! message and next step from ui-words.md. The connector's technical text
//! becomes `detail` (it never contains a secret).

use crate::connectors::{ConnectorError, ErrorCode, SystemDescriptor, UnreachableCause};
use crate::error::{AppError, AppErrorCode};

/// Where the user manages tokens in the system, in its own menu words.
fn token_place(system: &SystemDescriptor) -> String {
    if system.id == "fergus" {
        "Settings → Integrations → Fergus API".to_string()
    } else {
        format!("{}'s settings page for integrations", system.name)
    }
}

/// How the system's tokens start ("fergPAT_"), when it says.
fn token_prefix(system: &SystemDescriptor) -> Option<&'static str> {
    (system.id == "fergus").then_some("fergPAT_")
}

/// Turn a connector failure into the error the user sees.
pub fn app_error(error: &ConnectorError, system: &SystemDescriptor) -> AppError {
    let name = &system.name;
    let place = token_place(system);
    let mut app = match error.code {
        ErrorCode::AddressInvalid => AppError::new(
            AppErrorCode::AddressInvalid,
            format!("This doesn't look like a {name} API address."),
        )
        .hint(format!(
            "Check the address. It starts with https:// — for {name} it is usually {}.",
            default_api_url(system).unwrap_or("the address your provider gave you")
        )),
        ErrorCode::Unreachable => {
            let (what, hint) = match error.unreachable.unwrap_or(UnreachableCause::Other) {
                UnreachableCause::Dns => (
                    format!("We couldn't find {name} at this address (the name did not resolve)."),
                    "Check the address for typos and that this computer is online.".to_string(),
                ),
                UnreachableCause::Refused => (
                    format!("{name} refused the connection at this address."),
                    "Check the address and port. If it is right, the server may be stopped or a firewall may be blocking it.".to_string(),
                ),
                UnreachableCause::Timeout => (
                    format!("{name} didn't answer in time (the request timed out)."),
                    format!("Check this computer is online. If it is, {name} may be having a problem — we'll keep trying and tell you when it's back."),
                ),
                UnreachableCause::Reset => (
                    format!("The connection to {name} was cut off (connection reset)."),
                    format!("Check this computer is online. If it is, {name} may be having a problem — we'll keep trying and tell you when it's back."),
                ),
                UnreachableCause::Other => (
                    format!("We couldn't reach {name}."),
                    format!("Check this computer is online. If it is, {name} may be having a problem — we'll keep trying and tell you when it's back."),
                ),
            };
            AppError::new(AppErrorCode::Unreachable, what).hint(hint)
        }
        ErrorCode::TlsUntrusted => AppError::new(
            AppErrorCode::TlsUntrusted,
            format!("The server's security certificate isn't trusted, so we didn't send your token to {name}."),
        )
        .hint("Check the address. If this is your own server, ask whoever runs it to install a certificate this computer trusts."),
        // The message says what happened; the hint says what to do, and names
        // the place in the system once.
        ErrorCode::AuthRejected => AppError::new(
            AppErrorCode::AuthRejected,
            format!("This token was not accepted by {name}."),
        )
        .hint(format!(
            "Check you copied all of it{}. If it was made a while ago, it may have been replaced or revoked — generate a new one in {name}: {place}.",
            token_prefix(system)
                .map(|prefix| format!(" (it starts with {prefix})"))
                .unwrap_or_default()
        )),
        ErrorCode::PermissionMissing => AppError::new(
            AppErrorCode::PermissionMissing,
            format!("This token belongs to a {name} user who can't use integrations — your {name} user must be an Admin or Full User."),
        )
        .hint(format!(
            "Ask an Admin or Full User to generate the token in {name} ({place}), then connect with it."
        )),
        ErrorCode::RateLimited => {
            let when = match error.retry_after_secs {
                Some(secs) => format!("Trying again in {secs} s."),
                None => "Try again in a minute.".to_string(),
            };
            AppError::new(
                AppErrorCode::RateLimited,
                format!("{name} asked us to slow down (it allows 100 requests a minute for your company, shared with your other tools)."),
            )
            .hint(format!("Nothing is broken. {when}"))
        }
        ErrorCode::ServiceDown => AppError::new(
            AppErrorCode::ServiceDown,
            format!("{name} is having a problem right now (it answered with a server error)."),
        )
        .hint(format!(
            "Nothing to fix on your side. Try again in a few minutes — we'll keep checking and tell you when {name} is back."
        )),
        ErrorCode::UnexpectedResponse => AppError::new(
            AppErrorCode::UnexpectedResponse,
            format!("{name} answered in a way we didn't expect."),
        )
        .hint(format!(
            "Check the address points to {name}. If it does, try again later; if it keeps happening, copy the technical details for support."
        )),
        ErrorCode::ValidationFailed => AppError::new(
            AppErrorCode::ValidationFailed,
            format!("{name} didn't accept this record."),
        )
        .hint("Fix the problems listed and try again. Nothing was created."),
        ErrorCode::NotFound => AppError::new(
            AppErrorCode::NotFound,
            format!("{name} couldn't find that."),
        )
        .hint("It may have been deleted or archived. Refresh the list and try again."),
        ErrorCode::Unsupported => AppError::new(
            AppErrorCode::InvalidInput,
            format!("Patchbay can't do that with {name} yet."),
        )
        .hint("Pick another kind of record."),
    };
    app.detail = Some(error.detail.clone());
    app.problems = error.problems.clone();
    app.retry_after_secs = error.retry_after_secs;
    app
}

/// The system's default API address (the `apiUrl` field's default value).
pub(crate) fn default_api_url(system: &SystemDescriptor) -> Option<&str> {
    system
        .fields
        .iter()
        .find(|f| f.key == "apiUrl")
        .and_then(|f| f.default_value.as_deref())
}

/// Stable text of a connector error code ("auth_rejected"), for history rows.
pub(crate) fn code_text(code: ErrorCode) -> String {
    crate::store::enum_text(&code)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::connectors::{EntityTypeSpec, FieldSpec, Guidance, Hosting};

    pub(crate) fn fergus_like() -> SystemDescriptor {
        SystemDescriptor {
            id: "fergus".into(),
            name: "Fergus".into(),
            summary: "Job management".into(),
            category: "Job management".into(),
            hosting: Hosting::Cloud,
            credit_cost: 1,
            fields: vec![
                FieldSpec {
                    key: "apiUrl".into(),
                    label: "API address".into(),
                    example: "https://api.fergus.com".into(),
                    help: String::new(),
                    secret: false,
                    required: false,
                    pattern: None,
                    pattern_message: None,
                    default_value: Some("https://api.fergus.com".into()),
                    advanced: true,
                },
                FieldSpec {
                    key: "token".into(),
                    label: "Access token".into(),
                    example: "fergPAT_…".into(),
                    help: String::new(),
                    secret: true,
                    required: true,
                    pattern: Some("^fergPAT_[A-Za-z0-9_-]{8,}$".into()),
                    pattern_message: Some("A Fergus token starts with fergPAT_.".into()),
                    default_value: None,
                    advanced: false,
                },
            ],
            guidance: Guidance {
                steps: vec![],
                notes: vec![],
                settings_path: "/settings/integrations".into(),
                settings_url: "https://app.fergus.com/settings/integrations".into(),
            },
            entity_types: ["jobs", "customers", "invoices"]
                .iter()
                .map(|key| EntityTypeSpec {
                    key: (*key).into(),
                    label: key.to_uppercase(),
                    singular: (*key).into(),
                    searchable: true,
                    creatable: *key != "invoices",
                    required_for_connect: *key != "invoices",
                    sortable_fields: vec![],
                    columns: vec![],
                })
                .collect(),
            token_lifetime_days: Some(365),
            available: true,
        }
    }

    #[test]
    fn every_code_maps_to_plain_words_with_a_hint_and_the_detail() {
        let system = fergus_like();
        let codes = [
            (ErrorCode::AddressInvalid, AppErrorCode::AddressInvalid),
            (ErrorCode::Unreachable, AppErrorCode::Unreachable),
            (ErrorCode::TlsUntrusted, AppErrorCode::TlsUntrusted),
            (ErrorCode::AuthRejected, AppErrorCode::AuthRejected),
            (
                ErrorCode::PermissionMissing,
                AppErrorCode::PermissionMissing,
            ),
            (ErrorCode::RateLimited, AppErrorCode::RateLimited),
            (ErrorCode::ServiceDown, AppErrorCode::ServiceDown),
            (
                ErrorCode::UnexpectedResponse,
                AppErrorCode::UnexpectedResponse,
            ),
            (ErrorCode::ValidationFailed, AppErrorCode::ValidationFailed),
            (ErrorCode::NotFound, AppErrorCode::NotFound),
            (ErrorCode::Unsupported, AppErrorCode::InvalidInput),
        ];
        for (code, expected) in codes {
            let error = app_error(
                &ConnectorError::new(code, "GET /company → HTTP 4xx"),
                &system,
            );
            assert_eq!(error.code, expected);
            assert!(!error.message.is_empty());
            assert!(error.hint.as_deref().is_some_and(|h| !h.is_empty()));
            assert_eq!(error.detail.as_deref(), Some("GET /company → HTTP 4xx"));
            // Plain words: no Rust type names.
            assert!(!error.message.contains("Error"), "{}", error.message);
        }
    }

    #[test]
    fn auth_and_permission_use_the_issue_wording() {
        let system = fergus_like();
        let auth = app_error(&ConnectorError::new(ErrorCode::AuthRejected, "x"), &system);
        assert_eq!(auth.message, "This token was not accepted by Fergus.");
        let hint = auth.hint.clone().unwrap_or_default();
        assert!(hint.contains("it may have been replaced or revoked — generate a new one in Fergus: Settings → Integrations → Fergus API"), "{hint}");
        // The place in Fergus is named once, in the hint.
        let place = "Settings → Integrations → Fergus API";
        assert_eq!(format!("{} {hint}", auth.message).matches(place).count(), 1);
        let perm = app_error(
            &ConnectorError::new(ErrorCode::PermissionMissing, "x"),
            &system,
        );
        assert!(perm
            .message
            .contains("your Fergus user must be an Admin or Full User"));
    }

    #[test]
    fn unreachable_names_the_cause_and_rate_limit_says_when() {
        let system = fergus_like();
        let words = [
            (UnreachableCause::Dns, "resolve"),
            (UnreachableCause::Refused, "refused"),
            (UnreachableCause::Timeout, "timed out"),
            (UnreachableCause::Reset, "reset"),
        ];
        for (cause, word) in words {
            let mut e = ConnectorError::new(ErrorCode::Unreachable, "GET /version");
            e.unreachable = Some(cause);
            assert!(app_error(&e, &system).message.contains(word));
        }
        let mut limited = ConnectorError::new(ErrorCode::RateLimited, "429");
        limited.retry_after_secs = Some(40);
        let app = app_error(&limited, &system);
        assert_eq!(app.retry_after_secs, Some(40));
        assert!(app.hint.as_deref().is_some_and(|h| h.contains("40 s")));
    }
}
