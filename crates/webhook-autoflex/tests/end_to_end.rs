//! The whole Autoflex10 flow over real loopback HTTP: a stand-in Autoflex10 API, the client
//! starting a job, the API calling the receiver back, and the receiver fetching the payload.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tower::{Service, ServiceBuilder, ServiceExt};
use webhook_autoflex::{
    ApiRequest, ApiResponse, AutoflexClient, AutoflexEvent, AutoflexLayer, AutoflexTransport,
    MemoryPendingCallbacks,
};
use webhook_core::{BoxFuture, Fetch, FetchError, FetchRequest, FetchResponse, VerifiedBody};

/// A minimal HTTP/1.1 client over TCP (`connection: close`), for plain-http loopback only.
async fn http(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(StatusCode, Bytes), FetchError> {
    let rest = url.strip_prefix("http://").ok_or(FetchError::InvalidUrl)?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority)
        .await
        .map_err(|_| FetchError::Unreachable)?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|_| FetchError::Unreachable)?;
    stream
        .write_all(body)
        .await
        .map_err(|_| FetchError::Unreachable)?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|_| FetchError::Unreachable)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(FetchError::Unreachable)?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(FetchError::Unreachable)?;
    Ok((
        StatusCode::from_u16(status).unwrap(),
        Bytes::copy_from_slice(&raw[split + 4..]),
    ))
}

/// The client's transport and the receiver's fetcher, both over the mini client.
#[derive(Clone)]
struct LoopbackHttp;

impl AutoflexTransport for LoopbackHttp {
    fn send(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse, FetchError>> {
        Box::pin(async move {
            let headers: Vec<_> = request
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            let (status, body) = http(
                request.method.as_str(),
                &request.url,
                &headers,
                &request.body,
            )
            .await?;
            Ok(ApiResponse { status, body })
        })
    }
}

impl Fetch for LoopbackHttp {
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        Box::pin(async move {
            let headers: Vec<_> = request
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            let (status, body) = http("GET", request.url(), &headers, b"").await?;
            Ok(FetchResponse {
                status,
                headers: http::HeaderMap::new(),
                body,
            })
        })
    }
}

async fn serve<S, B>(service: S) -> SocketAddr
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: http_body::Body<Data = Bytes, Error = Infallible> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let hyper_service =
                    hyper::service::service_fn(move |req| service.clone().oneshot(req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), hyper_service)
                    .await;
            });
        }
    });
    addr
}

/// What the stand-in API observed.
#[derive(Default)]
struct ApiLog {
    authentications: usize,
    callback_statuses: Vec<StatusCode>,
    payload_fetches: usize,
}

const CALLBACK_ID: &str = "5d1f0e2a-3b4c-4d5e-8f60-718293a4b5c6";

/// The stand-in Autoflex10 API under `/v2`.
async fn stand_in_api(log: Arc<Mutex<ApiLog>>) -> SocketAddr {
    let service = tower::service_fn(move |req: Request<Incoming>| {
        let log = log.clone();
        async move {
            let path = req.uri().path().to_owned();
            let query = req.uri().query().unwrap_or_default().to_owned();
            let token_ok = req.headers().get("token").is_some_and(|t| t == "tok-1");
            let body = req.into_body().collect().await.unwrap().to_bytes();
            let (status, answer) = match path.as_str() {
                "/v2/authenticate" if query == "api_key=k%20ey&username=me&password=p%26w" => {
                    log.lock().unwrap().authentications += 1;
                    (StatusCode::OK, json!({"token": "tok-1"}))
                }
                "/v2/backup/owner" if token_ok => {
                    let request: Value = serde_json::from_slice(&body).unwrap();
                    let webhook_url = request["webhook_url"].as_str().unwrap().to_owned();
                    let log = log.clone();
                    // Later, the job is done: call the receiver back.
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        let (status, _) =
                            http("GET", &format!("{webhook_url}?id={CALLBACK_ID}"), &[], b"")
                                .await
                                .unwrap();
                        log.lock().unwrap().callback_statuses.push(status);
                    });
                    (StatusCode::ACCEPTED, json!({"successCode": 202}))
                }
                "/v2/webhook" if token_ok && query == format!("id={CALLBACK_ID}") => {
                    log.lock().unwrap().payload_fetches += 1;
                    (
                        StatusCode::OK,
                        json!({"successCode": 200, "data": {"url": format!("https://download.example.com/{CALLBACK_ID}.zip")}}),
                    )
                }
                _ => (StatusCode::UNAUTHORIZED, json!({"error": "no"})),
            };
            let mut response = Response::new(Full::new(Bytes::from(answer.to_string())));
            *response.status_mut() = status;
            Ok::<_, Infallible>(response)
        }
    });
    serve(service).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_flow_over_loopback_delivers_the_fetched_payload_once() {
    let log = Arc::new(Mutex::new(ApiLog::default()));
    let api = format!("http://{}/v2", stand_in_api(log.clone()).await);
    let pending = MemoryPendingCallbacks::new(1_000);
    let client = AutoflexClient::new(LoopbackHttp, &api, "k ey", "me", "p&w", pending.clone());

    let (events, mut received) = mpsc::unbounded_channel::<AutoflexEvent>();
    let layer = AutoflexLayer::with_token_source("https://placeholder.invalid", client.clone())
        .unwrap()
        .dangerous_plain_http_api_base(&api)
        .pending(pending)
        .fetcher(LoopbackHttp);
    let receiver =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                let event = req.extensions().get::<AutoflexEvent>().cloned().unwrap();
                events.send(event).unwrap();
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    let receiver_addr = serve(receiver).await;

    let correlation = client
        .start(
            "/backup/owner",
            &format!("http://{receiver_addr}/autoflex"),
            serde_json::Map::new(),
        )
        .await
        .unwrap();
    assert_eq!(correlation.len(), 32);

    let event = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.id, CALLBACK_ID);
    assert_eq!(
        event.url.as_deref(),
        Some(format!("https://download.example.com/{CALLBACK_ID}.zip").as_str())
    );

    // The API's callback was answered 200; a repeat is a duplicate without a second fetch.
    while log.lock().unwrap().callback_statuses.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (status, _) = http(
        "GET",
        &format!("http://{receiver_addr}/autoflex/{correlation}?id={CALLBACK_ID}"),
        &[],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(status, StatusCode::OK);
    let log = log.lock().unwrap();
    assert_eq!(log.callback_statuses, vec![StatusCode::OK]);
    assert_eq!((log.authentications, log.payload_fetches), (1, 1));
    assert!(received.try_recv().is_err(), "delivered exactly once");
}
