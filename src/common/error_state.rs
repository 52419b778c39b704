use leptos::prelude::*;

/// A failed load: what went wrong, and a way to try again.
#[component]
pub fn ErrorState(message: String, retry: RwSignal<u32>) -> impl IntoView {
    view! {
        <div class="error-state" role="alert">
            <p>{message}</p>
            <button type="button" on:click=move |_| retry.update(|n| *n += 1)>"Retry"</button>
        </div>
    }
}
