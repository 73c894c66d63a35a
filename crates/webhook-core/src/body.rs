//! The verified request body handed downstream, and the response body the layer returns.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

/// The exact bytes that were verified, handed to the inner service as the request body.
///
/// ```
/// use webhook_core::VerifiedBody;
/// let body = VerifiedBody::new(bytes::Bytes::from_static(b"{}"));
/// assert_eq!(body.as_bytes().as_ref(), b"{}");
/// ```
#[derive(Clone, Debug, Default)]
pub struct VerifiedBody {
    bytes: Bytes,
    sent: bool,
}

impl VerifiedBody {
    /// Wraps verified bytes.
    #[must_use]
    pub const fn new(bytes: Bytes) -> Self {
        Self { bytes, sent: false }
    }

    /// The verified bytes (cheap to clone).
    #[must_use]
    pub const fn as_bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Takes the verified bytes.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

impl Body for VerifiedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.sent || this.bytes.is_empty() {
            this.sent = true;
            return Poll::Ready(None);
        }
        this.sent = true;
        Poll::Ready(Some(Ok(Frame::data(this.bytes.clone()))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent || self.bytes.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        let remaining = if self.sent {
            0
        } else {
            self.bytes.len() as u64
        };
        SizeHint::with_exact(remaining)
    }
}

pin_project! {
    /// The layer's response body: either the inner service's body, untouched, or a small
    /// body the layer wrote itself (a rejection or a duplicate acknowledgement).
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    #[derive(Debug)]
    enum Kind<B> {
        Layer { bytes: Option<Bytes> },
        Inner { #[pin] body: B },
    }
}

impl<B> ResponseBody<B> {
    pub(crate) const fn layer(bytes: Bytes) -> Self {
        Self {
            kind: Kind::Layer { bytes: Some(bytes) },
        }
    }

    pub(crate) const fn inner(body: B) -> Self {
        Self {
            kind: Kind::Inner { body },
        }
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Layer { bytes } => Poll::Ready(
                bytes
                    .take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            KindProj::Inner { body } => body.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Layer { bytes } => bytes.as_ref().is_none_or(Bytes::is_empty),
            Kind::Inner { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Layer { bytes } => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Kind::Inner { body } => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn verified_body_yields_the_same_bytes_once() {
        let body = VerifiedBody::new(Bytes::from_static(b"hello"));
        assert_eq!(body.size_hint().exact(), Some(5));
        let collected = body.collect().await.unwrap().to_bytes();
        assert_eq!(collected.as_ref(), b"hello");
    }
}
