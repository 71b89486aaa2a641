//! Checks on user input that need no network: names, addresses, token shape,
//! credits. Every failure is an `AppError` in plain words; none echoes a token.

use url::Url;

use crate::connectors::{Secret, SystemDescriptor};
use crate::error::{AppError, AppErrorCode};
use crate::model::CreditSummary;

pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_TOKEN_CHARS: usize = 512;
pub const MIN_TOKEN_CHARS: usize = 8;
pub const MAX_URL_CHARS: usize = 2048;

/// A connection name: trimmed, non-empty, at most 80 characters, no control
/// characters.
pub fn connection_name(name: &str) -> Result<String, AppError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(
            AppError::new(AppErrorCode::InvalidInput, "The connection needs a name.")
                .hint("Type a name you'll recognise, such as \"Fergus — Smith Plumbing\"."),
        );
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::new(
            AppErrorCode::InvalidInput,
            format!("The name is too long (at most {MAX_NAME_CHARS} characters)."),
        )
        .hint("Use a shorter name."));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(AppError::new(
            AppErrorCode::InvalidInput,
            "The name contains characters that can't be shown.",
        )
        .hint("Use letters, numbers, spaces and punctuation only."));
    }
    Ok(trimmed.to_string())
}

/// An API address: http(s), a host, no credentials, no query. Returns it
/// without a trailing slash.
pub fn api_url(raw: &str, system: &SystemDescriptor) -> Result<String, AppError> {
    let trimmed = raw.trim();
    let invalid = |why: &str| {
        AppError::new(
            AppErrorCode::AddressInvalid,
            format!("This doesn't look like a {} API address.", system.name),
        )
        .hint(format!(
            "Check the address. It starts with https:// — for {} it is usually {}.",
            system.name,
            crate::mapping::default_api_url(system).unwrap_or("the address your provider gave you")
        ))
        .detail(why.to_string())
    };
    if trimmed.is_empty() {
        return Err(invalid("the address is empty"));
    }
    if trimmed.chars().count() > MAX_URL_CHARS {
        return Err(invalid("the address is too long"));
    }
    let url = Url::parse(trimmed).map_err(|e| invalid(&format!("cannot parse address: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "the address must start with https:// (or http:// for a local test server)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the address has no server name"));
    }
    // A token must never cross the network in plain text: http:// only for
    // a server on this computer (the sandbox, a local test server).
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() == "http" && !loopback {
        return Err(invalid(
            "http:// would send the token unencrypted; use https:// (http:// works only for a server on this computer)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the address must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the address must not contain ? or #"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// A token's shape: non-empty, no whitespace or control characters, a
/// sensible length, and the system's own pattern. Errors never include it.
pub fn token(secret: &Secret, system: &SystemDescriptor) -> Result<(), AppError> {
    let value = secret.expose();
    let field = system.fields.iter().find(|f| f.secret);
    let label = field.map(|f| f.label.as_str()).unwrap_or("token");
    let bad = |message: String| {
        AppError::new(AppErrorCode::InvalidInput, message).hint(format!(
            "Copy the whole {} again from {} and paste it here.",
            label, system.name
        ))
    };
    if value.trim().is_empty() {
        return Err(bad(format!("The {} is empty.", label)));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(format!(
            "The {} contains spaces or line breaks — it may not have been copied cleanly.",
            label
        )));
    }
    let length = value.chars().count();
    if !(MIN_TOKEN_CHARS..=MAX_TOKEN_CHARS).contains(&length) {
        return Err(bad(format!(
            "This doesn't look like a {} (it is too {}).",
            label,
            if length < MIN_TOKEN_CHARS {
                "short"
            } else {
                "long"
            }
        )));
    }
    if let Some(pattern) = field.and_then(|f| f.pattern.as_deref()) {
        // A pattern that does not compile is the catalog's bug: skip it
        // rather than refuse every token.
        if let Ok(re) = regex::Regex::new(pattern) {
            if !re.is_match(value) {
                let message = field
                    .and_then(|f| f.pattern_message.clone())
                    .unwrap_or_else(|| format!("This doesn't look like a {label}."));
                return Err(bad(message));
            }
        }
    }
    Ok(())
}

/// Credits: `used` out of `allowance`.
pub fn credit_summary(used: u32, allowance: u32) -> CreditSummary {
    CreditSummary {
        used,
        allowance,
        available: allowance.saturating_sub(used),
    }
}

/// `credits_exhausted` unless `cost` fits in what is available.
pub fn credits_for(cost: u32, summary: &CreditSummary, system_name: &str) -> Result<(), AppError> {
    if cost <= summary.available {
        return Ok(());
    }
    Err(AppError::new(
        AppErrorCode::CreditsExhausted,
        format!(
            "Not enough credits: a {system_name} connection costs {cost}, and {} of your {} are left.",
            summary.available, summary.allowance
        ),
    )
    .hint("Disconnect a connection you no longer use, or raise the plan's credit allowance in Settings.")
    .detail(format!(
        "used {} of {} credits; this connection needs {cost}",
        summary.used, summary.allowance
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::tests::fergus_like;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            connection_name("  Smith Plumbing ").ok().as_deref(),
            Some("Smith Plumbing")
        );
        assert!(connection_name("   ").is_err());
        assert!(connection_name(&"x".repeat(81)).is_err());
        assert!(connection_name(&"é".repeat(80)).is_ok());
        assert!(connection_name("a\u{7}b").is_err());
    }

    #[test]
    fn addresses_must_be_http_with_a_host() {
        let system = fergus_like();
        assert_eq!(
            api_url("https://api.fergus.com/", &system).ok().as_deref(),
            Some("https://api.fergus.com")
        );
        assert!(api_url("http://127.0.0.1:8080", &system).is_ok());
        assert!(api_url("http://localhost:8080/", &system).is_ok());
        assert!(api_url("http://[::1]:8080", &system).is_ok());
        assert_eq!(
            api_url("http://api.fergus.com", &system)
                .err()
                .map(|e| e.code),
            Some(AppErrorCode::AddressInvalid),
            "no token over plain http to another computer"
        );
        for bad in [
            "",
            "api.fergus.com",
            "ftp://x",
            "https://",
            "https://u:p@host",
            "https://h/?q=1",
            "not a url",
            "javascript:alert(1)",
        ] {
            let error = api_url(bad, &system).err();
            assert_eq!(
                error.map(|e| e.code),
                Some(AppErrorCode::AddressInvalid),
                "{bad}"
            );
        }
        assert!(api_url(&format!("https://{}.com", "a".repeat(3000)), &system).is_err());
    }

    #[test]
    fn tokens_are_checked_without_being_echoed() {
        let system = fergus_like();
        assert!(token(&Secret::new("fergPAT_0123456789abcdef"), &system).is_ok());
        for bad in [
            "",
            "   ",
            "fergPAT_ abc defgh",
            "fergPAT_abc\ndefghij",
            "q7x",
            "notfergus_0123456789",
        ] {
            let error = token(&Secret::new(bad), &system).err();
            let error = error.unwrap_or_else(|| AppError::new(AppErrorCode::Internal, "accepted"));
            assert_eq!(error.code, AppErrorCode::InvalidInput, "{bad:?}");
            if bad.len() > 4 {
                let text = serde_json::to_string(&error).unwrap_or_default();
                assert!(!text.contains(bad), "{text}");
            }
        }
        let long = format!("fergPAT_{}", "a".repeat(600));
        assert!(token(&Secret::new(long), &system).is_err());
    }

    #[test]
    fn credits_arithmetic() {
        let summary = credit_summary(9, 10);
        assert_eq!(summary.available, 1);
        assert!(credits_for(1, &summary, "Fergus").is_ok());
        assert_eq!(
            credits_for(2, &summary, "Fergus").err().map(|e| e.code),
            Some(AppErrorCode::CreditsExhausted)
        );
        let over = credit_summary(12, 10);
        assert_eq!(over.available, 0);
        assert!(credits_for(1, &over, "Fergus").is_err());
        assert!(credits_for(0, &over, "Fergus").is_ok());
    }
}
