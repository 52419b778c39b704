use leptos::prelude::*;
use leptos::task::spawn_local;

/// Copies `text` to the clipboard and says so; `label` names what is copied for screen readers,
/// `idle` is the button's word before it is pressed.
#[component]
pub fn CopyButton(text: String, label: String, #[prop(default = "Copy URL")] idle: &'static str) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            let Some(window) = web_sys::window() else { return };
            let promise = window.navigator().clipboard().write_text(&text);
            copied.set(Some(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()));
        });
    };
    view! {
        <button type="button" class="secondary" aria-label=label on:click=copy>
            {move || match copied.get() {
                None => idle,
                Some(true) => "Copied",
                Some(false) => "Copy failed",
            }}
        </button>
    }
}
