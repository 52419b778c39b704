//! Promotion codes: make one (a percentage or an amount off, for everything or some products,
//! with an optional limit and end date), see how many were used and are left, deactivate one.

use crate::common::error_state::ErrorState;
use crate::common::form::{field_message, general_message, key_for, run_exclusive};
use crate::common::format;
use crate::session::{client_of, use_session};
use leptos::prelude::*;
use paylinks_api::catalog::Product;
use paylinks_api::discount::{AppliesTo, CreateDiscount, Discount, DiscountType, UpdateDiscount};
use paylinks_api::money::parse_major;
use paylinks_api::{Currency, FieldErrors};
use uuid::Uuid;

/// How a code reads: `15% off`, `$5.00 off`.
fn off_words(discount: &Discount) -> String {
    match discount.discount_type {
        DiscountType::Percentage => format!("{}% off", discount.discount_value),
        DiscountType::FixedAmount => {
            format!(
                "{} off",
                format::amount(Some(discount.discount_value), discount.currency.as_deref().unwrap_or("USD"))
            )
        }
    }
}

/// `3 used · 2 left`, `3 used · no limit`.
fn redemption_words(discount: &Discount) -> String {
    let left = discount.redemptions_left.map_or_else(|| "no limit".to_string(), |n| format!("{n} left"));
    format!("{} used · {left}", discount.current_redemptions)
}

#[component]
pub fn DiscountsPage() -> impl IntoView {
    let session = use_session();
    let reload = RwSignal::new(0u32);
    let codes = LocalResource::new(move || {
        let client = client_of(session.get());
        reload.track();
        async move { client?.list_discounts().await }
    });
    // For choosing the products a code is for; the form stays as typed while the list reloads.
    let products = LocalResource::new(move || {
        let client = client_of(session.get());
        async move { client?.list_products().await }
    });
    let products =
        Signal::derive(move || products.get().and_then(|r| r.ok()).map(|list| list.data).unwrap_or_default());
    view! {
        <div class="toolbar"><h1>"Promotion codes"</h1></div>
        <p class="muted">"Codes customers type at checkout on links that accept them. The discount is checked again when they pay, so a code that just ran out is never over-used."</p>
        <NewCode reload=reload products=products/>
        <h2>"Your codes"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading codes…"</p> }>
            {move || codes.get().map(|result| match result {
                Err(err) => view! { <ErrorState message=err.message() retry=reload/> }.into_any(),
                Ok(list) if list.data.is_empty() => view! { <div class="empty-state"><p>"No codes yet."</p></div> }.into_any(),
                Ok(list) => view! {
                    <ul class="codes" aria-label="Promotion codes">
                        {list.data.into_iter().map(|code| view! { <CodeRow code=code reload=reload/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn NewCode(reload: RwSignal<u32>, products: Signal<Vec<Product>>) -> impl IntoView {
    let session = use_session();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let fixed = RwSignal::new(false);
    let value = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_string());
    let chosen = RwSignal::new(Vec::<Uuid>::new());
    let limit = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let unreadable = RwSignal::new(FieldErrors::default());
    let last_sent = StoredValue::new(None::<(CreateDiscount, String)>);
    let create = Action::new_local(move |(body, key): &(CreateDiscount, String)| {
        let (body, key, client) = (body.clone(), key.clone(), client_of(session.get_untracked()));
        async move { client?.create_discount(&body, &key).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            for field in [code, name, value, limit, until] {
                field.set(String::new());
            }
            chosen.set(Vec::new());
            reload.update(|n| *n += 1);
        }
    });
    let error_of = move |field: &'static str| {
        move || unreadable.with(|u| create.value().with(|v| field_message(u, v.as_ref(), field)))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        let mut errors = FieldErrors::default();
        let is_fixed = fixed.get_untracked();
        let typed = value.get_untracked().trim().to_string();
        let discount_value = if is_fixed {
            match Currency::parse(currency.get_untracked().trim()) {
                None => {
                    errors.add("currency", "choose a known currency code, like USD");
                    0
                }
                Some(c) => parse_major(&typed, c).map_err(|e| errors.add("discount_value", e.to_string())).unwrap_or(0),
            }
        } else {
            typed.parse().map_err(|_| errors.add("discount_value", "enter a whole percentage, like 15")).unwrap_or(0)
        };
        let max_redemptions = match limit.get_untracked().trim() {
            "" => None,
            n => n.parse().map_err(|_| errors.add("max_redemptions", "enter a whole number, like 100")).ok(),
        };
        // The last moment of the chosen day, in UTC.
        let valid_until = match until.get_untracked().trim() {
            "" => None,
            day => {
                // A date input's value is `YYYY-MM-DD`.
                let parts: Vec<u32> = day.split('-').filter_map(|p| p.parse().ok()).collect();
                let date = match parts[..] {
                    [y, m, d] => chrono::NaiveDate::from_ymd_opt(y as i32, m, d),
                    _ => None,
                };
                date.and_then(|d| d.and_hms_opt(23, 59, 59)).map(|t| t.and_utc()).or_else(|| {
                    errors.add("valid_until", "choose a date");
                    None
                })
            }
        };
        let ids = chosen.get_untracked();
        let failed = !errors.is_empty();
        unreadable.set(errors);
        if failed {
            return;
        }
        let body = CreateDiscount {
            code: code.get_untracked().trim().to_string(),
            name: Some(name.get_untracked().trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| code.get_untracked().trim().to_string()),
            discount_type: if is_fixed { DiscountType::FixedAmount } else { DiscountType::Percentage },
            discount_value,
            currency: is_fixed.then(|| currency.get_untracked().trim().to_string()),
            applies_to: Some(if ids.is_empty() { AppliesTo::All } else { AppliesTo::SpecificProducts }),
            product_ids: (!ids.is_empty()).then_some(ids),
            max_redemptions,
            valid_until,
            ..CreateDiscount::default()
        };
        let key = key_for(last_sent.get_value(), &body);
        last_sent.set_value(Some((body.clone(), key.clone())));
        create.dispatch((body, key));
    };
    let text_field = move |id: &'static str,
                           label: &'static str,
                           field: &'static str,
                           signal: RwSignal<String>,
                           hint: Option<&'static str>| {
        let described = if hint.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-error") };
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" autocomplete="off" prop:value=signal
                    aria-invalid=move || error_of(field)().is_some().to_string() aria-describedby=described
                    on:input=move |ev| signal.set(event_target_value(&ev))/>
                {hint.map(|h| view! { <p id=format!("{id}-hint") class="hint">{h}</p> })}
                <p id=format!("{id}-error") class="field-error" aria-live="polite">{error_of(field)}</p>
            </div>
        }
    };
    let value_label = move || if fixed.get() { "Amount off" } else { "Percent off" };
    view! {
        <form class="card" on:submit=submit novalidate>
            <h2>"Make a code"</h2>
            {text_field("code-code", "Code", "code", code, Some("What customers type, e.g. SUMMER15. Letters, digits, - and _; any case works."))}
            {text_field("code-name", "Name (only you see it, optional)", "name", name, None)}
            <fieldset>
                <legend>"Discount"</legend>
                <label class="check"><input type="radio" name="code-type" prop:checked=move || !fixed.get()
                    on:change=move |_| fixed.set(false)/>"A percentage off"</label>
                <label class="check"><input type="radio" name="code-type" prop:checked=move || fixed.get()
                    on:change=move |_| fixed.set(true)/>"An amount off"</label>
            </fieldset>
            <div class="row">
                <div class="field">
                    <label for="code-value">{value_label}</label>
                    <input id="code-value" type="text" inputmode="decimal" autocomplete="off" prop:value=value
                        aria-invalid=move || error_of("discount_value")().is_some().to_string() aria-describedby="code-value-error"
                        on:input=move |ev| value.set(event_target_value(&ev))/>
                    <p id="code-value-error" class="field-error" aria-live="polite">{error_of("discount_value")}</p>
                </div>
                {move || fixed.get().then(|| view! {
                    <div class="field">
                        <label for="code-currency">"Currency"</label>
                        <input id="code-currency" type="text" maxlength="4" autocomplete="off" prop:value=currency
                            aria-invalid=move || error_of("currency")().is_some().to_string() aria-describedby="code-currency-error"
                            on:input=move |ev| currency.set(event_target_value(&ev).to_uppercase())/>
                        <p id="code-currency-error" class="field-error" aria-live="polite">{error_of("currency")}</p>
                    </div>
                })}
            </div>
            {move || {
                let on_sale: Vec<Product> = products.get().into_iter().filter(|p| !p.is_archived).collect();
                (!on_sale.is_empty()).then(|| view! {
                <fieldset aria-describedby="code-products-hint code-products-error">
                    <legend>"Only for these products (optional)"</legend>
                    <p id="code-products-hint" class="hint">"None ticked: the whole order."</p>
                    {on_sale.into_iter().map(|product| {
                        let id = product.id;
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id) } });
                                    }/>
                                {product.name}
                            </label>
                        }
                    }).collect_view()}
                    <p id="code-products-error" class="field-error" aria-live="polite">{error_of("product_ids")}</p>
                </fieldset>
                })
            }}
            <div class="row">
                {text_field("code-limit", "Times it can be used (optional)", "max_redemptions", limit, None)}
                <div class="field">
                    <label for="code-until">"Last day (optional)"</label>
                    <input id="code-until" type="date" prop:value=until
                        aria-invalid=move || error_of("valid_until")().is_some().to_string() aria-describedby="code-until-error"
                        on:input=move |ev| until.set(event_target_value(&ev))/>
                    <p id="code-until-error" class="field-error" aria-live="polite">{error_of("valid_until")}</p>
                </div>
            </div>
            <p class="form-error" role="alert">{move || create.value().with(|v| general_message(v.as_ref()))}</p>
            <button type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Making…" } else { "Make code" }}
            </button>
        </form>
    }
}

#[component]
fn CodeRow(code: Discount, reload: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let (id, active, name) = (code.id.to_string(), code.is_active, code.code.clone());
    let toggle = move |_| {
        let (client, id) = (client_of(session.get_untracked()), id.clone());
        let body = UpdateDiscount { is_active: Some(!active), ..UpdateDiscount::default() };
        let work = async move { client?.update_discount(&id, &body).await };
        run_exclusive(busy, work, move |outcome| match outcome {
            Ok(_) => reload.update(|n| *n += 1),
            Err(err) => notice.set(Some(err.message())),
        });
    };
    view! {
        <li class="card code-row">
            <p><code class="promo-code">{code.code.clone()}</code>" "<strong>{off_words(&code)}</strong>
                {code.product_ids.as_ref().map(|ids| format!(" · on {} product{}", ids.len(), if ids.len() == 1 { "" } else { "s" }))}</p>
            <p class="muted">{redemption_words(&code)}
                {code.valid_until.map(|t| format!(" · until {}", format::when(t)))}</p>
            <span class=if active { "badge badge-active" } else { "badge badge-inactive" }>{if active { "Active" } else { "Inactive" }}</span>
            <button type="button" class="secondary" disabled=move || busy.get()
                aria-label=format!("{} code {name}", if active { "Deactivate" } else { "Activate" })
                on:click=toggle>{if active { "Deactivate" } else { "Activate" }}</button>
            <p class="notice" role="status">{move || notice.get()}</p>
        </li>
    }
}
