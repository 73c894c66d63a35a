//! Loopback TLS servers for the workspace's integration tests (not published): a real
//! rustls (ring) handshake on 127.0.0.1 with a test certificate, in front of either an HTTP/1.1
//! handler or a server that cuts its first response with a TCP reset.
//!
//! ```no_run
//! use http::Response;
//! use http_body_util::Full;
//! # async fn demo(cert: &[u8], key: &[u8]) {
//! let addr = webhook_testkit::serve_tls(cert, key, |_request| async {
//!     Response::new(Full::new(bytes::Bytes::from_static(b"document")))
//! })
//! .await;
//! # let _ = addr;
//! # }
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::expect_used)] // a test server that cannot start should fail the test loudly

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// A listener on 127.0.0.1 (any free port) and the acceptor for `cert_der` (the leaf
/// certificate, DER) with `key_der` (its PKCS#8 private key, DER).
///
/// # Panics
/// The certificate and key do not match, or no port is free.
pub async fn tls_listener(cert_der: &[u8], key_der: &[u8]) -> (TcpListener, TlsAcceptor) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert_der.to_vec().into()],
            PrivateKeyDer::Pkcs8(key_der.to_vec().into()),
        )
        .expect("the test certificate and key match");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    (listener, TlsAcceptor::from(Arc::new(config)))
}

/// Serves HTTP/1.1 over TLS on 127.0.0.1 until the runtime ends, every request answered by
/// `handler`; returns the address.
///
/// # Panics
/// As [`tls_listener`].
pub async fn serve_tls<F, Fut>(cert_der: &[u8], key_der: &[u8], handler: F) -> SocketAddr
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let (listener, acceptor) = tls_listener(cert_der, key_der).await;
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, handler) = (acceptor.clone(), handler.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |request| {
                    let answer = handler(request);
                    async move { Ok::<_, Infallible>(answer.await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    addr
}

/// Serves `document` over TLS to any request, except that the **first** connection gets a
/// `Content-Length` for the whole document, only its first half, and then a TCP reset
/// (SO_LINGER 0, no `close_notify`). Counts connections in `connections`.
///
/// # Panics
/// As [`tls_listener`].
pub async fn serve_tls_cut_once(
    cert_der: &[u8],
    key_der: &[u8],
    document: Bytes,
    connections: Arc<AtomicUsize>,
) -> SocketAddr {
    let (listener, acceptor) = tls_listener(cert_der, key_der).await;
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let first = connections.fetch_add(1, Ordering::SeqCst) == 0;
            if stream.set_zero_linger().is_err() {
                continue;
            }
            let Ok(mut tls) = acceptor.accept(stream).await else {
                continue;
            };
            if read_head(&mut tls).await.is_none() {
                continue;
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                document.len()
            );
            let _ = tls.write_all(head.as_bytes()).await;
            if first {
                let _ = tls.write_all(&document.slice(..document.len() / 2)).await;
                let _ = tls.flush().await;
                // Dropped without close_notify; SO_LINGER 0 turns the close into a reset.
                drop(tls.into_inner().0);
            } else {
                let _ = tls.write_all(&document).await;
                let _ = tls.shutdown().await;
            }
        }
    });
    addr
}

/// Reads until the end of a request head; `None` if the client closed first.
async fn read_head(stream: &mut (impl AsyncReadExt + Unpin)) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(n) if n > 0 => head.extend_from_slice(buf.get(..n)?),
            _ => return None,
        }
    }
    Some(head)
}
