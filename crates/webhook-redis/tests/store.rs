//! `RedisReplayStore` against a real redis-server: the transitions, namespacing, atomicity,
//! and what happens when Redis is down or hung.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use support::RedisServer;
use webhook_core::{Claim, ReplayStore};
use webhook_redis::RedisReplayStore;

const LEASE: Duration = Duration::from_secs(60);
const TTL: Duration = Duration::from_secs(3600);

async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn get(server: &RedisServer, key: &str) -> Option<String> {
    redis::cmd("GET")
        .arg(key)
        .query_async(&mut raw(server).await)
        .await
        .unwrap()
}

async fn pttl(server: &RedisServer, key: &str) -> i64 {
    redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut raw(server).await)
        .await
        .unwrap()
}

#[tokio::test]
async fn absent_id_is_fresh_then_in_flight_then_done() {
    let server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url()).unwrap();
    assert_eq!(store.peek("standard:a").await.unwrap(), Claim::Fresh);
    assert_eq!(
        store.claim("standard:a", LEASE).await.unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        store.claim("standard:a", LEASE).await.unwrap(),
        Claim::InFlight
    );
    assert_eq!(store.peek("standard:a").await.unwrap(), Claim::InFlight);
    store.complete("standard:a", TTL).await.unwrap();
    assert_eq!(store.claim("standard:a", LEASE).await.unwrap(), Claim::Done);
    assert_eq!(store.peek("standard:a").await.unwrap(), Claim::Done);
}

#[tokio::test]
async fn keys_are_namespaced_with_the_prefix_and_carry_their_ttls() {
    let server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url())
        .unwrap()
        .prefix("app1:");
    store.claim("standard:a", LEASE).await.unwrap();
    assert_eq!(
        get(&server, "app1:standard:a").await.as_deref(),
        Some("leased")
    );
    let lease_left = pttl(&server, "app1:standard:a").await;
    assert!((59_000..=60_000).contains(&lease_left), "{lease_left}");
    store.complete("standard:a", TTL).await.unwrap();
    assert_eq!(
        get(&server, "app1:standard:a").await.as_deref(),
        Some("done")
    );
    let ttl_left = pttl(&server, "app1:standard:a").await;
    assert!((3_599_000..=3_600_000).contains(&ttl_left), "{ttl_left}");
    assert_eq!(get(&server, "standard:a").await, None);

    // Another prefix is another namespace.
    let other = RedisReplayStore::new(&server.url())
        .unwrap()
        .prefix("app2:");
    assert_eq!(
        other.claim("standard:a", LEASE).await.unwrap(),
        Claim::Fresh
    );
    let default = RedisReplayStore::new(&server.url()).unwrap();
    assert_eq!(
        default.claim("standard:a", LEASE).await.unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        get(&server, "webhook:replay:standard:a").await.as_deref(),
        Some("leased")
    );
}

#[tokio::test]
async fn expired_lease_counts_as_absent() {
    let server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url()).unwrap();
    let short = Duration::from_millis(150);
    assert_eq!(
        store.claim("standard:crash", short).await.unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        store.claim("standard:crash", short).await.unwrap(),
        Claim::InFlight
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(store.peek("standard:crash").await.unwrap(), Claim::Fresh);
    assert_eq!(
        store.claim("standard:crash", short).await.unwrap(),
        Claim::Fresh
    );
}

#[tokio::test]
async fn release_drops_a_lease_but_never_a_done_marker() {
    let server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url()).unwrap();
    store.claim("standard:r", LEASE).await.unwrap();
    store.release("standard:r").await.unwrap();
    assert_eq!(store.peek("standard:r").await.unwrap(), Claim::Fresh);
    assert_eq!(
        store.claim("standard:r", LEASE).await.unwrap(),
        Claim::Fresh
    );
    store.complete("standard:r", TTL).await.unwrap();
    store.release("standard:r").await.unwrap();
    assert_eq!(store.claim("standard:r", LEASE).await.unwrap(), Claim::Done);
    // Releasing an absent id is harmless.
    store.release("standard:never").await.unwrap();
    assert_eq!(store.peek("standard:never").await.unwrap(), Claim::Fresh);
}

#[tokio::test]
async fn release_still_works_after_redis_forgot_the_script() {
    let server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url()).unwrap();
    store.claim("standard:s", LEASE).await.unwrap();
    store.release("standard:s").await.unwrap();
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut raw(&server).await)
        .await
        .unwrap();
    store.claim("standard:s", LEASE).await.unwrap();
    store.release("standard:s").await.unwrap();
    assert_eq!(store.peek("standard:s").await.unwrap(), Claim::Fresh);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_claims_across_stores_exactly_one_is_fresh() {
    let server = RedisServer::start();
    let stores: Vec<Arc<RedisReplayStore>> = (0..4)
        .map(|_| Arc::new(RedisReplayStore::new(&server.url()).unwrap()))
        .collect();
    for round in 0..50 {
        let key = format!("standard:race{round}");
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = stores[i % stores.len()].clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move {
                store.claim(&key, LEASE).await.unwrap()
            }));
        }
        let mut fresh = 0;
        for task in tasks {
            match task.await.unwrap() {
                Claim::Fresh => fresh += 1,
                Claim::InFlight => {}
                Claim::Done => panic!("nothing completed {key}"),
            }
        }
        assert_eq!(fresh, 1, "{key}");
    }
}

#[tokio::test]
async fn unreachable_redis_is_a_store_error_within_the_timeout() {
    let mut server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url())
        .unwrap()
        .command_timeout(Duration::from_millis(200));
    assert_eq!(
        store.claim("standard:u", LEASE).await.unwrap(),
        Claim::Fresh
    );
    server.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let error = store.claim("standard:u", LEASE).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "{error}");
        assert!(error.to_string().contains("redis claim"), "{error}");
        assert!(store.peek("standard:u").await.is_err());
        assert!(store.complete("standard:u", TTL).await.is_err());
        assert!(store.release("standard:u").await.is_err());
    }
    // Back up (empty: no persistence), the same store reconnects by itself.
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match store.claim("standard:u", LEASE).await {
            Ok(claim) => {
                assert_eq!(claim, Claim::Fresh);
                break;
            }
            Err(error) => assert!(Instant::now() < deadline, "no reconnect: {error}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_store_that_never_reached_redis_fails_closed() {
    let server = RedisServer::start();
    let port = server.port();
    drop(server);
    let store = RedisReplayStore::new(&format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .command_timeout(Duration::from_millis(200));
    let started = Instant::now();
    assert!(store.claim("standard:n", LEASE).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn t17_r2_hung_redis_times_out_instead_of_hanging_the_request() {
    let server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url())
        .unwrap()
        .command_timeout(Duration::from_millis(150));
    assert_eq!(
        store.claim("standard:h", LEASE).await.unwrap(),
        Claim::Fresh
    );
    server.pause();
    let started = Instant::now();
    let result = store.claim("standard:h2", LEASE).await;
    let elapsed = started.elapsed();
    server.resume();
    let error = result.unwrap_err();
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert!(error.to_string().contains("redis claim"), "{error}");
}

#[tokio::test]
async fn fail_open_treats_an_unreachable_redis_as_fresh() {
    let mut server = RedisServer::start();
    let store = RedisReplayStore::new(&server.url())
        .unwrap()
        .command_timeout(Duration::from_millis(200))
        .dangerous_fail_open();
    store.claim("standard:f", LEASE).await.unwrap();
    assert_eq!(
        store.claim("standard:f", LEASE).await.unwrap(),
        Claim::InFlight
    );
    server.kill();
    assert_eq!(
        store.claim("standard:f", LEASE).await.unwrap(),
        Claim::Fresh
    );
    assert_eq!(store.peek("standard:f").await.unwrap(), Claim::Fresh);
    assert!(store.complete("standard:f", TTL).await.is_err());
}

#[test]
fn bad_urls_are_config_errors_without_the_url() {
    for url in ["http://x/", "", "redis://:secretpw@[bad/"] {
        let error = RedisReplayStore::new(url).unwrap_err();
        assert!(!error.to_string().contains("secretpw"), "{error}");
    }
    let store = RedisReplayStore::new("redis://:secretpw@127.0.0.1/").unwrap();
    assert!(!format!("{store:?}").contains("secretpw"));
}
