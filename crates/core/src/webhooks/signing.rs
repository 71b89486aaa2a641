//! Standard Webhooks signing (<https://www.standardwebhooks.com/>), exactly:
//!
//! - secret: `whsec_` + base64 of random bytes (we use 32);
//! - signature: `v1,` + base64(HMAC-SHA256(key = base64-decoded secret
//!   without the `whsec_` prefix, message = `"{msg_id}.{timestamp}.{body}"`));
//! - headers `webhook-id`, `webhook-timestamp` (unix seconds, the time of the
//!   attempt) and `webhook-signature` (space-separated when several).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";
pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// Random bytes in a new secret (the spec asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;
/// How far a receiver accepts a timestamp from its own clock (the spec's 5 minutes).
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

/// Why a signature was not accepted (for tests and the benchmark's receiver).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signing secret is not valid base64")]
    InvalidSecret,
    #[error("header {0} is missing")]
    MissingHeader(&'static str),
    #[error("the webhook-timestamp header is not a number")]
    InvalidTimestamp,
    #[error("the webhook-timestamp is too old")]
    TooOld,
    #[error("the webhook-timestamp is too far in the future")]
    TooNew,
    #[error("no signature matches")]
    NoMatch,
}

/// A new signing secret: `whsec_` + base64 of 32 random bytes from the OS.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// `whsec_…` (or the bare base64) → the HMAC key bytes.
pub fn secret_key(secret: &str) -> Result<Vec<u8>, VerifyError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(encoded.trim())
        .map_err(|_| VerifyError::InvalidSecret)
}

/// `v1,<base64>` for one message.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, VerifyError> {
    let key = secret_key(secret)?;
    Ok(format!(
        "v1,{}",
        STANDARD.encode(raw_signature(&key, msg_id, timestamp, body))
    ))
}

fn raw_signature(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// The three headers of one attempt, as (name, value) pairs.
pub fn headers(
    secret: &str,
    msg_id: &str,
    at: DateTime<Utc>,
    body: &[u8],
) -> Result<[(&'static str, String); 3], VerifyError> {
    let timestamp = at.timestamp();
    let signature = sign(secret, msg_id, timestamp, body)?;
    Ok([
        (HEADER_ID, msg_id.to_string()),
        (HEADER_TIMESTAMP, timestamp.to_string()),
        (HEADER_SIGNATURE, signature),
    ])
}

/// Verify like a Standard Webhooks receiver: the timestamp within
/// `tolerance_secs` of `now`, and at least one `v1,` signature in the
/// space-separated list matching (compared in constant time).
/// `header` looks a header up by its lower-case name.
pub fn verify<'a>(
    secret: &str,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let key = secret_key(secret)?;
    let msg_id = header(HEADER_ID).ok_or(VerifyError::MissingHeader(HEADER_ID))?;
    let timestamp = header(HEADER_TIMESTAMP).ok_or(VerifyError::MissingHeader(HEADER_TIMESTAMP))?;
    let signatures =
        header(HEADER_SIGNATURE).ok_or(VerifyError::MissingHeader(HEADER_SIGNATURE))?;
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::InvalidTimestamp)?;
    let now = now.timestamp();
    if now.saturating_sub(timestamp) > tolerance_secs {
        return Err(VerifyError::TooOld);
    }
    if timestamp.saturating_sub(now) > tolerance_secs {
        return Err(VerifyError::TooNew);
    }
    let expected = raw_signature(&key, msg_id, timestamp, body);
    let matched = signatures
        .split(' ')
        .filter_map(|s| s.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, encoded)| STANDARD.decode(encoded).ok())
        .any(|candidate| constant_time_eq(&candidate, &expected));
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashMap;

    // The published examples of the Standard Webhooks reference libraries
    // (libraries/javascript/src/webhook.test.ts "sign function works" and
    // libraries/rust/src/lib.rs `test_sign`).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1_614_265_330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn at(ts: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(ts, 0).single().unwrap_or_default()
    }

    fn map(headers: &[(&'static str, String)]) -> HashMap<String, String> {
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn signs_the_spec_example_byte_for_byte() {
        assert_eq!(
            sign(
                SPEC_SECRET,
                SPEC_MSG_ID,
                SPEC_TIMESTAMP,
                SPEC_BODY.as_bytes()
            )
            .as_deref(),
            Ok(SPEC_SIGNATURE)
        );
        // Without the prefix, the same.
        assert_eq!(
            sign(
                "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                SPEC_MSG_ID,
                SPEC_TIMESTAMP,
                SPEC_BODY.as_bytes()
            )
            .as_deref(),
            Ok(SPEC_SIGNATURE)
        );
    }

    #[test]
    fn signs_the_rust_reference_example() {
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        assert_eq!(
            sign(
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1_649_367_553,
                body
            )
            .as_deref(),
            Ok("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=")
        );
    }

    #[test]
    fn headers_carry_id_timestamp_and_signature() {
        let h = headers(
            SPEC_SECRET,
            SPEC_MSG_ID,
            at(SPEC_TIMESTAMP),
            SPEC_BODY.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let h = map(&h);
        assert_eq!(h["webhook-id"], SPEC_MSG_ID);
        assert_eq!(h["webhook-timestamp"], "1614265330");
        assert_eq!(h["webhook-signature"], SPEC_SIGNATURE);
    }

    #[test]
    fn verify_accepts_the_spec_example_and_rejects_tampering() {
        let mut h = HashMap::new();
        h.insert("webhook-id".to_string(), SPEC_MSG_ID.to_string());
        h.insert("webhook-timestamp".to_string(), SPEC_TIMESTAMP.to_string());
        h.insert("webhook-signature".to_string(), SPEC_SIGNATURE.to_string());
        let now = at(SPEC_TIMESTAMP + 10);
        let check = |h: &HashMap<String, String>, body: &str, now: DateTime<Utc>| {
            verify(
                SPEC_SECRET,
                |name| h.get(name).map(String::as_str),
                body.as_bytes(),
                now,
                DEFAULT_TOLERANCE_SECS,
            )
        };
        assert_eq!(check(&h, SPEC_BODY, now), Ok(()));
        // Tampered body, id, timestamp.
        assert_eq!(
            check(&h, r#"{"test": 2432232315}"#, now),
            Err(VerifyError::NoMatch)
        );
        let mut other = h.clone();
        other.insert("webhook-id".into(), "msg_other".into());
        assert_eq!(check(&other, SPEC_BODY, now), Err(VerifyError::NoMatch));
        // Clock tolerance: 5 minutes either way.
        assert_eq!(check(&h, SPEC_BODY, at(SPEC_TIMESTAMP + 300)), Ok(()));
        assert_eq!(
            check(&h, SPEC_BODY, at(SPEC_TIMESTAMP + 301)),
            Err(VerifyError::TooOld)
        );
        assert_eq!(
            check(&h, SPEC_BODY, at(SPEC_TIMESTAMP - 301)),
            Err(VerifyError::TooNew)
        );
        // Several signatures: one valid among others passes; none valid fails.
        let mut multi = h.clone();
        multi.insert(
            "webhook-signature".into(),
            format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc {SPEC_SIGNATURE}"),
        );
        assert_eq!(check(&multi, SPEC_BODY, now), Ok(()));
        let mut none = h.clone();
        none.insert(
            "webhook-signature".into(),
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,".into(),
        );
        assert_eq!(check(&none, SPEC_BODY, now), Err(VerifyError::NoMatch));
        // A v2 entry with the right bytes is not accepted as v1.
        let mut wrong_version = h.clone();
        wrong_version.insert(
            "webhook-signature".into(),
            SPEC_SIGNATURE.replacen("v1", "v2", 1),
        );
        assert_eq!(
            check(&wrong_version, SPEC_BODY, now),
            Err(VerifyError::NoMatch)
        );
        // Missing headers and a bad timestamp.
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            let mut missing = h.clone();
            missing.remove(name);
            assert!(matches!(
                check(&missing, SPEC_BODY, now),
                Err(VerifyError::MissingHeader(_))
            ));
        }
        let mut bad = h.clone();
        bad.insert("webhook-timestamp".into(), "hello".into());
        assert_eq!(
            check(&bad, SPEC_BODY, now),
            Err(VerifyError::InvalidTimestamp)
        );
    }

    #[test]
    fn new_secrets_have_the_standard_shape_and_differ() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_"));
        assert_eq!(secret_key(&a).map(|k| k.len()), Ok(32));
        // And they round-trip through sign/verify.
        let body = br#"{"type":"webhook.test"}"#;
        let h = headers(&a, "msg_1", at(1_700_000_000), body).unwrap_or_else(|e| panic!("{e}"));
        let h = map(&h);
        assert_eq!(
            verify(
                &a,
                |n| h.get(n).map(String::as_str),
                body,
                at(1_700_000_000),
                300
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                &b,
                |n| h.get(n).map(String::as_str),
                body,
                at(1_700_000_000),
                300
            ),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn a_garbage_secret_is_an_error_not_a_panic() {
        assert_eq!(
            sign("whsec_***", "m", 1, b"x"),
            Err(VerifyError::InvalidSecret)
        );
    }
}
