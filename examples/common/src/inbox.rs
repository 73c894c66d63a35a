//! [`Inbox`]: what the example handlers received, one line per delivered event.

use std::sync::{Arc, Mutex, PoisonError};

use webhook::autoflex::AutoflexEvent;
use webhook::avaplace::AvaplaceEvent;
use webhook::ricloud::RicloudEvent;
use webhook::shipmondo::ShipmondoEvent;
use webhook::sns::SnsEvent;
use webhook::standard::StandardEvent;

/// One event a handler received, summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The provider's name (`"standard"`, `"sns"`, …).
    pub provider: &'static str,
    /// The delivery id (redacted for Autoflex10, whose id is a bearer secret).
    pub id: String,
    /// A short, human-readable description.
    pub summary: String,
}

impl From<&StandardEvent> for Received {
    fn from(event: &StandardEvent) -> Self {
        let summary = format!(
            "{} bytes, key #{}",
            event.payload().len(),
            event.matched_key
        );
        Self {
            provider: "standard",
            id: event.id.clone(),
            summary,
        }
    }
}

impl From<&RicloudEvent> for Received {
    fn from(event: &RicloudEvent) -> Self {
        let slug = event.slug().unwrap_or_else(|| "?".to_owned());
        Self {
            provider: "ricloud",
            id: event.id.clone(),
            summary: slug,
        }
    }
}

impl From<&ShipmondoEvent> for Received {
    fn from(event: &ShipmondoEvent) -> Self {
        let summary = format!("webhook {}", event.webhook);
        Self {
            provider: "shipmondo",
            id: event.webhook.clone(),
            summary,
        }
    }
}

impl From<&AvaplaceEvent> for Received {
    fn from(event: &AvaplaceEvent) -> Self {
        let tenant = event.tenant.as_deref().unwrap_or("-");
        let summary = format!("{} ({tenant})", event.message_type);
        Self {
            provider: "avaplace",
            id: event.message_id.clone(),
            summary,
        }
    }
}

impl From<&AutoflexEvent> for Received {
    fn from(event: &AutoflexEvent) -> Self {
        let prefix: String = event.id.chars().take(8).collect();
        let summary = event
            .url
            .clone()
            .unwrap_or_else(|| "no download url".to_owned());
        Self {
            provider: "autoflex",
            id: format!("{prefix}…"),
            summary,
        }
    }
}

impl From<&SnsEvent> for Received {
    fn from(event: &SnsEvent) -> Self {
        let summary = format!("{} on {}", event.kind.as_str(), event.topic_arn);
        Self {
            provider: "sns",
            id: event.message_id.clone(),
            summary,
        }
    }
}

/// The events received so far, shared by the handlers (cheap to clone).
///
/// ```
/// let inbox = example_common::Inbox::default();
/// inbox.record(example_common::Received { provider: "sns", id: "m1".into(), summary: String::new() });
/// assert_eq!(inbox.count("sns"), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Inbox(Arc<Mutex<Vec<Received>>>);

impl Inbox {
    /// Keeps at most this many events (the oldest are dropped).
    pub const CAPACITY: usize = 1000;

    /// Records one event and logs it.
    pub fn record(&self, received: Received) {
        tracing::info!(provider = received.provider, id = %received.id, summary = %received.summary, "webhook received");
        let mut events = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if events.len() >= Self::CAPACITY {
            events.remove(0);
        }
        events.push(received);
    }

    /// Every event received so far, oldest first.
    #[must_use]
    pub fn snapshot(&self) -> Vec<Received> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many events `provider` delivered.
    #[must_use]
    pub fn count(&self, provider: &str) -> usize {
        let events = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        events
            .iter()
            .filter(|event| event.provider == provider)
            .count()
    }
}
