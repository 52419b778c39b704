//! `/public/payment-links/{public_id}`: what the checkout page needs, with no key and nothing private.

use crate::error::{ApiError, ApiResult, Reply};
use crate::markdown::to_safe_html;
use crate::state::AppState;
use crate::store::StoredLink;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use paylinks_api::checkout::{PaymentStatus, Receipt, ReceiptEnvelope};
use paylinks_api::checkout_rules::renewal;
use paylinks_api::error::{ErrorDetails, UnavailableReason};
use paylinks_api::payment::Payment;
use paylinks_api::{ErrorBody, ErrorCode, LinkStatus, PaymentLink, PublicLinkEnvelope, PublicPaymentLink};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(retrieve)).routes(routes!(receipt))
}

/// A payable link by public id. Missing, draft, inactive, archived, expired and completed links
/// all get 404 `resource_missing`; only a paused, expired or sold-out link says why.
#[utoipa::path(get, path = "/payment-links/{public_id}", operation_id = "public_payment_links_get", tag = "Public",
    params(("public_id" = String, Path, description = "The link's public id (pl_…)")),
    responses(
        (status = 200, description = "The payable link", body = PublicLinkEnvelope, links(
            ("checkout" = (operation_id = "public_payment_links_checkout", parameters(("public_id" = "$response.body#/data/public_id")))),
            ("promotion_code" = (operation_id = "public_payment_links_promotion_code", parameters(("public_id" = "$response.body#/data/public_id")))),
        )),
        (status = 404, description = "No payable link with this id", body = ErrorBody),
    ))]
pub async fn retrieve(State(state): State<AppState>, Path(public_id): Path<String>) -> ApiResult<Reply> {
    let view = state.link_view();
    let stored = state.store.get_public_link(&public_id, view.now).await?;
    let stored = payable(stored)?;
    let link_id = stored.link.id;
    let mut data = PublicPaymentLink::from_link(&view.show(stored.link), &stored.merchant_name);
    data.description_html = data.description.as_deref().map(|text| to_safe_html(text, data.livemode));
    state.views.record(link_id).await;
    Ok(Reply::json(StatusCode::OK, &PublicLinkEnvelope { data }))
}

/// A successful payment on a link, as its customer saw it (ext): what the confirmation shows
/// again on a reload, whatever the link's state now. Failed, unknown or another link's payment ids
/// get 404.
#[utoipa::path(get, path = "/payment-links/{public_id}/payments/{payment_id}", operation_id = "public_payment_links_receipt", tag = "Public",
    params(
        ("public_id" = String, Path, description = "The link's public id (pl_…)"),
        ("payment_id" = String, Path, description = "The payment's id (py_…)"),
    ),
    responses(
        (status = 200, description = "The receipt", body = ReceiptEnvelope),
        (status = 404, description = "No successful payment with this id on this link", body = ErrorBody),
    ))]
pub async fn receipt(
    State(state): State<AppState>,
    Path((public_id, payment_id)): Path<(String, String)>,
) -> ApiResult<Reply> {
    let missing = || ApiError::new(ErrorCode::ResourceMissing, "No such payment.");
    let view = state.link_view();
    let stored = state.store.get_public_link(&public_id, view.now).await?.ok_or_else(missing)?;
    let payment = state.store.get_payment(stored.link.id, &payment_id).await?;
    let payment = payment.filter(|p| p.status == PaymentStatus::Succeeded).ok_or_else(missing)?;
    let data = receipt_of(&stored.link, &stored.merchant_name, &payment);
    // It names the customer: never kept by a shared cache.
    Ok(Reply::json(StatusCode::OK, &ReceiptEnvelope { data })
        .with_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// What the customer sees of a successful payment, now and on every later visit.
pub(crate) fn receipt_of(link: &PaymentLink, merchant_name: &str, payment: &Payment) -> Receipt {
    Receipt {
        payment_id: payment.id.clone(),
        link_name: link.name.clone(),
        merchant_name: merchant_name.to_string(),
        amount_minor: payment.amount_minor,
        currency: payment.currency.clone(),
        line_items: payment.line_items.clone(),
        discount: payment.discount.clone(),
        renewal: renewal(&payment.line_items),
        customer_email: payment.customer_email.clone(),
        card_brand: payment.card_brand.clone(),
        card_last4: payment.card_last4.clone(),
        paid_at: payment.created_at,
        message_html: link.settings.confirmation_message.as_deref().map(|text| to_safe_html(text, link.livemode)),
        livemode: payment.livemode,
    }
}

/// The link if a customer may pay it now. Otherwise the contract's 404: for a paused, expired or
/// sold-out link with why, the merchant's name and message (whoever holds an unguessable public
/// id already knows the link exists); for a missing, draft or archived one, nothing at all.
pub(crate) fn payable(stored: Option<StoredLink>) -> Result<StoredLink, ApiError> {
    let Some(stored) = stored else { return Err(ApiError::not_found()) };
    let (reason, sentence) = match stored.link.status {
        LinkStatus::Active => return Ok(stored),
        LinkStatus::Inactive => (UnavailableReason::Paused, "This payment link is paused."),
        LinkStatus::Expired => (UnavailableReason::Expired, "This payment link has expired."),
        LinkStatus::Completed => (UnavailableReason::SoldOut, "This payment link has reached its limit."),
        LinkStatus::Draft | LinkStatus::Archived => return Err(ApiError::not_found()),
    };
    let mut error = ApiError::new(ErrorCode::ResourceMissing, sentence);
    error.body.details = Some(ErrorDetails {
        reason: Some(reason),
        merchant_name: Some(stored.merchant_name),
        message: stored.link.settings.inactive_message,
        ..ErrorDetails::default()
    });
    Err(error)
}
