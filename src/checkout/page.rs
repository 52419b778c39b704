//! The checkout form for one link: summary, items, the customer's details, the card, and paying.

use super::api;
use super::fields::{address_fields, custom_field, Fields, CARD_CVC, CARD_EXPIRY, CARD_NUMBER, EMAIL, NAME, TEL};
use super::form::format_expiry;
use super::form::{pay_label, renewal_terms, CheckoutForm};
use super::items::Items;
use super::markdown::Markdown;
use super::promotion::PromotionCode;
use super::screen::{keep_form, remember_paid, set_title, Resumed, Screen};
use crate::common::api::ApiError;
use crate::common::field::Field;
use crate::common::form::{focus, focus_first_invalid, key_for, now, FieldMessages};
use crate::common::format;
use leptos::prelude::*;
use paylinks_api::card::{group_card_number, CardBrand};
use paylinks_api::checkout::{CheckoutResult, NextStep, PaymentStatus};
use paylinks_api::safe_url::is_safe_href;
use paylinks_api::PublicPaymentLink;

/// The mark the benchmark reads: the pay button can be pressed.
pub const INTERACTIVE_MARK: &str = "checkout-interactive";

fn mark_interactive() {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(INTERACTIVE_MARK);
    }
}

/// The checkout form for `link`. With `preview`, the same page shown beside the create form: it
/// neither pays nor touches the tab's title.
#[component]
pub fn CheckoutPage(
    link: PublicPaymentLink,
    screen: RwSignal<Screen>,
    #[prop(optional)] preview: bool,
    /// Back from Stripe's page without paying: what the customer had typed, and why.
    #[prop(optional_no_strip)]
    resumed: Option<Resumed>,
) -> impl IntoView {
    if !preview {
        set_title(&format!("{} — {}", link.name, link.merchant_name));
    }
    let (typed, notice, sent) = resumed.map_or((None, None, None), |r| (Some(r.form), Some(r.notice), r.last_sent));
    let form = RwSignal::new(typed.unwrap_or_else(|| CheckoutForm::new(&link)));
    let link = StoredValue::new(link);
    let failure = RwSignal::new(notice);
    let last_sent = StoredValue::new(sent);
    let local_errors = Memo::new(move |_| {
        let errors = link.with_value(|l| form.with(|f| f.check(l, now())));
        errors.err().unwrap_or_default()
    });
    let messages = FieldMessages::new(local_errors);
    let livemode = link.with_value(|l| l.livemode);
    let public_id = StoredValue::new(link.with_value(|l| l.public_id.clone()));

    let paying = RwSignal::new(false);
    let show_outcome = move |outcome: Result<CheckoutResult, ApiError>| match outcome {
        // A live link: on to Stripe's page for the card, with what was typed kept in this tab
        // for a customer who comes back without paying. The button stays busy while the page goes.
        Ok(result) if result.status == PaymentStatus::RequiresAction => match result.next {
            Some(NextStep::Redirect { url }) if is_safe_href(&url, false) => {
                public_id.with_value(|id| form.with_untracked(|f| keep_form(id, f, last_sent.get_value())));
                paying.set(true);
                let _ = window().location().assign(&url);
            }
            _ => failure.set(Some("Payments are unavailable right now; you have not been charged.".into())),
        },
        Ok(result) if result.status == PaymentStatus::Succeeded => match (&result.next, result.receipt) {
            (Some(NextStep::Redirect { url }), _) if is_safe_href(url, livemode) => {
                // Back from the merchant's page then shows the confirmation, not the form.
                remember_paid(&result.payment_id);
                let _ = window().location().assign(url);
            }
            (_, receipt) => {
                remember_paid(&result.payment_id);
                match receipt {
                    Some(receipt) => screen.set(Screen::Paid(receipt)),
                    // An answer stored before receipts existed: ask for it.
                    None => {
                        let _ = window().location().reload();
                    }
                }
            }
        },
        Ok(result) => {
            failure.set(result.failure_message.or(Some("The payment did not go through. Try another card.".into())));
            focus("#card-number");
        }
        // The link was paused, expired or sold out while the page was open.
        Err(err @ ApiError::Server { status: 404, .. }) => screen.set(Screen::from_error(err)),
        Err(err) => {
            let fields = err.field_errors();
            // Each field says what is wrong beside it; the line above the button says where to look.
            let summary = if fields.is_empty() {
                err.message()
            } else {
                "Check what is marked above; you have not been charged.".to_string()
            };
            messages.server.set(fields);
            failure.set(Some(summary));
            focus_first_invalid();
        }
    };
    if !preview {
        Effect::new(move |_| mark_interactive());
    }

    let ctx = Fields { form, messages };
    // Any change to what the customer typed makes the last failure old news (not the notice
    // the page opened with: the first run only subscribes).
    Effect::new(move |first: Option<()>| {
        form.track();
        if first.is_some() {
            failure.set(None);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if preview {
            return;
        }
        messages.submitted.set(true);
        if paying.get_untracked() {
            return;
        }
        match link.with_value(|l| form.with_untracked(|f| f.check(l, now()))) {
            Ok(request) => {
                let key = key_for(last_sent.get_value(), &request);
                last_sent.set_value(Some((request.clone(), key.clone())));
                failure.set(None);
                paying.set(true);
                leptos::task::spawn_local(async move {
                    let outcome = api::pay(&public_id.get_value(), &request, &key).await;
                    paying.set(false);
                    show_outcome(outcome);
                });
            }
            Err(_) => focus_first_invalid(),
        }
    };
    let order = Memo::new(move |_| link.with_value(|l| form.with(|f| f.order(l))));
    let currency = link.with_value(|l| l.currency.clone());
    // What the applied code takes off the order as it stands (none while it does not apply).
    let discount = Memo::new(move |_| {
        order.with(|o| o.as_ref().and_then(|o| link.with_value(|l| form.with(|f| f.discount(l, o)))))
    });
    let total_text = {
        let currency = currency.clone();
        move || {
            order.with(|o| format::amount(o.as_ref().map(|o| o.total_minor - discount.get().unwrap_or(0)), &currency))
        }
    };
    let button_text = {
        let currency = currency.clone();
        move || {
            if livemode {
                "Continue to payment".to_string()
            } else {
                order.with(|o| pay_label(o.as_ref(), discount.get().unwrap_or(0), &currency))
            }
        }
    };
    let busy_text = if livemode { "Opening the payment page…" } else { "Paying…" };
    let merchant = link.with_value(|l| l.merchant_name.clone());
    let terms = move || order.with(|o| o.as_ref().and_then(|o| renewal_terms(o, &currency, &merchant)));
    let cvc_hint = Signal::derive(move || {
        let amex = form.with(|f| CardBrand::of(&f.card_number.replace(' ', "")) == CardBrand::Amex);
        if amex { "4 digits on the front of the card" } else { "3 digits on the back of the card" }.to_string()
    });

    view! {
            {(!livemode).then(|| view! {
                <p class="test-banner" role="note">"Test mode — use card 4111 1111 1111 1111"</p>
            })}
            <Summary link=link/>
            <form class="checkout-form" on:submit=submit novalidate>
                <Items link=link ctx=ctx/>
                {link.with_value(|l| l.allow_promotion_codes).then(|| view! {
                    <PromotionCode link=link ctx=ctx discount=discount preview=preview/>
                })}
                <p class="total" aria-live="polite">"Total " <strong>{total_text}</strong></p>
                <fieldset>
                    <legend>"Your details"</legend>
                    <Field id="email" label="Email" field="email" messages=messages kind=EMAIL
                        value=move || form.with(|f| f.email.clone()) on_input=move |v: String| form.update(|f| f.email = v)/>
                    <Field id="name" label="Full name" field="name" messages=messages kind=NAME
                        value=move || form.with(|f| f.name.clone()) on_input=move |v: String| form.update(|f| f.name = v)/>
                    {link.with_value(|l| l.collect_phone).then(|| view! {
                        <Field id="phone" label="Phone" field="phone" messages=messages kind=TEL
                        value=move || form.with(|f| f.phone.clone()) on_input=move |v: String| form.update(|f| f.phone = v)/>
                    })}
                </fieldset>
                {link.with_value(|l| l.collect_address).then(|| address_fields(ctx, false))}
                {link.with_value(|l| l.collect_shipping).then(|| address_fields(ctx, true))}
                {move || {
                    let fields = link.with_value(|l| l.custom_fields.clone());
                    (!fields.is_empty()).then(|| view! {
                        <fieldset>
                            <legend>"A few questions"</legend>
                            {fields.into_iter().map(|field| custom_field(ctx, field)).collect_view()}
                        </fieldset>
                    })
                }}
                {if livemode {
                    view! { <p class="secure-note">"You will enter your card on Stripe's secure payment page next."</p> }.into_any()
                } else {
                    view! {
                <fieldset>
                    <legend>"Card"</legend>
                    <Field id="card-number" label="Card number" field="card.number" messages=messages kind=CARD_NUMBER
                        value=move || form.with(|f| f.card_number.clone()) on_input=move |v: String| form.update(|f| f.card_number = group_card_number(&v))/>
                    <div class="row">
                        <Field id="card-expiry" label="Expiry date" field="card.expiry" messages=messages kind=CARD_EXPIRY hint="Month / year, e.g. 04/29"
                        value=move || form.with(|f| f.expiry.clone()) on_input=move |v: String| form.update(|f| f.expiry = format_expiry(&v))/>
                        <Field id="card-cvc" label="Security code" field="card.cvc" messages=messages kind=CARD_CVC hint=cvc_hint
                        value=move || form.with(|f| f.cvc.clone()) on_input=move |v: String| form.update(|f| f.cvc = v)/>
                    </div>
                </fieldset>
                    }.into_any()
                }}
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <button type="submit" class="pay" disabled=move || paying.get()>
                    {move || if paying.get() { busy_text.to_string() } else { button_text() }}
                </button>
                <p class="renewal-terms">{terms}</p>
            </form>
    }
}

/// Heading, merchant, cover image and description: the server's safe rendering of its markdown,
/// else (the create form's preview, which has no server rendering) the text as typed.
#[component]
fn Summary(link: StoredValue<PublicPaymentLink>) -> impl IntoView {
    let l = link.get_value();
    let cover = l.cover_image_url.filter(|u| is_safe_href(u, l.livemode));
    view! {
        <header class="summary">
            <p class="merchant">{l.merchant_name}</p>
            {cover.map(|src| view! { <img class="cover" src=src alt=""/> })}
            <h1>{l.name}</h1>
            {match (l.description_html, l.description) {
                (Some(html), _) => Some(view! { <Markdown html=html/> }.into_any()),
                (None, Some(text)) => Some(view! { <p class="description">{text}</p> }.into_any()),
                (None, None) => None,
            }}
        </header>
    }
}
