//! Create a payment link: the form beside a live preview of the checkout it makes. The first
//! choice (what the link sells) decides the rest; sections open as they are needed. Rules are
//! checked as the merchant types (once a changed field has been left) and on submit; server
//! errors land next to their fields; nothing typed is ever cleared by an error. One
//! Idempotency-Key per distinct request: a double click or a retry after a network error reuses
//! it, so it can never create two links. Leaving with unsaved input asks first.

use crate::checkout::CheckoutPreview;
use crate::common::field::{Field, InputKind, DECIMAL, WHOLE_NUMBER};
use crate::common::form::{focus_first_invalid, key_for, now, FieldMessages};
use crate::common::format;
use crate::common::intl::display_names;
use crate::common::select::Select;
use crate::components::leave_guard::guard_unsaved;
use crate::link_form::{
    CatalogLine, CustomFieldRow, LineRow, LinkForm, LinkKind, Pricing, AFTER_COMPLETION, FIELD_TYPES, INTERVALS, KINDS,
    SELECTION_MODES, TAX_BEHAVIORS,
};
use crate::pages::products::price_words;
use crate::session::client_of;
use crate::session::use_session;
use leptos::html::Details;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use paylinks_api::catalog::{Price, PricingModel, Product};
use paylinks_api::{
    AfterCompletion, CreatePaymentLink, Currency, CustomFieldType, Interval, SelectionMode, TaxBehavior,
};

/// A `datetime-local` value ("2026-11-22T10:30", the merchant's own time) as UTC.
fn local_to_utc(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if value.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    (!ms.is_nan()).then(|| chrono::DateTime::from_timestamp_millis(ms as i64)).flatten()
}

/// `Amount ($)`, `Amount (CHF)`: a label that names the money typed.
fn money_label(what: &str, currency: &str) -> String {
    let shown = Currency::parse(currency).map(|c| c.symbol().unwrap_or(c.code())).unwrap_or(currency);
    format!("{what} ({shown})")
}

#[component]
pub fn NewLinkPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let livemode = move || session.get_untracked().is_some_and(|s| !s.is_test_mode());
    let form = RwSignal::new(LinkForm::default());
    // The merchant's products and prices, to sell by name.
    let catalogue = LocalResource::new(move || {
        let client = client_of(session.get());
        async move {
            let client = client?;
            Ok::<_, crate::common::api::ApiError>((
                client.list_products().await?.data,
                client.list_prices().await?.data,
            ))
        }
    });
    let expires_local = RwSignal::new(String::new());
    let last_sent = StoredValue::new(None::<(CreatePaymentLink, String)>);
    let local_errors = Memo::new(move |_| form.with(|f| f.check(livemode(), now()).err().unwrap_or_default()));
    let messages = FieldMessages::new(local_errors);
    let saved = RwSignal::new(false);
    guard_unsaved(Signal::derive(move || !saved.get() && form.with(|f| *f != LinkForm::default())));

    let create = Action::new_local(move |(request, key): &(CreatePaymentLink, String)| {
        let (request, key, client) = (request.clone(), key.clone(), client_of(session.get_untracked()));
        async move { client?.create_link(&request, &key).await }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(link)) => {
            saved.set(true);
            navigate(&format!("/links/{}", link.id), Default::default());
        }
        Some(Err(err)) => {
            messages.server.set(err.field_errors());
            focus_first_invalid();
        }
        None => {}
    });
    let edit = move |field: &'static str, f: Box<dyn FnOnce(&mut LinkForm)>| {
        form.update(f);
        messages.edited(field);
    };
    let error_for = move |field: String| messages.for_field(field);
    let leave = move |field: &'static str| move |_| messages.leave(field);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        messages.submitted.set(true);
        if create.pending().get_untracked() {
            return;
        }
        match form.with_untracked(|f| f.check(livemode(), now())) {
            Ok(request) => {
                let key = key_for(last_sent.get_value(), &request);
                last_sent.set_value(Some((request.clone(), key.clone())));
                create.dispatch((request, key));
            }
            Err(_) => focus_first_invalid(),
        }
    };
    // The server's sentence stays only while one of its field errors is still unanswered (or it
    // named no field at all).
    let general_error = move || match create.value().get() {
        Some(Err(err)) if err.field_errors().is_empty() || messages.server.with(|s| !s.is_empty()) => {
            Some(err.message())
        }
        _ if messages.submitted.get() && !local_errors.get().is_empty() => {
            Some("Some fields need attention; each one says what to change.".to_string())
        }
        _ => None,
    };

    let checkbox = move |label: &'static str, get: fn(&LinkForm) -> bool, set: fn(&mut LinkForm, bool)| {
        view! {
            <label class="check">
                <input type="checkbox" prop:checked=move || form.with(get)
                    on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| set(f, v)) }/>
                {label}
            </label>
        }
    };
    let kind = move || form.with(|f| f.kind);
    let pricing = move || form.with(LinkForm::pricing);
    let currency = move || form.with(|f| f.currency.clone());
    let merchant = move || session.with(|s| s.as_ref().map(|s| s.merchant_name.clone()).unwrap_or_default());
    let preview = Signal::derive(move || form.with(|f| f.preview(&merchant(), livemode())));

    view! {
        <h1>"New payment link"</h1>
        <p class="preview-jump"><a href="#preview">"See the preview"</a></p>
        <div class="editor">
        <form class="link-form" on:submit=submit novalidate>
            <fieldset>
                <legend>"What are you selling?"</legend>
                <div class="kinds">
                    {KINDS.into_iter().map(|(choice, words, hint)| view! {
                        <label class="kind">
                            <input type="radio" name="kind" prop:checked=move || kind() == choice
                                on:change=move |_| form.update(|f| f.set_kind(choice))/>
                            <span><strong>{words}</strong><span class="hint">{hint}</span></span>
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset>
                <legend>"Details"</legend>
                <Field id="name" label="Name" field="name" messages=messages hint="Customers see it as the page's title"
                    value=move || form.with(|f| f.name.clone()) on_input=move |v| form.update(|f| f.name = v)/>
                <Field id="description" label="Description (optional)" field="description" messages=messages multiline=true
                    hint="Markdown: **bold**, *italic*, [links](https://…)"
                    value=move || form.with(|f| f.description.clone()) on_input=move |v| form.update(|f| f.description = v)/>
                <Field id="cover-image" label="Cover image URL (optional)" field="cover_image_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.cover_image_url.clone()) on_input=move |v| form.update(|f| f.cover_image_url = v)/>
            </fieldset>
            <fieldset>
                <legend>"Price"</legend>
                <CurrencySelect form=form messages=messages/>
                <Show when=move || kind() == LinkKind::Invoice>
                    <Field id="invoice-id" label="Invoice id" field="invoice_id" messages=messages
                        value=move || form.with(|f| f.invoice_id.clone()) on_input=move |v| form.update(|f| f.invoice_id = v)/>
                </Show>
                <Show when=move || matches!(kind(), LinkKind::Product | LinkKind::Subscription)>
                    <CatalogPicker form=form catalogue=catalogue/>
                </Show>
                <Show when=move || matches!(kind(), LinkKind::Product | LinkKind::Invoice)>
                    <div class="choices" role="radiogroup" aria-label="How the price is set">
                        <label class="check"><input type="radio" name="pricing" prop:checked=move || pricing() == Pricing::Amount
                            on:change=move |_| form.update(|f| f.pricing = Pricing::Amount)/>"One amount"</label>
                        <label class="check"><input type="radio" name="pricing" prop:checked=move || pricing() == Pricing::LineItems
                            on:change=move |_| form.update(|f| f.pricing = Pricing::LineItems)/>"Several items"</label>
                    </div>
                </Show>
                <Show when=move || pricing() == Pricing::Amount>
                    {move || view! {
                        <Field id="amount" label=money_label("Amount", &currency()) field="amount_minor" messages=messages
                            kind=DECIMAL
                            value=move || form.with(|f| f.amount.clone()) on_input=move |v| form.update(|f| f.amount = v)/>
                    }}
                </Show>
                <Show when=move || pricing() == Pricing::CustomerChooses>
                    {move || view! {
                        <div class="row">
                            <Field id="min-amount" label=money_label("Minimum", &currency()) field="custom_amount.minimum" messages=messages
                                kind=DECIMAL hint="Optional"
                                value=move || form.with(|f| f.min_amount.clone()) on_input=move |v| form.update(|f| f.min_amount = v)/>
                            <Field id="max-amount" label=money_label("Maximum", &currency()) field="custom_amount.maximum" messages=messages
                                kind=DECIMAL hint="Optional"
                                value=move || form.with(|f| f.max_amount.clone()) on_input=move |v| form.update(|f| f.max_amount = v)/>
                        </div>
                        <Field id="preset-amount" label=money_label("Suggested amount", &currency()) field="custom_amount.preset" messages=messages
                            kind=DECIMAL hint="Optional: filled in for the customer"
                            value=move || form.with(|f| f.preset_amount.clone()) on_input=move |v| form.update(|f| f.preset_amount = v)/>
                    }}
                    <p class="field-error" aria-live="polite">{error_for("custom_amount".into())}</p>
                </Show>
                <Show when=move || pricing() == Pricing::LineItems>
                    <LineItems form=form messages=messages/>
                    <p class="field-error" aria-live="polite">{error_for("line_items".into())}</p>
                </Show>
                <Show when=move || kind() == LinkKind::Subscription>
                    <Field id="subscription-id" label="Existing subscription id (optional)" field="subscription_id" messages=messages
                        hint="Leave empty when an item renews"
                        value=move || form.with(|f| f.subscription_id.clone()) on_input=move |v| form.update(|f| f.subscription_id = v)/>
                </Show>
            </fieldset>
            <Section title="What to ask the customer" messages=messages fields=&["custom_fields"]>
                <p class="hint">"Email and name are always asked."</p>
                {checkbox("Billing address", |f| f.collect_address, |f, v| f.collect_address = v)}
                {checkbox("Shipping address", |f| f.collect_shipping, |f, v| f.collect_shipping = v)}
                {checkbox("Phone number", |f| f.collect_phone, |f, v| f.collect_phone = v)}
                {checkbox("Customers may change quantities", |f| f.allow_quantity_adjustment, |f, v| f.allow_quantity_adjustment = v)}
                {checkbox("Allow promotion codes", |f| f.allow_promotion_codes, |f, v| f.allow_promotion_codes = v)}
                <CustomFields form=form messages=messages/>
            </Section>
            <Section title="After payment" messages=messages fields=&["success_url", "cancel_url", "redirect_url", "after_completion", "confirmation_message"]>
                <div>
                    <Select id="after-completion" label="Then" choices=AFTER_COMPLETION.to_vec()
                        none="Go to the success URL if there is one, else confirm on the page"
                        value=move || form.with(|f| f.after_completion)
                        on_change={move |then: Option<AfterCompletion>| edit("after_completion", Box::new(move |f| f.after_completion = then))}/>
                    <p class="field-error" aria-live="polite">{error_for("after_completion".into())}</p>
                </div>
                <Field id="confirmation-message" label="Confirmation message (optional)" field="confirmation_message" messages=messages multiline=true
                    hint="Shown after paying; markdown"
                    value=move || form.with(|f| f.confirmation_message.clone()) on_input=move |v| form.update(|f| f.confirmation_message = v)/>
                <Field id="success-url" label="Success URL (optional)" field="success_url" messages=messages kind=InputKind::plain("url")
                    hint="Where customers go after paying; {PAYMENT_ID} and {AMOUNT} are filled in"
                    value=move || form.with(|f| f.success_url.clone()) on_input=move |v| form.update(|f| f.success_url = v)/>
                <Field id="cancel-url" label="Cancel URL (optional)" field="cancel_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.cancel_url.clone()) on_input=move |v| form.update(|f| f.cancel_url = v)/>
                <Field id="redirect-url" label="Redirect URL (optional)" field="redirect_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.redirect_url.clone()) on_input=move |v| form.update(|f| f.redirect_url = v)/>
            </Section>
            <Section title="Limits and availability" messages=messages fields=&["max_completions", "expires_at", "inactive_message"]>
                <Field id="max-completions" label="Stop after this many payments (optional)" field="max_completions" messages=messages
                    hint="Leave empty for no limit" kind=WHOLE_NUMBER
                    value=move || form.with(|f| f.max_completions.clone()) on_input=move |v| form.update(|f| f.max_completions = v)/>
                <div class="field">
                    <label for="expires">"Expires (your local time, optional)"</label>
                    <input id="expires" type="datetime-local" prop:value=expires_local aria-describedby="expires-error"
                        aria-invalid=move || error_for("expires_at".into())().is_some().to_string()
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            let utc = local_to_utc(&v);
                            expires_local.set(v);
                            edit("expires_at", Box::new(move |f| f.expires_at = utc));
                        } on:blur=leave("expires_at")/>
                    <p id="expires-error" class="field-error" aria-live="polite">{error_for("expires_at".into())}</p>
                </div>
                <Field id="inactive-message" label="Message when the link is paused, expired or sold out (optional)" field="inactive_message"
                    messages=messages multiline=true
                    value=move || form.with(|f| f.inactive_message.clone()) on_input=move |v| form.update(|f| f.inactive_message = v)/>
                {checkbox("Save as a draft (not payable yet)", |f| f.draft, |f, v| f.draft = v)}
            </Section>
            <Section title="Catalogue products" messages=messages fields=&["product_ids", "default_product_id", "highlighted_product_id"]>
                <ProductChecklist form=form catalogue=catalogue/>
                <p class="field-error" aria-live="polite">{error_for("product_ids".into())}</p>
                <Select id="selection-mode" label="How customers choose" choices=SELECTION_MODES.to_vec()
                    value=move || Some(form.with(|f| f.selection_mode))
                    on_change={move |mode: Option<SelectionMode>| form.update(|f| f.selection_mode = mode.unwrap_or_default())}/>
                <Show when=move || form.with(|f| f.selection_mode == SelectionMode::SingleSelect)>
                    <Field id="default-product" label="Pre-selected product id (optional)" field="default_product_id" messages=messages
                    value=move || form.with(|f| f.default_product_id.clone()) on_input=move |v| form.update(|f| f.default_product_id = v)/>
                    <Field id="highlighted-product" label="\"Popular\" product id (optional)" field="highlighted_product_id" messages=messages
                    value=move || form.with(|f| f.highlighted_product_id.clone()) on_input=move |v| form.update(|f| f.highlighted_product_id = v)/>
                </Show>
            </Section>
            <Section title="For your records" messages=messages fields=&["slug", "customer_id", "external_reference", "metadata", "tax_behavior"]>
                <Field id="slug" label="Slug (optional)" field="slug" messages=messages hint="A short unique name, like spring-sale"
                    value=move || form.with(|f| f.slug.clone()) on_input=move |v| form.update(|f| f.slug = v)/>
                <Field id="customer-id" label="Customer id (optional)" field="customer_id" messages=messages
                    value=move || form.with(|f| f.customer_id.clone()) on_input=move |v| form.update(|f| f.customer_id = v)/>
                <Field id="external-reference" label="Your reference (optional)" field="external_reference" messages=messages
                    value=move || form.with(|f| f.external_reference.clone()) on_input=move |v| form.update(|f| f.external_reference = v)/>
                <Select id="tax" label="Tax" choices=TAX_BEHAVIORS.to_vec() value=move || Some(form.with(|f| f.tax_behavior))
                    on_change={move |tax: Option<TaxBehavior>| form.update(|f| f.tax_behavior = tax.unwrap_or_default())}/>
                <Metadata form=form messages=messages/>
            </Section>
            <p class="form-error" role="alert">{general_error}</p>
            <button type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Creating…" } else { "Create payment link" }}
            </button>
        </form>
        <aside id="preview" class="preview" aria-label="Preview of the checkout page">
            <p class="preview-caption">"Preview: what your customer sees"</p>
            <div class="phone-frame">
                <CheckoutPreview link=preview/>
            </div>
        </aside>
        </div>
    }
}

/// A section that stays folded until it is wanted, and opens by itself when one of `fields` (or
/// a field under it) has an error, so the keyboard can reach it.
#[component]
fn Section(
    title: &'static str,
    messages: FieldMessages,
    fields: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    let details = NodeRef::<Details>::new();
    let errors = messages.all();
    Effect::new(move |_| {
        let wanted = errors.with(|e| e.iter().any(|(field, _)| fields.iter().any(|f| field.starts_with(f))));
        if let (true, Some(el)) = (wanted, details.get()) {
            el.set_open(true);
        }
    });
    view! {
        <details class="section" node_ref=details>
            <summary>{title}</summary>
            <div class="section-body">{children()}</div>
        </details>
    }
}

#[component]
fn CurrencySelect(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let name_of = display_names("currency");
    let choices: Vec<(String, String)> = Currency::all()
        .map(|c| {
            (c.code().to_string(), name_of(c.code()).map_or(c.code().to_string(), |n| format!("{} — {n}", c.code())))
        })
        .collect();
    let error = messages.for_field("currency".into());
    view! {
        <div class="field">
            <label for="currency">"Currency"</label>
            <select id="currency" autocomplete="off" prop:value=move || form.with(|f| f.currency.clone())
                on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.currency = v); messages.edited("currency") }>
                {choices.into_iter().map(|(code, words)| view! { <option value=code>{words}</option> }).collect_view()}
            </select>
            <p class="field-error" aria-live="polite">{error}</p>
        </div>
    }
}

type Catalogue = LocalResource<Result<(Vec<Product>, Vec<Price>), crate::common::api::ApiError>>;

/// The prices a link of this kind can sell: active, of a product on sale, fixed or free, and
/// recurring exactly when the link is a subscription.
fn sellable(products: &[Product], prices: &[Price], subscription: bool) -> Vec<(CatalogLine, String)> {
    let mut lines = Vec::new();
    for price in prices.iter().filter(|p| p.active && p.pricing_model != PricingModel::PayWhatYouWant) {
        let Some(product) = products.iter().find(|p| p.id == price.product_id && p.is_active && !p.is_archived) else {
            continue;
        };
        if price.recurring().is_some() != subscription {
            continue;
        }
        // The checkout names the product; the merchant picks among its prices by their names.
        let words = match price.nickname.as_ref().or(price.name.as_ref()) {
            Some(label) => format!("{} — {label} · {}", product.name, price_words(price)),
            None => format!("{} · {}", product.name, price_words(price)),
        };
        let line = CatalogLine {
            price_id: price.id,
            product_id: product.id,
            name: product.name.clone(),
            description: product.description.clone(),
            unit_amount: price.unit_amount.unwrap_or(0),
            currency: price.currency.to_ascii_uppercase(),
            recurring: price.recurring(),
        };
        lines.push((line, words));
    }
    lines
}

/// "Sell one of your products": adds a line at one of the merchant's prices.
#[component]
fn CatalogPicker(form: RwSignal<LinkForm>, catalogue: Catalogue) -> impl IntoView {
    let subscription = move || form.with(|f| f.kind == LinkKind::Subscription);
    let choices = move || {
        let loaded = catalogue.get();
        let (products, prices) = loaded.as_ref().and_then(|r| r.as_ref().ok())?;
        Some(sellable(products, prices, subscription())).filter(|lines| !lines.is_empty())
    };
    view! {
        {move || choices().map(|lines| {
            let options = lines.clone();
            view! {
                <div class="field">
                    <label for="catalog-pick">"Sell one of your products"</label>
                    <select id="catalog-pick" prop:value="" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some((line, _)) = lines.iter().find(|(l, _)| l.price_id.to_string() == chosen) {
                            let line = line.clone();
                            form.update(|f| f.add_catalog_item(line));
                        }
                        if let Some(select) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok()) {
                            select.set_value("");
                        }
                    }>
                        <option value="">"Choose a product to add…"</option>
                        {options.into_iter().map(|(line, words)| view! { <option value=line.price_id.to_string()>{words}</option> }).collect_view()}
                    </select>
                </div>
            }
        })}
    }
}

/// The products the checkout offers to choose from, by name (kept as their ids in the form).
#[component]
fn ProductChecklist(form: RwSignal<LinkForm>, catalogue: Catalogue) -> impl IntoView {
    let on_sale = move || {
        let loaded = catalogue.get();
        let products = loaded.as_ref().and_then(|r| r.as_ref().ok()).map(|(p, _)| p.clone()).unwrap_or_default();
        products.into_iter().filter(|p| p.is_active && !p.is_archived).collect::<Vec<_>>()
    };
    let ticked =
        move |id: uuid::Uuid| form.with(|f| f.product_ids.split([',', ' ']).any(|p| p.trim() == id.to_string()));
    let toggle = move |id: uuid::Uuid, on: bool| {
        form.update(|f| {
            let mut ids: Vec<String> = f
                .product_ids
                .split([',', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty() && *p != id.to_string())
                .map(String::from)
                .collect();
            if on {
                ids.push(id.to_string());
            }
            f.product_ids = ids.join(", ");
        })
    };
    view! {
        <fieldset>
            <legend>"Products customers can choose from"</legend>
            {move || {
                let products = on_sale();
                if products.is_empty() {
                    return view! { <p class="hint">"None yet: add products on the Products page."</p> }.into_any();
                }
                products.into_iter().map(|product| {
                    let id = product.id;
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=move || ticked(id) on:change=move |ev| toggle(id, event_target_checked(&ev))/>
                            {product.name}
                        </label>
                    }
                }).collect_view().into_any()
            }}
        </fieldset>
    }
}

#[component]
fn LineItems(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let row_input = move |i: usize,
                          label: String,
                          id: String,
                          field: String,
                          kind: InputKind,
                          get: fn(&LineRow) -> String,
                          set: fn(&mut LineRow, String)| {
        view! {
            <Field id=id label=label field=field messages=messages kind=kind
                value=move || form.with(|f| f.items.get(i).map(get).unwrap_or_default())
                on_input=move |v| form.update(|f| if let Some(row) = f.items.get_mut(i) { set(row, v) })/>
        }
    };
    let text = InputKind::plain("text");
    view! {
        {move || (0..form.with(|f| f.items.len())).map(|i| {
            let n = i + 1;
            let p = format!("line_items[{i}]");
            let price_label = money_label(&format!("Item {n} price"), &form.with(|f| f.currency.clone()));
            let count_field = format!("{p}.price_data.recurring.interval_count");
            let remove = view! {
                <button type="button" class="secondary" aria-label=format!("Remove item {n}")
                    disabled=move || form.with(|f| f.items.len() <= 1)
                    on:click=move |_| form.update(|f| { if f.items.len() > 1 { f.items.remove(i); } })>"Remove"</button>
            };
            if let Some(line) = form.with(|f| f.items.get(i).and_then(|r| r.catalog.clone())) {
                let every = line.recurring.as_ref().map(|r| format!(" {}", format::every(r))).unwrap_or_default();
                let price = format!("{}{every}", format::amount(Some(line.unit_amount), &line.currency));
                return view! {
                    <div class="line-item" role="group" aria-label=format!("Line item {n}")>
                        <p><strong>{line.name.clone()}</strong>" · "{price}" "<span class="muted">"(from your products)"</span></p>
                        {row_input(i, format!("Item {n} quantity"), format!("item-{n}-quantity"), format!("{p}.quantity"), WHOLE_NUMBER, |r| r.quantity.clone(), |r, v| r.quantity = v)}
                        <p class="field-error" aria-live="polite">{messages.for_field(p.clone())}</p>
                        {remove}
                    </div>
                }.into_any();
            }
            view! {
                <div class="line-item" role="group" aria-label=format!("Line item {n}")>
                    {row_input(i, format!("Item {n} name"), format!("item-{n}-name"), format!("{p}.price_data.product_data.name"), text, |r| r.name.clone(), |r, v| r.name = v)}
                    {row_input(i, format!("Item {n} description (optional)"), format!("item-{n}-description"), format!("{p}.price_data.product_data.description"), text, |r| r.description.clone(), |r, v| r.description = v)}
                    <div class="row">
                        {row_input(i, price_label, format!("item-{n}-price"), format!("{p}.price_data.unit_amount"), DECIMAL, |r| r.unit_amount.clone(), |r, v| r.unit_amount = v)}
                        {row_input(i, format!("Item {n} quantity"), format!("item-{n}-quantity"), format!("{p}.quantity"), WHOLE_NUMBER, |r| r.quantity.clone(), |r, v| r.quantity = v)}
                    </div>
                    <div class="row">
                        <Select id=format!("item-{n}-interval") label=format!("Item {n} billing") choices=INTERVALS.to_vec() none="One time"
                            value=move || form.with(|f| f.items.get(i).and_then(|r| r.interval))
                            on_change={move |interval: Option<Interval>| form.update(|f| if let Some(r) = f.items.get_mut(i) { r.interval = interval })}/>
                        <Show when=move || form.with(|f| f.items.get(i).is_some_and(|r| r.interval.is_some()))>
                            {row_input(i, format!("Item {n} every how many"), format!("item-{n}-count"), count_field.clone(), WHOLE_NUMBER, |r| r.interval_count.clone(), |r, v| r.interval_count = v)}
                        </Show>
                    </div>
                    <p class="field-error" aria-live="polite">{messages.for_field(p.clone())}</p>
                    {remove}
                </div>
            }.into_any()
        }).collect_view()}
        <button type="button" class="secondary" on:click=move |_| form.update(LinkForm::add_item)>"Add line item"</button>
    }
}

#[component]
fn CustomFields(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let question = move |i: usize| move || form.with(|f| f.custom_fields.get(i).cloned().unwrap_or_default());
    view! {
        <div class="questions">
            {move || (0..form.with(|f| f.custom_fields.len())).map(|i| {
                let n = i + 1;
                let p = format!("custom_fields[{i}]");
                let row = question(i);
                let options_field = format!("{p}.options");
                view! {
                    <div class="meta-row" role="group" aria-label=format!("Question {n}")>
                        <div class="row">
                            <Field id=format!("question-{n}-label") label=format!("Question {n}") field=format!("{p}.label") messages=messages
                                value=move || row().label on_input=move |v| form.update(|f| f.set_question_label(i, v))/>
                            <label class="check required">
                                <input type="checkbox" prop:checked=move || row().required
                                    on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) { r.required = v }) }/>
                                "Required"
                            </label>
                        </div>
                        <Select id=format!("question-{n}-type") label=format!("Question {n} answer") choices=FIELD_TYPES.to_vec()
                            value=move || Some(row().kind)
                            on_change={move |kind: Option<CustomFieldType>| form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) {
                                r.kind = kind.unwrap_or(CustomFieldType::Text);
                            })}/>
                        <Show when=move || row().kind == CustomFieldType::Dropdown>
                            <Field id=format!("question-{n}-options") label=format!("Question {n} choices (comma separated)") field=options_field.clone()
                                messages=messages value=move || row().options
                                on_input=move |v| form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) { r.options = v })/>
                        </Show>
                        <Field id=format!("question-{n}-key") label=format!("Question {n} answer key") field=format!("{p}.key") messages=messages
                            hint="How the answer is named in payments and exports"
                            value=move || row().key
                            on_input=move |v| form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) { r.key = v; r.key_edited = true })/>
                        <button type="button" class="secondary" aria-label=format!("Remove question {n}")
                            on:click=move |_| form.update(|f| { f.custom_fields.remove(i); })>"Remove"</button>
                    </div>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{messages.for_field("custom_fields".into())}</p>
            <button type="button" class="secondary" on:click=move |_| form.update(|f| f.custom_fields.push(CustomFieldRow::default()))>"Add a question"</button>
        </div>
    }
}

#[component]
fn Metadata(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let error_for = move |field: String| messages.for_field(field);
    view! {
        <div class="metadata" role="group" aria-label="Metadata">
            <p class="hint">"Metadata: your own keys and values, returned by the API."</p>
            {move || (0..form.with(|f| f.metadata.len())).map(|i| {
                let n = i + 1;
                view! {
                    <div class="meta-row" role="group" aria-label=format!("Metadata {n}")>
                        <label>{format!("Key {n}")}
                            <input type="text" prop:value=move || form.with(|f| f.metadata.get(i).map(|m| m.0.clone()).unwrap_or_default())
                                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| if let Some(m) = f.metadata.get_mut(i) { m.0 = v }) }/>
                        </label>
                        <label>{format!("Value {n}")}
                            <input type="text" prop:value=move || form.with(|f| f.metadata.get(i).map(|m| m.1.clone()).unwrap_or_default())
                                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| if let Some(m) = f.metadata.get_mut(i) { m.1 = v }) }/>
                        </label>
                        <button type="button" class="secondary" aria-label=format!("Remove metadata {n}")
                            on:click=move |_| form.update(|f| { f.metadata.remove(i); })>"Remove"</button>
                        <p class="field-error" aria-live="polite">{error_for(format!("metadata[{i}]"))}</p>
                    </div>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{error_for("metadata".into())}</p>
            <button type="button" class="secondary" on:click=move |_| form.update(|f| f.metadata.push(Default::default()))>"Add metadata"</button>
        </div>
    }
}
