//! `/v2/payment-links`: create, list, get, status changes and the deprecated status routes.

use crate::auth::Authed;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, Reply};
use crate::idempotency::{run_write, WriteRequest};
use crate::openapi::KeyErrors;
use crate::store::{
    find_link, insert_link, is_unique_violation, load_catalog, update_status, Conn, LinkView, Scope, StatusChange,
    StoredLink,
};
use crate::AppState;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::{get, patch, post};
use axum::Router;
use paylinks_api::error::parse_json;
use paylinks_api::validate::{validate_create, Context};
use paylinks_api::{
    CreatePaymentLink, ErrorBody, ErrorCode, ExpireRequest, FieldErrors, LinkStatus, ListQuery, Pagination,
    PaymentLink, PaymentLinkList, StatusResult, UpdateStatus,
};

#[allow(deprecated)] // the deprecated routes keep working
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payment-links", get(list).post(create))
        .route("/payment-links/{id}", get(retrieve))
        .route("/payment-links/{id}/status", patch(change_status))
        .route("/payment-links/{id}/expire", post(expire))
        .route("/payment-links/{id}/deactivate", post(deactivate))
        .route("/payment-links/{id}/activate", post(activate))
        .route("/payment-links/{id}/archive", post(archive))
}

/// Create a payment link.
#[utoipa::path(post, path = "/v2/payment-links", tag = "Payment Links", request_body = CreatePaymentLink,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[ -~]+$", description = "1-255 printable ASCII; retries with the same key replay the first response")),
    responses(
        (status = 201, description = "Created", body = PaymentLink),
        (status = 400, description = "Malformed JSON, unknown field or failed validation", body = ErrorBody),
        (status = 409, description = "Slug taken, or Idempotency-Key conflict / in progress", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    let scope = authed.scope();
    let request = WriteRequest {
        scope,
        method: &Method::POST,
        path: uri.path(),
        headers: &headers,
        body_key_allowed: true,
        body: &body,
    };
    let (state2, body2) = (state.clone(), body.clone());
    run_write(&state, request, move |conn| {
        Box::pin(async move {
            let req: CreatePaymentLink = parse_json(&body2).map_err(ApiError::invalid)?;
            let now = state2.clock.now();
            let (price_ids, product_ids) = req.referenced_ids();
            let catalog = load_catalog(conn, scope, &price_ids, &product_ids).await?;
            let new = validate_create(&req, &Context { livemode: scope.livemode, now }, &catalog)
                .map_err(ApiError::invalid)?;
            let view = LinkView { base_url: &state2.config.public_base_url, now };
            let stored = insert_link(conn, scope, &new, view).await.map_err(|err| {
                if is_unique_violation(&err) {
                    ApiError::taken("slug", "is already used by another payment link")
                } else {
                    err.into()
                }
            })?;
            Ok(Reply::json(StatusCode::CREATED, &stored.link))
        })
    })
    .await
}

/// List payment links, newest first.
#[utoipa::path(get, path = "/v2/payment-links", tag = "Payment Links",
    params(
        ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 25"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "0 or more, default 0"),
        ("status" = Option<LinkStatus>, Query, description = "Status as of now"),
        ("mode" = Option<paylinks_api::LinkMode>, Query),
        ("search" = Option<String>, Query, description = "Case-insensitive substring of name or slug, or an exact id / public_id"),
    ),
    responses(
        (status = 200, description = "A page of links", body = PaymentLinkList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list(State(state): State<AppState>, authed: Authed, RawQuery(query): RawQuery) -> ApiResult<Reply> {
    let filter = ListQuery::parse(query.as_deref().unwrap_or_default()).map_err(ApiError::invalid)?;
    let view = LinkView { base_url: &state.config.public_base_url, now: state.clock.now() };
    let (data, total) = state.store.list_links(authed.scope(), &filter, view).await?;
    let pagination = Pagination {
        limit: filter.limit,
        offset: filter.offset,
        total,
        has_more: filter.offset + (data.len() as i64) < total,
    };
    Ok(Reply::json(StatusCode::OK, &PaymentLinkList { data, pagination }))
}

/// Get a payment link by UUID or public_id.
#[utoipa::path(get, path = "/v2/payment-links/{id}", tag = "Payment Links",
    params(("id" = String, Path, description = "UUID or public_id")),
    responses(
        (status = 200, description = "The link", body = PaymentLink),
        (status = 404, description = "No such link for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn retrieve(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let view = LinkView { base_url: &state.config.public_base_url, now: state.clock.now() };
    let stored = state.store.get_link(authed.scope(), &id, view).await?.ok_or_else(ApiError::not_found)?;
    Ok(Reply::json(StatusCode::OK, &stored.link))
}

/// Moves a link to `to` following the transition table (the same state again is a no-op);
/// returns the status it had before and the link after.
async fn transition(
    conn: &mut Conn,
    state: &AppState,
    scope: Scope,
    id: &str,
    to: LinkStatus,
) -> ApiResult<(LinkStatus, StoredLink)> {
    let now = state.clock.now();
    let view = LinkView { base_url: &state.config.public_base_url, now };
    let current = find_link(conn, scope, id, view).await?.ok_or_else(ApiError::not_found)?;
    let from = current.link.status;
    if from == to {
        return Ok((from, current));
    }
    if !from.can_become(to) {
        return Err(ApiError::field(
            "status",
            &format!("cannot change a payment link from {} to {}", from.as_str(), to.as_str()),
        ));
    }
    match update_status(conn, scope, current.link.id, current.version, to, now).await? {
        StatusChange::LostRace => Err(ApiError::new(
            ErrorCode::Conflict,
            "The payment link was changed by another request; fetch it and retry.",
        )),
        StatusChange::Changed => Ok((from, find_link(conn, scope, id, view).await?.ok_or_else(ApiError::not_found)?)),
    }
}

/// What distinguishes one status route from another.
struct StatusRoute {
    /// The status the body asks for (or the route implies).
    target: fn(&[u8]) -> Result<LinkStatus, FieldErrors>,
    /// The reply, given the status before and the link after.
    render: fn(LinkStatus, &StoredLink) -> ApiResult<Reply>,
    deprecated: bool,
}

/// Parses the body and runs one transition under idempotency; deprecated routes say so.
async fn status_route(
    route: StatusRoute,
    state: AppState,
    authed: Authed,
    id: String,
    path: &str,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Reply {
    let scope = authed.scope();
    let method = if route.deprecated { Method::POST } else { Method::PATCH };
    let request =
        WriteRequest { scope, method: &method, path, headers: &headers, body_key_allowed: false, body: &body };
    let (state2, body2) = (state.clone(), body.clone());
    let successor = format!("</v2/payment-links/{id}/status>; rel=\"successor-version\"");
    let reply = run_write(&state, request, move |conn| {
        Box::pin(async move {
            let to = (route.target)(&body2).map_err(ApiError::invalid)?;
            let (before, after) = transition(conn, &state2, scope, &id, to).await?;
            (route.render)(before, &after)
        })
    })
    .await;
    if !route.deprecated {
        return reply;
    }
    let link = HeaderValue::try_from(successor).unwrap_or(HeaderValue::from_static("</v2/payment-links>"));
    reply
        .with_header(HeaderName::from_static("deprecation"), HeaderValue::from_static("true"))
        .with_header(HeaderName::from_static("link"), link)
}

fn status_result(_before: LinkStatus, stored: &StoredLink) -> ApiResult<Reply> {
    Ok(Reply::json(StatusCode::OK, &StatusResult::from(&stored.link)))
}

/// Change the status of a payment link.
#[utoipa::path(patch, path = "/v2/payment-links/{id}/status", tag = "Payment Links", request_body = UpdateStatus,
    params(("id" = String, Path, description = "UUID or public_id"),
           ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[ -~]+$")),
    responses(
        (status = 200, description = "The new status (unchanged when it was already the current one)", body = StatusResult),
        (status = 400, description = "Transition not allowed, or invalid body", body = ErrorBody),
        (status = 404, description = "No such link for this key", body = ErrorBody),
        (status = 409, description = "Lost a race with another change, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    let target = |body: &[u8]| parse_json::<UpdateStatus>(body).map(|u| LinkStatus::from(u.status));
    let route = StatusRoute { target, render: status_result, deprecated: false };
    status_route(route, state, authed, id, uri.path(), headers, body).await
}

/// Deprecated: use PATCH …/status with `expired`. Returns the full link.
#[utoipa::path(post, path = "/v2/payment-links/{id}/expire", tag = "Payment Links", request_body = Option<ExpireRequest>,
    params(("id" = String, Path, description = "UUID or public_id")),
    responses(
        (status = 200, description = "The expired link", body = PaymentLink),
        (status = 400, description = "Already expired, or not allowed from its state", body = ErrorBody),
        (status = 404, description = "No such link for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
#[deprecated]
pub async fn expire(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    fn target(body: &[u8]) -> Result<LinkStatus, FieldErrors> {
        if !body.is_empty() {
            let req: ExpireRequest = parse_json(body)?;
            if let Some(reason) = &req.reason {
                let mut errors = FieldErrors::default();
                paylinks_api::validate::check_text(&mut errors, "reason", reason, 500);
                errors.into_result(())?;
            }
        }
        Ok(LinkStatus::Expired)
    }
    fn render(before: LinkStatus, stored: &StoredLink) -> ApiResult<Reply> {
        if before == LinkStatus::Expired {
            return Err(ApiError::field("status", "the payment link is already expired"));
        }
        Ok(Reply::json(StatusCode::OK, &stored.link))
    }
    let route = StatusRoute { target, render, deprecated: true };
    status_route(route, state, authed, id, uri.path(), headers, body).await
}

macro_rules! deprecated_status_route {
    ($name:ident, $status:expr, $path:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "Payment Links",
                                    params(("id" = String, Path, description = "UUID or public_id")),
                                    responses(
                                        (status = 200, description = "The new status", body = StatusResult),
                                        (status = 400, description = "Transition not allowed", body = ErrorBody),
                                        (status = 404, description = "No such link for this key", body = ErrorBody),
                                        KeyErrors,
                                    ),
                                    security(("api_key" = [])))]
        #[deprecated]
        pub async fn $name(
            State(state): State<AppState>,
            authed: Authed,
            Path(id): Path<String>,
            OriginalUri(uri): OriginalUri,
            headers: HeaderMap,
            JsonBody(body): JsonBody,
        ) -> Reply {
            fn target(body: &[u8]) -> Result<LinkStatus, FieldErrors> {
                if !body.is_empty() {
                    parse_json::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(body)?
                        .keys()
                        .next()
                        .map_or(Ok(()), |k| Err(FieldErrors::single(k.clone(), "is not a known field")))?;
                }
                Ok($status)
            }
            let route = StatusRoute { target, render: status_result, deprecated: true };
            status_route(route, state, authed, id, uri.path(), headers, body).await
        }
    };
}

deprecated_status_route!(
    deactivate,
    LinkStatus::Inactive,
    "/v2/payment-links/{id}/deactivate",
    "Deprecated: use PATCH …/status with `inactive`."
);
deprecated_status_route!(
    activate,
    LinkStatus::Active,
    "/v2/payment-links/{id}/activate",
    "Deprecated: use PATCH …/status with `active`."
);
deprecated_status_route!(
    archive,
    LinkStatus::Archived,
    "/v2/payment-links/{id}/archive",
    "Deprecated: use PATCH …/status with `archived`."
);
