//! Stripe, the live processor: the two Checkout Session calls paylinks makes (create, retrieve)
//! over `reqwest` with typed answers, and the verification of Stripe's webhook signatures.
//! Card data never passes through here: the customer types it on Stripe's page.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// What `paylinks serve` is told about the Stripe account.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub webhook_secret: String,
    /// `https://api.stripe.com`, or a local fake in tests.
    pub api_base: String,
    /// How long a call may take before it counts as no answer.
    pub timeout: Duration,
}

/// A Checkout Session as Stripe answers it (the fields paylinks reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub id: String,
    /// Stripe's page, while the session is open.
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    pub amount_total: Option<i64>,
    /// Lower case, as Stripe writes currencies.
    pub currency: Option<String>,
    /// Our payment id.
    pub client_reference_id: Option<String>,
}

/// A webhook event (`data.object` is a Checkout Session for the types paylinks handles).
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// Why a call to Stripe gave no session.
#[derive(Debug)]
pub enum StripeError {
    /// No answer (a timeout, a refused or cut connection): Stripe may or may not have done it, so
    /// a retry must reuse the same Idempotency-Key.
    NoAnswer(String),
    /// Stripe answered 5xx: a definite failure, which Stripe replays under the same key for a day,
    /// so a retry must use the next key.
    Server(u16),
    /// Stripe refused the request (4xx: our parameters, or the key): retrying it unchanged will
    /// not help. `param` names the parameter Stripe found wrong, if one.
    Refused { status: u16, message: String, param: Option<String> },
}

impl std::fmt::Display for StripeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StripeError::NoAnswer(why) => write!(f, "no answer from Stripe: {why}"),
            StripeError::Server(status) => write!(f, "Stripe answered {status}"),
            StripeError::Refused { status, message, .. } => {
                write!(f, "Stripe refused the request ({status}): {message}")
            }
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: Option<String>,
    param: Option<String>,
}

/// A client for one Stripe account.
#[derive(Clone)]
pub struct Stripe {
    config: StripeConfig,
    http: reqwest::Client,
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Stripe, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot make the HTTP client for Stripe: {e}"))?;
        Ok(Stripe { config, http })
    }

    pub fn config(&self) -> &StripeConfig {
        &self.config
    }

    /// `POST /v1/checkout/sessions` with `params` (already in Stripe's bracket notation) under
    /// `idempotency_key`.
    pub async fn create_session(
        &self,
        params: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Session, StripeError> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let request = self
            .http
            .post(format!("{}/v1/checkout/sessions", self.config.api_base))
            .bearer_auth(&self.config.secret_key)
            .header("idempotency-key", idempotency_key)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.session_from(request).await
    }

    /// `GET /v1/checkout/sessions/{id}`.
    pub async fn get_session(&self, id: &str) -> Result<Session, StripeError> {
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let request = self
            .http
            .get(format!("{}/v1/checkout/sessions/{id}", self.config.api_base))
            .bearer_auth(&self.config.secret_key);
        self.session_from(request).await
    }

    async fn session_from(&self, request: reqwest::RequestBuilder) -> Result<Session, StripeError> {
        let response = request.send().await.map_err(|e| StripeError::NoAnswer(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| StripeError::NoAnswer(e.without_url().to_string()))?;
        match status {
            200..=299 => serde_json::from_slice(&bytes).map_err(|e| StripeError::Refused {
                status,
                message: format!("an answer paylinks cannot read: {e}"),
                param: None,
            }),
            500..=599 => Err(StripeError::Server(status)),
            _ => {
                let detail = serde_json::from_slice::<ErrorBody>(&bytes).ok().map(|b| b.error);
                let (message, param) = detail.map_or((None, None), |d| (d.message, d.param));
                Err(StripeError::Refused { status, message: message.unwrap_or_else(|| "no message".into()), param })
            }
        }
    }
}

/// How old a signed webhook may be (Stripe's own libraries' default).
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

/// Checks `Stripe-Signature` (`t=…,v1=…[,v1=…]`) on `payload`: one `v1` must be the hex
/// HMAC-SHA256 of `"{t}.{payload}"` keyed with `secret`, compared in constant time, and `t` within
/// the tolerance of `now`.
pub fn verify_signature(secret: &str, header: &str, payload: &[u8], now: i64) -> Result<(), &'static str> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let t = timestamp.ok_or("no timestamp in Stripe-Signature")?;
    if (now - t).abs() > SIGNATURE_TOLERANCE_SECONDS {
        return Err("the signature is too old (or from the future)");
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    let expected = mac.finalize().into_bytes();
    let matched = candidates.iter().fold(false, |any, c| any | bool::from(c.as_slice().ct_eq(expected.as_slice())));
    if matched {
        Ok(())
    } else {
        Err("no v1 signature matches")
    }
}

/// The Checkout Session parameters for one payment, in Stripe's bracket notation, fixed when the
/// payment is recorded so that every retry sends the same ones.
pub struct SessionRequest<'a> {
    pub payment_id: &'a str,
    pub link_id: &'a str,
    pub public_id: &'a str,
    pub base_url: &'a str,
    pub currency: &'a str,
    pub customer_email: &'a str,
    pub lines: &'a [paylinks_api::checkout::PaidLine],
    /// Unix seconds.
    pub expires_at: i64,
}

/// `params` with a new `expires_at` (Unix seconds), everything else as it was.
pub fn with_expiry(params: &[(String, String)], expires_at: i64) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(name, value)| {
            let value = if name == "expires_at" { expires_at.to_string() } else { value.clone() };
            (name.clone(), value)
        })
        .collect()
}

impl SessionRequest<'_> {
    pub fn params(&self) -> Vec<(String, String)> {
        let recurring = self.lines.iter().any(|l| l.recurring.is_some());
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        let mut put = |k: String, v: String| {
            params.insert(k, v);
        };
        put("mode".into(), if recurring { "subscription" } else { "payment" }.into());
        put("customer_email".into(), self.customer_email.into());
        put("client_reference_id".into(), self.payment_id.into());
        put("metadata[paylinks_payment_id]".into(), self.payment_id.into());
        put("metadata[paylinks_link_id]".into(), self.link_id.into());
        let page = format!("{}/l/{}", self.base_url, self.public_id);
        put("success_url".into(), format!("{page}?session_id={{CHECKOUT_SESSION_ID}}"));
        put("cancel_url".into(), format!("{page}?cancelled=1"));
        put("expires_at".into(), self.expires_at.to_string());
        for (i, line) in self.lines.iter().filter(|l| l.quantity > 0).enumerate() {
            let item = format!("line_items[{i}]");
            put(format!("{item}[quantity]"), line.quantity.to_string());
            put(format!("{item}[price_data][currency]"), self.currency.to_ascii_lowercase());
            put(format!("{item}[price_data][unit_amount]"), line.unit_amount.to_string());
            put(format!("{item}[price_data][product_data][name]"), line.name.clone());
            if let Some(every) = &line.recurring {
                put(
                    format!("{item}[price_data][recurring][interval]"),
                    paylinks_api::WireEnum::as_str(every.interval).into(),
                );
                put(format!("{item}[price_data][recurring][interval_count]"), every.interval_count.to_string());
            }
        }
        params.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    /// HMAC-SHA256("whsec_test", "1700000000.{}"), computed apart with Python's hmac module.
    const V1: &str = "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91";

    #[test]
    fn signatures_verify_as_stripe_signs_them() {
        let now = 1_700_000_000;
        assert_eq!(verify_signature(SECRET, &format!("t={now},v1={V1}"), b"{}", now), Ok(()));
        // Several v1 (a secret being rolled): one match is enough, in any position.
        assert_eq!(verify_signature(SECRET, &format!("t={now},v1=00ff,v0=abc,v1={V1}"), b"{}", now + 300), Ok(()));
        for (header, body, at) in [
            (format!("t={now},v1={V1}"), &b"{ }"[..], now),
            (format!("t={now},v1={V1}"), b"{}", now + 301),
            (format!("t={now},v1={V1}"), b"{}", now - 301),
            (format!("t={},v1={V1}", now + 1), b"{}", now),
            (format!("t={now},v0={V1}"), b"{}", now),
            (format!("v1={V1}"), b"{}", now),
            (String::new(), b"{}", now),
        ] {
            assert!(verify_signature(SECRET, &header, body, at).is_err(), "{header} at {at}");
        }
        assert!(verify_signature("whsec_other", &format!("t={now},v1={V1}"), b"{}", now).is_err());
    }

    #[test]
    fn sessions_ask_stripe_for_what_was_bought() {
        use paylinks_api::checkout::PaidLine;
        use paylinks_api::link::Recurring;
        let line = |name: &str, unit_amount, quantity, recurring| PaidLine {
            name: name.into(),
            unit_amount,
            quantity,
            recurring,
            product_id: None,
            price_id: None,
        };
        let monthly = Some(Recurring { interval: paylinks_api::link::Interval::Month, interval_count: 3 });
        let lines = [line("Box", 1200, 2, None), line("Skipped", 500, 0, None), line("Club", 900, 1, monthly)];
        let request = SessionRequest {
            payment_id: "py_1",
            link_id: "link-1",
            public_id: "pl_1",
            base_url: "https://pay.example",
            currency: "EUR",
            customer_email: "a@b.co",
            lines: &lines,
            expires_at: 1_700_001_860,
        };
        let params: BTreeMap<String, String> = request.params().into_iter().collect();
        let expected = [
            ("mode", "subscription"),
            ("client_reference_id", "py_1"),
            ("metadata[paylinks_payment_id]", "py_1"),
            ("metadata[paylinks_link_id]", "link-1"),
            ("customer_email", "a@b.co"),
            ("success_url", "https://pay.example/l/pl_1?session_id={CHECKOUT_SESSION_ID}"),
            ("cancel_url", "https://pay.example/l/pl_1?cancelled=1"),
            ("expires_at", "1700001860"),
            ("line_items[0][quantity]", "2"),
            ("line_items[0][price_data][currency]", "eur"),
            ("line_items[0][price_data][unit_amount]", "1200"),
            ("line_items[0][price_data][product_data][name]", "Box"),
            ("line_items[1][quantity]", "1"),
            ("line_items[1][price_data][product_data][name]", "Club"),
            ("line_items[1][price_data][recurring][interval]", "month"),
            ("line_items[1][price_data][recurring][interval_count]", "3"),
        ];
        for (name, value) in expected {
            assert_eq!(params.get(name).map(String::as_str), Some(value), "{name}");
        }
        assert!(!params.values().any(|v| v == "Skipped"), "a line not bought is not sent");
        assert!(!params.contains_key("line_items[0][price_data][recurring][interval]"));
    }
}
