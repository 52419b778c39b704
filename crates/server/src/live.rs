//! Live payments through Stripe Checkout: the checkout in three phases on the write path, and
//! settling a payment once from whatever tells us first (Stripe's webhook, the customer's return,
//! the reconciler).
//!
//! Phase 1 records the payment `pending` with the exact session parameters it will send and, on a
//! capped link, holds one of its slots (completions + open sessions never exceed the cap).
//! Phase 2 asks Stripe for the session, holding no transaction, under Stripe's Idempotency-Key
//! `paylinks-{payment id}-{n}`: after no answer the same key is sent again (so a retry never makes
//! a second session); after a definite 5xx, `n` moves on (Stripe replays a 5xx under its key).
//! Phase 3 stores the session and the answer. A retry after a crash resumes after the last
//! committed phase.

use crate::error::{ApiError, ApiResult, Reply};
use crate::purchase::{completed_checkout, limit_charges, payment_record, plan, release_code, result_of};
use crate::state::AppState;
use crate::store::{Completion, LiveAttempt, Scope};
use crate::stripe::{with_expiry, Session, SessionRequest, Stripe, StripeError};
use crate::write::{record_in, BetweenPhases, WriteTx};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use paylinks_api::checkout::{CheckoutEnvelope, PaymentStatus};
use paylinks_api::discount::spread_discount;
use paylinks_api::event::{EventRequest, EventType, ExpiredCheckout};
use paylinks_api::payment::Payment;
use paylinks_api::ErrorCode;
use uuid::Uuid;

/// How long a Checkout Session stays open: Stripe's minimum (30 minutes) and a minute for clock
/// skew. Its slot on a capped link is held as long.
pub const SESSION_LIFETIME: Duration = Duration::minutes(31);

/// The shortest time a Checkout Session may be open when it is made (Stripe's rule).
const STRIPE_MINIMUM_OPEN: Duration = Duration::minutes(30);

/// The recovery point after phase 1, followed by the payment's id.
const RECORDED: &str = "payment_recorded:";

/// What a customer is told when Stripe cannot be reached or fails.
const UNAVAILABLE: &str = "Payments are unavailable right now; you have not been charged. Try again in a minute.";

/// Seconds a customer is asked to wait before retrying after Stripe failed.
const RETRY_AFTER_SECONDS: u64 = 5;

/// `POST …/checkout` for a live link, from wherever its write stands.
pub async fn checkout(
    state: &AppState,
    stripe: &Stripe,
    mut write: WriteTx,
    scope: Scope,
    link_id: Uuid,
    body: &[u8],
) -> Reply {
    let (payment_id, between) = match write.recovery_point().strip_prefix(RECORDED).map(str::to_string) {
        // A retry after a crash past phase 1: the payment is there; go on to Stripe.
        Some(payment_id) => {
            let point = format!("{RECORDED}{payment_id}");
            (payment_id, write.checkpoint(&point).await)
        }
        None => match record_pending(state, &mut write, scope, link_id, body).await {
            Ok(payment_id) => {
                let point = format!("{RECORDED}{payment_id}");
                (payment_id, write.checkpoint(&point).await)
            }
            Err(err) => return write.finish(Err(err)).await,
        },
    };
    let between = match between {
        Ok(between) => between,
        Err(err) => return err.into(),
    };
    match create_session(state, stripe, between, &payment_id).await {
        Ok(reply) | Err(reply) => reply,
    }
}

/// Phase 1: the payment, pending, with its session's parameters and (on a capped link) a slot.
async fn record_pending(
    state: &AppState,
    write: &mut WriteTx,
    scope: Scope,
    link_id: Uuid,
    body: &[u8],
) -> ApiResult<String> {
    // One checkout of this link at a time from here to commit: counting the open slots and
    // taking one is then a single step.
    write.db().lock_link(link_id).await?;
    let (link, _, plan) = plan(state, write, scope, link_id, body).await?;
    limit_charges(state, link.id)?;
    let now = write.now();
    if let Some(cap) = link.max_completions {
        if link.completed_count + write.db().open_reservations(link.id, now).await? >= cap {
            return Err(ApiError::new(
                ErrorCode::SoldOut,
                "All spots are taken right now by customers who are paying; try again in a few minutes.",
            ));
        }
    }
    let payment = payment_record(&link, &plan, PaymentStatus::Pending, None, now);
    let expires = now + SESSION_LIFETIME;
    // Stripe is sent the discounted lines: it charges exactly the total the customer was shown.
    let lines = match &plan.discount {
        Some(discount) => spread_discount(&plan.lines, discount.amount_minor),
        None => plan.lines.clone(),
    };
    let params = SessionRequest {
        payment_id: &payment.id,
        link_id: &link.id.to_string(),
        public_id: &link.public_id,
        base_url: &state.config.public_base_url,
        currency: &plan.currency,
        customer_email: &plan.email,
        lines: &lines,
        expires_at: expires.timestamp(),
    }
    .params();
    let live = LiveAttempt { params, attempt: 1, session_id: None, session_url: None, reserved_until: expires };
    write.db().insert_live_payment(scope, &payment, &live).await?;
    Ok(payment.id)
}

/// Phases 2 and 3: the session at Stripe, then the answer that sends the customer there.
async fn create_session(
    state: &AppState,
    stripe: &Stripe,
    between: BetweenPhases,
    payment_id: &str,
) -> Result<Reply, Reply> {
    let found = state.store.live_payment(payment_id).await.map_err(ApiError::from)?;
    let found = found.ok_or_else(|| ApiError::new(ErrorCode::InternalError, "The payment is missing."))?;
    if found.payment.status != PaymentStatus::Pending || found.live.session_id.is_some() {
        // Settled meanwhile (its session expired while the customer was away): say how it
        // ended; or its session is made already: back to it.
        let redirect = found.live.session_url.clone().filter(|_| found.payment.status == PaymentStatus::Pending);
        let mut write = between.resume(state).await?;
        let reply = answer(state, &mut write, found.scope, &found.payment, redirect).await;
        return Ok(write.finish(reply).await);
    }
    let mut found = found;
    let mut between = between;
    let created = loop {
        let key = format!("paylinks-{payment_id}-{}", found.live.attempt);
        match stripe.create_session(&found.live.params, &key).await {
            // Stripe made no session under this key (it would have answered with it): a retry
            // after a crash came too late for the expiry fixed in phase 1. While the payment
            // still holds its slot, fix a new expiry under the next key (once: the new one is
            // far enough ahead).
            Err(StripeError::Refused { param: Some(param), .. })
                if param == "expires_at"
                    && still_holds_slot_but_too_soon(found.live.reserved_until, state.clock.now()) =>
            {
                let expires = state.clock.now() + SESSION_LIFETIME;
                let params = with_expiry(&found.live.params, expires.timestamp());
                let mut write = between.resume(state).await?;
                write.db().refresh_session_expiry(payment_id, &params, expires).await.map_err(ApiError::from)?;
                between = write.checkpoint(&format!("{RECORDED}{payment_id}")).await?;
                found.live =
                    LiveAttempt { params, attempt: found.live.attempt + 1, reserved_until: expires, ..found.live };
            }
            other => break other,
        }
    };
    match created {
        Ok(session) => {
            let mut write = between.resume(state).await?;
            let url = session.url.clone().unwrap_or_default();
            // The checkout is Stripe's session from here on: its id is the one the customer comes
            // back with (and what a success_url's {CHECKOUT_ID} says).
            let payment = Payment { checkout_id: session.id.clone(), ..found.payment.clone() };
            // Phase 3: the payment knows its session.
            let reply = match write.db().set_session(&payment, &url).await.map_err(ApiError::from) {
                Ok(()) => answer(state, &mut write, found.scope, &payment, Some(url)).await,
                Err(err) => Err(err),
            };
            Ok(write.finish(reply).await)
        }
        Err(StripeError::Server(status)) => {
            tracing::warn!(payment_id, status, "Stripe failed to make a Checkout Session; the next try uses a new key");
            let mut write = between.resume(state).await?;
            write.db().next_stripe_attempt(payment_id).await.map_err(ApiError::from)?;
            let between = write.checkpoint(&format!("{RECORDED}{payment_id}")).await?;
            Err(retry_later(state, between, ErrorCode::ProcessorError).await)
        }
        Err(err @ StripeError::NoAnswer(_)) => {
            tracing::warn!(payment_id, error = %err, "no answer from Stripe; a retry sends the same key");
            Err(retry_later(state, between, ErrorCode::ServiceUnavailable).await)
        }
        Err(err @ StripeError::Refused { .. }) => {
            // Our parameters or the key: retrying will not help. The customer is told plainly.
            tracing::error!(payment_id, error = %err, "Stripe refused to make a Checkout Session");
            let mut write = between.resume(state).await?;
            let mut payment = found.payment.clone();
            payment.status = PaymentStatus::Failed;
            payment.failure_code = Some("payments_unavailable".into());
            payment.failure_message = Some("Payments are unavailable right now; you have not been charged.".into());
            let reply = match fail(&mut write, found.scope, &payment).await {
                Ok(()) => answer(state, &mut write, found.scope, &payment, None).await,
                Err(err) => Err(err),
            };
            Ok(write.finish(reply).await)
        }
    }
}

/// Whether a pending payment's slot is still held (its reservation has not lapsed, so no other
/// customer can have taken it) yet its session's fixed expiry is too close for Stripe to open one.
fn still_holds_slot_but_too_soon(reserved_until: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < reserved_until && reserved_until <= now + STRIPE_MINIMUM_OPEN
}

async fn fail(write: &mut WriteTx, scope: Scope, payment: &Payment) -> ApiResult<()> {
    write.db().update_payment(payment).await?;
    release_code(write.db(), scope, payment).await?;
    write.record(EventType::PaymentFailed, payment, None).await
}

/// A 502/503 asking the customer to retry; the key is let go so that the retry runs at once.
async fn retry_later(state: &AppState, between: BetweenPhases, code: ErrorCode) -> Reply {
    if let Err(err) = between.release(state).await {
        return err.into();
    }
    let mut error = ApiError::new(code, UNAVAILABLE);
    error.retry_after = Some(RETRY_AFTER_SECONDS);
    error.into()
}

/// The checkout's answer for `payment` as it stands; with `redirect`, the page (Stripe's) the
/// customer goes to now.
async fn answer(
    state: &AppState,
    write: &mut WriteTx,
    scope: Scope,
    payment: &Payment,
    redirect: Option<String>,
) -> ApiResult<Reply> {
    let now = write.now();
    let stored = write.db().find_link(scope, &payment.payment_link_id.to_string(), now).await?;
    let stored = stored.ok_or_else(ApiError::not_found)?;
    let link = state.link_view().show(stored.link);
    let result = result_of(&link, &stored.merchant_name, payment, redirect);
    Ok(Reply::json(StatusCode::OK, &CheckoutEnvelope { data: result }))
}

/// How Stripe's word settles a pending payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Paid,
    Failed,
    Expired,
    /// Nothing final yet (an open session, or a bank payment still on its way).
    Waiting,
}

fn verdict(event_type: Option<&str>, session: &Session) -> Verdict {
    if event_type == Some("checkout.session.async_payment_failed") {
        return Verdict::Failed;
    }
    match (session.status.as_deref(), session.payment_status.as_str()) {
        (Some("complete"), "paid" | "no_payment_required") => Verdict::Paid,
        (Some("expired"), _) => Verdict::Expired,
        _ => Verdict::Waiting,
    }
}

/// What Stripe said about a session: in a webhook event (`event` = id and type, each processed
/// once), or when asked.
pub struct StripeWord<'a> {
    pub session: &'a Session,
    pub event: Option<(&'a str, &'a str)>,
}

/// Settles the payment Stripe's word is about, once: whichever of the webhook, the customer's
/// return and the reconciler comes first settles it; the others find it settled. A paid session
/// whose amount or currency is not the payment's is marked `needs_review` and counts nothing.
pub async fn settle(state: &AppState, word: StripeWord<'_>) -> ApiResult<()> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if let Some((id, event_type)) = word.event {
        if !tx.first_time_event(id, event_type, now).await? {
            return Ok(());
        }
    }
    let Some(payment_id) = word.session.client_reference_id.as_deref() else {
        tx.commit().await?;
        return Ok(());
    };
    let Some(found) = tx.live_payment(payment_id).await? else {
        tracing::warn!(payment_id, "Stripe spoke of a payment paylinks does not have");
        tx.commit().await?;
        return Ok(());
    };
    if found.payment.status != PaymentStatus::Pending {
        tx.commit().await?;
        return Ok(());
    }
    let session = word.session;
    let mut payment = found.payment.clone();
    payment.processor_reference = Some(session.id.clone()).filter(|id| !id.is_empty());
    let verdict = verdict(word.event.map(|(_, t)| t), session);
    payment.status = match verdict {
        Verdict::Waiting => {
            tx.commit().await?;
            return Ok(());
        }
        Verdict::Paid => {
            let same_amount = session.amount_total == Some(payment.amount_minor)
                && session.currency.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&payment.currency));
            if !same_amount {
                tracing::warn!(payment_id, stripe_amount = ?session.amount_total, stripe_currency = ?session.currency,
                    amount = payment.amount_minor, currency = %payment.currency,
                    "Stripe's amount is not the payment's: marked needs_review, not counted");
                PaymentStatus::NeedsReview
            } else if tx
                .count_completion(payment.payment_link_id, payment.amount_minor, now, Completion::Settled)
                .await?
            {
                PaymentStatus::Succeeded
            } else {
                tracing::warn!(payment_id, "a paid session found its link full: marked needs_review");
                PaymentStatus::NeedsReview
            }
        }
        Verdict::Failed => {
            payment.failure_code = Some("payment_failed".into());
            payment.failure_message = Some("The payment did not go through; you have not been charged.".into());
            PaymentStatus::Failed
        }
        Verdict::Expired => {
            payment.failure_code = Some("expired".into());
            payment.failure_message = Some("The payment was not finished in time; you have not been charged.".into());
            PaymentStatus::Expired
        }
    };
    tx.update_payment(&payment).await?;
    if matches!(payment.status, PaymentStatus::Failed | PaymentStatus::Expired) {
        release_code(&mut tx, found.scope, &payment).await?;
    }
    crate::telemetry::payment(paylinks_api::WireEnum::as_str(payment.status), true);
    let request = EventRequest::default();
    match payment.status {
        PaymentStatus::Succeeded => {
            let link = tx.find_link(found.scope, &payment.payment_link_id.to_string(), now).await?;
            record_in(&mut tx, found.scope, EventType::PaymentSucceeded, &payment, None, request.clone(), now).await?;
            if let Some(stored) = link {
                let completed = completed_checkout(&stored.link, &payment);
                record_in(&mut tx, found.scope, EventType::CheckoutSessionCompleted, &completed, None, request, now)
                    .await?;
            }
        }
        PaymentStatus::Failed => {
            record_in(&mut tx, found.scope, EventType::PaymentFailed, &payment, None, request, now).await?;
        }
        PaymentStatus::Expired => {
            record_in(&mut tx, found.scope, EventType::PaymentFailed, &payment, None, request.clone(), now).await?;
            let link = tx.find_link(found.scope, &payment.payment_link_id.to_string(), now).await?;
            if let Some(stored) = link {
                let expired = ExpiredCheckout {
                    payment_id: payment.id.clone(),
                    session_id: payment.processor_reference.clone().unwrap_or_default(),
                    payment_link_id: payment.payment_link_id,
                    public_id: stored.link.public_id,
                };
                record_in(&mut tx, found.scope, EventType::CheckoutSessionExpired, &expired, None, request, now)
                    .await?;
            }
        }
        _ => {}
    }
    tx.commit().await?;
    Ok(())
}

/// Settles, from Stripe's own answer, the pending live payments whose sessions should have
/// ended, so a lost webhook never leaves a slot held or a paid customer unrecorded.
pub async fn reconcile_once(state: &AppState, stripe: &Stripe) -> ApiResult<usize> {
    let now = state.clock.now();
    let due = state.store.claim_for_reconcile(now, 50).await?;
    for payment_id in &due {
        let Some(found) = state.store.live_payment(payment_id).await? else { continue };
        match &found.live.session_id {
            Some(session_id) => match stripe.get_session(session_id).await {
                Ok(session) => settle(state, StripeWord { session: &session, event: None }).await?,
                Err(err) => tracing::warn!(payment_id, error = %err, "could not ask Stripe about a session"),
            },
            // No session was stored: if Stripe made one, its fixed expiry has passed unpaid.
            None if found.live.reserved_until <= now => {
                let session = Session {
                    id: String::new(),
                    url: None,
                    status: Some("expired".into()),
                    payment_status: "unpaid".into(),
                    amount_total: None,
                    currency: None,
                    client_reference_id: Some(payment_id.clone()),
                };
                settle(state, StripeWord { session: &session, event: None }).await?;
            }
            None => {}
        }
    }
    Ok(due.len())
}

/// The reconciler: every `every`, for as long as the server runs.
pub async fn reconcile(state: AppState, stripe: Stripe, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(err) = reconcile_once(&state, &stripe).await {
            tracing::warn!(error = ?err.body, "the reconciler will try again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_expiry_is_renewed_only_while_the_slot_is_held() {
        let now = Utc::now();
        let minutes = |m| now + Duration::minutes(m);
        // A retry a minute or more after phase 1: the slot is held, Stripe needs 30 minutes.
        assert!(still_holds_slot_but_too_soon(minutes(29), now));
        assert!(still_holds_slot_but_too_soon(minutes(1), now));
        // Far enough ahead: Stripe's refusal is about something else.
        assert!(!still_holds_slot_but_too_soon(minutes(31), now));
        // The reservation has lapsed: another customer may hold the slot now.
        assert!(!still_holds_slot_but_too_soon(now, now));
        assert!(!still_holds_slot_but_too_soon(minutes(-5), now));
    }
}
