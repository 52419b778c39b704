//! Webhooks as the vendor's SDK sees them: endpoints, deliveries, event lists, the event types a
//! merchant may subscribe to, and the rules an endpoint's URL and description follow.

use crate::error::FieldErrors;
use crate::event::{Event, EventType};
use crate::wire::{present, wire_enum, WireEnum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many characters of description.
pub const MAX_DESCRIPTION: usize = 500;
/// At most this many characters of URL.
pub const MAX_URL: usize = 2048;
/// At most this many entries in `enabled_events`.
pub const MAX_ENABLED_EVENTS: usize = 100;
/// Attempts a delivery gets before it is dead-lettered.
pub const MAX_ATTEMPTS: i64 = 8;

wire_enum! {
    pub enum EndpointStatus { Enabled, Disabled }
}

wire_enum! {
    /// Opens after repeated dead letters (the endpoint is then disabled until re-enabled).
    pub enum CircuitState { Closed, Open, HalfOpen }
}

wire_enum! {
    /// `pending`: queued; `failed`: the last attempt failed and another is scheduled;
    /// `succeeded`: a 2xx came back; `dead_lettered`: no attempt is left.
    pub enum DeliveryStatus { Pending, Succeeded, Failed, DeadLettered }
}

/// An endpoint: where the merchant's events are POSTed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    pub enabled_events: Vec<String>,
    pub status: EndpointStatus,
    /// Only in the answers of create and rotate-secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub circuit_breaker_state: CircuitState,
    /// Delivery attempts made.
    pub total_deliveries: i64,
    pub successful_deliveries: i64,
    pub failed_deliveries: i64,
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// ext: why paylinks disabled the endpoint (410 Gone, or its circuit opened); `null` when it
    /// is enabled or the merchant disabled it.
    #[serde(default)]
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /v2/webhook-endpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpoint {
    /// Absolute; `https://` (sandbox endpoints may use `http://`).
    pub url: String,
    /// Event types, `prefix.*` wildcards or `*`; at least one.
    pub enabled_events: Vec<String>,
    /// At most 500 characters.
    #[serde(default)]
    pub description: Option<String>,
}

/// Body of `PATCH /v2/webhook-endpoints/{id}`: what is present changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookEndpoint {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub enabled_events: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    /// `true` also closes an open circuit.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `{data: WebhookEndpoint}`: the answer of create, get, update and rotate-secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointEnvelope {
    pub data: WebhookEndpoint,
}

/// `{data: {id, deleted: true}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedEnvelope {
    pub data: Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

/// `GET /v2/webhook-endpoints`: `{data, meta}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointList {
    pub data: Vec<WebhookEndpoint>,
    pub meta: OffsetMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OffsetMeta {
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub has_more: bool,
}

/// One attempt series of one event to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_status_code: Option<i64>,
    /// At most 4 KiB: the answer's start, or what went wrong.
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    pub last_duration_ms: Option<i64>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_retry_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub dead_lettered_at: Option<DateTime<Utc>>,
    pub dead_letter_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `{data: WebhookDelivery}`: a delivery, and the answer of its retry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryEnvelope {
    pub data: WebhookDelivery,
}

/// `{object: "list", data, has_more, url}`: the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryList {
    pub object: String,
    pub data: Vec<WebhookDelivery>,
    pub has_more: bool,
    pub url: String,
}

/// An event as `/v2/events` shows it: the envelope every delivery sends, and how many of its
/// deliveries are still to be made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedEvent {
    #[serde(flatten)]
    pub event: Event,
    pub pending_webhooks: i64,
}

/// `{object: "list", data, has_more, url}`: events of the last 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventList {
    pub object: String,
    pub data: Vec<ListedEvent>,
    pub has_more: bool,
    pub url: String,
}

/// Answer of `POST /v2/events/{id}/resend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResendResult {
    pub success: bool,
    pub message: String,
}

/// Body of ext `POST /v2/webhook-endpoints/{id}/test`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestEventRequest {
    /// One of the event types paylinks sends.
    #[serde(rename = "type")]
    pub event_type: String,
}

/// Answer of the test route: the sample event, queued for this endpoint only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestEventResult {
    pub success: bool,
    pub event: Event,
    pub message: String,
}

/// Event types the vendor defines that paylinks never sends: accepted in `enabled_events`, they
/// simply never fire.
const VENDOR_ONLY_TYPES: &[&str] = &[
    "invoice.created",
    "invoice.updated",
    "invoice.finalized",
    "invoice.sent",
    "invoice.paid",
    "invoice.voided",
    "invoice.payment_failed",
    "invoice.overdue",
    "invoice.marked_uncollectible",
    "invoice.upcoming",
    "subscription.created",
    "subscription.updated",
    "subscription.renewed",
    "subscription.canceled",
    "subscription.paused",
    "subscription.resumed",
    "subscription.trial_ending",
    "subscription.trial_ended",
    "subscription.trial_will_end",
    "subscription.past_due",
    "payment.refunded",
    "payment.disputed",
    "payment.captured",
    "payment_intent.created",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.updated",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "customer.payment_method.attached",
    "customer.payment_method.detached",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "dispute.created",
    "dispute.updated",
    "dispute.closed",
    "order.created",
    "order.updated",
    "order.paid",
    "order.canceled",
    "order.fulfilled",
    "plan.created",
    "plan.updated",
    "plan.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
    "price.created",
    "price.updated",
    "price.deleted",
    "usage.threshold.reached",
    "usage.period_finalized",
    "usage.invoice.created",
    "usage.event.ingested",
    "usage.event.rejected",
    "meter.created",
    "meter.updated",
    "meter.archived",
    "meter_price.created",
    "meter_price.updated",
    "meter_price.deactivated",
    "integration.product_mapping.created",
    "integration.product_mapping.updated",
    "integration.product_mapping.deleted",
    "commerce.cart.created",
    "commerce.cart.updated",
    "commerce.cart.line_item_added",
    "commerce.cart.line_item_removed",
    "commerce.cart.addon_toggled",
    "commerce.cart.discount_applied",
    "commerce.cart.abandoned",
    "commerce.cart.recovered",
    "commerce.cart.converted",
    "commerce.checkout.started",
    "commerce.checkout.payment_method_attached",
    "commerce.checkout.completed",
    "commerce.checkout.failed",
];

/// Every event type anyone defines: what paylinks sends, then the vendor's others.
fn known_types() -> impl Iterator<Item = &'static str> {
    EventType::all().iter().map(|t| t.as_str()).chain(VENDOR_ONLY_TYPES.iter().copied())
}

/// Whether an `enabled_events` entry (a type, `prefix.*` or `*`) covers `event_type`.
pub fn subscribes(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => prefix.ends_with('.') && event_type.starts_with(prefix),
        None => pattern == event_type,
    }
}

/// Whether an endpoint subscribed to `enabled_events` gets events of `event_type`.
pub fn wants(enabled_events: &[String], event_type: &str) -> bool {
    enabled_events.iter().any(|pattern| subscribes(pattern, event_type))
}

/// Checks `enabled_events`: at least one entry, each a type or a wildcard that covers some type
/// somebody defines. Returns the list without repeats, in the order given.
pub fn validate_enabled_events(events: &[String]) -> Result<Vec<String>, FieldErrors> {
    let mut errors = FieldErrors::default();
    if events.is_empty() {
        errors.add("enabled_events", "must name at least one event type (or \"*\" for all)");
    }
    if events.len() > MAX_ENABLED_EVENTS {
        errors.add("enabled_events", format!("may name at most {MAX_ENABLED_EVENTS} event types"));
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, pattern) in events.iter().enumerate() {
        let wildcard_ok = pattern == "*" || (pattern.ends_with(".*") && pattern.len() > 2);
        let covers_a_type = known_types().any(|t| subscribes(pattern, t));
        if pattern.contains('*') && !wildcard_ok {
            errors.add(format!("enabled_events[{i}]"), "a wildcard is \"*\" or a prefix ending in \".*\"");
        } else if !covers_a_type {
            errors.add(format!("enabled_events[{i}]"), format!("\"{pattern}\" is not an event type"));
        } else if !kept.contains(pattern) {
            kept.push(pattern.clone());
        }
    }
    errors.into_result(kept)
}

/// Checks an endpoint's URL: absolute, `https` (or `http` for sandbox endpoints), with a host and
/// no user name, password or fragment. Where it may point (not a private address) is the
/// server's check.
pub fn validate_endpoint_url(url: &str, livemode: bool) -> Result<url::Url, String> {
    if url.chars().count() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    let parsed = url::Url::parse(url).map_err(|_| "must be an absolute URL such as https://example.com/webhooks")?;
    match (parsed.scheme(), livemode) {
        ("https", _) | ("http", false) => {}
        ("http", true) => return Err("must use https:// for live endpoints".into()),
        _ => return Err("must be an http(s) URL".into()),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    if parsed.fragment().is_some() {
        return Err("must not contain a fragment (#…)".into());
    }
    Ok(parsed)
}

/// Checks a description: at most 500 characters, no control characters; blank means none.
pub fn validate_description(description: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = description.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(format!("must be at most {MAX_DESCRIPTION} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(Some(text.to_string()))
}

/// The default page size of the webhook lists (the vendor's).
pub const DEFAULT_LIMIT: i64 = 20;

/// A webhook list's query: `limit` (1-100, larger values clamped; default 20), `offset` (0 or
/// more) and the list's own parameters, each given at most once; others are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    pub limit: i64,
    pub offset: i64,
    values: BTreeMap<&'static str, String>,
}

impl ListParams {
    pub fn parse(query: &str, own: &[&'static str]) -> Result<ListParams, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut out = ListParams { limit: DEFAULT_LIMIT, ..ListParams::default() };
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let Some(key) = ["limit", "offset"].iter().chain(own).copied().find(|k| *k == key) else { continue };
            if seen.contains(&key) {
                errors.add(key, "must be given at most once");
                continue;
            }
            seen.push(key);
            match key {
                "limit" => match value.parse::<i64>() {
                    Ok(n) if n >= 1 => out.limit = n.min(crate::list::MAX_LIMIT),
                    Ok(_) => errors.add(key, "must be at least 1"),
                    Err(_) => errors.add(key, "must be a whole number"),
                },
                "offset" => match value.parse::<i64>() {
                    Ok(n) if n >= 0 => out.offset = n,
                    _ => errors.add(key, "must be a whole number, 0 or more"),
                },
                _ if value.len() > 200 || value.chars().any(char::is_control) => {
                    errors.add(key, "must be at most 200 printable characters")
                }
                _ => {
                    out.values.insert(key, value.into_owned());
                }
            }
        }
        errors.into_result(out)
    }

    /// The value of one of the list's own parameters, if given and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The value of one of the list's own parameters as given (possibly empty).
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A parameter that names a variant of `T`, checked (given empty, it names none: an error).
    pub fn variant<T: WireEnum>(&self, key: &str) -> Result<Option<T>, FieldErrors> {
        let Some(value) = self.values.get(key) else { return Ok(None) };
        T::parse(value).map(Some).ok_or_else(|| {
            let names: Vec<&str> = T::all().iter().map(|v| v.as_str()).collect();
            FieldErrors::single(key, format!("must be one of {}", names.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn wildcards_cover_their_prefix_only() {
        assert!(subscribes("*", "payment.succeeded"));
        assert!(subscribes("payment.*", "payment.succeeded"));
        assert!(!subscribes("payment.*", "payment_link.created"));
        assert!(subscribes("checkout.session.*", "checkout.session.expired"));
        assert!(!subscribes("checkout.*x", "checkout.session.expired"));
        assert!(subscribes("payment.failed", "payment.failed"));
        assert!(!subscribes("payment.failed", "payment.failed.more"));
    }

    #[test]
    fn enabled_events_name_known_types_or_wildcards() {
        assert_eq!(
            validate_enabled_events(&strings(&["payment.succeeded", "invoice.paid", "payment.*", "payment.succeeded"])),
            Ok(strings(&["payment.succeeded", "invoice.paid", "payment.*"]))
        );
        let errors = validate_enabled_events(&strings(&["payment.succeeded", "payment.teleported", "pay*", "nope.*"]))
            .unwrap_err();
        assert!(errors.get("enabled_events[1]").unwrap().contains("payment.teleported"));
        assert!(errors.get("enabled_events[2]").is_some());
        assert!(errors.get("enabled_events[3]").is_some());
        assert!(errors.get("enabled_events[0]").is_none());
        assert!(validate_enabled_events(&[]).unwrap_err().get("enabled_events").is_some());
    }

    #[test]
    fn every_type_paylinks_sends_can_be_subscribed_to() {
        let all: Vec<String> = EventType::all().iter().map(|t| t.as_str().to_string()).collect();
        assert_eq!(validate_enabled_events(&all), Ok(all.clone()));
        assert!(all.iter().all(|t| !VENDOR_ONLY_TYPES.contains(&t.as_str())));
    }

    #[test]
    fn endpoint_urls_are_absolute_http_without_credentials() {
        assert!(validate_endpoint_url("https://shop.example/hooks?x=1", true).is_ok());
        assert!(validate_endpoint_url("http://127.0.0.1:9000/hooks", false).is_ok());
        assert!(validate_endpoint_url("http://shop.example/hooks", true).unwrap_err().contains("https"));
        assert!(validate_endpoint_url("ftp://shop.example/", false).is_err());
        assert!(validate_endpoint_url("/hooks", false).is_err());
        assert!(validate_endpoint_url("https://user:pw@shop.example/", false).unwrap_err().contains("password"));
        assert!(validate_endpoint_url("https://shop.example/#frag", false).unwrap_err().contains("fragment"));
        assert!(validate_endpoint_url(&format!("https://shop.example/{}", "a".repeat(MAX_URL)), false).is_err());
    }

    #[test]
    fn list_queries_check_their_parameters() {
        let params = ListParams::parse("limit=500&status=enabled&other=1", &["status"]).unwrap();
        assert_eq!((params.limit, params.offset, params.get("status")), (100, 0, Some("enabled")));
        assert_eq!(params.variant::<EndpointStatus>("status"), Ok(Some(EndpointStatus::Enabled)));
        assert_eq!(ListParams::parse("", &[]).unwrap().limit, DEFAULT_LIMIT);
        let bad = ListParams::parse("status=on", &["status"]).unwrap().variant::<EndpointStatus>("status");
        assert!(bad.unwrap_err().get("status").unwrap().contains("enabled, disabled"));
        let empty = ListParams::parse("status=&event_id=", &["status", "event_id"]).unwrap();
        assert_eq!(empty.get("event_id"), None, "an empty filter filters nothing");
        assert!(empty.variant::<EndpointStatus>("status").is_err(), "an empty status names no status");
        let errors = ListParams::parse("limit=0&offset=-1&status=a&status=b", &["status"]).unwrap_err();
        assert!(errors.get("limit").is_some() && errors.get("offset").is_some() && errors.get("status").is_some());
    }

    #[test]
    fn descriptions_are_trimmed_bounded_and_printable() {
        assert_eq!(validate_description(Some("  Shop  ")), Ok(Some("Shop".into())));
        assert_eq!(validate_description(Some("   ")), Ok(None));
        assert!(validate_description(Some(&"x".repeat(501))).is_err());
        assert!(validate_description(Some("a\u{7}b")).is_err());
    }
}
