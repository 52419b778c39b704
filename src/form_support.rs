//! What every form of the app needs: the time as the browser knows it, moving the keyboard to
//! the first problem, and one idempotency key per distinct request.

/// Now, from the browser's clock.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Puts the keyboard on the first field that needs attention, once the page has re-rendered.
pub fn focus_first_invalid() {
    leptos::prelude::request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        let first = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[aria-invalid=true]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = first {
            let _ = el.focus();
        }
    });
}

/// The idempotency key for `request`: the previous one while the request is unchanged, so a
/// double click or a retry after a lost answer can never act twice.
pub fn key_for<T: PartialEq>(previous: Option<(T, String)>, request: &T) -> String {
    match previous {
        Some((sent, key)) if &sent == request => key,
        _ => uuid::Uuid::new_v4().to_string(),
    }
}
