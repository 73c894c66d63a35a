//! The README's quickstart, compiled and driven: a layer on one axum route.
#![allow(clippy::unwrap_used)]

use axum::{Extension, Router, routing::post};
use tower::ServiceExt;
use webhook::standard::{StandardEvent, StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn handle(Extension(event): Extension<StandardEvent>) -> String {
    format!("verified delivery {}", event.id)
}

#[tokio::test]
async fn the_quickstart_router_delivers_genuine_and_refuses_forged() {
    let layer = StandardLayer::new(SECRET).unwrap();
    let app = Router::new().route("/webhooks/standard", post(handle).layer(layer));

    let now = webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock));
    let signer = StandardSigner::new(SECRET).unwrap();
    let genuine = signer
        .request("/webhooks/standard", "msg_q1", now, "{}")
        .unwrap();
    let response = app
        .clone()
        .oneshot(genuine.map(axum::body::Body::from))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(&body[..], b"verified delivery msg_q1");

    let forged = signer
        .request("/webhooks/standard", "msg_q2", now, "{}")
        .unwrap();
    let forged = forged.map(|_| axum::body::Body::from("{\"x\":1}"));
    let response = app.oneshot(forged).await.unwrap();
    assert_eq!(response.status(), 401);
}
