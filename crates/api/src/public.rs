//! What the public checkout page may see of a link: no key needed, nothing private.

use crate::link::{CustomAmount, CustomField, Interval, LinkType, SelectionMode};
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
    /// ext
    pub link_type: LinkType,
    /// ext: markdown, as the merchant wrote it.
    pub description: Option<String>,
    /// ext: `description` rendered to HTML by the server, safe to insert: raw HTML escaped,
    /// links only to https (or localhost on sandbox links), images as their alt text.
    pub description_html: Option<String>,
    /// ext
    pub cover_image_url: Option<String>,
    /// ext: quantities may change (1 to 99).
    pub allow_quantity_adjustment: bool,
    /// ext: the customer chooses the amount within these bounds.
    pub custom_amount: Option<CustomAmount>,
    /// ext: ask for a billing address.
    pub collect_address: bool,
    /// ext: ask for a phone number.
    pub collect_phone: bool,
    /// ext
    pub custom_fields: Vec<CustomField>,
    /// ext: with `single_select`, the line item chosen at first (by position).
    pub default_item: Option<usize>,
    /// ext: with `single_select`, the line item to draw attention to (by position).
    pub highlighted_item: Option<usize>,
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
