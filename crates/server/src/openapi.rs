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
        let header = |name: &str| SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(name)));
        components.add_security_scheme("api_key", header("x-api-key"));
        // Devdraft v0: the key's prefix and the whole key.
        components.add_security_scheme("client_key", header("x-client-key"));
        components.add_security_scheme("client_secret", header("x-client-secret"));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "paylinks v2 API",
         description = "Payment links, compatible with the RevKeen v2 contract (and Devdraft's v0). Every response carries RevKeen-Version and X-Request-Id. Where the vendors' documents leave room, the project's decisions are in its README, under Contract decisions."),
    modifiers(&ApiKeyAuth),
    tags((name = "Payment Links"), (name = "Public", description = "No key; used by the checkout page"),
         (name = "Account", description = "ext: who the key belongs to"),
         (name = "Products", description = "The catalogue: products and their default price"),
         (name = "Prices", description = "A product's prices; an amount change to a price payments used makes its next version"),
         (name = "Discounts", description = "ext: promotion codes, redeemed at checkout"),
         (name = "Devdraft v0", description = "Devdraft's /api/v0/payment-links over the same links: x-client-key is an API key's prefix, x-client-secret the whole key; errors are {statusCode, message, error}")),
)]
struct ApiDoc;

/// The document for the operations of the `/v2`, `/public` and `/api/v0` routers, as JSON.
pub fn document(v2: Document, public: Document, v0: Document) -> String {
    let mut doc = ApiDoc::openapi().nest("/v2", v2).nest("/public", public).nest("/api/v0", v0);
    doc.info.version = API_VERSION.to_string();
    let mut json = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    for item in json["paths"].as_object_mut().into_iter().flat_map(|paths| paths.values_mut()) {
        for operation in item.as_object_mut().into_iter().flat_map(|item| item.values_mut()) {
            for response in operation["responses"].as_object_mut().into_iter().flat_map(|r| r.values_mut()) {
                if let Some(links) = response.get_mut("links") {
                    camel_case_links(links);
                }
            }
        }
    }
    json.to_string()
}

/// utoipa 5 writes a Link Object's fields in snake case (`operation_id`); OpenAPI spells them
/// `operationId`, `operationRef` and `requestBody`, and tools ignore the others.
fn camel_case_links(links: &mut serde_json::Value) {
    for link in links.as_object_mut().into_iter().flat_map(|links| links.values_mut()) {
        let Some(link) = link.as_object_mut() else { continue };
        for (snake, camel) in
            [("operation_id", "operationId"), ("operation_ref", "operationRef"), ("request_body", "requestBody")]
        {
            if let Some(value) = link.remove(snake) {
                link.insert(camel.to_owned(), value);
            }
        }
    }
}
