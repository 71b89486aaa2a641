//! When to try a message again: pure functions on injected time.
//!
//! Attempts: immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
//! 10 h — eight attempts over about a day — then the message is `failed`.
//! A `Retry-After` from the receiver pushes the next attempt out (the later
//! of the schedule and `Retry-After`, capped at a day).

use chrono::{DateTime, Duration, Utc};

/// The delay before attempt `n + 1` (index 0 = the first attempt).
pub const DELAYS_SECS: [i64; 8] = [
    0,
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
];

/// Attempts before a message is given up as `failed`.
pub const MAX_ATTEMPTS: u32 = DELAYS_SECS.len() as u32;

/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER_SECS: i64 = 24 * 3600;

/// After `attempts_made` failed attempts (the last one at `now`), when to try
/// again — `None` when the message has used all its attempts.
pub fn next_attempt_at(
    attempts_made: u32,
    now: DateTime<Utc>,
    retry_after: Option<Duration>,
) -> Option<DateTime<Utc>> {
    let index = usize::try_from(attempts_made).ok()?;
    let scheduled = Duration::seconds(*DELAYS_SECS.get(index)?);
    let delay = match retry_after {
        Some(wait) => scheduled.max(wait.min(Duration::seconds(MAX_RETRY_AFTER_SECS))),
        None => scheduled,
    };
    Some(now + delay)
}

/// Parse a `Retry-After` header: delay-seconds or an HTTP date, relative to `now`.
/// A date in the past means "now" (zero); garbage means `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::seconds(
            i64::try_from(secs)
                .unwrap_or(i64::MAX)
                .min(MAX_RETRY_AFTER_SECS),
        ));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).max(Duration::zero()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 10, 42, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn the_schedule_grows_then_gives_up() {
        let expected = [
            Duration::zero(),
            Duration::seconds(5),
            Duration::minutes(5),
            Duration::minutes(30),
            Duration::hours(2),
            Duration::hours(5),
            Duration::hours(10),
            Duration::hours(10),
        ];
        for (made, delay) in expected.iter().enumerate() {
            assert_eq!(
                next_attempt_at(made as u32, t0(), None),
                Some(t0() + *delay),
                "after {made}"
            );
        }
        assert_eq!(next_attempt_at(8, t0(), None), None);
        assert_eq!(next_attempt_at(u32::MAX, t0(), None), None);
        // About a day in all.
        let total: i64 = DELAYS_SECS.iter().sum();
        assert_eq!(total, 5 + 300 + 1800 + 7200 + 18_000 + 36_000 + 36_000);
        assert!(Duration::seconds(total) > Duration::hours(24));
    }

    #[test]
    fn retry_after_wins_when_later_and_never_shortens() {
        // Schedule says 5 s, receiver says 120 s: 120 s.
        assert_eq!(
            next_attempt_at(1, t0(), Some(Duration::seconds(120))),
            Some(t0() + Duration::seconds(120))
        );
        // Schedule says 5 min, receiver says 10 s: 5 min.
        assert_eq!(
            next_attempt_at(2, t0(), Some(Duration::seconds(10))),
            Some(t0() + Duration::minutes(5))
        );
        // Absurd Retry-After is capped at a day.
        assert_eq!(
            next_attempt_at(1, t0(), Some(Duration::days(30))),
            Some(t0() + Duration::days(1))
        );
        // Out of attempts: Retry-After doesn't resurrect it.
        assert_eq!(next_attempt_at(8, t0(), Some(Duration::seconds(1))), None);
    }

    #[test]
    fn parses_both_retry_after_forms() {
        assert_eq!(parse_retry_after("40", t0()), Some(Duration::seconds(40)));
        assert_eq!(parse_retry_after(" 0 ", t0()), Some(Duration::zero()));
        assert_eq!(
            parse_retry_after("99999999999", t0()),
            Some(Duration::days(1))
        );
        assert_eq!(
            parse_retry_after("Fri, 04 Dec 2026 10:43:30 GMT", t0()),
            Some(Duration::seconds(90))
        );
        assert_eq!(
            parse_retry_after("Fri, 04 Dec 2026 09:00:00 GMT", t0()),
            Some(Duration::zero())
        );
        assert_eq!(parse_retry_after("soon", t0()), None);
        assert_eq!(parse_retry_after("-5", t0()), None);
        assert_eq!(parse_retry_after("", t0()), None);
    }
}
