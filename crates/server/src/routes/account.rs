//! ext `/v2/account`: who the API key belongs to.

use crate::auth::Authed;
use crate::error::{KeyErrors, Reply};
use crate::state::AppState;
use axum::http::StatusCode;
use paylinks_api::Account;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(retrieve))
}

/// ext: the merchant and mode of the calling key.
#[utoipa::path(get, path = "/account", operation_id = "account_get", tag = "Account",
    responses((status = 200, description = "The key's merchant and mode", body = Account), KeyErrors),
    security(("api_key" = [])))]
pub async fn retrieve(Authed(owner): Authed) -> Reply {
    let account =
        Account { merchant_id: owner.merchant_id, merchant_name: owner.merchant_name, livemode: owner.livemode };
    Reply::json(StatusCode::OK, &account)
}
