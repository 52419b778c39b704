//! Asks before a page with unsaved input is left: closing or reloading the tab gets the
//! browser's own question; following a link inside the app gets a confirm dialog.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

const QUESTION: &str = "Leave this page? What you typed has not been saved.";

/// While `dirty` is true, leaving the current page asks first. Removed with the page.
pub fn guard_unsaved(dirty: Signal<bool>) {
    let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if dirty.get_untracked() {
            ev.prevent_default();
            ev.set_return_value(QUESTION);
        }
    });
    // On the document, so it runs before the router's listener on the window, which follows no
    // link whose click was cancelled.
    let click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        let on_link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .is_some_and(|a| !a.get_attribute("href").unwrap_or_default().starts_with('#'));
        if on_link && dirty.get_untracked() && !window().confirm_with_message(QUESTION).unwrap_or(true) {
            ev.prevent_default();
        }
    });
    let _ = document().add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    let click = SendWrapper::new(click);
    on_cleanup(move || {
        unload.remove();
        let _ = document().remove_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    });
}
