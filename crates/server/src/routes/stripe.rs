//! What comes back from Stripe: its signed webhook events (`POST /webhooks/stripe`) and the
//! customer, sent back to the checkout page with a session id
//! (`GET /public/payment-links/{public_id}/sessions/{session_id}`).

use crate::error::{ApiError, ApiResult, Reply};
use crate::live::{settle, StripeWord};
use crate::purchase::result_of;
use crate::state::AppState;
use crate::stripe::{verify_signature, Event, Session};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paylinks_api::checkout::{CheckoutEnvelope, PaymentStatus};
use paylinks_api::{ErrorBody, ErrorCode};

/// The Checkout Session events paylinks acts on; Stripe may send others, which are acknowledged.
const HANDLED: [&str; 4] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
];

/// `POST /webhooks/stripe`: a bad or missing signature is a 400 and changes nothing; an event
/// already handled is acknowledged again; a failure to record it is a 5xx, so Stripe retries.
pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(stripe) = state.config.stripe.as_ref() else { return StatusCode::NOT_FOUND.into_response() };
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now = state.clock.now().timestamp();
    if let Err(why) = verify_signature(&stripe.config().webhook_secret, signature, &body, now) {
        tracing::warn!(why, "refused a webhook that is not Stripe's");
        return ApiError::new(ErrorCode::InvalidRequest, format!("Bad Stripe-Signature: {why}.")).into_response();
    }
    let Ok(event) = serde_json::from_slice::<Event>(&body) else {
        return ApiError::new(ErrorCode::InvalidRequest, "Not a Stripe event.").into_response();
    };
    if !HANDLED.contains(&event.event_type.as_str()) {
        return received();
    }
    let Ok(session) = serde_json::from_value::<Session>(event.data.object) else {
        return ApiError::new(ErrorCode::InvalidRequest, "The event's object is not a Checkout Session.")
            .into_response();
    };
    match settle(&state, StripeWord { session: &session, event: Some((&event.id, &event.event_type)) }).await {
        Ok(()) => received(),
        Err(err) => err.into_response(),
    }
}

fn received() -> Response {
    axum::Json(serde_json::json!({ "received": true })).into_response()
}

/// A live payment as its customer comes back from Stripe (ext): settled first if Stripe says it
/// is over and we had not heard yet. 404 for a session of another link.
#[utoipa::path(get, path = "/payment-links/{public_id}/sessions/{session_id}", operation_id = "public_payment_links_session", tag = "Public",
    params(
        ("public_id" = String, Path, description = "The link's public id (pl_…)"),
        ("session_id" = String, Path, description = "Stripe's Checkout Session id (cs_…), as Stripe sends the customer back with it"),
    ),
    responses(
        (status = 200, description = "The payment as it stands: succeeded (with the receipt), pending, failed, expired or needs_review", body = CheckoutEnvelope),
        (status = 404, description = "No live payment with this session on this link", body = ErrorBody),
    ))]
pub async fn session(
    State(state): State<AppState>,
    Path((public_id, session_id)): Path<(String, String)>,
) -> ApiResult<Reply> {
    let missing = || ApiError::new(ErrorCode::ResourceMissing, "No such payment.");
    let now = state.clock.now();
    let stored = state.store.get_public_link(&public_id, now).await?.ok_or_else(missing)?;
    let mut found = state.store.payment_by_session(stored.link.id, &session_id).await?.ok_or_else(missing)?;
    if let (PaymentStatus::Pending, Some(stripe)) = (found.payment.status, state.config.stripe.as_ref()) {
        match stripe.get_session(&session_id).await {
            Ok(session) => {
                settle(&state, StripeWord { session: &session, event: None }).await?;
                found = state.store.payment_by_session(stored.link.id, &session_id).await?.ok_or_else(missing)?;
            }
            // The page asks again; the webhook or the reconciler settles it meanwhile.
            Err(err) => tracing::warn!(session_id, error = %err, "could not ask Stripe about a returning customer"),
        }
    }
    let link = state.link_view().show(stored.link);
    let data = result_of(&link, &stored.merchant_name, &found.payment, None);
    // It names the customer: never kept by a shared cache.
    Ok(Reply::json(StatusCode::OK, &CheckoutEnvelope { data })
        .with_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}
