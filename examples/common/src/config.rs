//! [`ReceiverConfig`]: which providers are on and how, from a TOML file; secrets preferably from
//! the environment so they stay out of the file (and of anything that logs the configuration).

use std::fmt;
use std::net::SocketAddr;

use serde::Deserialize;

/// A secret read from the file or the environment; `Debug` never shows it.
///
/// ```
/// let secret = example_common::Redacted::new("hunter2");
/// assert_eq!(format!("{secret:?}"), "Redacted(..)");
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    /// Wraps a secret.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for building a layer.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redacted(..)")
    }
}

/// The receiver's configuration. A provider is enabled by its section being present.
///
/// Environment variables override the file's secrets (and are the recommended place for
/// them): `WEBHOOK_STANDARD_SECRET`, `WEBHOOK_RICLOUD_SECRET`, `WEBHOOK_SHIPMONDO_KEY`,
/// `WEBHOOK_AVAPLACE_SECURITY_CODE`, `WEBHOOK_AUTOFLEX_TOKEN`. A comma-separated value lists
/// several secrets (rotation: the new one first, the old one until every sender switched).
///
/// ```
/// let config = example_common::ReceiverConfig::from_toml_str(
///     r#"
///     listen = "127.0.0.1:9000"
///     [ricloud]
///     secret = "from-the-file"
///     "#,
///     |name| (name == "WEBHOOK_RICLOUD_SECRET").then(|| "new,old".to_owned()),
/// )?;
/// let ricloud = config.ricloud.as_ref().expect("section present");
/// assert_eq!(ricloud.secrets().len(), 2);
/// assert!(!format!("{config:?}").contains("new"));
/// # Ok::<(), example_common::ConfigLoadError>(())
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverConfig {
    /// Address to listen on (default `127.0.0.1:8080`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Largest accepted body in bytes (default: the layers' 1 MiB).
    pub body_limit: Option<usize>,
    /// Standard Webhooks.
    pub standard: Option<StandardConfig>,
    /// Reincubate ricloud.
    pub ricloud: Option<RicloudConfig>,
    /// Shipmondo.
    pub shipmondo: Option<ShipmondoConfig>,
    /// AVAplace MessageGateway.
    pub avaplace: Option<AvaplaceConfig>,
    /// Autoflex10.
    pub autoflex: Option<AutoflexConfig>,
    /// AWS SNS.
    pub sns: Option<SnsConfig>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

/// `[standard]`: Standard Webhooks secrets (`whsec_…`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardConfig {
    #[serde(default)]
    secret: Option<Redacted>,
    /// Ed25519 public keys (`whpk_…`), not secret.
    #[serde(default)]
    pub public_keys: Vec<String>,
}

/// `[ricloud]`: the shared secret.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RicloudConfig {
    #[serde(default)]
    secret: Option<Redacted>,
}

/// `[shipmondo]`: the webhook key and, optionally, this endpoint's public URL (the token's
/// `url` claim must then match it).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmondoConfig {
    #[serde(default)]
    key: Option<Redacted>,
    /// The public URL Shipmondo was given, when it is known.
    pub endpoint_url: Option<String>,
}

/// `[avaplace]`: the token issuer, the security codes and optional audience and tenants.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvaplaceConfig {
    /// The OIDC issuer (`https://…`), exact.
    pub issuer: String,
    #[serde(default)]
    security_code: Option<Redacted>,
    /// The expected `aud`, when set.
    pub audience: Option<String>,
    /// Accepted `X-Tenant-Id` values; empty accepts any tenant.
    #[serde(default)]
    pub tenants: Vec<String>,
}

/// `[autoflex]`: the API base URL the payload is fetched from, and the API token.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoflexConfig {
    /// E.g. `https://api.autoflex10.com/webservice_v2`.
    pub api_base: String,
    #[serde(default)]
    token: Option<Redacted>,
}

/// `[sns]`: the accepted topics and whether to confirm subscriptions automatically.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsConfig {
    /// Accepted topic ARNs.
    pub topic_arns: Vec<String>,
    /// Visit the signed `SubscribeURL` of confirmations for these topics.
    #[serde(default)]
    pub auto_confirm: bool,
}

/// The configuration could not be read.
#[derive(Debug)]
pub enum ConfigLoadError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not valid TOML or has unknown keys.
    Toml(toml::de::Error),
    /// A provider section lacks its secret in both the file and the environment.
    MissingSecret(&'static str),
}

impl fmt::Display for ConfigLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(error) => write!(f, "cannot read the configuration: {error}"),
            Self::Toml(error) => write!(f, "invalid configuration: {error}"),
            Self::MissingSecret(variable) => {
                write!(f, "missing secret: set {variable} (or the key in the file)")
            }
        }
    }
}

impl std::error::Error for ConfigLoadError {}

fn secrets(value: Option<&Redacted>) -> Vec<Redacted> {
    value
        .map(|joined| {
            joined
                .expose()
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(Redacted::new)
                .collect()
        })
        .unwrap_or_default()
}

impl StandardConfig {
    /// The configured secrets, newest first.
    #[must_use]
    pub fn secrets(&self) -> Vec<Redacted> {
        secrets(self.secret.as_ref())
    }
}

impl RicloudConfig {
    /// The configured secrets, newest first.
    #[must_use]
    pub fn secrets(&self) -> Vec<Redacted> {
        secrets(self.secret.as_ref())
    }
}

impl ShipmondoConfig {
    /// The configured keys, newest first.
    #[must_use]
    pub fn keys(&self) -> Vec<Redacted> {
        secrets(self.key.as_ref())
    }
}

impl AvaplaceConfig {
    /// The accepted security codes.
    #[must_use]
    pub fn security_codes(&self) -> Vec<Redacted> {
        secrets(self.security_code.as_ref())
    }
}

impl AutoflexConfig {
    /// The API token.
    #[must_use]
    pub fn token(&self) -> Option<&Redacted> {
        self.token.as_ref()
    }
}

impl ReceiverConfig {
    /// Reads `path`, then applies the process environment.
    ///
    /// # Errors
    /// See [`ConfigLoadError`].
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigLoadError> {
        let text = std::fs::read_to_string(path).map_err(ConfigLoadError::Io)?;
        Self::from_toml_str(&text, |name| std::env::var(name).ok())
    }

    /// Parses `text`, then applies the variables `env` returns.
    ///
    /// # Errors
    /// See [`ConfigLoadError`].
    pub fn from_toml_str(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigLoadError> {
        let mut config: Self = toml::from_str(text).map_err(ConfigLoadError::Toml)?;
        let from_env = |name: &str| env(name).filter(|v| !v.is_empty()).map(Redacted::new);
        if let Some(section) = &mut config.standard {
            override_secret(&mut section.secret, from_env("WEBHOOK_STANDARD_SECRET"));
            if section.secret.is_none() && section.public_keys.is_empty() {
                return Err(ConfigLoadError::MissingSecret("WEBHOOK_STANDARD_SECRET"));
            }
        }
        if let Some(section) = &mut config.ricloud {
            override_secret(&mut section.secret, from_env("WEBHOOK_RICLOUD_SECRET"));
            require(section.secret.as_ref(), "WEBHOOK_RICLOUD_SECRET")?;
        }
        if let Some(section) = &mut config.shipmondo {
            override_secret(&mut section.key, from_env("WEBHOOK_SHIPMONDO_KEY"));
            require(section.key.as_ref(), "WEBHOOK_SHIPMONDO_KEY")?;
        }
        if let Some(section) = &mut config.avaplace {
            let code = from_env("WEBHOOK_AVAPLACE_SECURITY_CODE");
            override_secret(&mut section.security_code, code);
            require(
                section.security_code.as_ref(),
                "WEBHOOK_AVAPLACE_SECURITY_CODE",
            )?;
        }
        if let Some(section) = &mut config.autoflex {
            override_secret(&mut section.token, from_env("WEBHOOK_AUTOFLEX_TOKEN"));
            require(section.token.as_ref(), "WEBHOOK_AUTOFLEX_TOKEN")?;
        }
        Ok(config)
    }
}

fn override_secret(slot: &mut Option<Redacted>, from_env: Option<Redacted>) {
    if from_env.is_some() {
        *slot = from_env;
    }
}

fn require(secret: Option<&Redacted>, variable: &'static str) -> Result<(), ConfigLoadError> {
    match secret {
        Some(value) if !value.expose().trim().is_empty() => Ok(()),
        _ => Err(ConfigLoadError::MissingSecret(variable)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_section_without_its_secret_is_refused() {
        let error = ReceiverConfig::from_toml_str("[ricloud]\n", no_env).unwrap_err();
        assert!(error.to_string().contains("WEBHOOK_RICLOUD_SECRET"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = ReceiverConfig::from_toml_str("[ricloud]\nsecrte = \"x\"\n", no_env);
        assert!(matches!(error, Err(ConfigLoadError::Toml(_))));
    }

    #[test]
    fn the_environment_wins_and_debug_hides_every_secret() {
        let text = "[standard]\nsecret = \"file-secret\"\n[autoflex]\napi_base = \"https://a/\"\ntoken = \"file-token\"\n";
        let config = ReceiverConfig::from_toml_str(text, |name| {
            (name == "WEBHOOK_STANDARD_SECRET").then(|| "env-secret".to_owned())
        })
        .unwrap();
        let standard = config.standard.as_ref().unwrap();
        assert_eq!(standard.secrets(), vec![Redacted::new("env-secret")]);
        let shown = format!("{config:?}");
        assert!(!shown.contains("secret\"") && !shown.contains("env-secret"));
        assert!(!shown.contains("file-token"));
    }

    #[test]
    fn absent_sections_disable_their_provider() {
        let config = ReceiverConfig::from_toml_str("", no_env).unwrap();
        assert!(config.sns.is_none() && config.standard.is_none());
        assert_eq!(config.listen, default_listen());
    }
}
