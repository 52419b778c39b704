//! What the public checkout page may see of a link: no key needed, nothing private.

use crate::link::{Interval, SelectionMode};
use serde::{Deserialize, Serialize};

/// Body of `GET /public/payment-links/{public_id}`: `{"data": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicLinkEnvelope {
    pub data: PublicPaymentLink,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicPaymentLink {
    pub active: bool,
    /// The first line item's product name, else the link name (what the vendor's page shows).
    pub product_name: String,
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub interval: Option<Interval>,
    pub interval_count: Option<i64>,
    pub trial_period_days: Option<i64>,
    pub checkout_url: String,
    /// ext
    pub public_id: String,
    /// ext
    pub name: String,
    /// ext: the merchant's display name.
    pub merchant_name: String,
    /// ext
    pub line_items: Vec<PublicLineItem>,
    /// ext
    pub selection_mode: SelectionMode,
    /// ext
    pub collect_shipping: bool,
    /// ext
    pub allow_promotion_codes: bool,
    /// ext: false on sandbox links (the page shows a test-mode banner).
    pub livemode: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicLineItem {
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: i64,
    pub currency: String,
    pub quantity: i64,
    pub interval: Option<Interval>,
    pub interval_count: Option<i64>,
}
