//! [`AutoflexEvent`]: the fetched payload, inserted into the request extensions.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// A completed Autoflex10 job: its callback id and the payload fetched from the API with your
/// token. See the [crate docs](crate) for an example.
#[derive(Clone, Serialize)]
#[non_exhaustive]
pub struct AutoflexEvent {
    /// The callback id (a secret: `Debug` redacts it; do not log it).
    pub id: String,
    /// The payload's `data.url` when it is an https URL (a download link, for example). The
    /// layer never fetches it; validate its host before you do.
    pub url: Option<String>,
    /// The whole payload JSON object.
    pub payload: Value,
}

impl AutoflexEvent {
    pub(crate) const fn new(id: String, url: Option<String>, payload: Value) -> Self {
        Self { id, url, payload }
    }
}

impl fmt::Debug for AutoflexEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoflexEvent")
            .field("id", &"**redacted**")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}
