//! The warp receiver on loopback, driven with real signed requests for every provider.
#![allow(clippy::unwrap_used)]

use example_common::stand_in::{exercise, unexpected};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_through_warp() {
    let outcome = exercise(|listener, layers, inbox, shutdown| {
        example_hyper::serve(listener, example_warp::app(layers, inbox), shutdown)
    })
    .await
    .unwrap();
    assert_eq!(outcome.played.len(), 24);
    assert_eq!(unexpected(&outcome.played), Vec::<String>::new());
    assert_eq!(outcome.delivered, 6);
    assert_eq!(outcome.stray_status, 404);
    assert!(outcome.closed_after_shutdown);
}
