//! The raw hyper receiver on loopback, driven with real signed requests for every provider.
#![allow(clippy::unwrap_used)]

use example_common::stand_in::{StandIn, play, send, to_raw, unexpected};
use example_common::{Inbox, ProviderLayers};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_through_raw_hyper() {
    let stand_in = StandIn::new().unwrap();
    let inbox = Inbox::default();
    let layers = ProviderLayers::build(&stand_in.config, Some(&stand_in.fetch())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(example_hyper::serve(
        listener,
        example_hyper::app(layers, inbox.clone()),
        async {
            let _ = stopped.await;
        },
    ));

    let now = webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock));
    let played = play(addr, &inbox, stand_in.cases(now).unwrap())
        .await
        .unwrap();
    assert_eq!(played.len(), 24);
    assert_eq!(unexpected(&played), Vec::<String>::new());
    assert_eq!(inbox.snapshot().len(), 6);

    let stray = http::Request::post("/elsewhere")
        .body(bytes::Bytes::new())
        .unwrap();
    assert_eq!(send(addr, &to_raw(&stray, None)).await.unwrap().status, 404);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
