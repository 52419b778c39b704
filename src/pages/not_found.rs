use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><A href="/links">"Go to your payment links"</A></p>
        </main>
    }
}
