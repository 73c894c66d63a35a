//! [`RedisReplayStore`]: the replay guard shared by every instance that talks to one Redis.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Client, RedisError, Script, Value};
use tokio::sync::OnceCell;
use webhook_core::{BoxFuture, Claim, ConfigError, ReplayStore, StoreError};

/// The value of a key whose delivery holds a live lease.
const LEASED: &str = "leased";
/// The value of a key whose delivery was processed.
const DONE: &str = "done";

/// Deletes the key only while it holds a lease: a done marker is never released.
const RELEASE_LEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`ReplayStore`] in Redis, so several instances behind a load balancer de-duplicate
/// together: of concurrent deliveries of one id, exactly one reaches an inner service, on
/// whichever instance.
///
/// Each id is one Redis string key, `<prefix><provider>:<id>`:
///
/// - **claim** is one atomic `SET key leased NX PX <lease> GET` (Redis ≥ 7.0): an absent key
///   becomes a lease and answers [`Claim::Fresh`]; a live lease answers [`Claim::InFlight`]; a
///   done marker answers [`Claim::Done`]. A lease expires by itself, so an id held by a crashed
///   instance becomes claimable again after the lease.
/// - **complete** is `SET key done PX <ttl>`.
/// - **release** deletes the key only while it holds a lease (one Lua script), never a done
///   marker.
///
/// Every command is bounded by [`command_timeout`](Self::command_timeout) (default 250 ms),
/// so a hung or unreachable Redis answers [`StoreError`] quickly and the layer fails closed
/// with `503 store_unavailable` (the sender retries later). The connection is opened on first
/// use and re-opened after a failure; no command is sent at construction.
///
/// Two caveats, both inherent to a lease store:
/// - A lease must outlive the inner service's slowest call (the layer's `lease`, 60 s by
///   default): a lease that expires mid-call lets a second delivery in.
/// - Done markers live in Redis memory. A Redis restarted without persistence (or a failover
///   that loses recent writes) forgets them, and deliveries repeated after that are processed
///   again; enable AOF (`appendonly yes`) if that matters.
///
/// ```no_run
/// use std::time::Duration;
/// use webhook_redis::RedisReplayStore;
/// use webhook_standard::StandardLayer;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisReplayStore::new("redis://127.0.0.1:6379/")?
///     .prefix("shop:webhooks:")
///     .command_timeout(Duration::from_millis(200));
/// let layer = StandardLayer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?.replay_store(store);
/// # let _ = layer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisReplayStore {
    client: Client,
    connection: Arc<OnceCell<ConnectionManager>>,
    prefix: Arc<str>,
    timeout: Duration,
    fail_open: bool,
    release: Arc<Script>,
}

impl fmt::Debug for RedisReplayStore {
    /// Leaves out the URL, which may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStore")
            .field("prefix", &self.prefix)
            .field("command_timeout", &self.timeout)
            .field("fail_open", &self.fail_open)
            .finish_non_exhaustive()
    }
}

impl RedisReplayStore {
    /// Prefix of every key unless [`prefix`](Self::prefix) says otherwise.
    ///
    /// ```
    /// use webhook_redis::RedisReplayStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = RedisReplayStore::new("redis://127.0.0.1/")?;
    /// assert!(store.key("standard:msg_1").starts_with(RedisReplayStore::DEFAULT_PREFIX));
    /// # Ok(()) }
    /// ```
    pub const DEFAULT_PREFIX: &'static str = "webhook:replay:";

    /// Time allowed for each Redis command unless
    /// [`command_timeout`](Self::command_timeout) says otherwise: 250 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_redis::RedisReplayStore;
    /// assert_eq!(RedisReplayStore::DEFAULT_COMMAND_TIMEOUT, Duration::from_millis(250));
    /// ```
    pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_millis(250);

    /// A store for the Redis at `url` (`redis://[user:password@]host[:port][/db]` or
    /// `redis+unix:///path`). Nothing is sent until the first delivery, so the application
    /// starts even while Redis is down (deliveries are then refused with
    /// `503 store_unavailable`).
    ///
    /// ```
    /// use webhook_redis::RedisReplayStore;
    /// assert!(RedisReplayStore::new("redis://127.0.0.1:6379/").is_ok());
    /// assert!(RedisReplayStore::new("http://127.0.0.1/").is_err());
    /// ```
    ///
    /// # Errors
    /// `url` is not a Redis URL (TLS URLs, `rediss://`, are refused too: this crate is built
    /// without TLS). The message does not repeat the URL.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        let client = Client::open(url)
            .map_err(|_| ConfigError::new("the Redis URL is not a valid redis:// URL"))?;
        Ok(Self::from_client(client))
    }

    /// A store using an existing [`redis::Client`].
    ///
    /// ```
    /// use webhook_redis::RedisReplayStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = redis::Client::open("redis://127.0.0.1:6379/")?;
    /// let store = RedisReplayStore::from_client(client);
    /// # let _ = store; Ok(()) }
    /// ```
    #[must_use]
    pub fn from_client(client: Client) -> Self {
        Self {
            client,
            connection: Arc::default(),
            prefix: Arc::from(Self::DEFAULT_PREFIX),
            timeout: Self::DEFAULT_COMMAND_TIMEOUT,
            fail_open: false,
            release: Arc::new(Script::new(RELEASE_LEASE)),
        }
    }

    /// Prefix put before every key (the layer's keys are `<provider>:<id>`), so several
    /// applications can share one Redis. Defaults to `webhook:replay:`.
    ///
    /// ```
    /// use webhook_redis::RedisReplayStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = RedisReplayStore::new("redis://127.0.0.1/")?.prefix("billing:replay:");
    /// assert_eq!(store.key("standard:msg_1"), "billing:replay:standard:msg_1");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// The Redis key for a layer key.
    ///
    /// ```
    /// use webhook_redis::RedisReplayStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = RedisReplayStore::new("redis://127.0.0.1/")?;
    /// assert_eq!(store.key("standard:msg_1"), "webhook:replay:standard:msg_1");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Time allowed for each Redis command, including (re)connecting. When it passes the
    /// command fails with [`StoreError`] and the layer answers `503 store_unavailable`, so a
    /// hung Redis delays a delivery by at most this much per command (a delivery runs up to
    /// two). Set it before the store's first use. Defaults to 250 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_redis::RedisReplayStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = RedisReplayStore::new("redis://127.0.0.1/")?
    ///     .command_timeout(Duration::from_millis(100));
    /// # let _ = store; Ok(()) }
    /// ```
    #[must_use]
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// **Weakens replay protection.** When Redis cannot answer a claim (down, hung, refused),
    /// answer [`Claim::Fresh`] instead of [`StoreError`]: the delivery is processed without
    /// de-duplication, so an id delivered twice during an outage (a sender's retry, two
    /// instances) is processed twice, and a replayed request inside the signature's
    /// timestamp tolerance is accepted again. Each such claim is logged at `error` level
    /// (target `webhook::replay`). Use it only where a duplicate is harmless and a refused
    /// delivery is not; the default, fail closed, lets the sender retry after the outage.
    /// `complete` and `release` still report their errors (the layer logs them).
    ///
    /// The layer's `dangerous_fail_open_on_store_error` does the same for any store.
    ///
    /// ```
    /// use webhook_redis::RedisReplayStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = RedisReplayStore::new("redis://127.0.0.1/")?.dangerous_fail_open();
    /// # let _ = store; Ok(()) }
    /// ```
    #[must_use]
    pub fn dangerous_fail_open(mut self) -> Self {
        self.fail_open = true;
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        crate::connect(&self.connection, &self.client, self.timeout).await
    }

    /// Runs one command against Redis within the command timeout.
    async fn run<T, F, Fut>(&self, what: &str, command: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = Result<T, RedisError>>,
    {
        let attempt = async {
            let connection = self.connection().await?;
            command(connection).await
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(StoreError(format!("redis {what}: {error}"))),
            Err(_elapsed) => Err(StoreError(format!(
                "redis {what}: no answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    async fn claim_key(&self, key: &str, lease: Duration) -> Result<Claim, StoreError> {
        let key = self.key(key);
        let claimed = self
            .run("claim", |mut connection| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(LEASED)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(lease))
                    .arg("GET")
                    .query_async::<Option<String>>(&mut connection)
                    .await
            })
            .await;
        match claimed {
            Ok(previous) => Ok(state(previous.as_deref())),
            Err(error) if self.fail_open => {
                tracing::error!(target: "webhook::replay", %error, "redis unavailable; claim treated as fresh (fail open)");
                Ok(Claim::Fresh)
            }
            Err(error) => Err(error),
        }
    }

    async fn complete_key(&self, key: &str, ttl: Duration) -> Result<(), StoreError> {
        let key = self.key(key);
        self.run("complete", |mut connection| async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(DONE)
                .arg("PX")
                .arg(millis(ttl))
                .query_async::<Value>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    async fn release_key(&self, key: &str) -> Result<(), StoreError> {
        let key = self.key(key);
        let script = self.release.clone();
        self.run("release", |mut connection| async move {
            script
                .key(&key)
                .arg(LEASED)
                .invoke_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    async fn peek_key(&self, key: &str) -> Result<Claim, StoreError> {
        let key = self.key(key);
        let value = self
            .run("peek", |mut connection| async move {
                redis::cmd("GET")
                    .arg(&key)
                    .query_async::<Option<String>>(&mut connection)
                    .await
            })
            .await;
        match value {
            Ok(value) => Ok(state(value.as_deref())),
            Err(error) if self.fail_open => {
                tracing::error!(target: "webhook::replay", %error, "redis unavailable; peek treated as absent (fail open)");
                Ok(Claim::Fresh)
            }
            Err(error) => Err(error),
        }
    }
}

/// The claim answered for a key's previous value (`None`: the key was absent).
fn state(value: Option<&str>) -> Claim {
    match value {
        None => Claim::Fresh,
        Some(DONE) => Claim::Done,
        // A lease, or a value this crate did not write: never process it as fresh.
        Some(_) => Claim::InFlight,
    }
}

/// Redis expiry in milliseconds, at least 1 (`PX 0` is an error).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl ReplayStore for RedisReplayStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(self.claim_key(key, lease))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.complete_key(key, ttl))
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.release_key(key))
    }

    fn peek<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(self.peek_key(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_values_map_to_claims() {
        assert_eq!(state(None), Claim::Fresh);
        assert_eq!(state(Some("leased")), Claim::InFlight);
        assert_eq!(state(Some("done")), Claim::Done);
        assert_eq!(state(Some("something else")), Claim::InFlight);
    }

    #[test]
    fn expiry_is_never_zero_and_never_overflows() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_micros(10)), 1);
        assert_eq!(millis(Duration::from_secs(2)), 2000);
        assert_eq!(millis(Duration::MAX), u64::MAX);
    }
}
