//! The public checkout page at `/l/{public_id}`, built as its own small binary (`checkout`) so a
//! customer's phone never downloads the dashboard. Mobile first; every control labelled; the
//! total is shown as the customer changes things, but the server computes what is charged.

pub mod api;
pub mod form;
pub mod markdown;

use crate::api::ApiError;
use crate::components::error_state::ErrorState;
use crate::form_support::{focus_first_invalid, key_for, now, FieldMessages};
use crate::format;
use form::{AddressForm, CheckoutForm};
use leptos::prelude::*;
use markdown::Markdown;
use paylinks_api::card::group_card_number;
use paylinks_api::checkout::{CheckoutRequest, CheckoutResult, NextStep, PaymentStatus};
use paylinks_api::safe_url::is_safe_href;
use paylinks_api::{CustomField, CustomFieldType, PublicPaymentLink, SelectionMode};

/// The mark the benchmark reads: the pay button can be pressed.
pub const INTERACTIVE_MARK: &str = "checkout-interactive";

/// The public id in `/l/{public_id}`.
pub fn public_id_from_path(path: &str) -> Option<String> {
    let id = path.strip_prefix("/l/")?.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

/// `1230` → `12/30` as the customer types; deleting past the slash works.
pub fn format_expiry(typed: &str) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).take(4).collect();
    if digits.len() > 2 {
        format!("{}/{}", &digits[..2], &digits[2..])
    } else {
        digits
    }
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

fn mark_interactive() {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(INTERACTIVE_MARK);
    }
}

#[component]
fn CheckoutPage(link: PublicPaymentLink) -> impl IntoView {
    let link = StoredValue::new(link);
    let form = RwSignal::new(link.with_value(CheckoutForm::new));
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<CheckoutResult>);
    let last_sent = StoredValue::new(None::<(CheckoutRequest, String)>);
    let local_errors = Memo::new(move |_| {
        let errors = link.with_value(|l| form.with(|f| f.check(l, now())));
        errors.err().unwrap_or_default()
    });
    let messages = FieldMessages::new(local_errors);
    let livemode = link.with_value(|l| l.livemode);
    let public_id = StoredValue::new(link.with_value(|l| l.public_id.clone()));

    let paying = RwSignal::new(false);
    let show_outcome = move |outcome: Result<CheckoutResult, ApiError>| match outcome {
        Ok(result) if result.status == PaymentStatus::Succeeded => match &result.next {
            Some(NextStep::Redirect { url }) if is_safe_href(url, livemode) => {
                let _ = window().location().assign(url);
            }
            _ => done.set(Some(result)),
        },
        Ok(result) => {
            failure.set(result.failure_message.or(Some("The payment did not go through. Try another card.".into())));
        }
        Err(err) => {
            messages.server.set(err.field_errors());
            failure.set(Some(err.message()));
            focus_first_invalid();
        }
    };
    Effect::new(move |_| mark_interactive());

    let ctx = Fields { form, failure, messages };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
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
    let total = move || link.with_value(|l| form.with(|f| f.total(l)));
    let total_text = move || link.with_value(|l| format::amount(total(), &l.currency));

    view! {
        <Show when=move || done.get().is_none() fallback=move || view! { <Confirmation link=link result=done/> }>
            {(!livemode).then(|| view! {
                <p class="test-banner" role="note">"Test mode — use card 4111 1111 1111 1111"</p>
            })}
            <Summary link=link/>
            <form class="checkout-form" on:submit=submit novalidate>
                <Items link=link ctx=ctx/>
                <p class="total" aria-live="polite">"Total " <strong>{total_text}</strong></p>
                <fieldset>
                    <legend>"Your details"</legend>
                    {ctx.input("email", "Email", "email", EMAIL, |f| f.email.clone(), |f, v| f.email = v)}
                    {ctx.input("name", "Full name", "name", NAME, |f| f.name.clone(), |f, v| f.name = v)}
                    {link.with_value(|l| l.collect_phone).then(|| ctx.input("phone", "Phone", "phone", TEL, |f| f.phone.clone(), |f, v| f.phone = v))}
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
                // No promotion codes exist yet, so the page does not ask for one (every code would fail).
                <fieldset>
                    <legend>"Card"</legend>
                    {ctx.input("card-number", "Card number", "card.number", CARD_NUMBER,
                        |f| f.card_number.clone(), |f, v| f.card_number = group_card_number(&v))}
                    <div class="row">
                        {ctx.input("card-expiry", "Expiry (MM/YY)", "card.expiry", CARD_EXPIRY,
                            |f| f.expiry.clone(), |f, v| f.expiry = format_expiry(&v))}
                        {ctx.input("card-cvc", "Security code (CVC)", "card.cvc", CARD_CVC,
                            |f| f.cvc.clone(), |f, v| f.cvc = v)}
                    </div>
                </fieldset>
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <button type="submit" class="pay" disabled=move || paying.get()>
                    {move || if paying.get() { "Paying…".to_string() } else { format!("Pay {}", total_text()) }}
                </button>
            </form>
        </Show>
    }
}

/// Heading, merchant, cover image and description.
#[component]
fn Summary(link: StoredValue<PublicPaymentLink>) -> impl IntoView {
    let l = link.get_value();
    let cover = l.cover_image_url.filter(|u| is_safe_href(u, l.livemode));
    view! {
        <header class="summary">
            <p class="merchant">{l.merchant_name}</p>
            {cover.map(|src| view! { <img class="cover" src=src alt=""/> })}
            <h1>{l.name}</h1>
            {l.description_html.map(|html| view! { <Markdown html=html/> })}
        </header>
    }
}

/// How an input behaves on a phone: its type, what the browser may fill in, which keyboard.
#[derive(Clone, Copy)]
struct Kind {
    input_type: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
}

const fn kind(input_type: &'static str, autocomplete: &'static str, inputmode: &'static str) -> Kind {
    Kind { input_type, autocomplete, inputmode }
}

const EMAIL: Kind = kind("email", "email", "email");
const NAME: Kind = kind("text", "name", "text");
const TEL: Kind = kind("tel", "tel", "tel");
const CARD_NUMBER: Kind = kind("text", "cc-number", "numeric");
const CARD_EXPIRY: Kind = kind("text", "cc-exp", "numeric");
const CARD_CVC: Kind = kind("text", "cc-csc", "numeric");
const AMOUNT: Kind = kind("text", "transaction-amount", "decimal");
const NUMBER: Kind = kind("text", "off", "decimal");
const TEXT: Kind = kind("text", "off", "text");

/// What every input of the form shares: the data, the last failure, and the messages.
#[derive(Clone, Copy)]
struct Fields {
    form: RwSignal<CheckoutForm>,
    failure: RwSignal<Option<String>>,
    messages: FieldMessages,
}

impl Fields {
    /// Changes the form: the last failure and the server's verdict on `field` no longer apply.
    fn edit(&self, field: &str, update: impl FnOnce(&mut CheckoutForm)) {
        self.form.update(update);
        self.failure.set(None);
        self.messages.edited(field);
    }

    fn leave(&self, field: &str) {
        self.messages.leave(field);
    }

    fn error_for(&self, field: String) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
        self.messages.for_field(field)
    }

    /// A labelled input bound to one field of the form, with its error under it.
    fn input(
        self,
        id: &str,
        label: &str,
        field: &str,
        kind: Kind,
        get: impl Fn(&CheckoutForm) -> String + Copy + Send + Sync + 'static,
        set: impl Fn(&mut CheckoutForm, String) + Copy + 'static,
    ) -> impl IntoView {
        let (error, invalid) = (self.error_for(field.to_string()), self.error_for(field.to_string()));
        let (id, error_id, field) = (id.to_string(), format!("{id}-error"), field.to_string());
        let (field_in, field_out, form) = (field.clone(), field, self.form);
        view! {
            <div class="field">
                <label for=id.clone()>{label.to_string()}</label>
                <input id=id type=kind.input_type autocomplete=kind.autocomplete inputmode=kind.inputmode
                    prop:value=move || form.with(get)
                    aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); self.edit(&field_in, move |f| set(f, v)) }
                    on:blur=move |_| self.leave(&field_out)/>
                <p id=error_id class="field-error" aria-live="polite">{error}</p>
            </div>
        }
    }
}

fn address_of(form: &mut CheckoutForm, shipping: bool) -> &mut AddressForm {
    if shipping {
        &mut form.shipping
    } else {
        &mut form.billing
    }
}

fn address_fields(ctx: Fields, shipping: bool) -> impl IntoView {
    let (legend, key) = if shipping { ("Shipping address", "shipping") } else { ("Billing address", "billing") };
    // `autocomplete` for [billing, shipping]: the section tells the browser which address to fill.
    let part = move |name: &'static str,
                     label: &'static str,
                     auto: [&'static str; 2],
                     pick: fn(&mut AddressForm) -> &mut String| {
        let get = move |f: &CheckoutForm| {
            let mut copy = f.clone();
            pick(address_of(&mut copy, shipping)).clone()
        };
        let set = move |f: &mut CheckoutForm, v: String| *pick(address_of(f, shipping)) = v;
        let kind = kind("text", auto[usize::from(shipping)], "text");
        ctx.input(&format!("{key}-{name}"), label, &format!("{key}_address.{name}"), kind, get, set)
    };
    view! {
        <fieldset>
            <legend>{legend}</legend>
            <p class="field-error" aria-live="polite">{ctx.error_for(format!("{key}_address"))}</p>
            {part("line1", "Address line 1", ["billing address-line1", "shipping address-line1"], |a| &mut a.line1)}
            {part("line2", "Address line 2 (optional)", ["billing address-line2", "shipping address-line2"], |a| &mut a.line2)}
            {part("city", "City", ["billing address-level2", "shipping address-level2"], |a| &mut a.city)}
            {part("state", "State or region (optional)", ["billing address-level1", "shipping address-level1"], |a| &mut a.state)}
            {part("postal_code", "Postal code", ["billing postal-code", "shipping postal-code"], |a| &mut a.postal_code)}
            {part("country", "Country code (e.g. US)", ["billing country", "shipping country"], |a| &mut a.country)}
        </fieldset>
    }
}

fn custom_field(ctx: Fields, field: CustomField) -> impl IntoView {
    let path = format!("custom_fields.{}", field.key);
    let id = format!("custom-{}", field.key);
    let label = if field.required { field.label.clone() } else { format!("{} (optional)", field.label) };
    let key = StoredValue::new(field.key.clone());
    let get = move |f: &CheckoutForm| key.with_value(|k| f.answers.get(k).cloned().unwrap_or_default());
    let set = move |f: &mut CheckoutForm, v: String| {
        key.with_value(|k| f.answers.insert(k.clone(), v));
    };
    match field.field_type {
        CustomFieldType::Dropdown => {
            let (error, invalid) = (ctx.error_for(path.clone()), ctx.error_for(path.clone()));
            let error_id = format!("{id}-error");
            let (path_in, path_out, form) = (path.clone(), path, ctx.form);
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <select id=id aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                        prop:value=move || form.with(get)
                        on:change=move |ev| { let v = event_target_value(&ev); ctx.edit(&path_in, move |f| set(f, v)); ctx.leave(&path_out) }>
                        <option value="">"Choose…"</option>
                        {field.options.into_iter().map(|o| { let shown = o.clone(); view! { <option value=o>{shown}</option> } }).collect_view()}
                    </select>
                    <p id=error_id class="field-error" aria-live="polite">{error}</p>
                </div>
            }
            .into_any()
        }
        CustomFieldType::Number => ctx.input(&id, &label, &path, NUMBER, get, set).into_any(),
        CustomFieldType::Text => ctx.input(&id, &label, &path, TEXT, get, set).into_any(),
    }
}

/// The line items with their quantity or choice controls, or the amount to choose.
#[component]
fn Items(link: StoredValue<PublicPaymentLink>, ctx: Fields) -> impl IntoView {
    let l = link.get_value();
    let form = ctx.form;
    if let Some(bounds) = l.custom_amount {
        let currency = l.currency.clone();
        let hint = format!(
            "Between {} and {}",
            format::amount(Some(bounds.minimum), &currency),
            format::amount(Some(bounds.maximum), &currency)
        );
        return view! {
            <div class="custom-amount">
                {ctx.input("amount", &format!("Amount ({currency})"), "amount_minor", AMOUNT,
                    |f| f.amount.clone(), |f, v| f.amount = v)}
                <p class="hint">{hint}</p>
            </div>
        }
        .into_any();
    }
    if l.line_items.is_empty() {
        return ().into_any();
    }
    let adjustable = l.allow_quantity_adjustment;
    let mode = l.selection_mode;
    let rows = l.line_items.into_iter().enumerate().map(|(i, item)| {
        let price = format::amount(Some(item.unit_amount), &item.currency);
        let every = item.interval.map(|interval| {
            let unit = format!("{interval:?}").to_lowercase();
            match item.interval_count {
                Some(n) if n > 1 => format!(" every {n} {unit}s"),
                _ => format!(" per {unit}"),
            }
        });
        let name = item.name.clone();
        let quantity = move || form.with(|f| f.quantities.get(i).copied().unwrap_or(0));
        let set_quantity = move |q: i64| {
            ctx.edit(&format!("quantities[{i}]"), move |f| {
                if let Some(slot) = f.quantities.get_mut(i) {
                    *slot = q;
                }
            });
        };
        let default_quantity = item.quantity;
        let highlighted = l.highlighted_item == Some(i);
        let chooser = match mode {
            SelectionMode::Bundle => None,
            SelectionMode::SingleSelect => Some(view! {
                <label class="check"><input type="radio" name="item" prop:checked=move || { quantity() > 0 }
                    on:change=move |_| ctx.edit("quantities", move |f| {
                        for (j, q) in f.quantities.iter_mut().enumerate() { *q = if j == i { default_quantity } else { 0 } }
                    })/>{format!("Choose {name}")}</label>
            }.into_any()),
            SelectionMode::MultiSelect => Some(view! {
                <label class="check"><input type="checkbox" prop:checked=move || { quantity() > 0 }
                    on:change=move |ev| { let on = event_target_checked(&ev); set_quantity(if on { default_quantity } else { 0 }) }/>
                    {format!("Add {name}")}</label>
            }.into_any()),
        };
        let qty_id = format!("quantity-{i}");
        let label = format!("Quantity of {}", item.name);
        let stepper = adjustable.then(|| view! {
            <div class="stepper">
                <button type="button" class="secondary" aria-label=format!("Fewer {}", item.name)
                    disabled=move || { quantity() <= 1 } on:click=move |_| set_quantity((quantity() - 1).max(1))>"−"</button>
                <label class="visually-hidden" for=qty_id.clone()>{label}</label>
                <input id=qty_id type="number" inputmode="numeric" min="1" max="99" prop:value=move || quantity().to_string()
                    on:input=move |ev| set_quantity(event_target_value(&ev).trim().parse().unwrap_or(0))/>
                <button type="button" class="secondary" aria-label=format!("More {}", item.name)
                    disabled=move || { quantity() >= 99 } on:click=move |_| set_quantity((quantity() + 1).min(99))>"+"</button>
            </div>
        });
        let fixed = (!adjustable).then(|| view! { <span class="qty">{format!("× {default_quantity}")}</span> });
        view! {
            <li class="item" class:highlighted=highlighted>
                {chooser}
                <div class="item-text">
                    <span class="item-name">{item.name}</span>
                    {item.description.map(|d| view! { <span class="item-description">{d}</span> })}
                    <span class="item-price">{price}{every}</span>
                </div>
                {stepper}{fixed}
                <p class="field-error" aria-live="polite">{ctx.error_for(format!("quantities[{i}]"))}</p>
            </li>
        }
    });
    view! {
        <ul class="items" aria-label="What you are paying for">{rows.collect_view()}</ul>
        <p class="field-error" aria-live="polite">{ctx.error_for("quantities".into())}</p>
    }
    .into_any()
}

/// Shown after a successful payment when the link does not redirect.
#[component]
fn Confirmation(link: StoredValue<PublicPaymentLink>, result: RwSignal<Option<CheckoutResult>>) -> impl IntoView {
    let l = link.get_value();
    let result = result.get_untracked();
    let paid = result.as_ref().map(|r| format::amount(Some(r.amount_minor), &r.currency)).unwrap_or_default();
    let message = result.as_ref().and_then(|r| match &r.next {
        Some(NextStep::Confirmation { message_html: Some(html), .. }) => Some(html.clone()),
        _ => None,
    });
    let reference = result.map(|r| r.payment_id).unwrap_or_default();
    view! {
        <section class="confirmation" role="status">
            <h1>"Payment received"</h1>
            <p>{format!("You paid {paid} to {}.", l.merchant_name)}</p>
            {message.map(|html| view! { <Markdown html=html/> })}
            <p class="reference">"Reference: " <code>{reference}</code></p>
        </section>
    }
}
