//! Promotion codes: ext `/v2/discounts` (create, list, get, update; deactivate with
//! `is_active: false`) in the vendor's `CreateDiscountInput` names, and the checkout page's check
//! of a code (ext `POST /public/payment-links/{public_id}/promotion-code`). The code is
//! redeemed, and re-checked, inside the payment's own transaction (`purchase::plan`).

use crate::auth::Authed;
use crate::body::JsonBody;
use crate::client_ip::{client_bucket, ClientIp};
use crate::error::{ApiError, ApiResult, IdempotencyKeyHeader, KeyErrors, Reply};
use crate::routes::catalog::id_of;
use crate::state::AppState;
use crate::store::Scope;
use crate::write::{keyed_write as write, WriteTx};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use paylinks_api::discount::{
    changed_discount, normalize_code, validate_discount, CreateDiscount, DiscountEnvelope, DiscountList,
    PromotionCheck, PromotionEnvelope, UpdateDiscount, DISCOUNT_UNSUPPORTED,
};
use paylinks_api::error::{parse_json, parse_json_supporting};
use paylinks_api::webhook::{ListParams, OffsetMeta};
use paylinks_api::{ErrorBody, FieldErrors};
use std::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_discounts, create_discount)).routes(routes!(get_discount, update_discount))
}

/// Every product a code names must be the scope's.
async fn check_products(write: &mut WriteTx, scope: Scope, ids: Option<&[Uuid]>) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    for (i, id) in ids.unwrap_or_default().iter().enumerate() {
        if write.db().find_product(scope, *id).await?.is_none() {
            errors.add(format!("product_ids[{i}]"), format!("no such product: {id}"));
        }
    }
    errors.into_result(()).map_err(ApiError::invalid)
}

/// Create a promotion code (ext).
#[utoipa::path(post, path = "/discounts", operation_id = "discounts_create", tag = "Discounts",
    request_body(content = CreateDiscount, example = json!({"code": "SUMMER10", "name": "Summer sale", "discount_type": "percentage", "discount_value": 10, "max_redemptions": 100})),
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created", body = DiscountEnvelope, links(
            ("get" = (operation_id = "discounts_get", parameters(("id" = "$response.body#/data/id")))),
            ("update" = (operation_id = "discounts_update", parameters(("id" = "$response.body#/data/id")))),
        )),
        (status = 400, description = "Invalid body, or a field paylinks does not support", body = ErrorBody),
        (status = 409, description = "Code already used, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn create_discount(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &body, async |write, scope| {
        let req: CreateDiscount = parse_json_supporting(&body, DISCOUNT_UNSUPPORTED).map_err(ApiError::invalid)?;
        let new = validate_discount(&req).map_err(ApiError::invalid)?;
        check_products(write, scope, req.product_ids.as_deref()).await?;
        let now = write.now();
        let data = write
            .db()
            .insert_discount(scope, &new, &req, now)
            .await
            .map_err(ApiError::unless_taken("code", "is already used by another promotion code"))?;
        Ok(Reply::json(StatusCode::CREATED, &DiscountEnvelope { data }))
    })
    .await
}

/// The promotion codes, newest first, with their redemptions (ext).
#[utoipa::path(get, path = "/discounts", operation_id = "discounts_list", tag = "Discounts",
    params(("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 20"),
           ("offset" = Option<i64>, Query, minimum = 0, description = "0 or more, default 0")),
    responses(
        (status = 200, description = "A page of codes", body = DiscountList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_discounts(
    State(state): State<AppState>,
    authed: Authed,
    RawQuery(query): RawQuery,
) -> ApiResult<Reply> {
    let params = ListParams::parse(query.as_deref().unwrap_or_default(), &[]).map_err(ApiError::invalid)?;
    let (data, total) = state.store.list_discounts(authed.scope(), params.limit, params.offset).await?;
    let has_more = params.offset + (data.len() as i64) < total;
    let meta = OffsetMeta { total, limit: params.limit, offset: params.offset, has_more };
    Ok(Reply::json(StatusCode::OK, &DiscountList { data, meta }))
}

/// One promotion code (ext).
#[utoipa::path(get, path = "/discounts/{id}", operation_id = "discounts_get", tag = "Discounts",
    params(("id" = String, Path, description = "The code's id (a UUID)")),
    responses(
        (status = 200, description = "The code", body = DiscountEnvelope),
        (status = 404, description = "No such code for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn get_discount(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let id = id_of(&id, "promotion code")?;
    let data =
        state.store.get_discount(authed.scope(), id).await?.ok_or_else(|| ApiError::missing("promotion code"))?;
    Ok(Reply::json(StatusCode::OK, &DiscountEnvelope { data }))
}

/// Change a promotion code; `is_active: false` deactivates it (ext).
#[utoipa::path(patch, path = "/discounts/{id}", operation_id = "discounts_update", tag = "Discounts",
    request_body = UpdateDiscount,
    params(("id" = String, Path, description = "The code's id (a UUID)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The changed code", body = DiscountEnvelope),
        (status = 400, description = "Invalid body, or a field paylinks does not support", body = ErrorBody),
        (status = 404, description = "No such code for this key", body = ErrorBody),
        (status = 409, description = "Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn update_discount(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::PATCH, &uri, &headers, &body, async |write, scope| {
        let id = id_of(&id, "promotion code")?;
        let req: UpdateDiscount = parse_json_supporting(&body, DISCOUNT_UNSUPPORTED).map_err(ApiError::invalid)?;
        let stored = write.db().find_discount(scope, id).await?.ok_or_else(|| ApiError::missing("promotion code"))?;
        let next = changed_discount(&stored, &req).map_err(ApiError::invalid)?;
        if let Some(ids) = &req.product_ids {
            check_products(write, scope, ids.as_deref()).await?;
        }
        let now = write.now();
        write.db().update_discount(&next, now).await?;
        let data = write.db().find_discount(scope, id).await?.ok_or_else(|| ApiError::missing("promotion code"))?;
        Ok(Reply::json(StatusCode::OK, &DiscountEnvelope { data }))
    })
    .await
}

/// Check a promotion code on a link before paying (ext): the rule, for the page to show the
/// discount and the new total. Paying checks it again.
#[utoipa::path(post, path = "/payment-links/{public_id}/promotion-code", operation_id = "public_payment_links_promotion_code", tag = "Public",
    request_body(content = PromotionCheck, example = json!({"promotion_code": "SUMMER10"})),
    params(("public_id" = String, Path, description = "The link's public id (pl_…)")),
    responses(
        (status = 200, description = "The code applies to this link", body = PromotionEnvelope),
        (status = 400, description = "No such code, or it cannot be used now (promotion_code says why)", body = ErrorBody),
        (status = 404, description = "No payable link with this id", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody),
    ))]
pub async fn check_code(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody,
) -> ApiResult<Reply> {
    let now = state.link_view().now;
    let stored = crate::routes::public::payable(state.store.get_public_link(&public_id, now).await?)?;
    // Guessing codes costs what guessing cards does.
    if let Some((per_client, _)) = state.config.rate_limit.for_checkout() {
        let bucket = format!("promotion-client:{}", client_bucket(client));
        state.limiter.check(&bucket, per_client, Instant::now()).map_err(ApiError::rate_limited)?;
    }
    let req: PromotionCheck = parse_json(&body).map_err(ApiError::invalid)?;
    let typed: String = req.promotion_code.trim().chars().take(40).collect();
    let refuse = |why: &str| ApiError::field("promotion_code", &format!("\"{typed}\" {why}"));
    if !stored.link.allow_promotion_codes {
        return Err(ApiError::field("promotion_code", "this link does not accept promotion codes"));
    }
    let scope = Scope { merchant_id: stored.link.merchant_id, livemode: stored.link.livemode };
    let found = state.store.get_code(scope, &normalize_code(&typed)).await?;
    let discount = found.ok_or_else(|| refuse("is not a valid promotion code"))?;
    if let Some(why) = discount.refusal(now) {
        return Err(refuse(why));
    }
    Ok(Reply::json(StatusCode::OK, &PromotionEnvelope { data: discount.promotion() }))
}
