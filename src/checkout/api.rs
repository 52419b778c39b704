//! The checkout's only calls: the public link, a promotion code's check, the payment, and a live
//! payment on the way back from Stripe. No key is ever sent.

use crate::common::api::{send, ApiError};
use gloo_net::http::Request;
use paylinks_api::checkout::{CheckoutEnvelope, CheckoutRequest, CheckoutResult, Receipt, ReceiptEnvelope};
use paylinks_api::discount::{Promotion, PromotionCheck, PromotionEnvelope};
use paylinks_api::{PublicLinkEnvelope, PublicPaymentLink};

fn path(public_id: &str, rest: &str) -> String {
    format!("/public/payment-links/{}{rest}", js_sys::encode_uri_component(public_id))
}

pub async fn public_link(public_id: &str) -> Result<PublicPaymentLink, ApiError> {
    let envelope: PublicLinkEnvelope = send(Request::get(&path(public_id, "")).build()).await?;
    Ok(envelope.data)
}

/// Pays; the same `idempotency_key` never pays twice.
pub async fn pay(public_id: &str, body: &CheckoutRequest, idempotency_key: &str) -> Result<CheckoutResult, ApiError> {
    let request = Request::post(&path(public_id, "/checkout")).header("idempotency-key", idempotency_key).json(body);
    let envelope: CheckoutEnvelope = send(request).await?;
    Ok(envelope.data)
}

/// The rule of a promotion code on this link, if the code can be used now.
pub async fn promotion(public_id: &str, code: &str) -> Result<Promotion, ApiError> {
    let body = PromotionCheck { promotion_code: code.to_string() };
    let envelope: PromotionEnvelope = send(Request::post(&path(public_id, "/promotion-code")).json(&body)).await?;
    Ok(envelope.data)
}

/// A live payment as the customer comes back from Stripe's page with its session.
pub async fn session(public_id: &str, session_id: &str) -> Result<CheckoutResult, ApiError> {
    let rest = format!("/sessions/{}", js_sys::encode_uri_component(session_id));
    let envelope: CheckoutEnvelope = send(Request::get(&path(public_id, &rest)).build()).await?;
    Ok(envelope.data)
}

/// A payment made on this link, as its confirmation showed it.
pub async fn receipt(public_id: &str, payment_id: &str) -> Result<Receipt, ApiError> {
    let rest = format!("/payments/{}", js_sys::encode_uri_component(payment_id));
    let envelope: ReceiptEnvelope = send(Request::get(&path(public_id, &rest)).build()).await?;
    Ok(envelope.data)
}
