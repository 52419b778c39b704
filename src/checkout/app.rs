//! The checkout page's root: which screen the address asks for, and the preview the dashboard
//! shows beside its create form.

use super::api;
use super::confirmation::Confirmation;
use super::form::CheckoutForm;
use super::page::CheckoutPage;
use super::screen::{remember_paid, take_form, Resumed, Screen};
use super::unavailable::Unavailable;
use crate::common::api::ApiError;
use crate::common::error_state::ErrorState;
use crate::common::field::IdScope;
use leptos::context::Provider;
use leptos::prelude::*;
use paylinks_api::checkout::{CheckoutResult, NextStep, PaymentStatus};
use paylinks_api::safe_url::is_safe_href;
use paylinks_api::PublicPaymentLink;

/// The public id in `/l/{public_id}`.
pub fn public_id_from_path(path: &str) -> Option<String> {
    let id = path.strip_prefix("/l/")?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

/// What the address says about this visit: paid before (`?paid=py_…`), back from Stripe's page
/// with a session (`?session_id=cs_…`), or back without paying (`?cancelled=1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visit {
    pub paid: Option<String>,
    pub session_id: Option<String>,
    pub cancelled: bool,
}

pub fn visit_from_query(search: &str) -> Visit {
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(search) else { return Visit::default() };
    Visit {
        paid: params.get("paid").filter(|id| id.starts_with("py_")),
        session_id: params.get("session_id").filter(|id| id.starts_with("cs_")),
        cancelled: params.get("cancelled").is_some_and(|v| v == "1"),
    }
}

async fn load(public_id: &str, visit: &Visit) -> Screen {
    if let Some(payment_id) = &visit.paid {
        match api::receipt(public_id, payment_id).await {
            Ok(receipt) => return Screen::Paid(receipt),
            // Not a payment of this link (an edited address): the link as usual.
            Err(ApiError::Server { status: 404, .. }) => {}
            Err(err) => return Screen::Failed(err),
        }
    }
    let mut notice = visit.cancelled.then(|| "Payment cancelled: you have not been charged.".to_string());
    if let Some(session_id) = &visit.session_id {
        match api::session(public_id, session_id).await {
            Ok(result) => match returned(public_id, result) {
                Returned::Show(screen) => return *screen,
                Returned::PayAgain(why) => notice = Some(why),
            },
            Err(ApiError::Server { status: 404, .. }) => {}
            Err(err) => return Screen::Failed(err),
        }
    }
    match api::public_link(public_id).await {
        Ok(link) => {
            let resumed = notice.map(|notice| {
                Box::new(take_form(public_id, notice.clone()).unwrap_or_else(|| Resumed {
                    form: CheckoutForm::new(&link),
                    notice,
                    last_sent: None,
                }))
            });
            Screen::Pay(link, resumed)
        }
        Err(err) => Screen::from_error(err),
    }
}

/// What a customer back from Stripe's page is shown.
enum Returned {
    Show(Box<Screen>),
    /// The form again, with why.
    PayAgain(String),
}

fn returned(public_id: &str, result: CheckoutResult) -> Returned {
    match result.status {
        PaymentStatus::Succeeded => {
            remember_paid(&result.payment_id);
            let _ = take_form(public_id, String::new());
            match (result.next, result.receipt) {
                (Some(NextStep::Redirect { url }), _) if is_safe_href(&url, true) => {
                    let _ = window().location().assign(&url);
                    Returned::Show(Box::new(Screen::Loading))
                }
                (_, Some(receipt)) => Returned::Show(Box::new(Screen::Paid(receipt))),
                (_, None) => Returned::Show(Box::new(Screen::Confirming)),
            }
        }
        PaymentStatus::Pending | PaymentStatus::RequiresAction => Returned::Show(Box::new(Screen::Confirming)),
        PaymentStatus::NeedsReview => Returned::Show(Box::new(Screen::UnderReview(result.payment_id))),
        PaymentStatus::Failed | PaymentStatus::Expired => Returned::PayAgain(
            result
                .failure_message
                .unwrap_or_else(|| "The payment did not go through; you have not been charged.".into()),
        ),
    }
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
    let visit = || visit_from_query(&window().location().search().unwrap_or_default());
    let retry = RwSignal::new(0u32);
    // Plain signals and spawn_local rather than a resource and <Transition>: the same behaviour
    // without Leptos' async-derived and suspense machinery in the customer's download.
    let screen = RwSignal::new(Screen::Loading);
    // A page restored from the back-forward cache keeps its old screen (the form it was paid
    // from): if the address now says it was paid, ask the server again.
    let restored = window_event_listener(leptos::ev::pageshow, move |ev| {
        if ev.persisted() && visit().paid.is_some() && !matches!(screen.get_untracked(), Screen::Paid(_)) {
            retry.update(|n| *n += 1);
        }
    });
    on_cleanup(move || restored.remove());
    Effect::new(move |_| {
        retry.track();
        screen.set(Screen::Loading);
        let (id, visit) = (public_id.clone(), visit());
        leptos::task::spawn_local(async move { screen.set(load(&id, &visit).await) });
    });
    view! {
        <main class="checkout">
            {move || match screen.get() {
                Screen::Loading => view! { <p class="loading" aria-busy="true">"Loading the payment page…"</p> }.into_any(),
                Screen::Pay(link, resumed) => view! { <CheckoutPage link=link screen=screen resumed=resumed.map(|r| *r)/> }.into_any(),
                Screen::Paid(receipt) => view! { <Confirmation receipt=receipt/> }.into_any(),
                Screen::Confirming => {
                    // Stripe has not told us yet: ask again in a moment.
                    set_timeout(move || retry.update(|n| *n += 1), std::time::Duration::from_secs(2));
                    view! {
                        <section class="confirming" role="status" aria-busy="true">
                            <h1>"Confirming your payment…"</h1>
                            <p>"Stripe is telling us how your payment went. This page updates by itself."</p>
                        </section>
                    }.into_any()
                }
                Screen::UnderReview(payment_id) => view! {
                    <section class="confirming" role="status">
                        <h1>"Payment received, being checked"</h1>
                        <p>"The merchant is checking this payment before confirming it. Keep this reference: "<code>{payment_id}</code></p>
                    </section>
                }.into_any(),
                Screen::Unavailable(body) => view! { <Unavailable body=body/> }.into_any(),
                Screen::Failed(err) => view! {
                    <ErrorState message=format!("We could not load this payment page. {}", err.message()) retry=retry/>
                }.into_any(),
            }}
        </main>
    }
}
