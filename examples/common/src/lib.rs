//! What the axum, warp and hyper examples share, so that each example shows only how its
//! framework mounts the layers:
//!
//! - [`ReceiverConfig`]: a TOML file plus environment variables for the secrets;
//! - [`ProviderLayers`]: one configured layer per enabled provider;
//! - [`routes`]: the path each provider is mounted on;
//! - [`Inbox`]: what the handlers received (the examples print it; tests read it);
//! - with the `stand-in` feature, [`stand_in`]: every provider's role played in-process, so
//!   the demo and the tests run without an account or the internet.
//!
//! ```
//! use example_common::{ProviderLayers, ReceiverConfig};
//!
//! let config = ReceiverConfig::from_toml_str(
//!     "[standard]\n",
//!     |name| (name == "WEBHOOK_STANDARD_SECRET").then(|| "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned()),
//! )?;
//! let layers = ProviderLayers::build(&config, None)?;
//! assert!(layers.standard.is_some() && layers.sns.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod config;
mod inbox;
pub mod launch;
mod layers;
pub mod routes;
#[cfg(feature = "stand-in")]
pub mod stand_in;

pub use config::{
    AutoflexConfig, AvaplaceConfig, ConfigLoadError, ReceiverConfig, Redacted, RicloudConfig,
    ShipmondoConfig, SnsConfig, StandardConfig,
};
pub use inbox::{Inbox, Received};
pub use layers::ProviderLayers;
