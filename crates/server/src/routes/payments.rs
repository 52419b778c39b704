//! ext: what customers paid on a link: `/v2/payment-links/{id}/payments` and `…/stats`.

use crate::auth::Authed;
use crate::error::{ApiError, ApiResult, KeyErrors, Reply};
use crate::state::AppState;
use crate::store::StoredLink;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use paylinks_api::payment::{LinkStats, PaymentList};
use paylinks_api::{ErrorBody, ListQuery, Pagination};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_payments)).routes(routes!(stats))
}

async fn owned_link(state: &AppState, authed: &Authed, id: &str) -> ApiResult<StoredLink> {
    state.store.get_link(authed.scope(), id, state.link_view().now).await?.ok_or_else(ApiError::not_found)
}

/// Payments on a link, newest first (ext).
#[utoipa::path(get, path = "/payment-links/{id}/payments", operation_id = "payment_links_payments", tag = "Payment Links",
    params(("id" = String, Path, description = "UUID or public_id"),
           ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 25"),
           ("offset" = Option<i64>, Query, minimum = 0, description = "0 or more, default 0")),
    responses(
        (status = 200, description = "A page of payments", body = PaymentList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        (status = 404, description = "No such link for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_payments(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Reply> {
    // The list's paging rules; its filters do not apply to payments and are ignored.
    let page = ListQuery::parse(query.as_deref().unwrap_or_default()).map_err(ApiError::invalid)?;
    let link = owned_link(&state, &authed, &id).await?;
    let (data, total) = state.store.list_payments(authed.scope(), link.link.id, page.limit, page.offset).await?;
    let pagination = Pagination::new(page.limit, page.offset, total, data.len());
    Ok(Reply::json(StatusCode::OK, &PaymentList { data, pagination }))
}

/// Views, checkout attempts, successful payments and revenue of a link (ext).
#[utoipa::path(get, path = "/payment-links/{id}/stats", operation_id = "payment_links_stats", tag = "Payment Links",
    params(("id" = String, Path, description = "UUID or public_id")),
    responses(
        (status = 200, description = "The link's statistics", body = LinkStats),
        (status = 404, description = "No such link for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn stats(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let link = owned_link(&state, &authed, &id).await?;
    // Holding the unwritten views keeps a flush from landing between the two reads.
    let pending = state.views.pending().await;
    let mut stats = state.store.link_stats(authed.scope(), link.link.id).await?;
    stats.views += pending.get(&link.link.id).copied().unwrap_or(0);
    Ok(Reply::json(StatusCode::OK, &stats))
}
