//! `/public/payment-links/{public_id}`: what the checkout page needs, with no key and nothing private.

use crate::error::{ApiError, ApiResult, Reply};
use crate::markdown::to_safe_html;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use paylinks_api::{ErrorBody, LinkStatus, PublicLinkEnvelope, PublicPaymentLink};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(retrieve))
}

/// A payable link by public id. Missing, draft, inactive, archived, expired and completed links
/// all get the same 404, so the page reveals nothing about links that cannot be paid.
#[utoipa::path(get, path = "/payment-links/{public_id}", tag = "Public",
    params(("public_id" = String, Path, description = "The link's public id (pl_…)")),
    responses(
        (status = 200, description = "The payable link", body = PublicLinkEnvelope),
        (status = 404, description = "No payable link with this id", body = ErrorBody),
    ))]
pub async fn retrieve(State(state): State<AppState>, Path(public_id): Path<String>) -> ApiResult<Reply> {
    let view = state.link_view();
    let stored = state.store.get_public_link(&public_id, view.now).await?;
    let stored = stored.filter(|s| s.link.status == LinkStatus::Active).ok_or_else(ApiError::not_found)?;
    let link_id = stored.link.id;
    let mut data = PublicPaymentLink::from_link(&view.show(stored.link), &stored.merchant_name);
    data.description_html = data.description.as_deref().map(|text| to_safe_html(text, data.livemode));
    state.views.record(link_id).await;
    Ok(Reply::json(StatusCode::OK, &PublicLinkEnvelope { data }))
}
