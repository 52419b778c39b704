//! ext `/v2/account`: who the API key belongs to.

use crate::auth::Authed;
use crate::error::Reply;
use crate::openapi::KeyErrors;
use crate::AppState;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use paylinks_api::Account;

pub fn router() -> Router<AppState> {
    Router::new().route("/account", get(retrieve))
}

/// ext: the merchant and mode of the calling key.
#[utoipa::path(get, path = "/v2/account", tag = "Account",
    responses((status = 200, description = "The key's merchant and mode", body = Account), KeyErrors),
    security(("api_key" = [])))]
pub async fn retrieve(Authed(owner): Authed) -> Reply {
    let account =
        Account { merchant_id: owner.merchant_id, merchant_name: owner.merchant_name, livemode: owner.livemode };
    Reply::json(StatusCode::OK, &account)
}
