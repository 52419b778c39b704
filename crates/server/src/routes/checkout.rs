//! ext `POST /public/payment-links/{public_id}/checkout`: a customer pays a link. The total is
//! computed here from the stored link; the card goes to the processor and is never stored.

use crate::body::JsonBody;
use crate::client_ip::{client_bucket, ClientIp};
use crate::error::{ApiError, ApiResult, IdempotencyKeyHeader, Reply};
use crate::idempotency::{canonical_json, WriteRequest};
use crate::ids::random_base62;
use crate::markdown::to_safe_html;
use crate::processor::{Charge, ChargeOutcome};
use crate::state::AppState;
use crate::store::Scope;
use crate::write::WriteTx;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use paylinks_api::card::{contains_card_number, redact_card_numbers};
use paylinks_api::checkout::{CheckoutEnvelope, CheckoutRequest, CheckoutResult, NextStep, PaymentStatus};
use paylinks_api::checkout_rules::{validate_checkout, CheckoutPlan};
use paylinks_api::error::parse_json;
use paylinks_api::event::{CompletedCheckout, EventType};
use paylinks_api::money::minor_to_major_string;
use paylinks_api::payment::Payment;
use paylinks_api::{AfterCompletion, Currency, ErrorBody, FieldErrors, PaymentLink, PublicPaymentLink};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::Instant;
use uuid::Uuid;

/// Pay a link (ext).
#[utoipa::path(post, path = "/payment-links/{public_id}/checkout", operation_id = "public_payment_links_checkout", tag = "Public",
    request_body(content = CheckoutRequest, example = json!({
        "email": "ada@example.com", "name": "Ada Lovelace", "card": {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}})),
    params(("public_id" = String, Path, description = "The link's public id (pl_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The payment ran: succeeded or failed (see status)", body = CheckoutEnvelope, links(
            ("receipt" = (operation_id = "public_payment_links_receipt", parameters(
                ("public_id" = "$request.path.public_id"), ("payment_id" = "$response.body#/data/payment_id")))),
        )),
        (status = 400, description = "A field is missing or invalid", body = ErrorBody),
        (status = 404, description = "No payable link with this id", body = ErrorBody),
        (status = 409, description = "Idempotency-Key reused for a different request", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address or on this link", body = ErrorBody),
        (status = 503, description = "Briefly unavailable; retry", body = ErrorBody),
    ))]
pub async fn checkout(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    // Only a real link's attempts spend a bucket (so junk ids cannot grow the limiter).
    // Whatever its state: a retry of a payment that completed the link must still be replayed
    // (below), and whether it may be paid is decided inside the write.
    let link = match state.store.get_public_link(&public_id, state.link_view().now).await {
        Ok(Some(stored)) => stored.link,
        Ok(None) => return ApiError::not_found().into(),
        Err(err) => return ApiError::from(err).into(),
    };
    if let Some((per_client, _)) = state.config.rate_limit.for_checkout() {
        let bucket = format!("checkout-client:{}", client_bucket(client));
        if let Err(wait) = state.limiter.check(&bucket, per_client, Instant::now()) {
            return ApiError::rate_limited(wait).into();
        }
    }
    let scope = Scope { merchant_id: link.merchant_id, livemode: link.livemode };
    let fingerprinted = redact_card(&body);
    // Scoped by the link itself, however its id was spelled in the address.
    let path = format!("/public/payment-links/{}/checkout", link.id);
    let request = WriteRequest::new(scope, &Method::POST, &path, &headers, &fingerprinted);
    let mut write = match WriteTx::begin(&state, request).await {
        Ok(write) => write,
        Err(answer) => return answer,
    };
    let outcome = pay(&state, &mut write, scope, link.id, &body).await;
    write.finish(outcome).await
}

/// Charges the card for the link as stored now and records the payment and what happened.
async fn pay(state: &AppState, write: &mut WriteTx, scope: Scope, link_id: Uuid, body: &[u8]) -> ApiResult<Reply> {
    let req: CheckoutRequest = parse_json(body).map_err(|e| ApiError::invalid(hide_card_values(e)))?;
    let now = write.now();
    // Read again inside the write: the link may have changed since the first look.
    let stored = write.db().find_link(scope, &link_id.to_string(), now).await?;
    let stored = super::public::payable(stored)?;
    let link = state.link_view().show(stored.link);
    let plan = validate_checkout(&req, &PublicPaymentLink::from_link(&link, &stored.merchant_name), now)
        .map_err(ApiError::invalid)?;
    limit_charges(state, link.id)?;
    let mut outcome = charge(state, &link, &plan).await;
    if outcome == ChargeOutcome::Succeeded && !write.db().count_completion(link.id, plan.amount_minor, now).await? {
        outcome = ChargeOutcome::Failed {
            code: "link_unavailable",
            message: "This payment link is no longer available; you have not been charged.",
        };
    }
    let payment = payment_record(&link, &plan, &outcome, now);
    write.db().insert_payment(scope, &payment).await?;
    crate::telemetry::payment(paylinks_api::WireEnum::as_str(payment.status), link.livemode);
    let succeeded = payment.status == PaymentStatus::Succeeded;
    let event_type = if succeeded { EventType::PaymentSucceeded } else { EventType::PaymentFailed };
    write.record(event_type, &payment, None).await?;
    if succeeded {
        write.record(EventType::CheckoutSessionCompleted, &completed_checkout(&link, &payment), None).await?;
    }
    let result = CheckoutResult {
        next: succeeded.then(|| next_step(&link, &payment)),
        receipt: succeeded.then(|| super::public::receipt_of(&link, &stored.merchant_name, &payment)),
        status: payment.status,
        payment_id: payment.id,
        checkout_id: payment.checkout_id,
        amount_minor: payment.amount_minor,
        currency: payment.currency,
        failure_code: payment.failure_code,
        failure_message: payment.failure_message,
    };
    Ok(Reply::json(StatusCode::OK, &CheckoutEnvelope { data: result }))
}

fn completed_checkout(link: &PaymentLink, payment: &Payment) -> CompletedCheckout {
    CompletedCheckout {
        payment_id: payment.id.clone(),
        checkout_id: payment.checkout_id.clone(),
        payment_link_id: link.id,
        public_id: link.public_id.clone(),
        amount_minor: payment.amount_minor,
        currency: payment.currency.clone(),
        customer_email: payment.customer_email.clone(),
        customer_name: payment.customer_name.clone(),
        custom_fields: payment.custom_fields.clone(),
        line_items: payment.line_items.clone(),
    }
}

/// Against card testing: charges per link (only attempts that reach the processor count, so
/// invalid requests cannot lock a link), unless limits are off. Its 429 is not stored under the
/// Idempotency-Key: a retry after the wait runs.
fn limit_charges(state: &AppState, link_id: Uuid) -> ApiResult<()> {
    let Some((_, per_link)) = state.config.rate_limit.for_checkout() else { return Ok(()) };
    let bucket = format!("checkout-link:{link_id}");
    state.limiter.check(&bucket, per_link, Instant::now()).map_err(ApiError::rate_limited)
}

/// The body as idempotency fingerprints it: no card number anywhere in it (the card's cut to its
/// last four digits, any other card-shaped value likewise) and no security code, so no hash of a
/// card number is ever stored.
fn redact_card(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return b"(not JSON)".to_vec();
    };
    if let Some(card) = value.get_mut("card").and_then(|c| c.as_object_mut()) {
        card.remove("cvc");
        if let Some(number) = card.get_mut("number") {
            let digits: String = number.to_string().chars().filter(char::is_ascii_digit).collect();
            *number = serde_json::Value::String(digits[digits.len().saturating_sub(4)..].to_string());
        }
    }
    redact_everywhere(&mut value);
    canonical_json(&value).into_bytes()
}

/// Cuts every card number in every string and number of `value` (a `card` sent as text, a card
/// typed into a question) to its last four digits.
fn redact_everywhere(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) => *text = redact_card_numbers(text),
        Value::Number(number) if contains_card_number(&number.to_string()) => {
            *value = Value::String(redact_card_numbers(&number.to_string()));
        }
        Value::Array(items) => items.iter_mut().for_each(redact_everywhere),
        Value::Object(fields) => fields.values_mut().for_each(redact_everywhere),
        _ => {}
    }
}

/// Parse errors can quote what was sent (a number where text was expected): under `card`, keep
/// the field and drop the quote; anywhere else, cut any card number in it.
fn hide_card_values(errors: FieldErrors) -> FieldErrors {
    errors.map(|field, messages| {
        if field.starts_with("card") {
            vec!["is not valid: send number, expiry and cvc as text".to_string()]
        } else {
            messages.iter().map(|m| redact_card_numbers(m)).collect()
        }
    })
}

async fn charge(state: &AppState, link: &PaymentLink, plan: &CheckoutPlan) -> ChargeOutcome {
    let Some(processor) = state.processor(link.livemode) else {
        return ChargeOutcome::Failed {
            code: "live_payments_unavailable",
            message: "This merchant cannot take live payments yet; you have not been charged.",
        };
    };
    processor.charge(Charge { card: &plan.card, amount_minor: plan.amount_minor, currency: &plan.currency }).await
}

fn payment_record(
    link: &PaymentLink,
    plan: &CheckoutPlan,
    outcome: &ChargeOutcome,
    now: chrono::DateTime<chrono::Utc>,
) -> Payment {
    let (status, failure_code, failure_message) = match outcome {
        ChargeOutcome::Succeeded => (PaymentStatus::Succeeded, None, None),
        ChargeOutcome::Failed { code, message } => {
            (PaymentStatus::Failed, Some(code.to_string()), Some(message.to_string()))
        }
    };
    Payment {
        id: format!("py_{}", random_base62(20)),
        checkout_id: format!("cs_{}", random_base62(20)),
        payment_link_id: link.id,
        status,
        amount_minor: plan.amount_minor,
        currency: plan.currency.clone(),
        line_items: plan.lines.clone(),
        customer_email: plan.email.clone(),
        customer_name: plan.name.clone(),
        customer_phone: plan.phone.clone(),
        billing_address: plan.billing_address.clone(),
        shipping_address: plan.shipping_address.clone(),
        custom_fields: plan.custom_fields.clone(),
        card_brand: plan.card_brand.as_str().to_string(),
        card_last4: plan.card.last4(),
        failure_code,
        failure_message,
        livemode: link.livemode,
        created_at: now,
    }
}

/// After a success: the link's `success_url` with its placeholders filled, or the confirmation.
fn next_step(link: &PaymentLink, payment: &Payment) -> NextStep {
    let settings = &link.settings;
    match (&link.success_url, settings.after_completion) {
        (Some(url), AfterCompletion::Redirect) => {
            let amount = Currency::parse(&payment.currency)
                .map_or_else(|| payment.amount_minor.to_string(), |c| minor_to_major_string(payment.amount_minor, c));
            let values = [
                ("CHECKOUT_ID", payment.checkout_id.as_str()),
                ("PAYMENT_ID", payment.id.as_str()),
                ("AMOUNT", amount.as_str()),
                ("CURRENCY", payment.currency.as_str()),
                ("CUSTOMER_ID", settings.customer_id.as_deref().unwrap_or_default()),
            ];
            // A stored URL is written out as parsed: braces in its path are percent-encoded.
            let url = values.iter().fold(url.clone(), |url, (name, value)| {
                let value = percent_encode(value);
                url.replace(&format!("{{{name}}}"), &value).replace(&format!("%7B{name}%7D"), &value)
            });
            NextStep::Redirect { url }
        }
        _ => NextStep::Confirmation {
            message: settings.confirmation_message.clone(),
            message_html: settings.confirmation_message.as_deref().map(|text| to_safe_html(text, link.livemode)),
        },
    }
}

/// Everything but RFC 3986's unreserved characters.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_last_four_only() {
        let body = br#"{"card":{"number":"4111 1111 1111 1111","expiry":"12/30","cvc":"123"},"email":"a@b.co"}"#;
        let redacted = String::from_utf8(redact_card(body)).unwrap();
        assert_eq!(redacted, r#"{"card":{"expiry":"12/30","number":"1111"},"email":"a@b.co"}"#);
        assert_eq!(redact_card(b"{not json"), b"(not JSON)");
        // A card sent as text, or typed anywhere else, is cut too.
        for body in [
            &br#"{"card":"4111 1111 1111 1111"}"#[..],
            br#"{"card":4111111111111111}"#,
            br#"{"name":"4111-1111-1111-1111","custom_fields":{"note":"my card 4242424242424242"}}"#,
        ] {
            let redacted = String::from_utf8(redact_card(body)).unwrap();
            assert!(
                !redacted.contains("1111 1111") && !redacted.contains("41111111") && !redacted.contains("4242424242"),
                "{redacted}"
            );
        }
    }

    #[test]
    fn placeholders_are_url_encoded() {
        assert_eq!(percent_encode("a b&c/ü"), "a%20b%26c%2F%C3%BC");
        assert_eq!(percent_encode("cus_1.2-3~"), "cus_1.2-3~");
    }
}
