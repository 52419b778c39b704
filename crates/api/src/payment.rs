//! Payments as the merchant sees them (made of the checkout's pieces): each attempt on a link, the
//! list, and the link's stats.

use crate::checkout::{Address, AppliedDiscount, PaidLine, PaymentStatus};
use crate::link::Pagination;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// ext: a payment attempt on a link, as the merchant sees it. Card: brand and last four only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    pub id: String,
    pub checkout_id: String,
    pub payment_link_id: Uuid,
    pub status: PaymentStatus,
    pub amount_minor: i64,
    pub currency: String,
    pub line_items: Vec<PaidLine>,
    pub customer_email: String,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub custom_fields: BTreeMap<String, String>,
    /// The promotion code the customer applied and what it took off (`amount_minor` is after it).
    #[serde(default)]
    pub discount: Option<AppliedDiscount>,
    pub card_brand: String,
    pub card_last4: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// A live payment's Stripe Checkout Session (`cs_…`), to look it up in Stripe's dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor_reference: Option<String>,
    pub livemode: bool,
    pub created_at: DateTime<Utc>,
}

/// ext: body of `GET /v2/payment-links/{id}/payments`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentList {
    pub data: Vec<Payment>,
    pub pagination: Pagination,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revenue {
    pub currency: String,
    pub amount_minor: i64,
}

/// ext: body of `GET /v2/payment-links/{id}/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkStats {
    /// Times the public page loaded the link.
    pub views: i64,
    /// Payments attempted (succeeded or failed).
    pub checkout_attempts: i64,
    pub successful_payments: i64,
    /// Succeeded payments summed per currency.
    pub revenue: Vec<Revenue>,
}
