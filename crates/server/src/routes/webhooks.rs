//! Webhooks, as the vendor's SDK calls them: `/v2/webhook-endpoints` (register, change, rotate
//! the secret, send a test event), `/v2/events` (the last 30 days, resend) and
//! `/v2/webhook-deliveries` (the log, retry). Everything is confined to the key's merchant and
//! mode: another's endpoint, event or delivery is a 404.

use crate::auth::Authed;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, IdempotencyErrors, IdempotencyKeyHeader, KeyErrors, Reply};
use crate::ids::random_base62;
use crate::outbox::guard::{refuses_host, Policy};
use crate::state::AppState;
use crate::store::{DeliveryFilter, EndpointChange, EventFilter, NewEndpoint, Recipients};
use crate::write::keyed_write as write;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use paylinks_api::error::parse_json;
use paylinks_api::event::{Event, EventData, EventRequest, EventType};
use paylinks_api::sample::{sample_object, sample_previous};
use paylinks_api::webhook::{
    validate_description, validate_enabled_events, validate_endpoint_url, CreateWebhookEndpoint, Deleted,
    DeletedEnvelope, DeliveryEnvelope, DeliveryList, DeliveryStatus, EndpointEnvelope, EndpointList, EndpointStatus,
    EventList, ListParams, ListedEvent, OffsetMeta, ResendResult, TestEventRequest, TestEventResult,
    UpdateWebhookEndpoint, WebhookEndpoint,
};
use paylinks_api::{ErrorBody, FieldErrors, WireEnum, API_VERSION};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_endpoints, create_endpoint))
        .routes(routes!(get_endpoint, update_endpoint, delete_endpoint))
        .routes(routes!(rotate_secret))
        .routes(routes!(send_test))
        .routes(routes!(list_events))
        .routes(routes!(get_event))
        .routes(routes!(resend_event))
        .routes(routes!(list_deliveries))
        .routes(routes!(get_delivery))
        .routes(routes!(retry_delivery))
}

/// A new signing secret: `rk_wh_` and 43 base62 characters (256 bits).
fn new_secret() -> String {
    format!("rk_wh_{}", random_base62(43))
}

/// Checks an endpoint URL for the key's mode: its form, then (for a URL that names an address or
/// `localhost`) whether deliveries may reach it.
fn checked_url(state: &AppState, url: &str, livemode: bool) -> Result<String, FieldErrors> {
    let parsed = validate_endpoint_url(url, livemode).map_err(|m| FieldErrors::single("url", m))?;
    let policy = Policy::for_mode(livemode, state.config.allow_private_webhooks);
    if let Some(why) = refuses_host(policy, &parsed) {
        let mode = if livemode { "live" } else { "sandbox" };
        return Err(FieldErrors::single("url", format!("names {why}, which {mode} webhooks may not reach")));
    }
    Ok(url.to_string())
}

/// A URL already registered by the key's merchant in this mode.
fn url_taken() -> impl Fn(sqlx::Error) -> ApiError {
    ApiError::unless_taken("url", "is already registered as a webhook endpoint")
}

/// Register a webhook endpoint; the answer holds its signing secret (shown only here and on rotation).
#[utoipa::path(post, path = "/webhook-endpoints", operation_id = "webhook_endpoints_create", tag = "Webhooks",
    request_body(content = CreateWebhookEndpoint, example = json!({"url": "https://shop.example/webhooks", "enabled_events": ["checkout.session.completed"]})),
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created, with its secret", body = EndpointEnvelope, links(
            ("get" = (operation_id = "webhook_endpoints_get", parameters(("id" = "$response.body#/data/id")))),
            ("update" = (operation_id = "webhook_endpoints_update", parameters(("id" = "$response.body#/data/id")))),
            ("delete" = (operation_id = "webhook_endpoints_delete", parameters(("id" = "$response.body#/data/id")))),
            ("rotate_secret" = (operation_id = "webhook_endpoints_rotate_secret", parameters(("id" = "$response.body#/data/id")))),
            ("test" = (operation_id = "webhook_endpoints_test", parameters(("id" = "$response.body#/data/id")))),
        )),
        (status = 400, description = "Invalid body", body = ErrorBody),
        (status = 409, description = "URL already registered, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &body, async |write, scope| {
        let now = write.now();
        let req: CreateWebhookEndpoint = parse_json(&body).map_err(ApiError::invalid)?;
        let mut errors = FieldErrors::default();
        let url = checked_url(&state, &req.url, scope.livemode).map_err(|e| errors.merge(e)).ok();
        let events = validate_enabled_events(&req.enabled_events).map_err(|e| errors.merge(e)).ok();
        let description = validate_description(req.description.as_deref()).map_err(|m| errors.add("description", m));
        let (Some(url), Some(enabled_events), Ok(description)) = (url, events, description) else {
            return Err(ApiError::invalid(errors));
        };
        let new = NewEndpoint { url, description, enabled_events, secret: new_secret() };
        let stored = write.db().insert_endpoint(scope, &new, now).await.map_err(url_taken())?;
        let data = WebhookEndpoint { secret: Some(stored.secret), ..stored.endpoint };
        Ok(Reply::json(StatusCode::CREATED, &EndpointEnvelope { data }))
    })
    .await
}

/// The webhook endpoints, newest first.
#[utoipa::path(get, path = "/webhook-endpoints", operation_id = "webhook_endpoints_list", tag = "Webhooks",
    params(("status" = Option<EndpointStatus>, Query, description = "enabled or disabled"),
           ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 20"),
           ("offset" = Option<i64>, Query, minimum = 0, description = "0 or more, default 0")),
    responses(
        (status = 200, description = "A page of endpoints", body = EndpointList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    authed: Authed,
    RawQuery(query): RawQuery,
) -> ApiResult<Reply> {
    let params = ListParams::parse(query.as_deref().unwrap_or_default(), &["status"]).map_err(ApiError::invalid)?;
    let status = params.variant::<EndpointStatus>("status").map_err(ApiError::invalid)?;
    let (data, total) = state.store.list_endpoints(authed.scope(), status, params.limit, params.offset).await?;
    let has_more = params.offset + (data.len() as i64) < total;
    let meta = OffsetMeta { total, limit: params.limit, offset: params.offset, has_more };
    Ok(Reply::json(StatusCode::OK, &EndpointList { data, meta }))
}

/// One webhook endpoint, with its delivery counters and circuit state.
#[utoipa::path(get, path = "/webhook-endpoints/{id}", operation_id = "webhook_endpoints_get", tag = "Webhooks",
    params(("id" = String, Path, description = "The endpoint's id (we_…)")),
    responses(
        (status = 200, description = "The endpoint", body = EndpointEnvelope),
        (status = 404, description = "No such endpoint for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn get_endpoint(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let data =
        state.store.get_endpoint(authed.scope(), &id).await?.ok_or_else(|| ApiError::missing("webhook endpoint"))?;
    Ok(Reply::json(StatusCode::OK, &EndpointEnvelope { data }))
}

/// Change a webhook endpoint's URL, events or description, or enable or disable it (enabling
/// closes an open circuit).
#[utoipa::path(patch, path = "/webhook-endpoints/{id}", operation_id = "webhook_endpoints_update", tag = "Webhooks",
    request_body = UpdateWebhookEndpoint,
    params(("id" = String, Path, description = "The endpoint's id (we_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The changed endpoint", body = EndpointEnvelope),
        (status = 400, description = "Invalid body", body = ErrorBody),
        (status = 404, description = "No such endpoint for this key", body = ErrorBody),
        (status = 409, description = "URL already registered, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::PATCH, &uri, &headers, &body, async |write, scope| {
        let now = write.now();
        let req: UpdateWebhookEndpoint = parse_json(&body).map_err(ApiError::invalid)?;
        let mut errors = FieldErrors::default();
        let mut change = EndpointChange { enabled: req.enabled, ..EndpointChange::default() };
        if let Some(url) = &req.url {
            change.url = checked_url(&state, url, scope.livemode).map_err(|e| errors.merge(e)).ok();
        }
        if let Some(events) = &req.enabled_events {
            change.enabled_events = validate_enabled_events(events).map_err(|e| errors.merge(e)).ok();
        }
        if let Some(description) = &req.description {
            change.description =
                validate_description(description.as_deref()).map_err(|m| errors.add("description", m)).ok();
        }
        errors.into_result(()).map_err(ApiError::invalid)?;
        let stored = write.db().update_endpoint(scope, &id, &change, now).await.map_err(url_taken())?;
        let data = stored.ok_or_else(|| ApiError::missing("webhook endpoint"))?.endpoint;
        Ok(Reply::json(StatusCode::OK, &EndpointEnvelope { data }))
    })
    .await
}

/// Delete a webhook endpoint; its pending deliveries stop.
#[utoipa::path(delete, path = "/webhook-endpoints/{id}", operation_id = "webhook_endpoints_delete", tag = "Webhooks",
    params(("id" = String, Path, description = "The endpoint's id (we_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "Deleted", body = DeletedEnvelope),
        (status = 404, description = "No such endpoint for this key", body = ErrorBody),
        IdempotencyErrors,
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Reply {
    write(&state, &authed, Method::DELETE, &uri, &headers, &[], async |write, scope| {
        if !write.db().delete_endpoint(scope, &id).await? {
            return Err(ApiError::missing("webhook endpoint"));
        }
        Ok(Reply::json(StatusCode::OK, &DeletedEnvelope { data: Deleted { id: id.clone(), deleted: true } }))
    })
    .await
}

/// Give a webhook endpoint a new signing secret; the old one keeps signing for 24 hours (two
/// `v1=` in the signature header), so receivers can switch without missing an event.
#[utoipa::path(post, path = "/webhook-endpoints/{id}/rotate-secret", operation_id = "webhook_endpoints_rotate_secret", tag = "Webhooks",
    params(("id" = String, Path, description = "The endpoint's id (we_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = EndpointEnvelope),
        (status = 404, description = "No such endpoint for this key", body = ErrorBody),
        IdempotencyErrors,
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &[], async |write, scope| {
        let now = write.now();
        let secret = new_secret();
        let stored = write.db().rotate_secret(scope, &id, &secret, now).await?;
        let stored = stored.ok_or_else(|| ApiError::missing("webhook endpoint"))?;
        let data = WebhookEndpoint { secret: Some(stored.secret), ..stored.endpoint };
        Ok(Reply::json(StatusCode::OK, &EndpointEnvelope { data }))
    })
    .await
}

/// ext: send a sample event of `type` to this endpoint only, now.
#[utoipa::path(post, path = "/webhook-endpoints/{id}/test", operation_id = "webhook_endpoints_test", tag = "Webhooks",
    request_body(content = TestEventRequest, example = json!({"type": "checkout.session.completed"})),
    params(("id" = String, Path, description = "The endpoint's id (we_…)"), IdempotencyKeyHeader),
    responses(
        (status = 201, description = "The test event, queued for this endpoint", body = TestEventResult, links(
            ("event" = (operation_id = "events_get", parameters(("id" = "$response.body#/event/id")))),
            ("resend" = (operation_id = "events_resend", parameters(("id" = "$response.body#/event/id")))),
        )),
        (status = 400, description = "Not an event type paylinks sends, or an invalid Idempotency-Key header", body = ErrorBody),
        (status = 404, description = "No such endpoint for this key", body = ErrorBody),
        (status = 409, description = "The endpoint is disabled, or Idempotency-Key reused", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn send_test(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &body, async |write, scope| {
        let now = write.now();
        let req: TestEventRequest = parse_json(&body).map_err(ApiError::invalid)?;
        let event_type = EventType::parse(&req.event_type).ok_or_else(|| {
            let sent: Vec<&str> = EventType::all().iter().map(|t| t.as_str()).collect();
            ApiError::field("type", &format!("must be an event type paylinks sends: {}", sent.join(", ")))
        })?;
        let endpoint =
            write.db().find_endpoint(scope, &id).await?.ok_or_else(|| ApiError::missing("webhook endpoint"))?;
        if endpoint.endpoint.status == EndpointStatus::Disabled {
            return Err(ApiError::conflict(FieldErrors::single("status", "the endpoint is disabled; enable it first")));
        }
        let event = Event {
            id: format!("evt_{}", random_base62(24)),
            object: "event".into(),
            event_type,
            created: now.timestamp(),
            livemode: scope.livemode,
            api_version: API_VERSION.into(),
            account: scope.merchant_id,
            data: EventData {
                object: sample_object(event_type, scope.merchant_id, scope.livemode, now),
                previous_attributes: sample_previous(event_type),
            },
            request: EventRequest {
                id: headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from),
                idempotency_key: None,
            },
        };
        write.db().insert_event(scope, &event, now, Recipients::Only(&id)).await?;
        let message = format!("A test {} event is on its way to {}.", event_type.as_str(), endpoint.endpoint.url);
        Ok(Reply::json(StatusCode::CREATED, &TestEventResult { success: true, event, message }))
    })
    .await
}

/// Events of the last 30 days, newest first.
#[utoipa::path(get, path = "/events", operation_id = "events_list", tag = "Webhooks",
    params(("type" = Option<String>, Query, description = "Only events of this type"),
           ("types" = Option<String>, Query, description = "Only events of these types (comma-separated)"),
           ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 20"),
           ("offset" = Option<i64>, Query, minimum = 0, description = "0 or more, default 0"),
           ("starting_after" = Option<String>, Query, description = "Only events older than this one")),
    responses(
        (status = 200, description = "A page of events", body = EventList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_events(State(state): State<AppState>, authed: Authed, RawQuery(query): RawQuery) -> ApiResult<Reply> {
    let params = ListParams::parse(query.as_deref().unwrap_or_default(), &["type", "types", "starting_after"])
        .map_err(ApiError::invalid)?;
    let types = params.get("type").into_iter().chain(params.get("types").into_iter().flat_map(|t| t.split(',')));
    let filter = EventFilter {
        types: types.map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect(),
        offset: params.offset,
        starting_after: params.get("starting_after").map(String::from),
    };
    let (data, has_more) = state.store.list_events(authed.scope(), &filter, params.limit).await?;
    Ok(Reply::json(StatusCode::OK, &EventList { object: "list".into(), data, has_more, url: "/v2/events".into() }))
}

/// One event, as every delivery of it sends it, with how many deliveries are still to be made.
#[utoipa::path(get, path = "/events/{id}", operation_id = "events_get", tag = "Webhooks",
    params(("id" = String, Path, description = "The event's id (evt_…)")),
    responses(
        (status = 200, description = "The event", body = ListedEvent),
        (status = 404, description = "No such event for this key (or older than 30 days)", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn get_event(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let event = state.store.get_event(authed.scope(), &id).await?.ok_or_else(|| ApiError::missing("event"))?;
    Ok(Reply::json(StatusCode::OK, &event))
}

/// Queue a new delivery of an event to every enabled endpoint that subscribes to its type.
#[utoipa::path(post, path = "/events/{id}/resend", operation_id = "events_resend", tag = "Webhooks",
    params(("id" = String, Path, description = "The event's id (evt_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "Whether any delivery was queued", body = ResendResult),
        (status = 404, description = "No such event for this key", body = ErrorBody),
        IdempotencyErrors,
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn resend_event(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &[], async |write, scope| {
        let now = write.now();
        let found = state.store.get_event(scope, &id).await?.ok_or_else(|| ApiError::missing("event"))?;
        let event_type = found.event.event_type.as_str();
        let queued = write.db().queue_deliveries(scope, &id, event_type, now, Recipients::Subscribers).await?;
        let result = match queued {
            0 => ResendResult { success: false, message: format!("No enabled endpoint subscribes to {event_type}.") },
            n => ResendResult { success: true, message: format!("Queued for {n} endpoint(s).") },
        };
        Ok(Reply::json(StatusCode::OK, &result))
    })
    .await
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/webhook-deliveries", operation_id = "webhook_deliveries_list", tag = "Webhooks",
    params(("endpoint_id" = Option<String>, Query, description = "Only deliveries to this endpoint"),
           ("event_id" = Option<String>, Query, description = "Only deliveries of this event"),
           ("status" = Option<DeliveryStatus>, Query, description = "pending, succeeded, failed or dead_lettered"),
           ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 20"),
           ("starting_after" = Option<String>, Query, description = "Only deliveries older than this one")),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryList, links(
            ("get" = (operation_id = "webhook_deliveries_get", parameters(("id" = "$response.body#/data/0/id")))),
            ("retry" = (operation_id = "webhook_deliveries_retry", parameters(("id" = "$response.body#/data/0/id")))),
        )),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    authed: Authed,
    RawQuery(query): RawQuery,
) -> ApiResult<Reply> {
    let own = ["endpoint_id", "event_id", "status", "starting_after"];
    let params = ListParams::parse(query.as_deref().unwrap_or_default(), &own).map_err(ApiError::invalid)?;
    let filter = DeliveryFilter {
        endpoint_id: params.get("endpoint_id").map(String::from),
        event_id: params.get("event_id").map(String::from),
        status: params.variant::<DeliveryStatus>("status").map_err(ApiError::invalid)?,
        starting_after: params.get("starting_after").map(String::from),
    };
    let (data, has_more) = state.store.list_deliveries(authed.scope(), &filter, params.limit).await?;
    let list = DeliveryList { object: "list".into(), data, has_more, url: "/v2/webhook-deliveries".into() };
    Ok(Reply::json(StatusCode::OK, &list))
}

/// One delivery: its status, attempts, and the last attempt's answer.
#[utoipa::path(get, path = "/webhook-deliveries/{id}", operation_id = "webhook_deliveries_get", tag = "Webhooks",
    params(("id" = String, Path, description = "The delivery's id (whd_…)")),
    responses(
        (status = 200, description = "The delivery", body = DeliveryEnvelope),
        (status = 404, description = "No such delivery for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn get_delivery(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let data =
        state.store.get_delivery(authed.scope(), &id).await?.ok_or_else(|| ApiError::missing("webhook delivery"))?;
    Ok(Reply::json(StatusCode::OK, &DeliveryEnvelope { data }))
}

/// Try a delivery again now (a dead letter gets one more attempt); one that succeeded → 409.
#[utoipa::path(post, path = "/webhook-deliveries/{id}/retry", operation_id = "webhook_deliveries_retry", tag = "Webhooks",
    params(("id" = String, Path, description = "The delivery's id (whd_…)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The delivery, queued", body = DeliveryEnvelope),
        (status = 400, description = "Invalid Idempotency-Key header", body = ErrorBody),
        (status = 404, description = "No such delivery for this key", body = ErrorBody),
        (status = 409, description = "Already delivered, its endpoint is disabled, or Idempotency-Key reused", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn retry_delivery(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &[], async |write, scope| {
        let now = write.now();
        let current =
            state.store.get_delivery(scope, &id).await?.ok_or_else(|| ApiError::missing("webhook delivery"))?;
        if current.status == DeliveryStatus::Succeeded {
            return Err(ApiError::conflict(FieldErrors::single("status", "the delivery already succeeded")));
        }
        let endpoint = write.db().find_endpoint(scope, &current.endpoint_id).await?;
        if endpoint.is_some_and(|e| e.endpoint.status == EndpointStatus::Disabled) {
            return Err(ApiError::conflict(FieldErrors::single("status", "its endpoint is disabled; enable it first")));
        }
        let data =
            write.db().requeue_delivery(scope, &id, now).await?.ok_or_else(|| ApiError::missing("webhook delivery"))?;
        Ok(Reply::json(StatusCode::OK, &DeliveryEnvelope { data }))
    })
    .await
}
