//! The PaymentLink object and the request/response bodies of the v2 payment-links routes.

use crate::status::{LinkStatus, TargetStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

crate::wire::wire_enum! {
    #[derive(Default)]
    pub enum LinkMode {
        #[default]
        Custom,
        Invoice,
        Subscription,
    }
}

crate::wire::wire_enum! {
    #[derive(Default)]
    pub enum TaxBehavior {
        Exclusive,
        Inclusive,
        #[default]
        Unspecified,
    }
}

crate::wire::wire_enum! {
    /// Tax behaviour of one ad-hoc price (`null` leaves it to the link).
    pub enum PriceTaxBehavior {
        Exclusive,
        Inclusive,
    }
}

crate::wire::wire_enum! {
    #[derive(Default)]
    pub enum SelectionMode {
        #[default]
        Bundle,
        SingleSelect,
        MultiSelect,
    }
}

crate::wire::wire_enum! {
    pub enum Interval {
        Day,
        Week,
        Month,
        Year,
    }
}

/// How often a recurring price bills: every `interval_count` `interval`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Recurring {
    pub interval: Interval,
    #[serde(default = "one")]
    pub interval_count: i64,
}

fn one() -> i64 {
    1
}

crate::wire::wire_enum! {
    /// The status a link is created in (ext: `draft`); `active` is the default.
    pub enum InitialStatus {
        Active,
        Draft,
    }
}

/// Body of `POST /v2/payment-links`. `null` and absent mean the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentLink {
    /// 1 to 200 characters.
    pub name: Option<String>,
    /// `^[a-z0-9][a-z0-9-]{0,63}$`, unique per merchant and mode.
    pub slug: Option<String>,
    pub mode: Option<LinkMode>,
    /// ext: create as `draft` instead of `active`.
    pub status: Option<InitialStatus>,
    /// Fixed amount in minor units, 1 to 99,999,999,999 (free links are not supported).
    pub amount_minor: Option<i64>,
    /// ISO 4217 code, any case; defaults to the first line item's currency, else USD.
    pub currency: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    pub product_ids: Option<Vec<Uuid>>,
    pub line_items: Option<Vec<LineItemInput>>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub redirect_url: Option<String>,
    pub collect_shipping: Option<bool>,
    pub allow_promotion_codes: Option<bool>,
    pub tax_behavior: Option<TaxBehavior>,
    /// At most 50 keys of at most 40 characters; string values of at most 500 characters.
    pub metadata: Option<BTreeMap<String, String>>,
    /// Must be in the future.
    pub expires_at: Option<DateTime<Utc>>,
    pub selection_mode: Option<SelectionMode>,
    pub default_product_id: Option<Uuid>,
    pub highlighted_product_id: Option<Uuid>,
    /// Same as the `Idempotency-Key` header, which wins when both are sent.
    pub idempotency_key: Option<String>,
    /// ext: `donation` lets the customer choose the amount (needs `custom_amount`).
    pub link_type: Option<LinkType>,
    /// ext: markdown, at most 500 characters; shown without raw HTML.
    pub description: Option<String>,
    /// ext: the checkout page's hero image (an https URL).
    pub cover_image_url: Option<String>,
    /// ext: the customer may change line item quantities (1 to 99).
    pub allow_quantity_adjustment: Option<bool>,
    /// ext: pay what you want; only alone, without an amount, line items or products.
    pub custom_amount: Option<CustomAmount>,
    /// ext: ask for a billing address.
    pub collect_address: Option<bool>,
    /// ext: ask for a phone number.
    pub collect_phone: Option<bool>,
    /// ext: at most 10 extra questions; answers are stored on the payment.
    pub custom_fields: Option<Vec<CustomField>>,
    /// ext: the link completes after this many successful payments (null: unlimited).
    pub max_completions: Option<i64>,
    /// ext: default `redirect` when `success_url` is set, else `confirmation`.
    pub after_completion: Option<AfterCompletion>,
    /// ext: shown on the built-in confirmation page; at most 500 characters.
    pub confirmation_message: Option<String>,
    /// ext: shown to a customer who opens the link while it is paused, expired or sold out (as
    /// Stripe's `inactive_message`); at most 500 characters.
    pub inactive_message: Option<String>,
    /// ext: the merchant's customer this link is for; at most 255 characters.
    pub customer_id: Option<String>,
    /// ext: what the payment is for in the merchant's books; at most 255 characters.
    pub external_reference: Option<String>,
    /// ext: the merchant's tax rate for this link (Devdraft's `taxId`); at most 255 characters.
    pub tax_rate_id: Option<String>,
    /// ext: offer the wallet button (Devdraft's `allowMobilePayment`; sandbox: simulated).
    pub allow_mobile_payment: Option<bool>,
    /// ext: let a business customer give its tax id (Devdraft's `allowBusinessTaxId`; stored).
    pub allow_business_tax_id: Option<bool>,
    /// ext: the merchant wants an invoice PDF per payment (Devdraft's `createInvoicePdf`; stored).
    pub create_invoice_pdf: Option<bool>,
}

crate::wire::wire_enum! {
    /// ext: what a link sells (Devdraft's `linkType`); only `donation` changes the checkout.
    #[derive(Default)]
    pub enum LinkType {
        #[default]
        Product,
        Donation,
        Subscription,
        Invoice,
        Collection,
    }
}

/// ext: bounds of an amount the customer chooses, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomAmount {
    /// Default 1.
    #[serde(default = "min_amount")]
    pub minimum: i64,
    /// Default 99,999,999,999.
    #[serde(default = "max_amount")]
    pub maximum: i64,
    /// Pre-filled on the page; between minimum and maximum.
    #[serde(default)]
    pub preset: Option<i64>,
}

fn min_amount() -> i64 {
    1
}

fn max_amount() -> i64 {
    crate::money::MAX_AMOUNT_MINOR
}

crate::wire::wire_enum! {
    pub enum CustomFieldType {
        Text,
        Number,
        Dropdown,
    }
}

/// ext: one extra question on the checkout page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    /// 1 to 40 of a-z, A-Z, 0-9, `_` and `-`; unique on the link.
    pub key: String,
    /// 1 to 100 characters.
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: CustomFieldType,
    #[serde(default)]
    pub required: bool,
    /// The choices of a `dropdown` (1 to 20); empty for the other types.
    #[serde(default)]
    pub options: Vec<String>,
}

crate::wire::wire_enum! {
    /// ext: what the customer sees after paying.
    #[derive(Default)]
    pub enum AfterCompletion {
        #[default]
        Confirmation,
        Redirect,
    }
}

/// ext: the checkout settings of a link (the Devdraft features), as stored and returned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LinkSettings {
    pub link_type: LinkType,
    pub description: Option<String>,
    pub cover_image_url: Option<String>,
    pub allow_quantity_adjustment: bool,
    pub custom_amount: Option<CustomAmount>,
    pub collect_address: bool,
    pub collect_phone: bool,
    pub custom_fields: Vec<CustomField>,
    pub after_completion: AfterCompletion,
    pub confirmation_message: Option<String>,
    pub inactive_message: Option<String>,
    pub customer_id: Option<String>,
    pub external_reference: Option<String>,
    pub tax_rate_id: Option<String>,
    pub allow_mobile_payment: bool,
    pub allow_business_tax_id: bool,
    pub create_invoice_pdf: bool,
}

/// One line of a create request: exactly one of `price` or `price_data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineItemInput {
    /// An existing price id.
    pub price: Option<Uuid>,
    pub price_data: Option<PriceData>,
    /// At least 1; default 1.
    pub quantity: Option<i64>,
    /// At most 255 characters.
    pub merchant_reference: Option<String>,
}

/// An ad-hoc price. Names its product with `product` (an existing product id) or `product_data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceData {
    pub currency: Option<String>,
    pub unit_amount: i64,
    pub product_data: Option<ProductData>,
    pub product: Option<Uuid>,
    pub recurring: Option<Recurring>,
    pub tax_behavior: Option<PriceTaxBehavior>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductData {
    pub name: String,
    pub description: Option<String>,
    pub images: Option<Vec<String>>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A line item as stored and returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItem {
    pub product_id: Uuid,
    pub price_id: Option<Uuid>,
    pub quantity: i64,
    pub merchant_reference: Option<String>,
    pub is_adhoc: bool,
    pub product_details: ProductDetails,
}

/// A snapshot of what the customer buys, taken when the link is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductDetails {
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: i64,
    pub currency: String,
    pub recurring: Option<Recurring>,
}

/// The PaymentLink object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentLink {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub public_id: String,
    pub name: String,
    pub slug: Option<String>,
    pub mode: LinkMode,
    pub status: LinkStatus,
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub invoice_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    pub product_ids: Vec<Uuid>,
    pub line_items: Vec<LineItem>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub redirect_url: Option<String>,
    pub collect_shipping: bool,
    pub allow_promotion_codes: bool,
    pub tax_behavior: TaxBehavior,
    pub metadata: BTreeMap<String, String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub selection_mode: SelectionMode,
    pub default_product_id: Option<Uuid>,
    pub highlighted_product_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// ext: the public checkout URL.
    pub url: String,
    /// ext
    pub is_active: bool,
    /// ext
    pub status_changed_at: DateTime<Utc>,
    /// ext: false for sandbox objects.
    pub livemode: bool,
    /// ext
    #[serde(flatten)]
    pub settings: LinkSettings,
    /// ext: null means unlimited.
    pub max_completions: Option<i64>,
    /// ext: successful payments so far.
    pub completed_count: i64,
    /// ext: what those payments took in all, in the link's currency (minor units).
    pub revenue_minor: i64,
}

/// Body of `PATCH /v2/payment-links/{id}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateStatus {
    pub status: TargetStatus,
}

/// Optional body of the deprecated `POST /v2/payment-links/{id}/expire`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpireRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub reason: Option<String>,
}

/// What a status change returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusResult {
    pub id: Uuid,
    pub status: LinkStatus,
    pub status_changed_at: DateTime<Utc>,
    pub is_active: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<&PaymentLink> for StatusResult {
    fn from(link: &PaymentLink) -> Self {
        StatusResult {
            id: link.id,
            status: link.status,
            status_changed_at: link.status_changed_at,
            is_active: link.is_active,
            updated_at: link.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pagination {
    pub limit: i64,
    pub offset: i64,
    pub total: i64,
    #[serde(rename = "hasMore")]
    pub has_more: bool,
}

impl Pagination {
    /// The page of `returned` items at `limit`/`offset` out of `total`.
    pub fn new(limit: i64, offset: i64, total: i64, returned: usize) -> Pagination {
        Pagination { limit, offset, total, has_more: offset + (returned as i64) < total }
    }
}

/// Body of `GET /v2/payment-links`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentLinkList {
    pub data: Vec<PaymentLink>,
    pub pagination: Pagination,
}

/// ext: `GET /v2/account`, who the key belongs to (the dashboard's header and sign-in check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub merchant_id: Uuid,
    pub merchant_name: String,
    /// false for a sandbox key.
    pub livemode: bool,
}
