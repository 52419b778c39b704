//! A merchant's markdown on the page, as the server rendered it to safe HTML
//! (`crates/server/src/markdown.rs`: raw HTML escaped, unsafe links dropped, images as alt text),
//! so the checkout carries no markdown parser.

use leptos::prelude::*;

/// The only place the checkout sets HTML, and only the server's sanitised rendering.
#[component]
pub fn Markdown(html: String) -> impl IntoView {
    view! { <div class="description" inner_html=html></div> }
}
