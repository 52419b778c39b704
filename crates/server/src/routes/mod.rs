//! The HTTP routes, one module per resource. Each module's router is also its part of the OpenAPI
//! document (utoipa-axum's `routes!`), so a route cannot exist in one and not the other.

pub mod account;
pub mod catalog;
pub mod checkout;
pub mod discounts;
pub mod links;
pub mod payments;
pub mod public;
pub mod stripe;
pub mod v0;
pub mod webhooks;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Everything under `/v2`: the key-protected API.
pub fn v2() -> OpenApiRouter<AppState> {
    links::router()
        .merge(payments::router())
        .merge(account::router())
        .merge(webhooks::router())
        .merge(catalog::router())
        .merge(discounts::router())
}

/// Everything under `/api/v0`: Devdraft's API over the same links.
pub fn v0() -> OpenApiRouter<AppState> {
    v0::router()
}

/// Everything under `/public`: what the checkout page calls, with no key.
pub fn public() -> OpenApiRouter<AppState> {
    public::router()
        .routes(routes!(checkout::checkout))
        .routes(routes!(discounts::check_code))
        .routes(routes!(stripe::session))
}
