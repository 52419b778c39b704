//! What the checkout page shows (the form, a confirmation, why a link cannot be paid, a failed
//! load), and the traces it leaves in the browser: the tab's title, `?paid=`, and what the
//! customer typed while they are on Stripe's page.

use super::form::CheckoutForm;
use crate::common::api::ApiError;
use leptos::prelude::*;
use paylinks_api::checkout::{CheckoutRequest, Receipt};
use paylinks_api::PublicPaymentLink;
use serde::{Deserialize, Serialize};

/// The form again, as the customer left it for Stripe's page, and why they are back.
#[derive(Clone)]
pub struct Resumed {
    pub form: CheckoutForm,
    pub notice: String,
    /// The request sent and its Idempotency-Key, while its Stripe session is surely still open:
    /// pressing again unchanged goes back to that session (no second payment, no second slot).
    pub last_sent: Option<(CheckoutRequest, String)>,
}

/// What a tab keeps while its customer is on Stripe's page.
#[derive(Serialize, Deserialize)]
struct Kept {
    form: CheckoutForm,
    last_sent: Option<(CheckoutRequest, String)>,
    /// `Date.now()` when the customer left.
    left_at_ms: f64,
}

/// How long after leaving a session is surely still open (Stripe's are, for 31 minutes).
const SESSION_STILL_OPEN_MS: f64 = 25.0 * 60.0 * 1000.0;

/// What the page shows.
#[derive(Clone)]
pub enum Screen {
    Loading,
    Pay(PublicPaymentLink, Option<Box<Resumed>>),
    Paid(Receipt),
    /// Back from Stripe's page before Stripe told us the outcome: the page asks again.
    Confirming,
    /// Stripe took a payment whose amount is not the link's: the merchant looks at it.
    UnderReview(String),
    /// The server's 404 (its `details` say why, for a paused, expired or sold-out link).
    Unavailable(paylinks_api::ErrorBody),
    Failed(ApiError),
}

impl Screen {
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

fn form_key(public_id: &str) -> String {
    format!("paylinks-checkout-{public_id}")
}

fn tab_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Keeps what the customer typed (and the request it sent) in this tab while they are on
/// Stripe's page. A live link has no card fields; they are blanked all the same.
pub fn keep_form(public_id: &str, form: &CheckoutForm, last_sent: Option<(CheckoutRequest, String)>) {
    let form = CheckoutForm { card_number: String::new(), expiry: String::new(), cvc: String::new(), ..form.clone() };
    let kept = Kept { form, last_sent, left_at_ms: js_sys::Date::now() };
    if let (Some(storage), Ok(json)) = (tab_storage(), serde_json::to_string(&kept)) {
        let _ = storage.set_item(&form_key(public_id), &json);
    }
}

/// What the customer typed before going to Stripe's page (once), with `notice` to show.
pub fn take_form(public_id: &str, notice: String) -> Option<Resumed> {
    let storage = tab_storage()?;
    let json = storage.get_item(&form_key(public_id)).ok().flatten()?;
    let _ = storage.remove_item(&form_key(public_id));
    let kept: Kept = serde_json::from_str(&json).ok()?;
    let open = js_sys::Date::now() - kept.left_at_ms < SESSION_STILL_OPEN_MS;
    Some(Resumed { form: kept.form, notice, last_sent: kept.last_sent.filter(|_| open) })
}

/// The tab's title: what the customer is looking at.
pub fn set_title(title: &str) {
    if let Some(document) = window().document() {
        document.set_title(title);
    }
}
