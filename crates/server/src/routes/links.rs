//! `/v2/payment-links`: create, list, get, status changes and the deprecated status routes.

use crate::auth::Authed;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, IdempotencyKeyHeader, KeyErrors, Reply};
use crate::idempotency::WriteRequest;
use crate::state::AppState;
use crate::store::{Scope, StatusChange, StoredLink};
use crate::write::WriteTx;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use paylinks_api::edit::{previous_attributes, request_of, validate_edit, EditRefusal};
use paylinks_api::error::parse_json;
use paylinks_api::event::EventType;
use paylinks_api::validate::{validate_create, Catalog, Context};
use paylinks_api::{
    CreatePaymentLink, ErrorBody, ErrorCode, ExpireRequest, FieldErrors, LinkStatus, ListQuery, Pagination,
    PaymentLink, PaymentLinkList, StatusResult, UpdateStatus, WireEnum,
};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[allow(deprecated)] // the deprecated routes keep working
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(retrieve))
        .routes(routes!(change_status))
        .routes(routes!(expire))
        .routes(routes!(deactivate))
        .routes(routes!(activate))
        .routes(routes!(archive))
}

/// Create a payment link.
#[utoipa::path(post, path = "/payment-links", operation_id = "payment_links_create", tag = "Payment Links",
    request_body(content = CreatePaymentLink, example = json!({"name": "Coffee beans", "amount_minor": 1500, "currency": "USD"})),
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created", body = PaymentLink, links(
            ("get" = (operation_id = "payment_links_get", parameters(("id" = "$response.body#/id")))),
            ("update_status" = (operation_id = "payment_links_update", parameters(("id" = "$response.body#/id")))),
            ("expire" = (operation_id = "payment_links_expire", parameters(("id" = "$response.body#/id")))),
            ("deactivate" = (operation_id = "payment_links_deactivate", parameters(("id" = "$response.body#/id")))),
            ("activate" = (operation_id = "payment_links_activate", parameters(("id" = "$response.body#/id")))),
            ("archive" = (operation_id = "payment_links_archive", parameters(("id" = "$response.body#/id")))),
            ("payments" = (operation_id = "payment_links_payments", parameters(("id" = "$response.body#/id")))),
            ("stats" = (operation_id = "payment_links_stats", parameters(("id" = "$response.body#/id")))),
            ("public_get" = (operation_id = "public_payment_links_get", parameters(("public_id" = "$response.body#/public_id")))),
            ("public_checkout" = (operation_id = "public_payment_links_checkout", parameters(("public_id" = "$response.body#/public_id")))),
        )),
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
    let request =
        WriteRequest { body_key_allowed: true, ..WriteRequest::new(scope, &Method::POST, uri.path(), &headers, &body) };
    let mut write = match WriteTx::begin(&state, request).await {
        Ok(write) => write,
        Err(answer) => return answer,
    };
    let outcome = create_link(&state, &mut write, scope, &body).await;
    write.finish(outcome).await
}

async fn create_link(state: &AppState, write: &mut WriteTx, scope: Scope, body: &[u8]) -> ApiResult<Reply> {
    let req: CreatePaymentLink = parse_json(body).map_err(ApiError::invalid)?;
    let link = insert_link(state, write, scope, &req).await?;
    Ok(Reply::json(StatusCode::CREATED, &link))
}

/// Creates the link `req` asks for (every API's create ends here) and records it.
pub(crate) async fn insert_link(
    state: &AppState,
    write: &mut WriteTx,
    scope: Scope,
    req: &CreatePaymentLink,
) -> ApiResult<PaymentLink> {
    let now = write.now();
    let catalog = load_catalog(write, scope, req).await?;
    let new = validate_create(req, &Context { livemode: scope.livemode, now }, &catalog).map_err(ApiError::invalid)?;
    let stored = write.db().insert_link(scope, &new, now).await.map_err(slug_taken())?;
    let link = state.link_view().show(stored.link);
    write.record(EventType::PaymentLinkCreated, &link, None).await?;
    Ok(link)
}

/// Changes `current` to what `req` describes (a request made from `edit::request_of`, then
/// changed), under the edit rules, and records what changed. Every API's edit ends here.
pub(crate) async fn edit_link(
    state: &AppState,
    write: &mut WriteTx,
    scope: Scope,
    current: &StoredLink,
    req: &CreatePaymentLink,
) -> ApiResult<PaymentLink> {
    let (now, view) = (write.now(), state.link_view());
    let catalog = load_catalog(write, scope, req).await?;
    let ctx = Context { livemode: scope.livemode, now };
    let new = validate_edit(&current.link, req, &ctx, &catalog).map_err(|refusal| match refusal {
        EditRefusal::Invalid(errors) => ApiError::invalid(errors),
        EditRefusal::Locked(errors) => ApiError::conflict(errors),
    })?;
    // An edit that changes nothing writes nothing (and records no event).
    let as_it_is = validate_edit(&current.link, &request_of(&current.link), &ctx, &catalog);
    if as_it_is.is_ok_and(|same| same == new) {
        return Ok(view.show(current.link.clone()));
    }
    match write.db().update_link(scope, current, &new, now).await.map_err(slug_taken())? {
        StatusChange::LostRace => return Err(lost_race()),
        StatusChange::Changed => {}
    }
    let id = current.link.id.to_string();
    let after = write.db().find_link(scope, &id, now).await?.ok_or_else(ApiError::not_found)?;
    let (before, after) = (view.show(current.link.clone()), view.show(after.link));
    let as_json = |link: &PaymentLink| serde_json::to_value(link).expect("links serialise");
    let previous = previous_attributes(&as_json(&before), &as_json(&after));
    write.record(EventType::PaymentLinkUpdated, &after, Some(previous)).await?;
    Ok(after)
}

async fn load_catalog(write: &mut WriteTx, scope: Scope, req: &CreatePaymentLink) -> ApiResult<Catalog> {
    let (price_ids, product_ids) = req.referenced_ids();
    Ok(write.db().load_catalog(scope, &price_ids, &product_ids).await?)
}

fn slug_taken() -> impl Fn(sqlx::Error) -> ApiError {
    ApiError::unless_taken("slug", "is already used by another payment link")
}

fn lost_race() -> ApiError {
    ApiError::new(ErrorCode::Conflict, "The payment link was changed by another request; fetch it and retry.")
}

/// List payment links, newest first (or by name or revenue, ext).
#[utoipa::path(get, path = "/payment-links", operation_id = "payment_links_list", tag = "Payment Links",
    params(
        ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 25"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "0 or more, default 0"),
        ("status" = Option<LinkStatus>, Query, description = "Status as of now"),
        ("mode" = Option<paylinks_api::LinkMode>, Query),
        ("search" = Option<String>, Query, description = "Case-insensitive substring of name or slug, or an exact id / public_id"),
        ("sort" = inline(Option<paylinks_api::LinkSort>), Query, description = "ext: created (newest first, the default), name (A to Z) or revenue (most first)"),
    ),
    responses(
        (status = 200, description = "A page of links", body = PaymentLinkList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list(State(state): State<AppState>, authed: Authed, RawQuery(query): RawQuery) -> ApiResult<Reply> {
    let filter = ListQuery::parse(query.as_deref().unwrap_or_default()).map_err(ApiError::invalid)?;
    let view = state.link_view();
    let (links, total) = state.store.list_links(authed.scope(), &filter, view.now).await?;
    let pagination = Pagination::new(filter.limit, filter.offset, total, links.len());
    let data = links.into_iter().map(|link| view.show(link)).collect();
    Ok(Reply::json(StatusCode::OK, &PaymentLinkList { data, pagination }))
}

/// Get a payment link by UUID or public_id.
#[utoipa::path(get, path = "/payment-links/{id}", operation_id = "payment_links_get", tag = "Payment Links",
    params(("id" = String, Path, description = "UUID or public_id")),
    responses(
        (status = 200, description = "The link", body = PaymentLink),
        (status = 404, description = "No such link for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn retrieve(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let view = state.link_view();
    let stored = state.store.get_link(authed.scope(), &id, view.now).await?.ok_or_else(ApiError::not_found)?;
    Ok(Reply::json(StatusCode::OK, &view.show(stored.link)))
}

/// Moves a link to `to` following the transition table (the same state again is a no-op);
/// returns the status it had before and the link after.
async fn transition(
    state: &AppState,
    write: &mut WriteTx,
    scope: Scope,
    id: &str,
    to: LinkStatus,
) -> ApiResult<(LinkStatus, PaymentLink)> {
    let (now, view) = (write.now(), state.link_view());
    let current = write.db().find_link(scope, id, now).await?.ok_or_else(ApiError::not_found)?;
    let from = current.link.status;
    if from == to {
        return Ok((from, view.show(current.link)));
    }
    if !from.can_become(to) {
        return Err(ApiError::field(
            "status",
            &format!("cannot change a payment link from {} to {}", from.as_str(), to.as_str()),
        ));
    }
    match write.db().update_status(scope, current.link.id, current.version, to, now).await? {
        StatusChange::LostRace => Err(lost_race()),
        StatusChange::Changed => {
            let after = write.db().find_link(scope, id, now).await?.ok_or_else(ApiError::not_found)?;
            let after = view.show(after.link);
            let before = json!({ "status": from });
            write.record(EventType::PaymentLinkUpdated, &after, Some(before)).await?;
            Ok((from, after))
        }
    }
}

/// What distinguishes one status route from another.
struct StatusRoute {
    /// The status the body asks for (or the route implies).
    target: fn(&[u8]) -> Result<LinkStatus, FieldErrors>,
    /// The reply, given the status before and the link after.
    render: fn(LinkStatus, &PaymentLink) -> ApiResult<Reply>,
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
    let reply = match WriteTx::begin(&state, WriteRequest::new(scope, &method, path, &headers, &body)).await {
        Ok(mut write) => {
            let outcome = change_to(&state, &mut write, &route, scope, &id, &body).await;
            write.finish(outcome).await
        }
        Err(answer) => answer,
    };
    if !route.deprecated {
        return reply;
    }
    let successor = format!("</v2/payment-links/{id}/status>; rel=\"successor-version\"");
    let link = HeaderValue::try_from(successor).unwrap_or(HeaderValue::from_static("</v2/payment-links>"));
    reply
        .with_header(HeaderName::from_static("deprecation"), HeaderValue::from_static("true"))
        .with_header(HeaderName::from_static("link"), link)
}

async fn change_to(
    state: &AppState,
    write: &mut WriteTx,
    route: &StatusRoute,
    scope: Scope,
    id: &str,
    body: &[u8],
) -> ApiResult<Reply> {
    let to = (route.target)(body).map_err(ApiError::invalid)?;
    let (before, after) = transition(state, write, scope, id, to).await?;
    (route.render)(before, &after)
}

fn status_result(_before: LinkStatus, link: &PaymentLink) -> ApiResult<Reply> {
    Ok(Reply::json(StatusCode::OK, &StatusResult::from(link)))
}

/// Change the status of a payment link.
#[utoipa::path(patch, path = "/payment-links/{id}/status", operation_id = "payment_links_update", tag = "Payment Links",
    request_body = UpdateStatus,
    params(("id" = String, Path, description = "UUID or public_id"), IdempotencyKeyHeader),
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
#[utoipa::path(post, path = "/payment-links/{id}/expire", operation_id = "payment_links_expire", tag = "Payment Links",
    request_body = Option<ExpireRequest>,
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
                paylinks_api::rules::check_text(&mut errors, "reason", reason, 500);
                errors.into_result(())?;
            }
        }
        Ok(LinkStatus::Expired)
    }
    fn render(before: LinkStatus, link: &PaymentLink) -> ApiResult<Reply> {
        if before == LinkStatus::Expired {
            return Err(ApiError::field("status", "the payment link is already expired"));
        }
        Ok(Reply::json(StatusCode::OK, link))
    }
    let route = StatusRoute { target, render, deprecated: true };
    status_route(route, state, authed, id, uri.path(), headers, body).await
}

macro_rules! deprecated_status_route {
    ($name:ident, $status:expr, $path:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, operation_id = concat!("payment_links_", stringify!($name)), tag = "Payment Links",
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
    "/payment-links/{id}/deactivate",
    "Deprecated: use PATCH …/status with `inactive`."
);
deprecated_status_route!(
    activate,
    LinkStatus::Active,
    "/payment-links/{id}/activate",
    "Deprecated: use PATCH …/status with `active`."
);
deprecated_status_route!(
    archive,
    LinkStatus::Archived,
    "/payment-links/{id}/archive",
    "Deprecated: use PATCH …/status with `archived`."
);
