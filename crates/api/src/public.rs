//! What the public checkout page may see of a link: no key needed, nothing private.

use crate::link::{CustomAmount, CustomField, Interval, LinkType, PaymentLink, SelectionMode};
use crate::status::LinkStatus;
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
    /// The catalogue product (promotion codes may apply to some products only).
    pub product_id: uuid::Uuid,
    pub price_id: Option<uuid::Uuid>,
}

impl PublicPaymentLink {
    /// What the checkout page shows of `link`, sold by `merchant_name`. `description_html` is left
    /// empty: it is rendered only for the page, not for a payment checking itself against this view.
    pub fn from_link(link: &PaymentLink, merchant_name: &str) -> PublicPaymentLink {
        let position = |id: Option<uuid::Uuid>| link.line_items.iter().position(|item| Some(item.product_id) == id);
        let settings = link.settings.clone();
        let first = link.line_items.first().map(|item| &item.product_details);
        let recurring = first.and_then(|d| d.recurring.as_ref());
        PublicPaymentLink {
            active: link.status == LinkStatus::Active,
            product_name: first.map_or_else(|| link.name.clone(), |d| d.name.clone()),
            amount_minor: link.amount_minor,
            currency: link.currency.clone(),
            interval: recurring.map(|r| r.interval),
            interval_count: recurring.map(|r| r.interval_count),
            trial_period_days: None,
            checkout_url: link.url.clone(),
            public_id: link.public_id.clone(),
            name: link.name.clone(),
            merchant_name: merchant_name.to_string(),
            line_items: link
                .line_items
                .iter()
                .map(|item| PublicLineItem {
                    name: item.product_details.name.clone(),
                    description: item.product_details.description.clone(),
                    unit_amount: item.product_details.unit_amount,
                    currency: item.product_details.currency.clone(),
                    quantity: item.quantity,
                    interval: item.product_details.recurring.as_ref().map(|r| r.interval),
                    interval_count: item.product_details.recurring.as_ref().map(|r| r.interval_count),
                    product_id: item.product_id,
                    price_id: item.price_id,
                })
                .collect(),
            selection_mode: link.selection_mode,
            collect_shipping: link.collect_shipping,
            allow_promotion_codes: link.allow_promotion_codes,
            livemode: link.livemode,
            link_type: settings.link_type,
            description_html: None,
            description: settings.description,
            cover_image_url: settings.cover_image_url,
            allow_quantity_adjustment: settings.allow_quantity_adjustment,
            custom_amount: settings.custom_amount,
            collect_address: settings.collect_address,
            collect_phone: settings.collect_phone,
            custom_fields: settings.custom_fields,
            default_item: position(link.default_product_id),
            highlighted_item: position(link.highlighted_product_id),
        }
    }
}
