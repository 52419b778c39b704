//! The server's own OpenAPI 3.1 document, served at `/v2/openapi.json`: the routers' operations
//! (see `routes`) under this description, tags and security scheme.

use paylinks_api::API_VERSION;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};

struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "paylinks v2 API",
         description = "Payment links, compatible with the RevKeen v2 contract. Every response carries RevKeen-Version and X-Request-Id."),
    modifiers(&ApiKeyAuth),
    tags((name = "Payment Links"), (name = "Public", description = "No key; used by the checkout page"),
         (name = "Account", description = "ext: who the key belongs to")),
)]
struct ApiDoc;

/// The document for the operations of the `/v2` and `/public` routers, as JSON.
pub fn document(v2: Document, public: Document) -> String {
    let mut doc = ApiDoc::openapi().nest("/v2", v2).nest("/public", public);
    doc.info.version = API_VERSION.to_string();
    doc.to_json().expect("the OpenAPI document serialises")
}
