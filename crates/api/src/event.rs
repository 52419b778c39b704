//! What happened, as a merchant's systems hear it: the event envelope (the vendor's webhook shape)
//! and the types paylinks emits. An event is written in the same transaction as its cause and its
//! body never changes afterwards.

use crate::checkout::PaidLine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

crate::wire::wire_enum! {
    pub enum EventType {
        #[serde(rename = "payment_link.created")]
        #[strum(serialize = "payment_link.created")]
        PaymentLinkCreated,
        /// A status change (`previous_attributes` holds what it was).
        #[serde(rename = "payment_link.updated")]
        #[strum(serialize = "payment_link.updated")]
        PaymentLinkUpdated,
        #[serde(rename = "payment.succeeded")]
        #[strum(serialize = "payment.succeeded")]
        PaymentSucceeded,
        #[serde(rename = "payment.failed")]
        #[strum(serialize = "payment.failed")]
        PaymentFailed,
        #[serde(rename = "checkout.session.completed")]
        #[strum(serialize = "checkout.session.completed")]
        CheckoutSessionCompleted,
        /// A live checkout session ended unpaid.
        #[serde(rename = "checkout.session.expired")]
        #[strum(serialize = "checkout.session.expired")]
        CheckoutSessionExpired,
    }
}

/// `{id: "evt_…", object: "event", type, created, livemode, api_version, account, data, request}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: String,
    /// Always `event`.
    pub object: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Unix seconds.
    pub created: i64,
    pub livemode: bool,
    pub api_version: String,
    /// The merchant's id.
    pub account: Uuid,
    pub data: EventData,
    pub request: EventRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventData {
    /// The object as the API returns it after the change.
    pub object: serde_json::Value,
    /// On updates: the changed attributes as they were before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<serde_json::Value>,
}

/// The request that caused the event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventRequest {
    pub id: Option<String>,
    pub idempotency_key: Option<String>,
}

/// `data.object` of `checkout.session.completed`: who bought what on which link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletedCheckout {
    pub payment_id: String,
    pub checkout_id: String,
    pub payment_link_id: Uuid,
    pub public_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub customer_email: String,
    pub customer_name: String,
    pub custom_fields: BTreeMap<String, String>,
    pub line_items: Vec<PaidLine>,
}

/// `data.object` of `checkout.session.expired`: the live session that ended unpaid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiredCheckout {
    pub payment_id: String,
    /// The processor's session (`cs_…`); empty when none was made.
    pub session_id: String,
    pub payment_link_id: Uuid,
    pub public_id: String,
}
