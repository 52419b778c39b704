//! What a checkout buys and records, shared by the sandbox's instant payments and live payments
//! through Stripe: the order on the link as stored now, the payment record, and what the customer
//! is told (where to go next, the receipt).

use crate::error::{ApiError, ApiResult};
use crate::ids::random_base62;
use crate::markdown::to_safe_html;
use crate::state::AppState;
use crate::store::{Scope, Tx};
use crate::write::WriteTx;
use paylinks_api::card::redact_card_numbers;
use paylinks_api::checkout::{CheckoutRequest, CheckoutResult, NextStep, PaymentStatus};
use paylinks_api::checkout_rules::{validate_checkout, CheckoutPlan};
use paylinks_api::discount::{normalize_code, Discount};
use paylinks_api::error::parse_json;
use paylinks_api::event::CompletedCheckout;
use paylinks_api::money::minor_to_major_string;
use paylinks_api::payment::Payment;
use paylinks_api::{AfterCompletion, Currency, FieldErrors, PaymentLink, PublicPaymentLink};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::Instant;
use uuid::Uuid;

/// What a checkout request buys on the link as stored now (read again inside the write: it may
/// have changed since the first look), if the link may be paid.
pub(crate) async fn plan(
    state: &AppState,
    write: &mut WriteTx,
    scope: Scope,
    link_id: Uuid,
    body: &[u8],
) -> ApiResult<(PaymentLink, String, CheckoutPlan)> {
    let req: CheckoutRequest = parse_json(body).map_err(|e| ApiError::invalid(hide_card_values(e)))?;
    let now = write.now();
    let stored = write.db().find_link(scope, &link_id.to_string(), now).await?;
    let stored = crate::routes::public::payable(stored)?;
    let link = state.link_view().show(stored.link);
    let typed = req.promotion_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let code = match typed {
        Some(typed) if link.allow_promotion_codes => write.db().find_code(scope, &normalize_code(typed)).await?,
        _ => None,
    };
    let public = PublicPaymentLink::from_link(&link, &stored.merchant_name);
    let checked = validate_checkout(&req, &public, now, code.as_ref().map(Discount::promotion).as_ref());
    let refusal = code.as_ref().and_then(|c| c.refusal(now)).map(|why| refused_code(typed.unwrap_or_default(), why));
    let plan = match (checked, refusal) {
        (Ok(plan), None) => plan,
        (Ok(_), Some(refusal)) => return Err(ApiError::invalid(refusal)),
        (Err(mut errors), refusal) => {
            errors.merge_missing(refusal.unwrap_or_default());
            return Err(ApiError::invalid(errors));
        }
    };
    // The redemption is taken before any charge (and given back if the payment fails): a code
    // used up a moment ago is refused before the customer pays.
    if let (Some(code), Some(_)) = (&code, &plan.discount) {
        if !write.db().redeem(code.id).await? {
            return Err(ApiError::invalid(refused_code(typed.unwrap_or_default(), "has been used up")));
        }
    }
    Ok((link, stored.merchant_name, plan))
}

fn refused_code(typed: &str, why: &str) -> FieldErrors {
    let shown: String = typed.chars().take(40).collect();
    FieldErrors::single("promotion_code", format!("\"{shown}\" {why}"))
}

/// Gives back the redemption a payment that did not go through took.
pub(crate) async fn release_code(tx: &mut Tx, scope: Scope, payment: &Payment) -> Result<(), sqlx::Error> {
    match &payment.discount {
        Some(discount) => tx.release_redemption(scope, &discount.code).await,
        None => Ok(()),
    }
}

/// What the customer is told of `payment`: on success where to go next and the receipt; a
/// pending payment with a page to go to (Stripe's) is an action for the customer to take.
pub(crate) fn result_of(
    link: &PaymentLink,
    merchant_name: &str,
    payment: &Payment,
    redirect: Option<String>,
) -> CheckoutResult {
    let succeeded = payment.status == PaymentStatus::Succeeded;
    let status = match (&redirect, payment.status) {
        (Some(_), PaymentStatus::Pending) => PaymentStatus::RequiresAction,
        (_, status) => status,
    };
    let next = match redirect {
        Some(url) => Some(NextStep::Redirect { url }),
        None => succeeded.then(|| next_step(link, payment)),
    };
    CheckoutResult {
        next,
        receipt: succeeded.then(|| crate::routes::public::receipt_of(link, merchant_name, payment)),
        status,
        payment_id: payment.id.clone(),
        checkout_id: payment.checkout_id.clone(),
        amount_minor: payment.amount_minor,
        currency: payment.currency.clone(),
        failure_code: payment.failure_code.clone(),
        failure_message: payment.failure_message.clone(),
    }
}

pub(crate) fn completed_checkout(link: &PaymentLink, payment: &Payment) -> CompletedCheckout {
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
pub(crate) fn limit_charges(state: &AppState, link_id: Uuid) -> ApiResult<()> {
    let Some((_, per_link)) = state.config.rate_limit.for_checkout() else { return Ok(()) };
    let bucket = format!("checkout-link:{link_id}");
    state.limiter.check(&bucket, per_link, Instant::now()).map_err(ApiError::rate_limited)
}

/// Parse errors can quote what was sent (a number where text was expected): under `card`, keep
/// the field and drop the quote; anywhere else, cut any card number in it.
pub(crate) fn hide_card_values(errors: FieldErrors) -> FieldErrors {
    errors.map(|field, messages| {
        if field.starts_with("card") {
            vec!["is not valid: send number, expiry and cvc as text".to_string()]
        } else {
            messages.iter().map(|m| redact_card_numbers(m)).collect()
        }
    })
}

/// The payment a checkout records: its order, its customer, its card's brand and last four (a
/// live payment's card stays on Stripe's page), and how it stands.
pub(crate) fn payment_record(
    link: &PaymentLink,
    plan: &CheckoutPlan,
    status: PaymentStatus,
    failure: Option<(&str, &str)>,
    now: chrono::DateTime<chrono::Utc>,
) -> Payment {
    let (card_brand, card_last4) =
        plan.card.as_ref().map_or_else(Default::default, |(card, brand)| (brand.as_str().to_string(), card.last4()));
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
        discount: plan.discount.clone(),
        card_brand,
        card_last4,
        failure_code: failure.map(|(code, _)| code.to_string()),
        failure_message: failure.map(|(_, message)| message.to_string()),
        processor_reference: None,
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
    fn placeholders_are_url_encoded() {
        assert_eq!(percent_encode("a b&c/ü"), "a%20b%26c%2F%C3%BC");
        assert_eq!(percent_encode("cus_1.2-3~"), "cus_1.2-3~");
    }
}
