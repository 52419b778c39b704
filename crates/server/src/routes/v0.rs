//! `/api/v0/payment-links`: Devdraft's API as a thin adapter over the v2 links. Bodies are
//! translated by `paylinks_api::v0` and then created, edited and shown exactly as v2 does it
//! (`links::insert_link`, `links::edit_link`); errors leave in Devdraft's shape through
//! `devdraft_errors`, whoever raised them (an extractor, a stored idempotent reply, the fallback).

use crate::auth::{key_owner, single_header};
use crate::body::{JsonBody, MAX_BODY_BYTES};
use crate::error::{ApiError, ApiResult, IdempotencyKeyHeader, Reply};
use crate::idempotency::WriteRequest;
use crate::routes::links::{edit_link, insert_link};
use crate::state::AppState;
use crate::store::{parse_key, Scope};
use crate::write::WriteTx;
use axum::body::Body;
use axum::extract::{FromRequestParts, OriginalUri, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paylinks_api::error::parse_json;
use paylinks_api::v0::{self, V0Error, V0LinkInput, V0PaymentLink};
use paylinks_api::{ErrorBody, ErrorCode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(retrieve, update))
}

/// The caller of a v0 route. `x-client-secret` is a whole paylinks API key and `x-client-key`
/// its public prefix (as `paylinks keys list` shows it); both must match.
pub struct Client(Scope);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let refused = || {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "Missing or invalid credentials: x-client-secret must be an active API key and x-client-key its prefix.",
            )
        };
        let header = |name| single_header(parts, name);
        let (Some(client_key), Some(secret)) = (header("x-client-key"), header("x-client-secret")) else {
            return Err(refused());
        };
        if parse_key(secret).is_none_or(|(_, prefix)| prefix != client_key) {
            return Err(refused());
        }
        let owner = key_owner(state, secret).await.map_err(|err| {
            if err.status() == StatusCode::UNAUTHORIZED {
                refused()
            } else {
                err
            }
        })?;
        Ok(Client(owner.scope()))
    }
}

/// v2's field errors under the names the v0 client sent.
fn v0_named(mut err: ApiError) -> ApiError {
    let fields = err.body.field_errors();
    if !fields.is_empty() {
        *err.body = ErrorBody::for_fields(err.body.error, v0::v0_errors(fields));
    }
    err
}

/// Middleware: every error response of the v0 routes in Devdraft's shape (`statusCode`,
/// `message`, `error`, and the field messages).
pub async fn devdraft_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if status.is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return (status, "").into_response();
    };
    let Ok(error) = serde_json::from_slice::<ErrorBody>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = serde_json::to_vec(&V0Error::of(status.as_u16(), reason, &error)).expect("errors serialise");
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// Create a payment link.
#[utoipa::path(post, path = "/payment-links", operation_id = "devdraft_payment_links_create", tag = "Devdraft v0",
    request_body(content = V0LinkInput, example = json!({
        "title": "Coffee beans", "url": "coffee-beans", "linkType": "PRODUCT", "amount": 15.0, "currency": "usdc"})),
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created", body = V0PaymentLink, links(
            ("get" = (operation_id = "devdraft_payment_links_get", parameters(("id" = "$response.body#/id")))),
            ("update" = (operation_id = "devdraft_payment_links_update", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "Malformed JSON, unknown field or failed validation (names the field)", body = V0Error),
        (status = 409, description = "url (slug) taken, or idempotency-key conflict / in progress", body = V0Error),
        (status = 413, description = "Body over 64 KiB", body = V0Error),
        ClientErrors,
    ),
    security(("client_key" = [], "client_secret" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Client(scope): Client,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    let request = WriteRequest::new(scope, &Method::POST, uri.path(), &headers, &body);
    let mut write = match WriteTx::begin(&state, request).await {
        Ok(write) => write,
        Err(answer) => return answer,
    };
    let outcome = create_link(&state, &mut write, scope, &body).await;
    write.finish(outcome).await
}

async fn create_link(state: &AppState, write: &mut WriteTx, scope: Scope, body: &[u8]) -> ApiResult<Reply> {
    let input: V0LinkInput = parse_json(body).map_err(ApiError::invalid)?;
    let request = v0::create_request(&input).map_err(ApiError::invalid)?;
    let link = insert_link(state, write, scope, &request).await.map_err(v0_named)?;
    Ok(Reply::json(StatusCode::CREATED, &V0PaymentLink::of(&link)))
}

/// List payment links, newest first, as a bare array.
#[utoipa::path(get, path = "/payment-links", operation_id = "devdraft_payment_links_list", tag = "Devdraft v0",
    params(
        ("skip" = Option<i64>, Query, minimum = 0, description = "How many to skip, default 0"),
        ("take" = Option<i64>, Query, minimum = 1, description = "How many to return: 1-100 (larger values are clamped), default 10"),
    ),
    responses(
        (status = 200, description = "A page of links", body = Vec<V0PaymentLink>),
        (status = 400, description = "Invalid skip or take", body = V0Error),
        ClientErrors,
    ),
    security(("client_key" = [], "client_secret" = [])))]
pub async fn list(State(state): State<AppState>, Client(scope): Client, RawQuery(query): RawQuery) -> ApiResult<Reply> {
    let filter = v0::list_query(query.as_deref().unwrap_or_default()).map_err(ApiError::invalid)?;
    let view = state.link_view();
    let (links, _) = state.store.list_links(scope, &filter, view.now).await?;
    let links: Vec<V0PaymentLink> = links.into_iter().map(|link| V0PaymentLink::of(&view.show(link))).collect();
    Ok(Reply::json(StatusCode::OK, &links))
}

/// Get a payment link by id.
#[utoipa::path(get, path = "/payment-links/{id}", operation_id = "devdraft_payment_links_get", tag = "Devdraft v0",
    params(("id" = String, Path, description = "The link's id (its v2 UUID) or public_id")),
    responses(
        (status = 200, description = "The link", body = V0PaymentLink),
        (status = 404, description = "No such link for these credentials", body = V0Error),
        ClientErrors,
    ),
    security(("client_key" = [], "client_secret" = [])))]
pub async fn retrieve(
    State(state): State<AppState>,
    Client(scope): Client,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    let view = state.link_view();
    let stored = state.store.get_link(scope, &id, view.now).await?.ok_or_else(ApiError::not_found)?;
    Ok(Reply::json(StatusCode::OK, &V0PaymentLink::of(&view.show(stored.link))))
}

/// Change some fields of a payment link; what the body leaves out (or sends as null) stays.
#[utoipa::path(put, path = "/payment-links/{id}", operation_id = "devdraft_payment_links_update", tag = "Devdraft v0",
    request_body = V0LinkInput,
    params(("id" = String, Path, description = "The link's id (its v2 UUID) or public_id"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The link after the change", body = V0PaymentLink),
        (status = 400, description = "Invalid field, or a linkType change", body = V0Error),
        (status = 404, description = "No such link for these credentials", body = V0Error),
        (status = 409, description = "url taken; the price cannot change after payments; lost a race; idempotency-key conflict", body = V0Error),
        ClientErrors,
    ),
    security(("client_key" = [], "client_secret" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Client(scope): Client,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    let request = WriteRequest::new(scope, &Method::PUT, uri.path(), &headers, &body);
    let mut write = match WriteTx::begin(&state, request).await {
        Ok(write) => write,
        Err(answer) => return answer,
    };
    let outcome = update_link(&state, &mut write, scope, &id, &body).await;
    write.finish(outcome).await
}

async fn update_link(state: &AppState, write: &mut WriteTx, scope: Scope, id: &str, body: &[u8]) -> ApiResult<Reply> {
    let patch: V0LinkInput = parse_json(body).map_err(ApiError::invalid)?;
    let now = write.now();
    let current = write.db().find_link(scope, id, now).await?.ok_or_else(ApiError::not_found)?;
    let request = v0::edit_request(&patch, &current.link).map_err(ApiError::invalid)?;
    let link = edit_link(state, write, scope, &current, &request).await.map_err(v0_named)?;
    Ok(Reply::json(StatusCode::OK, &V0PaymentLink::of(&link)))
}

/// Answers every v0 route may give besides its own (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
pub enum ClientErrors {
    #[response(status = 401, description = "Missing or wrong x-client-key / x-client-secret, or a revoked key")]
    Unauthenticated(V0Error),
    #[response(status = 429, description = "Rate limited; Retry-After says when to retry")]
    RateLimited(V0Error),
    #[response(status = 503, description = "The database is briefly unavailable; Retry-After says when to retry")]
    Unavailable(V0Error),
}
