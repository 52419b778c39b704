//! What the checkout page shows (the form, a confirmation, why a link cannot be paid, a failed
//! load), and the two traces it leaves in the browser: the tab's title and `?paid=`.

use crate::common::api::ApiError;
use leptos::prelude::*;
use paylinks_api::checkout::Receipt;
use paylinks_api::PublicPaymentLink;

/// What the page shows.
#[derive(Clone)]
pub enum Screen {
    Loading,
    Pay(PublicPaymentLink),
    Paid(Receipt),
    /// The server's 404 (its `details` say why, for a paused, expired or sold-out link).
    Unavailable(paylinks_api::ErrorBody),
    Failed(ApiError),
}

impl Screen {
    pub fn from_link(answer: Result<PublicPaymentLink, ApiError>) -> Screen {
        match answer {
            Ok(link) => Screen::Pay(link),
            Err(err) => Screen::from_error(err),
        }
    }

    pub fn from_error(err: ApiError) -> Screen {
        match err {
            ApiError::Server { status: 404, body } => Screen::Unavailable(body),
            other => Screen::Failed(other),
        }
    }
}

/// Shows `?paid=` in the address bar (replacing the form's entry, so back leaves the page).
pub fn remember_paid(payment_id: &str) {
    let url = format!("?paid={}", js_sys::encode_uri_component(payment_id));
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The tab's title: what the customer is looking at.
pub fn set_title(title: &str) {
    if let Some(document) = window().document() {
        document.set_title(title);
    }
}
