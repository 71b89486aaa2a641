//! HTTP plumbing shared by connectors: turning transport failures and status
//! codes into [`ConnectorError`]s, reading rate-limit headers, and keeping
//! secrets out of every technical detail.

use std::error::Error as StdError;
use std::io;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::error::{ConnectorError, ErrorCode, UnreachableCause};
use crate::model::RateBudget;

/// The most of a response body a `detail` ever quotes.
pub(crate) const BODY_EXCERPT_CHARS: usize = 300;

/// Replace every occurrence of `secret` (and anything shaped like a Fergus
/// personal access token) with a mask, so technical details can be shown and
/// copied safely.
/// Matching ignores ASCII case: a URL parser lowercases a host name, so a
/// token pasted into the address comes back as `fergpat_…`.
pub(crate) fn redact(text: &str, secret: Option<&str>) -> String {
    let mut out = text.to_string();
    if let Some(secret) = secret.map(str::trim) {
        if !secret.is_empty() {
            out = replace_ignoring_ascii_case(&out, secret, |_| "[redacted]".to_string());
        }
    }
    redact_token_shapes(&out)
}

/// Replace every match of `needle` (ASCII case ignored) with `with(match)`.
fn replace_ignoring_ascii_case(text: &str, needle: &str, with: impl Fn(&str) -> String) -> String {
    // ASCII lowercasing keeps byte offsets, so positions carry over.
    let haystack = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(found) = haystack[from..].find(&needle) {
        let start = from + found;
        let end = start + needle.len();
        out.push_str(&text[from..start]);
        out.push_str(&with(&text[start..end]));
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// Mask anything that looks like `fergPAT_…` even when it is not the token in
/// use (a server might echo another one).
fn redact_token_shapes(text: &str) -> String {
    const PREFIX: &str = "fergpat_";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(found) = lower[from..].find(PREFIX) {
        let start = from + found;
        out.push_str(&text[from..start]);
        out.push_str("fergPAT_[redacted]");
        let after = &text[start + PREFIX.len()..];
        let tail = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        from = start + PREFIX.len() + tail;
    }
    out.push_str(&text[from..]);
    out
}

/// At most [`BODY_EXCERPT_CHARS`] characters of a body, on one line.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(BODY_EXCERPT_CHARS)
        .collect();
    if text.chars().count() > BODY_EXCERPT_CHARS {
        excerpt.push('…');
    }
    excerpt
}

/// `Retry-After` as seconds (the delta-seconds form; an HTTP date is read as
/// "unknown").
pub(crate) fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
}

/// The `x-ratelimit-*` headers, when all three are present and numeric.
pub(crate) fn rate_budget(headers: &HeaderMap) -> Option<RateBudget> {
    let number = |name: &str| -> Option<u32> {
        let value = headers.get(name)?.to_str().ok()?.trim();
        // Some servers send "42.0" or a negative number in a bad moment.
        value
            .parse::<u32>()
            .ok()
            .or_else(|| value.parse::<f64>().ok().map(|f| f.max(0.0) as u32))
    };
    Some(RateBudget {
        limit: number("x-ratelimit-limit")?,
        remaining: number("x-ratelimit-remaining")?,
        reset_secs: number("x-ratelimit-reset")?,
    })
}

/// The error for a response whose status is not a success. `context` is
/// "GET /jobs" (never a full URL with credentials).
pub(crate) fn status_error(
    context: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    secret: Option<&str>,
) -> ConnectorError {
    let code = match status.as_u16() {
        401 => ErrorCode::AuthRejected,
        403 => ErrorCode::PermissionMissing,
        404 | 410 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        500..=599 => ErrorCode::ServiceDown,
        _ => ErrorCode::UnexpectedResponse,
    };
    let detail = redact(
        &format!(
            "{context} → HTTP {}: {}",
            status.as_u16(),
            body_excerpt(body)
        ),
        secret,
    );
    let mut error = ConnectorError::new(code, detail).with_status(status.as_u16());
    if matches!(code, ErrorCode::RateLimited | ErrorCode::ServiceDown) {
        error.retry_after_secs = retry_after_secs(headers);
    }
    error
}

/// What a transport failure (no HTTP response) was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportFailure {
    AddressInvalid,
    TlsUntrusted,
    Unreachable(UnreachableCause),
}

/// Classify a reqwest error by walking its source chain: io error kinds
/// first, then the messages hyper and rustls are known to use.
pub(crate) fn classify_transport(error: &reqwest::Error) -> TransportFailure {
    if error.is_builder() {
        return TransportFailure::AddressInvalid;
    }
    let mut messages = Vec::new();
    let mut io_kinds = Vec::new();
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(current) = source {
        messages.push(current.to_string().to_ascii_lowercase());
        if let Some(io_error) = current.downcast_ref::<io::Error>() {
            io_kinds.push(io_error.kind());
        }
        source = current.source();
    }
    classify_parts(error.is_timeout(), &io_kinds, &messages)
}

fn classify_parts(
    is_timeout: bool,
    io_kinds: &[io::ErrorKind],
    messages: &[String],
) -> TransportFailure {
    use io::ErrorKind as K;
    let said = |needle: &str| messages.iter().any(|m| m.contains(needle));

    if said("certificate") || said("invalid peer") || said("unknownissuer") {
        return TransportFailure::TlsUntrusted;
    }
    if said("dns error") || said("failed to lookup address") || said("name or service not known") {
        return TransportFailure::Unreachable(UnreachableCause::Dns);
    }
    if io_kinds.contains(&K::ConnectionRefused) || said("connection refused") {
        return TransportFailure::Unreachable(UnreachableCause::Refused);
    }
    if is_timeout || io_kinds.contains(&K::TimedOut) || said("timed out") {
        return TransportFailure::Unreachable(UnreachableCause::Timeout);
    }
    if io_kinds.iter().any(|k| {
        matches!(
            k,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
        )
    }) || said("connection closed before message completed")
        || said("connection reset")
        || said("connection closed")
        || said("broken pipe")
        || said("end of file")
    {
        return TransportFailure::Unreachable(UnreachableCause::Reset);
    }
    TransportFailure::Unreachable(UnreachableCause::Other)
}

/// The error for a request that got no HTTP response.
pub(crate) fn transport_error(
    context: &str,
    error: &reqwest::Error,
    secret: Option<&str>,
) -> ConnectorError {
    let failure = classify_transport(error);
    let chain = error_chain(error);
    let detail = redact(&format!("{context}: {chain}"), secret);
    match failure {
        TransportFailure::AddressInvalid => ConnectorError::new(ErrorCode::AddressInvalid, detail),
        TransportFailure::TlsUntrusted => ConnectorError::new(ErrorCode::TlsUntrusted, detail),
        TransportFailure::Unreachable(cause) => {
            let mut e = ConnectorError::new(ErrorCode::Unreachable, detail);
            e.unreachable = Some(cause);
            e
        }
    }
}

/// "error sending request: client error (Connect): tcp connect error: Connection
/// refused (os error 111)" — every level of the chain, without repeats.
fn error_chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(current) = source {
        let text = current.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = current.source();
    }
    let joined = parts.join(": ");
    joined.chars().take(600).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn redact_removes_the_secret_and_token_shapes() {
        let secret = "fergPAT_1234abcd-5678";
        let text = format!("GET /company → 401: bad token {secret}, also fergPAT_other-token!");
        let out = redact(&text, Some(secret));
        assert!(!out.contains("1234abcd"));
        assert!(!out.contains("other-token"));
        assert!(out.contains("fergPAT_[redacted]"));
        assert!(out.ends_with('!'));
    }

    #[test]
    fn redact_ignores_ascii_case_and_survives_unicode() {
        let secret = "fergPAT_AbCd1234-xyz";
        let out = redact("host fergpat_abcd1234-xyz.example: é ü", Some(secret));
        assert!(!out.to_ascii_lowercase().contains("abcd1234"), "{out}");
        assert!(out.ends_with("é ü"));
        let out = redact("Straße FERGPAT_zzzz9999 ok", Some("SeCrEt-Value"));
        assert_eq!(out, "Straße fergPAT_[redacted] ok");
        let out = redact("x SECRET-VALUE y", Some("SeCrEt-Value"));
        assert_eq!(out, "x [redacted] y");
    }

    #[test]
    fn redact_masks_a_secret_that_is_not_token_shaped() {
        let out = redact("echo: s3cr3t-value here", Some("s3cr3t-value"));
        assert_eq!(out, "echo: [redacted] here");
    }

    #[test]
    fn body_excerpt_is_short_and_on_one_line() {
        let body = "x\n".repeat(400);
        let excerpt = body_excerpt(body.as_bytes());
        assert!(!excerpt.contains('\n'));
        assert_eq!(excerpt.chars().count(), BODY_EXCERPT_CHARS + 1);
        assert!(excerpt.ends_with('…'));
        assert_eq!(body_excerpt(b"{}"), "{}");
        // Invalid UTF-8 does not panic.
        assert!(!body_excerpt(&[0xff, 0xfe, b'a']).is_empty());
    }

    #[test]
    fn rate_budget_needs_all_three_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("100"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("97"));
        assert_eq!(rate_budget(&headers), None);
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("41"));
        assert_eq!(
            rate_budget(&headers),
            Some(RateBudget {
                limit: 100,
                remaining: 97,
                reset_secs: 41
            })
        );
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("banana"));
        assert_eq!(rate_budget(&headers), None);
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after_secs(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static(" 40 "));
        assert_eq!(retry_after_secs(&headers), Some(40));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after_secs(&headers), None);
    }

    #[test]
    fn status_codes_map_to_stable_codes() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        let cases = [
            (401, ErrorCode::AuthRejected),
            (403, ErrorCode::PermissionMissing),
            (404, ErrorCode::NotFound),
            (429, ErrorCode::RateLimited),
            (500, ErrorCode::ServiceDown),
            (503, ErrorCode::ServiceDown),
            (418, ErrorCode::UnexpectedResponse),
        ];
        for (status, code) in cases {
            let status = StatusCode::from_u16(status).expect("valid status");
            let e = status_error("GET /company", status, &headers, b"{}", None);
            assert_eq!(e.code, code, "{status}");
            assert_eq!(e.status, Some(status.as_u16()));
            assert!(e.detail.starts_with("GET /company → HTTP "));
        }
        let e = status_error(
            "GET /jobs",
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            b"",
            None,
        );
        assert_eq!(e.retry_after_secs, Some(7));
        let e = status_error("GET /jobs", StatusCode::UNAUTHORIZED, &headers, b"", None);
        assert_eq!(e.retry_after_secs, None);
    }

    #[test]
    fn transport_messages_classify() {
        use io::ErrorKind as K;
        let m = |s: &str| vec![s.to_string()];
        assert_eq!(
            classify_parts(
                false,
                &[],
                &m("client error (connect): dns error: failed to lookup address information")
            ),
            TransportFailure::Unreachable(UnreachableCause::Dns)
        );
        assert_eq!(
            classify_parts(false, &[K::ConnectionRefused], &m("tcp connect error")),
            TransportFailure::Unreachable(UnreachableCause::Refused)
        );
        assert_eq!(
            classify_parts(true, &[], &m("operation timed out")),
            TransportFailure::Unreachable(UnreachableCause::Timeout)
        );
        assert_eq!(
            classify_parts(false, &[], &m("connection closed before message completed")),
            TransportFailure::Unreachable(UnreachableCause::Reset)
        );
        assert_eq!(
            classify_parts(false, &[K::ConnectionReset], &m("io error")),
            TransportFailure::Unreachable(UnreachableCause::Reset)
        );
        assert_eq!(
            classify_parts(false, &[], &m("invalid peer certificate: unknownissuer")),
            TransportFailure::TlsUntrusted
        );
        assert_eq!(
            classify_parts(false, &[], &m("something else")),
            TransportFailure::Unreachable(UnreachableCause::Other)
        );
    }
}
