//! The dashboard frame: header, navigation, the test-mode banner, and the sign-in guard.

use crate::session::{self, use_session};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_navigate;

#[component]
pub fn Dashboard(children: ChildrenFn) -> impl IntoView {
    let signed_in = use_session();
    let navigate = use_navigate();
    let sign_out = move |_| {
        session::clear();
        signed_in.set(None);
        navigate("/sign-in", Default::default());
    };
    let children = StoredValue::new(children);
    move || match signed_in.get() {
        // Back to the page that was asked for once signed in.
        None => {
            let location = window().location();
            let asked = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
            let next = js_sys::encode_uri_component(&asked);
            view! { <Redirect path=format!("/sign-in?next={next}")/> }.into_any()
        }
        Some(current) => {
            let mode = if current.is_test_mode() { "sandbox" } else { "live" };
            let who = format!("{} · {mode}", current.merchant_name);
            view! {
                {current.is_test_mode().then(|| view! {
                    <div class="test-banner" role="note">"Test mode: sandbox data, no real payments."</div>
                })}
                <header class="top">
                    <A href="/links" attr:class="brand">"paylinks"</A>
                    <nav aria-label="Main">
                        <A href="/links">"Links"</A>
                        <A href="/links/new">"New link"</A>
                        <A href="/products">"Products"</A>
                        <A href="/promotion-codes">"Promotion codes"</A>
                        <A href="/developers">"Developers"</A>
                    </nav>
                    <span class="mode">{who}</span>
                    <button type="button" class="secondary" on:click=sign_out.clone()>"Sign out"</button>
                </header>
                <main class="page">{children.with_value(|c| c())}</main>
            }
            .into_any()
        }
    }
}
