//! The axum receiver on loopback, driven with real signed requests for every provider.
#![allow(clippy::unwrap_used)]

use example_common::stand_in::{StandIn, play, send, to_raw};
use example_common::{Inbox, ProviderLayers};
use tokio::sync::oneshot;

fn now() -> i64 {
    webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock))
}

struct Running {
    addr: std::net::SocketAddr,
    inbox: Inbox,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(stand_in: &StandIn) -> Running {
    let inbox = Inbox::default();
    let layers = ProviderLayers::build(&stand_in.config, Some(&stand_in.fetch())).unwrap();
    let router = example_axum::app(layers, inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(example_axum::serve(listener, router, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        inbox,
        stop,
        server,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_accepts_genuine_and_refuses_forged_replayed_and_oversized() {
    let stand_in = StandIn::new().unwrap();
    let running = start(&stand_in).await;
    let played = play(running.addr, &running.inbox, stand_in.cases(now()).unwrap())
        .await
        .unwrap();
    assert_eq!(played.len(), 24);
    for outcome in &played {
        assert!(
            outcome.as_expected(),
            "{} {}: expected {}, got {}",
            outcome.case.provider,
            outcome.case.name,
            outcome.case.expected,
            outcome.observed()
        );
    }
    for provider in [
        "standard",
        "ricloud",
        "shipmondo",
        "avaplace",
        "autoflex",
        "sns",
    ] {
        assert_eq!(
            running.inbox.count(provider),
            1,
            "{provider} delivered once"
        );
    }
    running.stop.send(()).unwrap();
    running.server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_are_404_and_nothing_is_delivered() {
    let stand_in = StandIn::new().unwrap();
    let running = start(&stand_in).await;
    let request = http::Request::post("/webhooks/unknown")
        .body(bytes::Bytes::from_static(b"{}"))
        .unwrap();
    let answer = send(running.addr, &to_raw(&request, None)).await.unwrap();
    assert_eq!(answer.status, 404);
    assert!(running.inbox.snapshot().is_empty());
    running.stop.send(()).unwrap();
    running.server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_lets_the_server_task_finish() {
    let stand_in = StandIn::new().unwrap();
    let running = start(&stand_in).await;
    running.stop.send(()).unwrap();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(5), running.server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))));
    assert!(tokio::net::TcpStream::connect(running.addr).await.is_err());
}
