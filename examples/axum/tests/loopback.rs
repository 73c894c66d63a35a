//! The axum receiver on loopback, driven with real signed requests for every provider: genuine
//! deliveries reach the handler once; forged, replayed and oversized ones do not; unknown paths
//! are 404; shutdown is graceful.
#![allow(clippy::unwrap_used)]

use example_common::stand_in::{exercise, unexpected};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_through_axum() {
    let outcome = exercise(|listener, layers, inbox, shutdown| {
        example_axum::serve(listener, example_axum::app(layers, inbox), shutdown)
    })
    .await
    .unwrap();
    assert_eq!(outcome.played.len(), 24);
    assert_eq!(unexpected(&outcome.played), Vec::<String>::new());
    for provider in [
        "standard",
        "ricloud",
        "shipmondo",
        "avaplace",
        "autoflex",
        "sns",
    ] {
        let delivered = outcome
            .played
            .iter()
            .filter(|p| p.case.provider == provider && p.delivered);
        assert_eq!(delivered.count(), 1, "{provider} delivered once");
    }
    assert_eq!(outcome.delivered, 6);
    assert_eq!(outcome.stray_status, 404);
    assert!(outcome.closed_after_shutdown);
}
