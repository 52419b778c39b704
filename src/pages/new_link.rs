//! Create a payment link. Rules are checked as the merchant types (once a field has been left)
//! and on submit; server errors land next to their fields; nothing typed is ever cleared by an
//! error. One Idempotency-Key per distinct request: a double click or a retry after a network
//! error reuses it, so it can never create two links.

use crate::common::field::{Field, InputKind};
use crate::common::form::{focus_first_invalid, key_for, now, FieldMessages};
use crate::common::select::Select;
use crate::link_form::{
    CustomFieldRow, LineRow, LinkForm, Pricing, AFTER_COMPLETION, FIELD_TYPES, INTERVALS, LINK_TYPES, MODES,
    SELECTION_MODES, TAX_BEHAVIORS,
};
use crate::session::client_of;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use paylinks_api::{
    AfterCompletion, CreatePaymentLink, CustomFieldType, Interval, LinkMode, LinkType, SelectionMode, TaxBehavior,
};

/// A `datetime-local` value ("2026-11-22T10:30", the merchant's own time) as UTC.
fn local_to_utc(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if value.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    (!ms.is_nan()).then(|| chrono::DateTime::from_timestamp_millis(ms as i64)).flatten()
}

#[component]
pub fn NewLinkPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let livemode = move || session.get_untracked().is_some_and(|s| !s.is_test_mode());
    let form = RwSignal::new(LinkForm::default());
    let expires_local = RwSignal::new(String::new());
    let last_sent = StoredValue::new(None::<(CreatePaymentLink, String)>);
    let local_errors = Memo::new(move |_| form.with(|f| f.check(livemode(), now()).err().unwrap_or_default()));
    let messages = FieldMessages::new(local_errors);

    let create = Action::new_local(move |(request, key): &(CreatePaymentLink, String)| {
        let (request, key, client) = (request.clone(), key.clone(), client_of(session.get_untracked()));
        async move { client?.create_link(&request, &key).await }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(link)) => navigate(&format!("/links/{}", link.id), Default::default()),
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
    let general_error = move || match create.value().get() {
        Some(Err(err)) => Some(err.message()),
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

    view! {
        <h1>"New payment link"</h1>
        <form class="link-form" on:submit=submit novalidate>
            <Field id="name" label="Name" field="name" messages=messages
                    value=move || form.with(|f| f.name.clone()) on_input=move |v| form.update(|f| f.name = v)/>
            <Field id="slug" label="Slug (optional)" field="slug" messages=messages
                    value=move || form.with(|f| f.slug.clone()) on_input=move |v| form.update(|f| f.slug = v)/>
            <Select id="mode" label="Mode" choices=MODES.to_vec() value=move || Some(form.with(|f| f.mode))
                on_change={move |mode: Option<LinkMode>| form.update(|f| f.mode = mode.unwrap_or_default())}/>
            <Field id="currency" label="Currency" field="currency" messages=messages
                    value=move || form.with(|f| f.currency.clone()) on_input=move |v| form.update(|f| f.currency = v)/>
            <Show when=move || form.with(|f| f.mode == LinkMode::Invoice)>
                <Field id="invoice-id" label="Invoice id" field="invoice_id" messages=messages
                    value=move || form.with(|f| f.invoice_id.clone()) on_input=move |v| form.update(|f| f.invoice_id = v)/>
            </Show>
            <Show when=move || form.with(|f| f.mode == LinkMode::Subscription)>
                <Field id="subscription-id" label="Subscription id (or add a recurring line item)" field="subscription_id" messages=messages
                    value=move || form.with(|f| f.subscription_id.clone()) on_input=move |v| form.update(|f| f.subscription_id = v)/>
            </Show>
            <fieldset>
                <legend>"Price"</legend>
                <label class="check"><input type="radio" name="pricing" prop:checked=move || form.with(|f| f.pricing == Pricing::Amount)
                    on:change=move |_| form.update(|f| f.pricing = Pricing::Amount)/>"A fixed amount"</label>
                <label class="check"><input type="radio" name="pricing" prop:checked=move || form.with(|f| f.pricing == Pricing::LineItems)
                    on:change=move |_| form.update(|f| f.pricing = Pricing::LineItems)/>"Line items"</label>
                <label class="check"><input type="radio" name="pricing" prop:checked=move || form.with(|f| f.pricing == Pricing::CustomerChooses)
                    on:change=move |_| form.update(|f| f.pricing = Pricing::CustomerChooses)/>"The customer chooses (pay what you want)"</label>
                <Show when=move || form.with(|f| f.pricing == Pricing::CustomerChooses)>
                    <Field id="min-amount" label="Minimum amount (optional)" field="custom_amount.minimum" messages=messages
                    value=move || form.with(|f| f.min_amount.clone()) on_input=move |v| form.update(|f| f.min_amount = v)/>
                    <Field id="max-amount" label="Maximum amount (optional)" field="custom_amount.maximum" messages=messages
                    value=move || form.with(|f| f.max_amount.clone()) on_input=move |v| form.update(|f| f.max_amount = v)/>
                    <Field id="preset-amount" label="Suggested amount (optional)" field="custom_amount.preset" messages=messages
                    value=move || form.with(|f| f.preset_amount.clone()) on_input=move |v| form.update(|f| f.preset_amount = v)/>
                </Show>
                <p class="field-error" aria-live="polite">{error_for("custom_amount".into())}</p>
                <Show when=move || form.with(|f| f.pricing == Pricing::Amount && f.mode == LinkMode::Custom)>
                    <Field id="amount" label="Amount" field="amount_minor" messages=messages
                    value=move || form.with(|f| f.amount.clone()) on_input=move |v| form.update(|f| f.amount = v)/>
                </Show>
                <Show when=move || form.with(|f| f.pricing == Pricing::LineItems)>
                    <LineItems form=form messages=messages/>
                    <p class="field-error" aria-live="polite">{error_for("line_items".into())}</p>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"After payment"</legend>
                <Field id="success-url" label="Success URL (optional)" field="success_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.success_url.clone()) on_input=move |v| form.update(|f| f.success_url = v)/>
                <Field id="cancel-url" label="Cancel URL (optional)" field="cancel_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.cancel_url.clone()) on_input=move |v| form.update(|f| f.cancel_url = v)/>
                <Field id="redirect-url" label="Redirect URL (optional)" field="redirect_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.redirect_url.clone()) on_input=move |v| form.update(|f| f.redirect_url = v)/>
            </fieldset>
            <fieldset>
                <legend>"Options"</legend>
                {checkbox("Collect a shipping address", |f| f.collect_shipping, |f, v| f.collect_shipping = v)}
                {checkbox("Allow promotion codes", |f| f.allow_promotion_codes, |f, v| f.allow_promotion_codes = v)}
                {checkbox("Save as a draft (not payable yet)", |f| f.draft, |f, v| f.draft = v)}
                <Select id="tax" label="Tax" choices=TAX_BEHAVIORS.to_vec() value=move || Some(form.with(|f| f.tax_behavior))
                    on_change={move |tax: Option<TaxBehavior>| form.update(|f| f.tax_behavior = tax.unwrap_or_default())}/>
                <div class="field">
                    <label for="expires">"Expires (your local time, optional)"</label>
                    <input id="expires" type="datetime-local" prop:value=expires_local
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            let utc = local_to_utc(&v);
                            expires_local.set(v);
                            edit("expires_at", Box::new(move |f| f.expires_at = utc));
                        } on:blur=leave("expires_at")/>
                    <p class="field-error" aria-live="polite">{error_for("expires_at".into())}</p>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Catalogue products (optional)"</legend>
                <Field id="product-ids" label="Product ids (comma separated)" field="product_ids" messages=messages
                    value=move || form.with(|f| f.product_ids.clone()) on_input=move |v| form.update(|f| f.product_ids = v)/>
                <Select id="selection-mode" label="How customers choose" choices=SELECTION_MODES.to_vec()
                    value=move || Some(form.with(|f| f.selection_mode))
                    on_change={move |mode: Option<SelectionMode>| form.update(|f| f.selection_mode = mode.unwrap_or_default())}/>
                <Show when=move || form.with(|f| f.selection_mode == SelectionMode::SingleSelect)>
                    <Field id="default-product" label="Pre-selected product id (optional)" field="default_product_id" messages=messages
                    value=move || form.with(|f| f.default_product_id.clone()) on_input=move |v| form.update(|f| f.default_product_id = v)/>
                    <Field id="highlighted-product" label="\"Popular\" product id (optional)" field="highlighted_product_id" messages=messages
                    value=move || form.with(|f| f.highlighted_product_id.clone()) on_input=move |v| form.update(|f| f.highlighted_product_id = v)/>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Checkout page"</legend>
                <Select id="link-type" label="What this link is for" choices=LINK_TYPES.to_vec()
                    value=move || Some(form.with(|f| f.link_type))
                    on_change={move |kind: Option<LinkType>| form.update(|f| f.link_type = kind.unwrap_or_default())}/>
                <Field id="description" label="Description (markdown, optional)" field="description" messages=messages multiline=true
                    value=move || form.with(|f| f.description.clone()) on_input=move |v| form.update(|f| f.description = v)/>
                <Field id="cover-image" label="Cover image URL (optional)" field="cover_image_url" messages=messages kind=InputKind::plain("url")
                    value=move || form.with(|f| f.cover_image_url.clone()) on_input=move |v| form.update(|f| f.cover_image_url = v)/>
                {checkbox("Customers may change quantities", |f| f.allow_quantity_adjustment, |f, v| f.allow_quantity_adjustment = v)}
                {checkbox("Collect a billing address", |f| f.collect_address, |f, v| f.collect_address = v)}
                {checkbox("Ask for a phone number", |f| f.collect_phone, |f, v| f.collect_phone = v)}
                <Field id="max-completions" label="Stop after this many payments (optional)" field="max_completions" messages=messages
                    value=move || form.with(|f| f.max_completions.clone()) on_input=move |v| form.update(|f| f.max_completions = v)/>
                <div>
                    <Select id="after-completion" label="After paying" choices=AFTER_COMPLETION.to_vec()
                        none="Go to the success URL if there is one, else confirm on the page"
                        value=move || form.with(|f| f.after_completion)
                        on_change={move |then: Option<AfterCompletion>| edit("after_completion", Box::new(move |f| f.after_completion = then))}/>
                    <p class="field-error" aria-live="polite">{error_for("after_completion".into())}</p>
                </div>
                <Field id="confirmation-message" label="Confirmation message (markdown, optional)" field="confirmation_message" messages=messages multiline=true
                    value=move || form.with(|f| f.confirmation_message.clone()) on_input=move |v| form.update(|f| f.confirmation_message = v)/>
                <Field id="customer-id" label="Customer id (optional)" field="customer_id" messages=messages
                    value=move || form.with(|f| f.customer_id.clone()) on_input=move |v| form.update(|f| f.customer_id = v)/>
                <Field id="external-reference" label="Your reference (optional)" field="external_reference" messages=messages
                    value=move || form.with(|f| f.external_reference.clone()) on_input=move |v| form.update(|f| f.external_reference = v)/>
            </fieldset>
            <CustomFields form=form messages=messages/>
            <Metadata form=form messages=messages/>
            <p class="form-error" role="alert">{general_error}</p>
            <button type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Creating…" } else { "Create payment link" }}
            </button>
        </form>
    }
}

#[component]
fn LineItems(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let row_input = move |i: usize,
                          label: String,
                          id: String,
                          field: String,
                          get: fn(&LineRow) -> String,
                          set: fn(&mut LineRow, String)| {
        view! {
            <Field id=id label=label field=field messages=messages
                value=move || form.with(|f| f.items.get(i).map(get).unwrap_or_default())
                on_input=move |v| form.update(|f| if let Some(row) = f.items.get_mut(i) { set(row, v) })/>
        }
    };
    view! {
        {move || (0..form.with(|f| f.items.len())).map(|i| {
            let n = i + 1;
            let p = format!("line_items[{i}]");
            view! {
                <div class="line-item" role="group" aria-label=format!("Line item {n}")>
                    {row_input(i, format!("Item {n} name"), format!("item-{n}-name"), format!("{p}.price_data.product_data.name"), |r| r.name.clone(), |r, v| r.name = v)}
                    {row_input(i, format!("Item {n} description"), format!("item-{n}-description"), format!("{p}.price_data.product_data.description"), |r| r.description.clone(), |r, v| r.description = v)}
                    {row_input(i, format!("Item {n} unit price"), format!("item-{n}-price"), format!("{p}.price_data.unit_amount"), |r| r.unit_amount.clone(), |r, v| r.unit_amount = v)}
                    {row_input(i, format!("Item {n} quantity"), format!("item-{n}-quantity"), format!("{p}.quantity"), |r| r.quantity.clone(), |r, v| r.quantity = v)}
                    <Select id=format!("item-{n}-interval") label=format!("Item {n} billing") choices=INTERVALS.to_vec() none="One time"
                        value=move || form.with(|f| f.items.get(i).and_then(|r| r.interval))
                        on_change={move |interval: Option<Interval>| form.update(|f| if let Some(r) = f.items.get_mut(i) { r.interval = interval })}/>
                    <Show when=move || form.with(|f| f.items.get(i).is_some_and(|r| r.interval.is_some()))>
                        {row_input(i, format!("Item {n} every N"), format!("item-{n}-count"), format!("{p}.price_data.recurring.interval_count"), |r| r.interval_count.clone(), |r, v| r.interval_count = v)}
                    </Show>
                    <button type="button" class="secondary" aria-label=format!("Remove item {n}")
                        disabled=move || form.with(|f| f.items.len() <= 1)
                        on:click=move |_| form.update(|f| { if f.items.len() > 1 { f.items.remove(i); } })>"Remove"</button>
                </div>
            }
        }).collect_view()}
        <button type="button" class="secondary" on:click=move |_| form.update(|f| f.items.push(LineRow::default()))>"Add line item"</button>
    }
}

#[component]
fn CustomFields(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let row_text = move |i: usize,
                         label: String,
                         id: String,
                         field: String,
                         get: fn(&CustomFieldRow) -> String,
                         set: fn(&mut CustomFieldRow, String)| {
        view! {
            <Field id=id label=label field=field messages=messages
                value=move || form.with(|f| f.custom_fields.get(i).map(get).unwrap_or_default())
                on_input=move |v| form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) { set(r, v) })/>
        }
    };
    view! {
        <fieldset>
            <legend>"Questions for the customer (optional)"</legend>
            {move || (0..form.with(|f| f.custom_fields.len())).map(|i| {
                let n = i + 1;
                let p = format!("custom_fields[{i}]");
                view! {
                    <div class="meta-row" role="group" aria-label=format!("Question {n}")>
                        {row_text(i, format!("Question {n} key"), format!("question-{n}-key"), format!("{p}.key"), |r| r.key.clone(), |r, v| r.key = v)}
                        {row_text(i, format!("Question {n} label"), format!("question-{n}-label"), format!("{p}.label"), |r| r.label.clone(), |r, v| r.label = v)}
                        <Select id=format!("question-{n}-type") label=format!("Question {n} answer type") choices=FIELD_TYPES.to_vec()
                            value=move || form.with(|f| f.custom_fields.get(i).map(|r| r.kind))
                            on_change={move |kind: Option<CustomFieldType>| form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) {
                                r.kind = kind.unwrap_or(CustomFieldType::Text);
                            })}/>
                        {row_text(i, format!("Question {n} choices (comma separated)"), format!("question-{n}-options"), format!("{p}.options"), |r| r.options.clone(), |r, v| r.options = v)}
                        <label class="check">
                            <input type="checkbox" prop:checked=move || form.with(|f| f.custom_fields.get(i).is_some_and(|r| r.required))
                                on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) { r.required = v }) }/>
                            {format!("Question {n} must be answered")}
                        </label>
                        <button type="button" class="secondary" aria-label=format!("Remove question {n}")
                            on:click=move |_| form.update(|f| { f.custom_fields.remove(i); })>"Remove"</button>
                    </div>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{messages.for_field("custom_fields".into())}</p>
            <button type="button" class="secondary" on:click=move |_| form.update(|f| f.custom_fields.push(CustomFieldRow::default()))>"Add question"</button>
        </fieldset>
    }
}

#[component]
fn Metadata(form: RwSignal<LinkForm>, messages: FieldMessages) -> impl IntoView {
    let error_for = move |field: String| messages.for_field(field);
    view! {
        <fieldset>
            <legend>"Metadata (optional)"</legend>
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
        </fieldset>
    }
}
