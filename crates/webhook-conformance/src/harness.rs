//! The world of one case (fixed clock, in-process network, fresh replay store) and the
//! recording inner service that tells whether the layer delivered.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde::Serialize;
use serde_json::Value;
use tower::util::BoxCloneService;
use tower::{Layer, Service, ServiceExt};
use webhook_core::{
    FixedClock, MemoryReplayStore, Outcome, Rejection, ResponseBody, TableFetch, VerifiedBody,
};

/// A request's result as the client and the inner service saw it.
#[derive(Debug)]
pub struct Observed {
    /// The response status.
    pub status: u16,
    /// The layer's rejection, if it refused the request.
    pub rejection: Option<Rejection>,
    /// What the layer did with a request it accepted (delivered, duplicate, answered).
    pub outcome: Option<Outcome>,
    /// The response body the client received.
    pub body: Bytes,
}

/// The boxed service a provider builds for one case.
pub type CaseService = BoxCloneService<Request<Full<Bytes>>, Observed, Infallible>;

/// Everything around the layer in one case.
#[derive(Clone, Debug)]
pub struct World {
    /// The case's `now`.
    pub clock: FixedClock,
    /// The case's in-process remote; records the URLs fetched.
    pub net: TableFetch,
    /// A fresh replay store.
    pub store: MemoryReplayStore,
    /// `config.body_limit`, if set.
    pub body_limit: Option<usize>,
    /// The inner service's memory: one entry per call.
    pub recorder: Recorder,
}

/// Applies the world's clock, network, store and body limit to a provider layer (every
/// provider layer has these builder methods, stamped by `webhook_core::provider_layer!`).
macro_rules! apply_world {
    ($layer:expr, $world:expr) => {{
        let layer = $layer
            .clock($world.clock)
            .fetcher($world.net.clone())
            .replay_store($world.store.clone());
        match $world.body_limit {
            Some(limit) => layer.body_limit(limit),
            None => layer,
        }
    }};
}
pub(crate) use apply_world;

impl World {
    /// Wraps a configured provider layer around the recording service, for event type `E`.
    pub fn service<E, L>(&self, layer: L) -> CaseService
    where
        E: Serialize + Send + Sync + 'static,
        L: Layer<RecordingService>,
        L::Service: Service<
                Request<Full<Bytes>>,
                Response = Response<ResponseBody<Full<Bytes>>>,
                Error = Infallible,
            > + Clone
            + Send
            + 'static,
        <L::Service as Service<Request<Full<Bytes>>>>::Future: Send + 'static,
    {
        let extract: Extract =
            Arc::new(|ext| ext.get::<E>().and_then(|e| serde_json::to_value(e).ok()));
        let inner = RecordingService {
            recorder: self.recorder.clone(),
            extract,
        };
        let service = layer.layer(inner).map_future(|future| async move {
            let response = future.await?;
            let rejection = response.extensions().get::<Rejection>().cloned();
            let outcome = response.extensions().get::<Outcome>().copied();
            let status = response.status().as_u16();
            // Drain the body like a client would.
            let body = response
                .into_body()
                .collect()
                .await
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            Ok(Observed {
                status,
                rejection,
                outcome,
                body,
            })
        });
        BoxCloneService::new(service)
    }
}

type Extract = Arc<dyn Fn(&http::Extensions) -> Option<Value> + Send + Sync>;

/// Records each call's event (as JSON) and answers the configured status.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    state: Arc<Mutex<RecorderState>>,
}

#[derive(Debug, Default)]
struct RecorderState {
    events: Vec<Option<Value>>,
    status: u16,
}

impl Recorder {
    /// The status the inner service answers from now on.
    pub fn set_status(&self, status: u16) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .status = status;
    }

    /// The events of the calls since the last take (`None`: the call had no typed event).
    pub fn take_events(&self) -> Vec<Option<Value>> {
        std::mem::take(
            &mut self
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .events,
        )
    }
}

/// The inner service of every case.
#[derive(Clone)]
pub struct RecordingService {
    recorder: Recorder,
    extract: Extract,
}

impl std::fmt::Debug for RecordingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingService")
            .field("recorder", &self.recorder)
            .finish_non_exhaustive()
    }
}

impl Service<Request<VerifiedBody>> for RecordingService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Full<Bytes>>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<VerifiedBody>) -> Self::Future {
        let event = (self.extract)(request.extensions());
        let mut state = self
            .recorder
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.events.push(event);
        let status = StatusCode::from_u16(state.status).unwrap_or(StatusCode::OK);
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = status;
        std::future::ready(Ok(response))
    }
}
