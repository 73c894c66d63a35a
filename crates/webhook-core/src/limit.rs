//! [`FetchLimiter`]: caps on outbound fetches — how many run at once and how many start per
//! period — so inbound traffic can never turn into unbounded outbound traffic.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Caps outbound fetches: at most `max_in_flight` at once, and at most `starts` begun per
/// `period` (a token bucket: a burst of `starts`, then one more every `period / starts`).
/// [`try_acquire`](Self::try_acquire) never waits: over a cap it answers `None` and the caller
/// refuses the work (a `503`). Cloning shares the caps. Time is `tokio`'s monotonic clock, so
/// wall-clock steps do not refill it.
///
/// ```
/// use std::time::Duration;
/// use webhook_core::FetchLimiter;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let limiter = FetchLimiter::new(2, 10, Duration::from_secs(1));
/// let first = limiter.try_acquire().expect("within both caps");
/// let second = limiter.try_acquire().expect("within both caps");
/// assert!(limiter.try_acquire().is_none(), "two fetches already in flight");
/// drop((first, second));
/// assert!(limiter.try_acquire().is_some());
/// # }
/// ```
#[derive(Clone)]
pub struct FetchLimiter {
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
    starts: u32,
    period: Duration,
    bucket: Arc<Mutex<Bucket>>,
}

struct Bucket {
    tokens: u32,
    refilled: Instant,
}

/// Proof that a fetch may run; dropping it frees its in-flight slot.
///
/// ```
/// use std::time::Duration;
/// use webhook_core::FetchLimiter;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let limiter = FetchLimiter::new(1, 100, Duration::from_secs(1));
/// {
///     let _permit = limiter.try_acquire().expect("a free slot");
///     assert!(limiter.try_acquire().is_none(), "the one slot is taken while the fetch runs");
/// }
/// assert!(limiter.try_acquire().is_some(), "dropping the permit freed it");
/// # }
/// ```
#[derive(Debug)]
#[must_use = "the in-flight slot is freed when the permit is dropped"]
pub struct FetchPermit {
    _slot: OwnedSemaphorePermit,
}

impl fmt::Debug for FetchLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchLimiter")
            .field("max_in_flight", &self.max_in_flight)
            .field("starts", &self.starts)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

impl FetchLimiter {
    /// At most `max_in_flight` concurrent fetches and `starts` starts per `period`. Zero caps
    /// are raised to one, so a limiter always lets some work through.
    #[must_use]
    pub fn new(max_in_flight: usize, starts: u32, period: Duration) -> Self {
        let max_in_flight = max_in_flight.clamp(1, Semaphore::MAX_PERMITS);
        let starts = starts.max(1);
        Self {
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
            max_in_flight,
            starts,
            period,
            bucket: Arc::new(Mutex::new(Bucket {
                tokens: starts,
                refilled: Instant::now(),
            })),
        }
    }

    /// A permit for one fetch, or `None` when `max_in_flight` fetches are running or the
    /// start rate is used up.
    #[must_use]
    pub fn try_acquire(&self) -> Option<FetchPermit> {
        let slot = self.in_flight.clone().try_acquire_owned().ok()?;
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let every = self.period / self.starts;
        if every.is_zero() {
            bucket.tokens = self.starts;
        } else {
            let earned = now.duration_since(bucket.refilled).as_nanos() / every.as_nanos();
            if earned > 0 {
                let earned = u32::try_from(earned).unwrap_or(u32::MAX);
                bucket.tokens = bucket.tokens.saturating_add(earned).min(self.starts);
                bucket.refilled = if bucket.tokens == self.starts {
                    now
                } else {
                    bucket.refilled + every * earned
                };
            }
        }
        if bucket.tokens == 0 {
            return None;
        }
        bucket.tokens -= 1;
        Some(FetchPermit { _slot: slot })
    }

    /// The concurrency cap.
    #[must_use]
    pub const fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// The start-rate cap: `(starts, period)`.
    #[must_use]
    pub const fn rate(&self) -> (u32, Duration) {
        (self.starts, self.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_start_rate_refills_one_token_per_share_of_the_period() {
        let limiter = FetchLimiter::new(100, 4, Duration::from_secs(60));
        let started = (0..10).filter_map(|_| limiter.try_acquire()).count();
        assert_eq!(started, 4);
        tokio::time::advance(Duration::from_secs(14)).await;
        assert!(limiter.try_acquire().is_none());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(limiter.try_acquire().is_some());
        assert!(limiter.try_acquire().is_none());
        tokio::time::advance(Duration::from_secs(3600)).await;
        let started = (0..10).filter_map(|_| limiter.try_acquire()).count();
        assert_eq!(started, 4, "the burst never exceeds `starts`");
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_slots_are_freed_by_dropping_the_permit() {
        let limiter = FetchLimiter::new(1, 1000, Duration::from_secs(1));
        let permit = limiter.try_acquire();
        assert!(permit.is_some());
        assert!(limiter.try_acquire().is_none());
        drop(permit);
        assert!(limiter.try_acquire().is_some());
    }
}
