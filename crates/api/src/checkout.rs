//! The public checkout on the wire: what a customer sends to pay a link and what comes back.

use crate::link::Recurring;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use uuid::Uuid;

/// ext: body of `POST /public/payment-links/{public_id}/checkout`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// One per line item, in order. 0 leaves an item out (single/multi select); other changes
    /// only where the link allows quantity adjustment. Default: the link's quantities.
    pub quantities: Option<Vec<i64>>,
    /// The chosen amount in minor units, on pay-what-you-want links only.
    pub amount_minor: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    /// Answers to the link's custom fields, by key.
    pub custom_fields: Option<BTreeMap<String, String>>,
    pub promotion_code: Option<String>,
    pub card: Option<CardInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    pub country: String,
}

/// Card details as typed. Never stored or logged; `Debug` hides them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardInput {
    /// Digits, spaces allowed. Sandbox: 4111 1111 1111 1111 succeeds.
    pub number: String,
    /// `MM/YY`
    pub expiry: String,
    pub cvc: String,
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardInput { .. }")
    }
}
crate::wire::wire_enum! {
    /// Where a payment attempt stands. A sandbox payment ends at once (`succeeded` or
    /// `failed`); a live one is `pending` while the customer is on Stripe's page (a checkout
    /// answers it as `requires_action`, with the page to go to), then `succeeded`, `failed`,
    /// `expired` (the customer never paid), or `needs_review` (Stripe's amount or currency was
    /// not ours: nothing is counted until someone looks).
    pub enum PaymentStatus {
        Succeeded,
        Failed,
        Pending,
        RequiresAction,
        Expired,
        NeedsReview,
    }
}

/// Where the customer goes after a successful payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NextStep {
    /// Send the browser to `url` (the link's `success_url`, placeholders filled in).
    Redirect { url: String },
    /// Show the page's own confirmation, with the merchant's message if any (markdown, and
    /// rendered to safe HTML as for `description_html`).
    Confirmation { message: Option<String>, message_html: Option<String> },
}

/// ext: the outcome of a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutResult {
    pub status: PaymentStatus,
    pub payment_id: String,
    /// The checkout session: a live payment's is Stripe's (`cs_…`, what the customer comes back
    /// with); a sandbox payment's is our own.
    pub checkout_id: String,
    pub amount_minor: i64,
    pub currency: String,
    /// On failure: `card_declined`, `insufficient_funds`, `expired_card`, `link_unavailable`,
    /// `live_payments_unavailable`, `payments_unavailable`.
    pub failure_code: Option<String>,
    /// On failure: a sentence for the customer saying what to do.
    pub failure_message: Option<String>,
    /// On success.
    pub next: Option<NextStep>,
    /// On success: what the confirmation shows (the same as `GET …/payments/{payment_id}`).
    #[serde(default)]
    pub receipt: Option<Receipt>,
}

/// What was bought on one line of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaidLine {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: i64,
    /// How often the line bills again, for a recurring item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring: Option<Recurring>,
    /// The catalogue product and price it was bought at (none on payments made before the
    /// catalogue, and no price for an ad-hoc item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_id: Option<Uuid>,
}

/// A discount as applied to one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedDiscount {
    pub code: String,
    /// Minor units taken off the order.
    pub amount_minor: i64,
}

/// What a subscription bills again after the first payment: its recurring lines, on their one
/// schedule (a link's recurring items share one; see `validate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Renewal {
    pub amount_minor: i64,
    pub interval: crate::link::Interval,
    pub interval_count: i64,
}

impl Renewal {
    pub fn every(&self) -> Recurring {
        Recurring { interval: self.interval, interval_count: self.interval_count }
    }
}

/// ext: a successful payment as its customer sees it, then and on every later visit to
/// `GET /public/payment-links/{public_id}/payments/{payment_id}` (the id is unguessable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub payment_id: String,
    pub link_name: String,
    pub merchant_name: String,
    pub amount_minor: i64,
    pub currency: String,
    pub line_items: Vec<PaidLine>,
    /// The promotion code applied and what it took off (`amount_minor` is after it).
    #[serde(default)]
    pub discount: Option<AppliedDiscount>,
    /// What a subscription bills again, and how often.
    pub renewal: Option<Renewal>,
    pub customer_email: String,
    pub card_brand: String,
    pub card_last4: String,
    /// Unix seconds, as the event envelope's `created`: a customer's phone then need not carry
    /// a date parser (about 17 KB of the checkout's wasm).
    #[serde(with = "chrono::serde::ts_seconds")]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub paid_at: DateTime<Utc>,
    /// The merchant's confirmation message as safe HTML.
    pub message_html: Option<String>,
    pub livemode: bool,
}

/// ext: `{"data": Receipt}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptEnvelope {
    pub data: Receipt,
}

/// ext: `{"data": CheckoutResult}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutEnvelope {
    pub data: CheckoutResult,
}
