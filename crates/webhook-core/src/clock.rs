//! Wall-clock time behind a trait, so schemes never read the system clock themselves.

use std::time::SystemTime;

/// Tells the current wall-clock time. Schemes receive `now` through the verification context.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// When a request arrived, as your own server code recorded it (e.g. before queueing it).
/// Insert it into the request's extensions; a layer configured with
/// [`received_at_max_age`](crate::WebhookLayer::received_at_max_age) then checks timestamps
/// against it rather than against its clock. Clients cannot set extensions, only your code can.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use webhook_core::ReceivedAt;
/// let mut request = http::Request::new(());
/// # let stored_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// request.extensions_mut().insert(ReceivedAt(stored_at));
/// assert!(request.extensions().get::<ReceivedAt>().is_some());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceivedAt(pub SystemTime);

/// The system clock (the default).
///
/// ```
/// use webhook_core::{Clock, SystemClock};
/// assert!(SystemClock.now() > std::time::UNIX_EPOCH);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place the wall clock is read
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stuck at one instant, for deterministic tests.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use webhook_core::{Clock, FixedClock};
/// let clock = FixedClock::at_unix(1_614_265_330);
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_614_265_330));
/// ```
#[cfg(feature = "test-util")]
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(SystemTime);

#[cfg(feature = "test-util")]
impl FixedClock {
    /// A clock reading `at`.
    #[must_use]
    pub const fn new(at: SystemTime) -> Self {
        Self(at)
    }

    /// A clock reading `secs` seconds after the Unix epoch.
    #[must_use]
    pub fn at_unix(secs: u64) -> Self {
        Self(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
    }
}

#[cfg(feature = "test-util")]
impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Seconds since the Unix epoch, negative before it; saturates instead of overflowing.
#[must_use]
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Whether a signed timestamp `signed` (Unix seconds) lies within `[now - past, now + future]`,
/// bounds included, without overflow for any input.
///
/// ```
/// use webhook_core::within_window;
/// assert!(within_window(1_000, 700, 300, 300));
/// assert!(!within_window(1_000, 699, 300, 300));
/// assert!(!within_window(1_000, i64::MIN, 300, 300));
/// ```
#[must_use]
pub fn within_window(now: i64, signed: i64, past_secs: u64, future_secs: u64) -> bool {
    let delta = i128::from(now) - i128::from(signed);
    delta <= i128::from(past_secs) && -delta <= i128::from(future_secs)
}

/// Parses a canonical unsigned decimal: 1–19 ASCII digits, no sign, no spaces, no leading
/// zeros (except `0` itself). Signed timestamps are compared as text by the MAC, so only one
/// spelling of each number may be accepted.
///
/// ```
/// use webhook_core::parse_canonical_decimal;
/// assert_eq!(parse_canonical_decimal("1614265330"), Some(1_614_265_330));
/// assert_eq!(parse_canonical_decimal("0"), Some(0));
/// for bad in ["", "+1", "01", " 1", "1.0", "1e9", "12345678901234567890", "１"] {
///     assert_eq!(parse_canonical_decimal(bad), None, "{bad:?}");
/// }
/// ```
#[must_use]
pub fn parse_canonical_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.len() <= 19
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

/// Parses an RFC 3339 UTC instant (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)`) to Unix seconds
/// (the fraction is dropped). Other offsets are refused: the providers here send UTC.
///
/// ```
/// use webhook_core::parse_rfc3339_utc;
/// assert_eq!(parse_rfc3339_utc("2021-02-25T15:02:10Z"), Some(1_614_265_330));
/// assert_eq!(parse_rfc3339_utc("2022-07-28T21:23:58.317Z"), Some(1_659_043_438));
/// assert_eq!(parse_rfc3339_utc("2022-07-28 21:23:58Z"), None);
/// ```
#[must_use]
pub fn parse_rfc3339_utc(text: &str) -> Option<i64> {
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = text.split_once('T')?;
    let (time, fraction) = time.split_once('.').unwrap_or((time, "0"));
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i64>().ok())
            .flatten()
    };
    let mut date = date.split('-');
    let (year, month, day) = (
        number(date.next()?, 4)?,
        number(date.next()?, 2)?,
        number(date.next()?, 2)?,
    );
    let mut time = time.split(':');
    let (hour, minute, second) = (
        number(time.next()?, 2)?,
        number(time.next()?, 2)?,
        number(time.next()?, 2)?,
    );
    if date.next().is_some()
        || time.next().is_some()
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// `unix` seconds as `YYYY-MM-DDThh:mm:ss.000Z`, the form SNS and many providers sign (the
/// inverse of [`parse_rfc3339_utc`] for whole seconds).
///
/// ```
/// use webhook_core::{format_rfc3339_utc, parse_rfc3339_utc};
/// assert_eq!(format_rfc3339_utc(1_614_265_330), "2021-02-25T15:02:10.000Z");
/// assert_eq!(parse_rfc3339_utc(&format_rfc3339_utc(951_782_400)), Some(951_782_400));
/// ```
#[must_use]
pub fn format_rfc3339_utc(unix: i64) -> String {
    let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
    let second_of_day = unix.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of
/// [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
#[must_use]
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_round_trips_through_parsing_across_eras() {
        let mut unix = -62_135_596_800; // 0001-01-01
        while unix < 253_402_300_799 {
            let text = format_rfc3339_utc(unix);
            assert_eq!(parse_rfc3339_utc(&text), Some(unix), "{text}");
            unix += 86_400 * 37 + 3_599;
        }
        assert_eq!(format_rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_rfc3339_utc(1_700_000_000),
            "2023-11-14T22:13:20.000Z"
        );
        assert_eq!(format_rfc3339_utc(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
