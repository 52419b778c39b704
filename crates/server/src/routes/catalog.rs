//! The catalogue, as the vendor's SDK calls it: `/v2/products` (create, list, get, update; archive
//! with `is_archived`) and `/v2/prices` (create, list, get, update, archive with DELETE). A
//! product's amount is its default price's. A price's amount is fixed once a payment used it: a
//! change then makes the next version. Everything is confined to the key's merchant and mode.

use crate::auth::Authed;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, IdempotencyErrors, IdempotencyKeyHeader, KeyErrors, Reply};
use crate::state::AppState;
use crate::store::{Cursor, NewProduct, PriceFilter, PriceLabels, Scope, StoredPrice};
use crate::write::{keyed_write as write, WriteTx};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use paylinks_api::catalog::{
    changed_product_terms, validate_price, validate_price_change, validate_product, validate_product_change,
    CreatePrice, CreateProduct, PagePagination, Price, PriceList, PriceTerms, PriceType, PricingModel, ProductEnvelope,
    ProductList, UpdatePrice, UpdateProduct, PRICE_UNSUPPORTED, PRODUCT_UNSUPPORTED,
};
use paylinks_api::error::parse_json_supporting;
use paylinks_api::webhook::ListParams;
use paylinks_api::{ErrorBody, FieldErrors};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(list_prices, create_price))
        .routes(routes!(get_price, update_price, archive_price))
}

/// A path id: a UUID, else nothing of ours.
pub(crate) fn id_of(id: &str, what: &str) -> ApiResult<Uuid> {
    id.parse().map_err(|_| ApiError::missing(what))
}

/// Create a product and its default price (`amount_minor`, 0 for free).
#[utoipa::path(post, path = "/products", operation_id = "products_create", tag = "Products",
    request_body(content = CreateProduct, example = json!({"product_id": "tee", "name": "T-shirt", "kind": "one_time", "pricing_model": "one_time", "amount_minor": 2500, "currency": "usd"})),
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created", body = ProductEnvelope, links(
            ("get" = (operation_id = "products_get", parameters(("id" = "$response.body#/data/id")))),
            ("update" = (operation_id = "products_update", parameters(("id" = "$response.body#/data/id")))),
        )),
        (status = 400, description = "Invalid body, or a field paylinks does not support", body = ErrorBody),
        (status = 409, description = "product_id already used, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn create_product(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &body, async |write, scope| {
        let req: CreateProduct = parse_json_supporting(&body, PRODUCT_UNSUPPORTED).map_err(ApiError::invalid)?;
        let terms = validate_product(&req, scope.livemode).map_err(ApiError::invalid)?;
        let metadata = req.metadata.clone().unwrap_or_default();
        let new = NewProduct {
            product_key: &req.product_id,
            name: &req.name,
            description: req.description.as_deref(),
            kind: req.kind,
            image_url: req.image_url.as_deref(),
            metadata: &metadata,
        };
        let now = write.now();
        let data = write
            .db()
            .insert_product(scope, &new, &terms, now)
            .await
            .map_err(ApiError::unless_taken("product_id", "is already used by another product"))?;
        Ok(Reply::json(StatusCode::CREATED, &ProductEnvelope { data }))
    })
    .await
}

/// The products, newest first.
#[utoipa::path(get, path = "/products", operation_id = "products_list", tag = "Products",
    params(("page" = Option<i64>, Query, minimum = 1, description = "Page number, default 1"),
           ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 20"),
           ("search" = Option<String>, Query, description = "Part of the name or product_id, any case")),
    responses(
        (status = 200, description = "A page of products", body = ProductList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_products(
    State(state): State<AppState>,
    authed: Authed,
    RawQuery(query): RawQuery,
) -> ApiResult<Reply> {
    let params =
        ListParams::parse(query.as_deref().unwrap_or_default(), &["page", "search"]).map_err(ApiError::invalid)?;
    let page = match params.raw("page").map(str::parse::<i64>) {
        None => 1,
        Some(Ok(page)) if (1..=1_000_000).contains(&page) => page,
        Some(_) => return Err(ApiError::field("page", "must be a whole number from 1")),
    };
    let offset = (page - 1) * params.limit;
    let (data, total) = state.store.list_products(authed.scope(), params.get("search"), params.limit, offset).await?;
    Ok(Reply::json(StatusCode::OK, &ProductList { data, pagination: PagePagination::new(page, params.limit, total) }))
}

/// One product.
#[utoipa::path(get, path = "/products/{id}", operation_id = "products_get", tag = "Products",
    params(("id" = String, Path, description = "The product's id (a UUID)")),
    responses(
        (status = 200, description = "The product", body = ProductEnvelope),
        (status = 404, description = "No such product for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn get_product(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let id = id_of(&id, "product")?;
    let data = state.store.get_product(authed.scope(), id).await?.ok_or_else(|| ApiError::missing("product"))?;
    Ok(Reply::json(StatusCode::OK, &ProductEnvelope { data }))
}

/// Change a product; archive it with `is_archived: true` (links that sell it keep selling it).
#[utoipa::path(patch, path = "/products/{id}", operation_id = "products_update", tag = "Products",
    request_body = UpdateProduct,
    params(("id" = String, Path, description = "The product's id (a UUID)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The changed product", body = ProductEnvelope),
        (status = 400, description = "Invalid body, or a field paylinks does not support", body = ErrorBody),
        (status = 404, description = "No such product for this key", body = ErrorBody),
        (status = 409, description = "Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn update_product(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::PATCH, &uri, &headers, &body, async |write, scope| {
        let id = id_of(&id, "product")?;
        let req: UpdateProduct = parse_json_supporting(&body, PRODUCT_UNSUPPORTED).map_err(ApiError::invalid)?;
        validate_product_change(&req, scope.livemode).map_err(ApiError::invalid)?;
        let mut product = write.db().find_product(scope, id).await?.ok_or_else(|| ApiError::missing("product"))?;
        let terms = changed_product_terms(&product, &req).map_err(ApiError::invalid)?;
        let now = write.now();
        if let Some(name) = req.name {
            product.name = name;
        }
        if let Some(description) = req.description {
            product.description = description;
        }
        if let Some(url) = req.image_url {
            product.image_url = url;
        }
        if let Some(metadata) = req.metadata {
            product.metadata = metadata;
        }
        product.is_active = req.is_active.unwrap_or(product.is_active);
        product.is_archived = req.is_archived.unwrap_or(product.is_archived);
        write.db().update_product(&product, now).await?;
        if let (Some(terms), Some(price_id)) = (terms, product.default_price_id) {
            let stored = write.db().find_price(scope, price_id).await?.ok_or_else(|| ApiError::missing("price"))?;
            revise_terms(write, scope, stored, &terms).await?;
        }
        let data = write.db().find_product(scope, id).await?.ok_or_else(|| ApiError::missing("product"))?;
        Ok(Reply::json(StatusCode::OK, &ProductEnvelope { data }))
    })
    .await
}

/// Puts `terms` on a price: in place while no payment used it, else as its next version.
async fn revise_terms(write: &mut WriteTx, scope: Scope, stored: StoredPrice, terms: &PriceTerms) -> ApiResult<Price> {
    let now = write.now();
    if *terms == stored.price.terms() {
        return Ok(stored.price);
    }
    if stored.used {
        return Ok(write.db().next_price_version(scope, &stored.price, terms, now).await?);
    }
    write.db().replace_price_terms(stored.price.id, terms, now).await?;
    let changed = write.db().find_price(scope, stored.price.id).await?.ok_or_else(|| ApiError::missing("price"))?;
    Ok(changed.price)
}

/// Create a price for a product.
#[utoipa::path(post, path = "/prices", operation_id = "prices_create", tag = "Prices",
    request_body(content = CreatePrice, example = json!({"product_id": "00000000-0000-4000-8000-000000000000", "unit_amount": 1500, "currency": "usd"})),
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created", body = Price, links(
            ("get" = (operation_id = "prices_get", parameters(("id" = "$response.body#/id")))),
            ("update" = (operation_id = "prices_update", parameters(("id" = "$response.body#/id")))),
            ("archive" = (operation_id = "prices_archive", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "Invalid body, or a field paylinks does not support", body = ErrorBody),
        (status = 404, description = "No such product for this key", body = ErrorBody),
        (status = 409, description = "lookup_key already used, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn create_price(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::POST, &uri, &headers, &body, async |write, scope| {
        let req: CreatePrice = parse_json_supporting(&body, PRICE_UNSUPPORTED).map_err(ApiError::invalid)?;
        let product =
            write.db().find_product(scope, req.product_id).await?.ok_or_else(|| ApiError::missing("product"))?;
        let terms = validate_price(&req, &product).map_err(ApiError::invalid)?;
        let labels = PriceLabels {
            name: req.name,
            nickname: req.nickname,
            description: req.description,
            lookup_key: req.lookup_key,
            metadata: req.metadata.unwrap_or_default(),
        };
        let now = write.now();
        let price = write
            .db()
            .insert_price(scope, product.id, &terms, &labels, 1, now)
            .await
            .map_err(ApiError::unless_taken("lookup_key", "is already used by another price"))?;
        Ok(Reply::json(StatusCode::CREATED, &price))
    })
    .await
}

/// The prices, newest first, a page at a time from a cursor.
#[utoipa::path(get, path = "/prices", operation_id = "prices_list", tag = "Prices",
    params(("product_id" = Option<Uuid>, Query, description = "Only this product's prices"),
           ("type" = Option<PriceType>, Query, description = "one_time or recurring"),
           ("pricing_model" = Option<PricingModel>, Query, description = "fixed, pay_what_you_want or free"),
           ("active" = Option<String>, Query, description = "true or false"),
           ("currency" = Option<String>, Query, description = "Three-letter code, any case"),
           ("lookup_key" = Option<String>, Query, description = "The price with this lookup key"),
           ("limit" = Option<i64>, Query, minimum = 1, description = "1-100 (larger values are clamped), default 20"),
           ("starting_after" = Option<Uuid>, Query, description = "The page after (older than) this price"),
           ("ending_before" = Option<Uuid>, Query, description = "The page before (newer than) this price")),
    responses(
        (status = 200, description = "A page of prices", body = PriceList),
        (status = 400, description = "Invalid query parameter", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn list_prices(State(state): State<AppState>, authed: Authed, RawQuery(query): RawQuery) -> ApiResult<Reply> {
    let own =
        ["product_id", "type", "pricing_model", "active", "currency", "lookup_key", "starting_after", "ending_before"];
    let params = ListParams::parse(query.as_deref().unwrap_or_default(), &own).map_err(ApiError::invalid)?;
    let mut errors = FieldErrors::default();
    let mut uuid = |key: &str| -> Option<Uuid> {
        let value = params.raw(key)?;
        value.parse().map_err(|_| errors.add(key, "must be a price or product id (a UUID)")).ok()
    };
    let product_id = uuid("product_id");
    let cursor = match (uuid("starting_after"), uuid("ending_before")) {
        (Some(_), Some(_)) => {
            errors.add("ending_before", "cannot be combined with starting_after");
            None
        }
        (Some(id), None) => Some(Cursor::After(id)),
        (None, Some(id)) => Some(Cursor::Before(id)),
        (None, None) => None,
    };
    let price_type = params.variant::<PriceType>("type").map_err(|e| errors.merge(e)).ok().flatten();
    let pricing_model = params.variant::<PricingModel>("pricing_model").map_err(|e| errors.merge(e)).ok().flatten();
    let active = match params.raw("active") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.add("active", "must be true or false");
            None
        }
    };
    let currency = params.raw("currency").map(str::to_string);
    if currency.as_deref().is_some_and(|c| paylinks_api::Currency::parse(c).is_none()) {
        errors.add("currency", "is not a supported ISO 4217 currency code");
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let filter = PriceFilter {
        product_id,
        price_type,
        pricing_model,
        active,
        currency,
        lookup_key: params.raw("lookup_key").map(str::to_string),
    };
    let (data, has_more, total_count) = state.store.list_prices(authed.scope(), &filter, params.limit, cursor).await?;
    Ok(Reply::json(StatusCode::OK, &PriceList { object: "list".into(), data, has_more, total_count }))
}

/// One price.
#[utoipa::path(get, path = "/prices/{id}", operation_id = "prices_get", tag = "Prices",
    params(("id" = String, Path, description = "The price's id (a UUID)")),
    responses(
        (status = 200, description = "The price", body = Price),
        (status = 404, description = "No such price for this key", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn get_price(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Reply> {
    let id = id_of(&id, "price")?;
    let price = state.store.get_price(authed.scope(), id).await?.ok_or_else(|| ApiError::missing("price"))?;
    Ok(Reply::json(StatusCode::OK, &price))
}

/// Change a price's labels or `active`; ext `unit_amount` changes a fixed price's amount (on a
/// price payments used, the answer is its next version and this one is deactivated).
#[utoipa::path(patch, path = "/prices/{id}", operation_id = "prices_update", tag = "Prices",
    request_body = UpdatePrice,
    params(("id" = String, Path, description = "The price's id (a UUID)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The changed price, or its next version", body = Price),
        (status = 400, description = "Invalid body", body = ErrorBody),
        (status = 404, description = "No such price for this key", body = ErrorBody),
        (status = 409, description = "lookup_key already used, or Idempotency-Key conflict", body = ErrorBody),
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn update_price(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Reply {
    write(&state, &authed, Method::PATCH, &uri, &headers, &body, async |write, scope| {
        let id = id_of(&id, "price")?;
        let req: UpdatePrice = parse_json_supporting(&body, PRICE_UNSUPPORTED).map_err(ApiError::invalid)?;
        let mut stored = write.db().find_price(scope, id).await?.ok_or_else(|| ApiError::missing("price"))?;
        validate_price_change(&req, &stored.price).map_err(ApiError::invalid)?;
        let price = &mut stored.price;
        price.active = req.active.unwrap_or(price.active);
        for (field, change) in [
            (&mut price.name, req.name),
            (&mut price.nickname, req.nickname),
            (&mut price.description, req.description),
            (&mut price.lookup_key, req.lookup_key),
        ] {
            if let Some(value) = change {
                *field = value;
            }
        }
        if let Some(metadata) = req.metadata {
            price.metadata = metadata;
        }
        let now = write.now();
        write
            .db()
            .update_price(&stored.price, now)
            .await
            .map_err(ApiError::unless_taken("lookup_key", "is already used by another price"))?;
        let price = match req.unit_amount {
            Some(amount) => {
                let terms = PriceTerms { unit_amount: Some(amount), ..stored.price.terms() };
                revise_terms(write, scope, stored, &terms).await?
            }
            None => stored.price,
        };
        Ok(Reply::json(StatusCode::OK, &price))
    })
    .await
}

/// Archive a price: new links cannot use it; links that sell it keep selling it.
#[utoipa::path(delete, path = "/prices/{id}", operation_id = "prices_archive", tag = "Prices",
    params(("id" = String, Path, description = "The price's id (a UUID)"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The archived price", body = Price),
        (status = 404, description = "No such price for this key", body = ErrorBody),
        IdempotencyErrors,
        KeyErrors,
    ),
    security(("api_key" = [])))]
pub async fn archive_price(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Reply {
    write(&state, &authed, Method::DELETE, &uri, &headers, b"", async |write, scope| {
        let id = id_of(&id, "price")?;
        let mut stored = write.db().find_price(scope, id).await?.ok_or_else(|| ApiError::missing("price"))?;
        stored.price.active = false;
        let now = write.now();
        write.db().update_price(&stored.price, now).await?;
        let price = write.db().find_price(scope, id).await?.ok_or_else(|| ApiError::missing("price"))?.price;
        Ok(Reply::json(StatusCode::OK, &price))
    })
    .await
}
