//! The checkout page's root: which screen the address asks for, and the preview the dashboard
//! shows beside its create form.

use super::api;
use super::confirmation::Confirmation;
use super::page::CheckoutPage;
use super::screen::Screen;
use super::unavailable::Unavailable;
use crate::common::api::ApiError;
use crate::common::error_state::ErrorState;
use crate::common::field::IdScope;
use leptos::context::Provider;
use leptos::prelude::*;
use paylinks_api::PublicPaymentLink;

/// The public id in `/l/{public_id}`.
pub fn public_id_from_path(path: &str) -> Option<String> {
    let id = path.strip_prefix("/l/")?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

/// The payment id in `?paid=py_…`, if the customer has paid on this page before.
pub fn paid_from_query(search: &str) -> Option<String> {
    let params = web_sys::UrlSearchParams::new_with_str(search).ok()?;
    params.get("paid").filter(|id| id.starts_with("py_"))
}

async fn load(public_id: &str, paid: Option<&str>) -> Screen {
    if let Some(payment_id) = paid {
        match api::receipt(public_id, payment_id).await {
            Ok(receipt) => return Screen::Paid(receipt),
            // Not a payment of this link (an edited address): the link as usual.
            Err(ApiError::Server { status: 404, .. }) => {}
            Err(err) => return Screen::Failed(err),
        }
    }
    Screen::from_link(api::public_link(public_id).await)
}

/// The checkout page `link` makes, as a customer would see it, for the merchant to look at while
/// editing: inert (nothing in it can be pressed or focused), its ids apart from the page's own.
#[component]
pub fn CheckoutPreview(link: Signal<PublicPaymentLink>) -> impl IntoView {
    let screen = RwSignal::new(Screen::Loading);
    // A Provider, not provide_context: a component has no owner of its own, so the scope would
    // reach the page's own inputs too.
    view! {
        <Provider value=IdScope("preview-")>
            <div class="checkout" inert=true>
                {move || view! { <CheckoutPage link=link.get() screen=screen preview=true/> }}
            </div>
        </Provider>
    }
}

#[component]
pub fn CheckoutApp() -> impl IntoView {
    let location = window().location();
    let public_id = public_id_from_path(&location.pathname().unwrap_or_default()).unwrap_or_default();
    // Read each time: after paying on this page the address names the payment.
    let paid = || paid_from_query(&window().location().search().unwrap_or_default());
    let retry = RwSignal::new(0u32);
    // Plain signals and spawn_local rather than a resource and <Transition>: the same behaviour
    // without Leptos' async-derived and suspense machinery in the customer's download.
    let screen = RwSignal::new(Screen::Loading);
    // A page restored from the back-forward cache keeps its old screen (the form it was paid
    // from): if the address now says it was paid, ask the server again.
    let restored = window_event_listener(leptos::ev::pageshow, move |ev| {
        if ev.persisted() && paid().is_some() && !matches!(screen.get_untracked(), Screen::Paid(_)) {
            retry.update(|n| *n += 1);
        }
    });
    on_cleanup(move || restored.remove());
    Effect::new(move |_| {
        retry.track();
        screen.set(Screen::Loading);
        let (id, paid) = (public_id.clone(), paid());
        leptos::task::spawn_local(async move { screen.set(load(&id, paid.as_deref()).await) });
    });
    view! {
        <main class="checkout">
            {move || match screen.get() {
                Screen::Loading => view! { <p class="loading" aria-busy="true">"Loading the payment page…"</p> }.into_any(),
                Screen::Pay(link) => view! { <CheckoutPage link=link screen=screen/> }.into_any(),
                Screen::Paid(receipt) => view! { <Confirmation receipt=receipt/> }.into_any(),
                Screen::Unavailable(body) => view! { <Unavailable body=body/> }.into_any(),
                Screen::Failed(err) => view! {
                    <ErrorState message=format!("We could not load this payment page. {}", err.message()) retry=retry/>
                }.into_any(),
            }}
        </main>
    }
}
