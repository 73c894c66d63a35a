//! A stand-in Autoflex10 API over real TLS on 127.0.0.1 (webhook-core's TEST-ONLY CA and
//! `localhost` certificate), for tests of the layer with the production `HttpsFetch`.
#![allow(dead_code, unreachable_pub)] // each test binary uses part of it

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use webhook_core::HttpsFetch;

pub const CA: &[u8] = include_bytes!("../../../webhook-core/tests/data/test-ca.der");
const CERT: &[u8] = include_bytes!("../../../webhook-core/tests/data/localhost-cert.der");
const KEY: &[u8] = include_bytes!("../../../webhook-core/tests/data/localhost-key.pk8.der");

pub const PAYLOAD: &str =
    r#"{"successCode":200,"data":{"url":"https://download.example.com/b.zip"}}"#;

/// What the stand-in answers for one callback id.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200 with `PAYLOAD` and these extra headers.
    Payload(Vec<(String, String)>),
    /// This status, empty body.
    Status(StatusCode),
}

/// The stand-in: `GET /api/webhook?id=<id>` answered from `answers` (404 for other ids);
/// every request's headers are recorded.
#[derive(Clone, Default)]
pub struct StandIn {
    pub answers: Arc<Mutex<Vec<(String, Answer)>>>,
    pub requests: Arc<Mutex<Vec<(String, HeaderMap)>>>,
}

impl StandIn {
    pub fn answer(&self, id: &str, answer: Answer) {
        self.answers.lock().unwrap().push((id.to_owned(), answer));
    }

    /// Serves on 127.0.0.1 and returns the port.
    pub async fn serve(&self) -> u16 {
        let this = self.clone();
        let answer = move |req: Request<Incoming>| std::future::ready(this.respond(&req));
        webhook_testkit::serve_tls(CERT, KEY, answer).await.port()
    }

    fn respond(&self, req: &Request<Incoming>) -> Response<Full<Bytes>> {
        let target = req.uri().to_string();
        self.requests
            .lock()
            .unwrap()
            .push((target, req.headers().clone()));
        let id = req
            .uri()
            .query()
            .and_then(|q| q.strip_prefix("id="))
            .unwrap_or_default()
            .to_owned();
        let answer = self
            .answers
            .lock()
            .unwrap()
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, answer)| answer.clone());
        match (req.uri().path(), answer) {
            ("/api/webhook", Some(Answer::Payload(headers))) => {
                let mut response = Response::new(Full::new(Bytes::from_static(PAYLOAD.as_bytes())));
                for (name, value) in headers {
                    response.headers_mut().append(
                        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                        value.parse().unwrap(),
                    );
                }
                response
            }
            ("/api/webhook", Some(Answer::Status(status))) => {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = status;
                response
            }
            _ => {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::NOT_FOUND;
                response
            }
        }
    }
}

/// The production fetcher trusting the test CA.
pub fn trusting_fetch() -> HttpsFetch {
    HttpsFetch::with_root_certificates([CA.to_vec()]).unwrap()
}
