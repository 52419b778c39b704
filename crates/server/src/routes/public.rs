//! `/public/payment-links/{public_id}`: what the checkout page needs, with no key and nothing private.

use crate::error::{ApiError, ApiResult, Reply};
use crate::markdown::to_safe_html;
use crate::store::LinkView;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use paylinks_api::{ErrorBody, LinkStatus, PaymentLink, PublicLineItem, PublicLinkEnvelope, PublicPaymentLink};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payment-links/{public_id}", get(retrieve))
        .route("/payment-links/{public_id}/checkout", post(super::checkout::checkout))
}

/// What the checkout page shows of a link.
pub fn public_view(link: &PaymentLink, merchant_name: &str) -> PublicPaymentLink {
    let position = |id: Option<uuid::Uuid>| link.line_items.iter().position(|item| Some(item.product_id) == id);
    let settings = link.settings.clone();
    let first = link.line_items.first().map(|item| &item.product_details);
    let recurring = first.and_then(|d| d.recurring.as_ref());
    PublicPaymentLink {
        active: link.status == LinkStatus::Active,
        product_name: first.map_or_else(|| link.name.clone(), |d| d.name.clone()),
        amount_minor: link.amount_minor,
        currency: link.currency.clone(),
        interval: recurring.map(|r| r.interval),
        interval_count: recurring.map(|r| r.interval_count),
        trial_period_days: None,
        checkout_url: link.url.clone(),
        public_id: link.public_id.clone(),
        name: link.name.clone(),
        merchant_name: merchant_name.to_string(),
        line_items: link
            .line_items
            .iter()
            .map(|item| PublicLineItem {
                name: item.product_details.name.clone(),
                description: item.product_details.description.clone(),
                unit_amount: item.product_details.unit_amount,
                currency: item.product_details.currency.clone(),
                quantity: item.quantity,
                interval: item.product_details.recurring.as_ref().map(|r| r.interval),
                interval_count: item.product_details.recurring.as_ref().map(|r| r.interval_count),
            })
            .collect(),
        selection_mode: link.selection_mode,
        collect_shipping: link.collect_shipping,
        allow_promotion_codes: link.allow_promotion_codes,
        livemode: link.livemode,
        link_type: settings.link_type,
        // Rendered only for the page (`retrieve`): a payment checks itself against this view
        // inside its write transaction and needs no HTML.
        description_html: None,
        description: settings.description,
        cover_image_url: settings.cover_image_url,
        allow_quantity_adjustment: settings.allow_quantity_adjustment,
        custom_amount: settings.custom_amount,
        collect_address: settings.collect_address,
        collect_phone: settings.collect_phone,
        custom_fields: settings.custom_fields,
        default_item: position(link.default_product_id),
        highlighted_item: position(link.highlighted_product_id),
    }
}

/// A payable link by public id. Missing, draft, inactive, archived, expired and completed links
/// all get the same 404, so the page reveals nothing about links that cannot be paid.
#[utoipa::path(get, path = "/public/payment-links/{public_id}", tag = "Public",
    params(("public_id" = String, Path, description = "The link's public id (pl_…)")),
    responses(
        (status = 200, description = "The payable link", body = PublicLinkEnvelope),
        (status = 404, description = "No payable link with this id", body = ErrorBody),
    ))]
pub async fn retrieve(State(state): State<AppState>, Path(public_id): Path<String>) -> ApiResult<Reply> {
    let view = LinkView { base_url: &state.config.public_base_url, now: state.clock.now() };
    let stored = state.store.get_public_link(&public_id, view).await?;
    let stored = stored.filter(|s| s.link.status == LinkStatus::Active).ok_or_else(ApiError::not_found)?;
    let mut data = public_view(&stored.link, &stored.merchant_name);
    data.description_html = data.description.as_deref().map(|text| to_safe_html(text, data.livemode));
    state.views.record(stored.link.id).await;
    Ok(Reply::json(StatusCode::OK, &PublicLinkEnvelope { data }))
}
