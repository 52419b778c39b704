//! ext `POST /public/payment-links/{public_id}/checkout`: a customer pays a link. The total is
//! computed here from the stored link. A sandbox link's test card goes to the sandbox processor
//! and is never stored; a live link sends the customer to Stripe's page (`live`).

use crate::body::JsonBody;
use crate::client_ip::{client_bucket, ClientIp};
use crate::error::{ApiError, ApiResult, IdempotencyKeyHeader, Reply};
use crate::idempotency::{canonical_json, WriteRequest};
use crate::processor::{Charge, ChargeOutcome};
use crate::purchase::{completed_checkout, limit_charges, payment_record, plan, release_code, result_of};
use crate::state::AppState;
use crate::store::{Completion, Scope};
use crate::write::WriteTx;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use paylinks_api::card::{contains_card_number, redact_card_numbers};
use paylinks_api::checkout::{CheckoutEnvelope, CheckoutRequest, PaymentStatus};
use paylinks_api::checkout_rules::CheckoutPlan;
use paylinks_api::event::EventType;
use paylinks_api::{ErrorBody, PaymentLink};
use std::time::Instant;
use uuid::Uuid;

/// Pay a link (ext).
#[utoipa::path(post, path = "/payment-links/{public_id}/checkout", operation_id = "public_payment_links_checkout", tag = "Public",
    request_body(content = CheckoutRequest, example = json!({
        "email": "ada@example.com", "name": "Ada Lovelace", "card": {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}})),
    params(("public_id" = String, Path, description = "The link's public id (pl_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The payment ran (succeeded or failed), or a live payment waits on Stripe's page (requires_action, with next.url)", body = CheckoutEnvelope, links(
            ("receipt" = (operation_id = "public_payment_links_receipt", parameters(
                ("public_id" = "$request.path.public_id"), ("payment_id" = "$response.body#/data/payment_id")))),
            ("session" = (operation_id = "public_payment_links_session", parameters(
                ("public_id" = "$request.path.public_id"), ("session_id" = "$response.body#/data/checkout_id")))),
        )),
        (status = 400, description = "A field is missing or invalid", body = ErrorBody),
        (status = 404, description = "No payable link with this id", body = ErrorBody),
        (status = 409, description = "Idempotency-Key reused for a different request, or every slot of a capped live link is held right now (sold_out)", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address or on this link", body = ErrorBody),
        (status = 502, description = "Stripe failed; the customer has not been charged (Retry-After)", body = ErrorBody),
        (status = 503, description = "Briefly unavailable, or no answer from Stripe; retry (Retry-After)", body = ErrorBody),
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
    // In a task of its own: a customer closing the tab drops this handler, never a phase of
    // the write half done.
    let task = tokio::spawn(run(state, link, headers, body));
    task.await.unwrap_or_else(|err| {
        tracing::error!(error = %err, "a checkout task failed");
        ApiError::unavailable().into()
    })
}

async fn run(state: AppState, link: PaymentLink, headers: HeaderMap, body: axum::body::Bytes) -> Reply {
    let scope = Scope { merchant_id: link.merchant_id, livemode: link.livemode };
    let fingerprinted = redact_card(&body);
    // Scoped by the link itself, however its id was spelled in the address.
    let path = format!("/public/payment-links/{}/checkout", link.id);
    let request = WriteRequest::new(scope, &Method::POST, &path, &headers, &fingerprinted);
    let mut write = match WriteTx::begin(&state, request).await {
        Ok(write) => write,
        Err(answer) => return answer,
    };
    if let (true, Some(stripe)) = (link.livemode, state.config.stripe.clone()) {
        return crate::live::checkout(&state, &stripe, write, scope, link.id, &body).await;
    }
    let outcome = pay(&state, &mut write, scope, link.id, &body).await;
    write.finish(outcome).await
}

/// Charges the card for the link as stored now and records the payment and what happened.
async fn pay(state: &AppState, write: &mut WriteTx, scope: Scope, link_id: Uuid, body: &[u8]) -> ApiResult<Reply> {
    let (link, merchant_name, plan) = plan(state, write, scope, link_id, body).await?;
    let now = write.now();
    limit_charges(state, link.id)?;
    let mut outcome = charge(state, &link, &plan).await;
    if outcome == ChargeOutcome::Succeeded
        && !write.db().count_completion(link.id, plan.amount_minor, now, Completion::WhilePayable).await?
    {
        outcome = ChargeOutcome::Failed {
            code: "link_unavailable",
            message: "This payment link is no longer available; you have not been charged.",
        };
    }
    let payment = match outcome {
        ChargeOutcome::Succeeded => payment_record(&link, &plan, PaymentStatus::Succeeded, None, now),
        ChargeOutcome::Failed { code, message } => {
            let payment = payment_record(&link, &plan, PaymentStatus::Failed, Some((code, message)), now);
            release_code(write.db(), scope, &payment).await?;
            payment
        }
    };
    write.db().insert_payment(scope, &payment).await?;
    crate::telemetry::payment(paylinks_api::WireEnum::as_str(payment.status), link.livemode);
    let succeeded = payment.status == PaymentStatus::Succeeded;
    let event_type = if succeeded { EventType::PaymentSucceeded } else { EventType::PaymentFailed };
    write.record(event_type, &payment, None).await?;
    if succeeded {
        write.record(EventType::CheckoutSessionCompleted, &completed_checkout(&link, &payment), None).await?;
    }
    Ok(Reply::json(StatusCode::OK, &CheckoutEnvelope { data: result_of(&link, &merchant_name, &payment, None) }))
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

async fn charge(state: &AppState, link: &PaymentLink, plan: &CheckoutPlan) -> ChargeOutcome {
    let Some(processor) = state.processor(link.livemode) else {
        return ChargeOutcome::Failed {
            code: "live_payments_unavailable",
            message: "This merchant cannot take live payments yet; you have not been charged.",
        };
    };
    let Some((card, _)) = &plan.card else {
        return ChargeOutcome::Failed { code: "card_declined", message: "Enter a card to pay." };
    };
    processor.charge(Charge { card, amount_minor: plan.amount_minor, currency: &plan.currency }).await
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
}
