//! [`SnsSigner`]: plays AWS SNS for offline tests, with a throwaway test certificate.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Map, Value, json};
use webhook_core::{ConfigError, TableFetch, TableResponse};

/// Self-signed `CN=sns.amazonaws.com`, valid 2026-11-28..2126, TEST ONLY.
const TEST_CERT_PEM: &str = include_str!("testdata/test-cert.pem");
/// Its RSA-2048 key (PKCS#1 DER), TEST ONLY.
const TEST_KEY_RSA_DER: &[u8] = include_bytes!("testdata/test-key.rsa.der");

/// Signs SNS messages (SignatureVersion 2: ring signs no SHA-1) with a test certificate, and
/// serves that certificate from an in-process network (test utility). Point the layer's
/// fetcher at the network you [`serve`](Self::serve) into.
///
/// ```
/// use webhook_sns::SnsSigner;
/// let signer = SnsSigner::new("us-east-2")?;
/// let body = signer.notification("arn:aws:sns:us-east-2:123456789012:T", "m-1", None, "hi", "2026-12-01T00:00:00.000Z");
/// assert!(body.contains("\"SignatureVersion\":\"2\""));
/// # Ok::<_, webhook_core::ConfigError>(())
/// ```
pub struct SnsSigner {
    pair: RsaKeyPair,
    region: String,
}

impl std::fmt::Debug for SnsSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnsSigner")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl SnsSigner {
    /// A signer for topics in `region`.
    ///
    /// # Errors
    /// Never in practice (the bundled key is valid).
    pub fn new(region: &str) -> Result<Self, ConfigError> {
        let pair = RsaKeyPair::from_der(TEST_KEY_RSA_DER)
            .map_err(|_| ConfigError::new("bundled test key rejected"))?;
        Ok(Self {
            pair,
            region: region.to_owned(),
        })
    }

    /// The certificate URL the messages name.
    #[must_use]
    pub fn cert_url(&self) -> String {
        format!(
            "https://sns.{}.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem",
            self.region
        )
    }

    /// The test certificate, PEM.
    #[must_use]
    pub const fn cert_pem(&self) -> &'static str {
        TEST_CERT_PEM
    }

    /// Serves the certificate at [`cert_url`](Self::cert_url).
    pub fn serve(&self, net: &TableFetch) {
        net.set(self.cert_url(), TableResponse::ok(TEST_CERT_PEM));
    }

    /// A signed `Notification` body.
    #[must_use]
    pub fn notification(
        &self,
        topic_arn: &str,
        message_id: &str,
        subject: Option<&str>,
        message: &str,
        timestamp: &str,
    ) -> String {
        let mut fields = Map::new();
        fields.insert("Type".into(), json!("Notification"));
        fields.insert("MessageId".into(), json!(message_id));
        fields.insert("TopicArn".into(), json!(topic_arn));
        if let Some(subject) = subject {
            fields.insert("Subject".into(), json!(subject));
        }
        fields.insert("Message".into(), json!(message));
        fields.insert("Timestamp".into(), json!(timestamp));
        fields.insert(
            "UnsubscribeURL".into(),
            json!(format!(
                "https://sns.{}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic_arn}:1",
                self.region
            )),
        );
        self.sign(fields, crate::verify::NOTIFICATION_KEYS)
    }

    /// A signed `SubscriptionConfirmation` (or, with `unsubscribe`, `UnsubscribeConfirmation`)
    /// body whose `SubscribeURL` is the genuine shape for this topic and token.
    #[must_use]
    pub fn confirmation(
        &self,
        topic_arn: &str,
        message_id: &str,
        token: &str,
        timestamp: &str,
        unsubscribe: bool,
    ) -> String {
        let kind = if unsubscribe {
            "UnsubscribeConfirmation"
        } else {
            "SubscriptionConfirmation"
        };
        let mut fields = Map::new();
        fields.insert("Type".into(), json!(kind));
        fields.insert("MessageId".into(), json!(message_id));
        fields.insert("Token".into(), json!(token));
        fields.insert("TopicArn".into(), json!(topic_arn));
        fields.insert("Message".into(), json!(format!("You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.")));
        fields.insert(
            "SubscribeURL".into(),
            json!(self.subscribe_url(topic_arn, token)),
        );
        fields.insert("Timestamp".into(), json!(timestamp));
        self.sign(fields, crate::verify::CONFIRMATION_KEYS)
    }

    /// The `SubscribeURL` SNS sends for this topic and token.
    #[must_use]
    pub fn subscribe_url(&self, topic_arn: &str, token: &str) -> String {
        format!(
            "https://sns.{}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={}&Token={token}",
            self.region,
            topic_arn.replace(':', "%3A")
        )
    }

    fn sign(&self, mut fields: Map<String, Value>, keys: &[&str]) -> String {
        let string_to_sign = crate::verify::string_to_sign(&fields, keys);
        let mut signature = vec![0; self.pair.public().modulus_len()];
        if self
            .pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                &string_to_sign,
                &mut signature,
            )
            .is_err()
        {
            signature.clear();
        }
        fields.insert("SignatureVersion".into(), json!("2"));
        fields.insert("Signature".into(), json!(STANDARD.encode(&signature)));
        fields.insert("SigningCertURL".into(), json!(self.cert_url()));
        Value::Object(fields).to_string()
    }
}
