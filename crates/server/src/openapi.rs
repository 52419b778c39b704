//! The server's own OpenAPI 3.1 document, generated from the route annotations and the
//! contract types, served at `/v2/openapi.json`.

use crate::routes::{account, checkout, links, payments, public};
use paylinks_api::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Answers every route behind an API key may give besides its own.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
pub enum KeyErrors {
    #[response(status = 401, description = "Missing, malformed, unknown or revoked API key")]
    Unauthenticated(ErrorBody),
    #[response(status = 429, description = "Rate limited; Retry-After says when to retry")]
    RateLimited(ErrorBody),
    #[response(status = 503, description = "The database is briefly unavailable; Retry-After says when to retry")]
    Unavailable(ErrorBody),
}

struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))));
    }
}

#[allow(deprecated)] // documents the deprecated routes too
#[derive(OpenApi)]
#[openapi(
    info(title = "paylinks v2 API", version = "2026-05-01",
         description = "Payment links, compatible with the RevKeen v2 contract. Every response carries RevKeen-Version and X-Request-Id."),
    paths(links::create, links::list, links::retrieve, links::change_status, links::expire, links::deactivate,
          links::activate, links::archive, payments::list_payments, payments::stats, public::retrieve,
          checkout::checkout, account::retrieve),
    modifiers(&ApiKeyAuth),
    tags((name = "Payment Links"), (name = "Public", description = "No key; used by the checkout page"),
         (name = "Account", description = "ext: who the key belongs to")),
)]
pub struct ApiDoc;

pub fn document() -> String {
    ApiDoc::openapi().to_json().expect("the OpenAPI document serialises")
}
