//! The public checkout page at `/l/{public_id}`, built as its own small binary (`checkout`) so a
//! customer's phone never downloads the dashboard. Mobile first; every control labelled; the
//! total is shown as the customer changes things, but the server computes what is charged.

pub mod api;
mod confirmation;
mod fields;
pub mod form;
mod items;
pub mod markdown;
mod page;

use crate::common::api::ApiError;
use crate::common::error_state::ErrorState;
use leptos::prelude::*;
use page::CheckoutPage;
use paylinks_api::PublicPaymentLink;

/// The public id in `/l/{public_id}`.
pub fn public_id_from_path(path: &str) -> Option<String> {
    let id = path.strip_prefix("/l/")?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

#[component]
pub fn CheckoutApp() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let public_id = public_id_from_path(&path).unwrap_or_default();
    let retry = RwSignal::new(0u32);
    // Plain signals and spawn_local rather than a resource and <Transition>: the same behaviour
    // without Leptos' async-derived and suspense machinery in the customer's download.
    let link = RwSignal::new(None::<Result<PublicPaymentLink, ApiError>>);
    Effect::new(move |_| {
        retry.track();
        link.set(None);
        let id = public_id.clone();
        leptos::task::spawn_local(async move { link.set(Some(api::public_link(&id).await)) });
    });
    view! {
        <main class="checkout">
            {move || match link.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the payment page…"</p> }.into_any(),
                Some(Ok(link)) => view! { <CheckoutPage link=link/> }.into_any(),
                Some(Err(ApiError::Server { status: 404, .. })) => view! { <Unavailable/> }.into_any(),
                Some(Err(err)) => view! {
                    <ErrorState message=format!("We could not load this payment page. {}", err.message()) retry=retry/>
                }.into_any(),
            }}
        </main>
    }
}

/// One message for every link that cannot be paid, whatever the reason.
#[component]
fn Unavailable() -> impl IntoView {
    view! {
        <section class="unavailable">
            <h1>"This payment link is not available"</h1>
            <p>"It may have expired, been paid already or been turned off. Ask the seller for a new link."</p>
        </section>
    }
}
