//! The objects of test events (`POST /v2/webhook-endpoints/{id}/test`): one of each event type,
//! in the very shapes real events carry, with values nobody could mistake for a sale.

use crate::checkout::{PaidLine, PaymentStatus};
use crate::event::{CompletedCheckout, EventType, ExpiredCheckout};
use crate::payment::Payment;
use crate::{LinkMode, LinkSettings, LinkStatus, PaymentLink, SelectionMode, TaxBehavior};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

const LINK_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);
const PUBLIC_ID: &str = "test_link";

fn link(merchant_id: Uuid, livemode: bool, now: DateTime<Utc>) -> PaymentLink {
    PaymentLink {
        id: LINK_ID,
        merchant_id,
        public_id: PUBLIC_ID.into(),
        name: "Test event: sample link".into(),
        slug: None,
        mode: LinkMode::Custom,
        status: LinkStatus::Active,
        amount_minor: Some(1500),
        currency: "USD".into(),
        invoice_id: None,
        subscription_id: None,
        product_ids: Vec::new(),
        line_items: Vec::new(),
        success_url: None,
        cancel_url: None,
        redirect_url: None,
        collect_shipping: false,
        allow_promotion_codes: false,
        tax_behavior: TaxBehavior::Unspecified,
        metadata: BTreeMap::from([("test_event".to_string(), "true".to_string())]),
        expires_at: None,
        selection_mode: SelectionMode::Bundle,
        default_product_id: None,
        highlighted_product_id: None,
        created_at: now,
        updated_at: now,
        url: format!("https://example.invalid/l/{PUBLIC_ID}"),
        is_active: true,
        status_changed_at: now,
        livemode,
        settings: LinkSettings::default(),
        max_completions: None,
        completed_count: 0,
        revenue_minor: 0,
    }
}

fn payment(status: PaymentStatus, livemode: bool, now: DateTime<Utc>) -> Payment {
    let failed = status == PaymentStatus::Failed;
    Payment {
        id: "pay_test_event".into(),
        checkout_id: "chk_test_event".into(),
        payment_link_id: LINK_ID,
        status,
        amount_minor: 1500,
        currency: "USD".into(),
        line_items: vec![PaidLine {
            name: "Test event: sample link".into(),
            unit_amount: 1500,
            quantity: 1,
            recurring: None,
            product_id: None,
            price_id: None,
        }],
        customer_email: "customer@example.com".into(),
        customer_name: "Test Customer".into(),
        customer_phone: None,
        billing_address: None,
        shipping_address: None,
        custom_fields: BTreeMap::new(),
        discount: None,
        card_brand: "visa".into(),
        card_last4: "4242".into(),
        failure_code: failed.then(|| "card_declined".into()),
        failure_message: failed.then(|| "The card was declined.".into()),
        processor_reference: None,
        livemode,
        created_at: now,
    }
}

/// `data.object` of a test event of `event_type`.
pub fn sample_object(
    event_type: EventType,
    merchant_id: Uuid,
    livemode: bool,
    now: DateTime<Utc>,
) -> serde_json::Value {
    let value = match event_type {
        EventType::PaymentLinkCreated | EventType::PaymentLinkUpdated => {
            serde_json::to_value(link(merchant_id, livemode, now))
        }
        EventType::PaymentSucceeded => serde_json::to_value(payment(PaymentStatus::Succeeded, livemode, now)),
        EventType::PaymentFailed => serde_json::to_value(payment(PaymentStatus::Failed, livemode, now)),
        EventType::CheckoutSessionCompleted => {
            let paid = payment(PaymentStatus::Succeeded, livemode, now);
            serde_json::to_value(CompletedCheckout {
                payment_id: paid.id,
                checkout_id: paid.checkout_id,
                payment_link_id: LINK_ID,
                public_id: PUBLIC_ID.into(),
                amount_minor: paid.amount_minor,
                currency: paid.currency,
                customer_email: paid.customer_email,
                customer_name: paid.customer_name,
                custom_fields: paid.custom_fields,
                line_items: paid.line_items,
            })
        }
        EventType::CheckoutSessionExpired => serde_json::to_value(ExpiredCheckout {
            payment_id: "pay_test_event".into(),
            session_id: "cs_test_event".into(),
            payment_link_id: LINK_ID,
            public_id: PUBLIC_ID.into(),
        }),
    };
    value.expect("API objects serialise")
}

/// `data.previous_attributes` of a test event of `event_type` (updates only).
pub fn sample_previous(event_type: EventType) -> Option<serde_json::Value> {
    (event_type == EventType::PaymentLinkUpdated).then(|| serde_json::json!({"status": "inactive", "is_active": false}))
}
