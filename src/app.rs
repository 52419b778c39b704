//! The app's root. For now a status page: the API is up, and where its documentation is.

use crate::api;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let health = LocalResource::new(api::health);
    view! {
        <main class="page">
            <h1>"paylinks"</h1>
            <p class="lead">"Self-hostable payment links."</p>
            <Suspense fallback=|| view! { <p role="status">"Checking the API…"</p> }>
                {move || {
                    health
                        .get()
                        .map(|result| match result {
                            Ok(()) => view! { <p role="status" class="ok">"The API is up."</p> }.into_any(),
                            Err(err) => {
                                view! { <p role="alert" class="error">{format!("The API is not reachable: {err}")}</p> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <ul>
                <li><a href="/v2/openapi.json">"OpenAPI document of the v2 API"</a></li>
            </ul>
        </main>
    }
}
