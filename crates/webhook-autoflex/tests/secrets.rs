//! C35: the callback id (a secret in a URL query) and the API token never appear in tracing
//! output (every level, every target, spans and events), rejection bodies or headers, errors,
//! or `Debug` output — across success, duplicates and every failure path, with the production
//! `HttpsFetch` against a stand-in API over real TLS. Its own test binary: it installs a
//! process-wide capturing subscriber.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

mod common;

use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use tower::{ServiceBuilder, ServiceExt};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use webhook_autoflex::{AutoflexLayer, MemoryPendingCallbacks};
use webhook_core::{Rejection, VerifiedBody};

use common::{Answer, StandIn, trusting_fetch};

const TOKEN: &str = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
/// Ids the stand-in answers: delivered, 404, 500, 401, gzip-labelled, labelled `text/html`.
const IDS: [&str; 6] = [
    "3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
    "4f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
    "5f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
    "6f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
    "7f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
    "8f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
];
/// Pending, but the API at the refused base is unreachable.
const UNREACHABLE_ID: &str = "9f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";
/// Delivered by two concurrent callbacks (the claim path: in flight or done).
const TWICE_ID: &str = "bf2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";
/// Well-formed, never registered (404 without a fetch).
const UNKNOWN_ID: &str = "af2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";

/// Records every span field and event field, with targets, as text.
#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    events: Arc<AtomicU64>,
    next_span: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = self.text.lock().unwrap();
        let _ = write!(
            text,
            "\nspan {} {}",
            span.metadata().target(),
            span.metadata().name()
        );
        span.record(&mut Fields(&mut text));
        Id::from_u64(self.next_span.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.text.lock().unwrap()));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.events.fetch_add(1, Ordering::SeqCst);
        let mut text = self.text.lock().unwrap();
        let _ = write!(
            text,
            "\nevent {} {}",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut text));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Everything a callback produced that could reach a log or a client.
async fn callback(layer: &AutoflexLayer, id: &str) -> (u16, String) {
    let service = ServiceBuilder::new().layer(layer.clone()).service_fn(
        |req: Request<VerifiedBody>| async move {
            let event = req.extensions().get::<webhook_autoflex::AutoflexEvent>();
            let delivery = req.extensions().get::<webhook_core::Delivery>();
            // The handler's natural debug print of what the layer hands it.
            tracing::info!(target: "handler", event = ?event, delivery = ?delivery, "delivered");
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        },
    );
    let request = Request::get(format!("https://hooks.example.com/autoflex?id={id}"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let mut seen = format!("{:?}", response.headers());
    if let Some(rejection) = response.extensions().get::<Rejection>() {
        let mut source = std::error::Error::source(rejection);
        let _ = write!(seen, " {rejection} {rejection:?}");
        while let Some(error) = source {
            let _ = write!(seen, " {error} {error:?}");
            source = error.source();
        }
    }
    let body = response.into_body().collect().await.unwrap().to_bytes();
    seen.push_str(&String::from_utf8_lossy(&body));
    (status, seen)
}

#[tokio::test]
async fn c35_the_callback_id_and_the_token_never_reach_logs_errors_or_responses() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(capture.clone()).unwrap();

    let api = StandIn::default();
    api.answer(IDS[0], Answer::Payload(Vec::new()));
    api.answer(TWICE_ID, Answer::Payload(Vec::new()));
    // IDS[1]: not answered → 404.
    api.answer(IDS[2], Answer::Status(StatusCode::INTERNAL_SERVER_ERROR));
    api.answer(IDS[3], Answer::Status(StatusCode::UNAUTHORIZED));
    api.answer(
        IDS[4],
        Answer::Payload(vec![("content-encoding".into(), "gzip".into())]),
    );
    api.answer(
        IDS[5],
        Answer::Payload(vec![("content-type".into(), "text/html".into())]),
    );
    let port = api.serve().await;
    let pending = MemoryPendingCallbacks::new(100);
    for id in IDS.iter().chain([&UNREACHABLE_ID, &TWICE_ID]) {
        pending.insert(id, Duration::from_secs(3600));
    }
    let layer = AutoflexLayer::new(&format!("https://localhost:{port}/api"), TOKEN)
        .unwrap()
        .pending(pending.clone())
        .fetcher(trusting_fetch());
    let refused_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = AutoflexLayer::new(&format!("https://localhost:{refused_port}/api"), TOKEN)
        .unwrap()
        .pending(pending.clone())
        .fetcher(trusting_fetch());

    let mut outputs = Vec::new();
    let mut statuses = Vec::new();
    // Delivered, then its repeat (a duplicate), then each failure path.
    for id in [
        IDS[0], IDS[0], IDS[1], IDS[2], IDS[3], IDS[4], IDS[5], UNKNOWN_ID,
    ] {
        let (status, seen) = callback(&layer, id).await;
        statuses.push(status);
        outputs.push(seen);
    }
    let (status, seen) = callback(&unreachable, UNREACHABLE_ID).await;
    statuses.push(status);
    outputs.push(seen);
    let (a, b) = tokio::join!(callback(&layer, TWICE_ID), callback(&layer, TWICE_ID));
    assert!(a.0 == 200 || b.0 == 200, "{a:?} {b:?}");
    outputs.extend([a.1, b.1]);
    assert_eq!(statuses, [200, 200, 404, 503, 503, 503, 200, 404, 503]);
    outputs.push(format!("{layer:?} {pending:?}"));

    let logged = capture.text.lock().unwrap().clone();
    assert!(
        capture.events.load(Ordering::SeqCst) >= 8 && logged.contains("webhook::rejection"),
        "the capture must see the layer's events:\n{logged}"
    );
    let all = format!("{logged}\n{}", outputs.join("\n"));
    for secret in IDS.iter().chain([&UNREACHABLE_ID, &UNKNOWN_ID, &TWICE_ID]) {
        // Also the id without dashes or in upper case, as a logger might normalise it.
        for form in [
            secret.to_string(),
            secret.replace('-', ""),
            secret.to_ascii_uppercase(),
        ] {
            assert!(!all.contains(&form), "the id {form} leaked:\n{all}");
        }
    }
    assert!(!all.contains(TOKEN), "the token leaked:\n{all}");
    assert!(!all.contains("api-token"));
    // The stand-in did receive them: the check above is not vacuous.
    let requests = api.requests.lock().unwrap();
    assert!(requests.iter().any(|(target, _)| target.contains(IDS[0])));
    assert!(
        requests
            .iter()
            .all(|(_, headers)| headers["token"] == TOKEN)
    );
}
