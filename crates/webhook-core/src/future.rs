//! The named response future of [`Webhook`](crate::Webhook).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project_lite::pin_project;

use crate::body::ResponseBody;
use crate::fetch::BoxFuture;

pin_project! {
    /// Response future of [`Webhook`](crate::Webhook). The name is outside, the box is inside:
    /// one allocation per request for a pipeline whose scheme future cannot be named.
    pub struct ResponseFuture<B, E> {
        #[pin]
        inner: BoxFuture<'static, Result<Response<ResponseBody<B>>, E>>,
    }
}

impl<B, E> ResponseFuture<B, E> {
    pub(crate) fn new(inner: BoxFuture<'static, Result<Response<ResponseBody<B>>, E>>) -> Self {
        Self { inner }
    }
}

impl<B, E> Future for ResponseFuture<B, E> {
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<B, E> fmt::Debug for ResponseFuture<B, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
