//! Create a payment link. Rules are checked as the merchant types (once a field has been left)
//! and on submit; server errors land next to their fields; nothing typed is ever cleared by an
//! error. One Idempotency-Key per distinct request: a double click or a retry after a network
//! error reuses it, so it can never create two links.

use crate::app::use_session;
use crate::form_support::{focus_first_invalid, key_for, now, FieldMessages};
use crate::link_form::{CustomFieldRow, LineRow, LinkForm, Pricing};
use crate::session::client_of;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use paylinks_api::{
    AfterCompletion, CreatePaymentLink, CustomFieldType, LinkMode, LinkType, SelectionMode, TaxBehavior,
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

    let text_field = move |id: &'static str,
                           label: &'static str,
                           field: &'static str,
                           kind: &'static str,
                           get: fn(&LinkForm) -> String,
                           set: fn(&mut LinkForm, String)| {
        let (error, invalid) = (error_for(field.to_string()), error_for(field.to_string()));
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=move || form.with(get)
                    aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(field, Box::new(move |f| set(f, v))) }
                    on:blur=leave(field)/>
                <p id=error_id class="field-error" aria-live="polite">{error}</p>
            </div>
        }
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

    let text_area = move |id: &'static str,
                          label: &'static str,
                          field: &'static str,
                          get: fn(&LinkForm) -> String,
                          set: fn(&mut LinkForm, String)| {
        let (error, invalid) = (error_for(field.to_string()), error_for(field.to_string()));
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <textarea id=id rows="3" prop:value=move || form.with(get)
                    aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(field, Box::new(move |f| set(f, v))) }
                    on:blur=leave(field)></textarea>
                <p id=error_id class="field-error" aria-live="polite">{error}</p>
            </div>
        }
    };

    view! {
        <h1>"New payment link"</h1>
        <form class="link-form" on:submit=submit novalidate>
            {text_field("name", "Name", "name", "text", |f| f.name.clone(), |f, v| f.name = v)}
            {text_field("slug", "Slug (optional)", "slug", "text", |f| f.slug.clone(), |f, v| f.slug = v)}
            <div class="field">
                <label for="mode">"Mode"</label>
                <select id="mode" prop:value=move || form.with(|f| f.mode.as_str())
                    on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.mode = LinkMode::parse(&v).unwrap_or_default()) }>
                    <option value="custom">"Custom: a fixed amount or line items"</option>
                    <option value="invoice">"Invoice: pays one invoice"</option>
                    <option value="subscription">"Subscription: recurring payments"</option>
                </select>
            </div>
            {text_field("currency", "Currency", "currency", "text", |f| f.currency.clone(), |f, v| f.currency = v)}
            <Show when=move || form.with(|f| f.mode == LinkMode::Invoice)>
                {text_field("invoice-id", "Invoice id", "invoice_id", "text", |f| f.invoice_id.clone(), |f, v| f.invoice_id = v)}
            </Show>
            <Show when=move || form.with(|f| f.mode == LinkMode::Subscription)>
                {text_field("subscription-id", "Subscription id (or add a recurring line item)", "subscription_id", "text",
                    |f| f.subscription_id.clone(), |f, v| f.subscription_id = v)}
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
                    {text_field("min-amount", "Minimum amount (optional)", "custom_amount.minimum", "text", |f| f.min_amount.clone(), |f, v| f.min_amount = v)}
                    {text_field("max-amount", "Maximum amount (optional)", "custom_amount.maximum", "text", |f| f.max_amount.clone(), |f, v| f.max_amount = v)}
                    {text_field("preset-amount", "Suggested amount (optional)", "custom_amount.preset", "text", |f| f.preset_amount.clone(), |f, v| f.preset_amount = v)}
                </Show>
                <p class="field-error" aria-live="polite">{error_for("custom_amount".into())}</p>
                <Show when=move || form.with(|f| f.pricing == Pricing::Amount && f.mode == LinkMode::Custom)>
                    {text_field("amount", "Amount", "amount_minor", "text", |f| f.amount.clone(), |f, v| f.amount = v)}
                </Show>
                <Show when=move || form.with(|f| f.pricing == Pricing::LineItems)>
                    <LineItems form=form error_for=error_for/>
                    <p class="field-error" aria-live="polite">{error_for("line_items".into())}</p>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"After payment"</legend>
                {text_field("success-url", "Success URL (optional)", "success_url", "url", |f| f.success_url.clone(), |f, v| f.success_url = v)}
                {text_field("cancel-url", "Cancel URL (optional)", "cancel_url", "url", |f| f.cancel_url.clone(), |f, v| f.cancel_url = v)}
                {text_field("redirect-url", "Redirect URL (optional)", "redirect_url", "url", |f| f.redirect_url.clone(), |f, v| f.redirect_url = v)}
            </fieldset>
            <fieldset>
                <legend>"Options"</legend>
                {checkbox("Collect a shipping address", |f| f.collect_shipping, |f, v| f.collect_shipping = v)}
                {checkbox("Allow promotion codes", |f| f.allow_promotion_codes, |f, v| f.allow_promotion_codes = v)}
                {checkbox("Save as a draft (not payable yet)", |f| f.draft, |f, v| f.draft = v)}
                <div class="field">
                    <label for="tax">"Tax"</label>
                    <select id="tax" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        form.update(|f| f.tax_behavior = match v.as_str() { "inclusive" => TaxBehavior::Inclusive, "exclusive" => TaxBehavior::Exclusive, _ => TaxBehavior::Unspecified });
                    }>
                        <option value="unspecified">"Unspecified"</option>
                        <option value="inclusive">"Prices include tax"</option>
                        <option value="exclusive">"Tax is added to prices"</option>
                    </select>
                </div>
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
                {text_field("product-ids", "Product ids (comma separated)", "product_ids", "text", |f| f.product_ids.clone(), |f, v| f.product_ids = v)}
                <div class="field">
                    <label for="selection-mode">"How customers choose"</label>
                    <select id="selection-mode" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        form.update(|f| f.selection_mode = match v.as_str() {
                            "single_select" => SelectionMode::SingleSelect,
                            "multi_select" => SelectionMode::MultiSelect,
                            _ => SelectionMode::Bundle,
                        });
                    }>
                        <option value="bundle">"Everything together"</option>
                        <option value="single_select">"Pick one"</option>
                        <option value="multi_select">"Pick several, with quantities"</option>
                    </select>
                </div>
                <Show when=move || form.with(|f| f.selection_mode == SelectionMode::SingleSelect)>
                    {text_field("default-product", "Pre-selected product id (optional)", "default_product_id", "text",
                        |f| f.default_product_id.clone(), |f, v| f.default_product_id = v)}
                    {text_field("highlighted-product", "\"Popular\" product id (optional)", "highlighted_product_id", "text",
                        |f| f.highlighted_product_id.clone(), |f, v| f.highlighted_product_id = v)}
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Checkout page"</legend>
                <div class="field">
                    <label for="link-type">"What this link is for"</label>
                    <select id="link-type" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        form.update(|f| f.link_type = match v.as_str() {
                            "donation" => LinkType::Donation,
                            "subscription" => LinkType::Subscription,
                            "invoice" => LinkType::Invoice,
                            "collection" => LinkType::Collection,
                            _ => LinkType::Product,
                        });
                    }>
                        <option value="product">"Selling a product"</option>
                        <option value="donation">"Donations (the customer chooses the amount)"</option>
                        <option value="subscription">"A subscription"</option>
                        <option value="invoice">"An invoice"</option>
                        <option value="collection">"A collection"</option>
                    </select>
                </div>
                {text_area("description", "Description (markdown, optional)", "description", |f| f.description.clone(), |f, v| f.description = v)}
                {text_field("cover-image", "Cover image URL (optional)", "cover_image_url", "url", |f| f.cover_image_url.clone(), |f, v| f.cover_image_url = v)}
                {checkbox("Customers may change quantities", |f| f.allow_quantity_adjustment, |f, v| f.allow_quantity_adjustment = v)}
                {checkbox("Collect a billing address", |f| f.collect_address, |f, v| f.collect_address = v)}
                {checkbox("Ask for a phone number", |f| f.collect_phone, |f, v| f.collect_phone = v)}
                {text_field("max-completions", "Stop after this many payments (optional)", "max_completions", "text", |f| f.max_completions.clone(), |f, v| f.max_completions = v)}
                <div class="field">
                    <label for="after-completion">"After paying"</label>
                    <select id="after-completion" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        edit("after_completion", Box::new(move |f| f.after_completion = match v.as_str() {
                            "confirmation" => Some(AfterCompletion::Confirmation),
                            "redirect" => Some(AfterCompletion::Redirect),
                            _ => None,
                        }));
                    }>
                        <option value="">"Go to the success URL if there is one, else confirm on the page"</option>
                        <option value="confirmation">"Always confirm on the page"</option>
                        <option value="redirect">"Always go to the success URL"</option>
                    </select>
                    <p class="field-error" aria-live="polite">{error_for("after_completion".into())}</p>
                </div>
                {text_area("confirmation-message", "Confirmation message (markdown, optional)", "confirmation_message", |f| f.confirmation_message.clone(), |f, v| f.confirmation_message = v)}
                {text_field("customer-id", "Customer id (optional)", "customer_id", "text", |f| f.customer_id.clone(), |f, v| f.customer_id = v)}
                {text_field("external-reference", "Your reference (optional)", "external_reference", "text", |f| f.external_reference.clone(), |f, v| f.external_reference = v)}
            </fieldset>
            <CustomFields form=form error_for=error_for/>
            <Metadata form=form error_for=error_for/>
            <p class="form-error" role="alert">{general_error}</p>
            <button type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Creating…" } else { "Create payment link" }}
            </button>
        </form>
    }
}

#[component]
fn LineItems<E, F>(form: RwSignal<LinkForm>, error_for: E) -> impl IntoView
where
    E: Fn(String) -> F + Copy + Send + Sync + 'static,
    F: Fn() -> Option<String> + Send + Sync + 'static,
{
    let row_input = move |i: usize,
                          label: String,
                          id: String,
                          field: String,
                          get: fn(&LineRow) -> String,
                          set: fn(&mut LineRow, String)| {
        let error = error_for(field);
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" prop:value=move || form.with(|f| f.items.get(i).map(get).unwrap_or_default())
                    aria-describedby=error_id.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| if let Some(row) = f.items.get_mut(i) { set(row, v) }) }/>
                <p id=error_id class="field-error" aria-live="polite">{error}</p>
            </div>
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
                    <div class="field">
                        <label for=format!("item-{n}-interval")>{format!("Item {n} billing")}</label>
                        <select id=format!("item-{n}-interval") prop:value=move || form.with(|f| f.items.get(i).map(|r| r.interval.clone()).unwrap_or_default())
                            on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| if let Some(r) = f.items.get_mut(i) { r.interval = v }) }>
                            <option value="">"One time"</option>
                            <option value="day">"Every N days"</option>
                            <option value="week">"Every N weeks"</option>
                            <option value="month">"Every N months"</option>
                            <option value="year">"Every N years"</option>
                        </select>
                    </div>
                    <Show when=move || form.with(|f| f.items.get(i).is_some_and(|r| !r.interval.is_empty()))>
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
fn CustomFields<E, F>(form: RwSignal<LinkForm>, error_for: E) -> impl IntoView
where
    E: Fn(String) -> F + Copy + Send + Sync + 'static,
    F: Fn() -> Option<String> + Send + Sync + 'static,
{
    let row_text = move |i: usize,
                         label: String,
                         field: String,
                         get: fn(&CustomFieldRow) -> String,
                         set: fn(&mut CustomFieldRow, String)| {
        view! {
            <label>{label}
                <input type="text" prop:value=move || form.with(|f| f.custom_fields.get(i).map(get).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) { set(r, v) }) }/>
            </label>
            <p class="field-error" aria-live="polite">{error_for(field)}</p>
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
                        {row_text(i, format!("Question {n} key"), format!("{p}.key"), |r| r.key.clone(), |r, v| r.key = v)}
                        {row_text(i, format!("Question {n} label"), format!("{p}.label"), |r| r.label.clone(), |r, v| r.label = v)}
                        <label>{format!("Question {n} answer type")}
                            <select on:change=move |ev| {
                                let v = event_target_value(&ev);
                                form.update(|f| if let Some(r) = f.custom_fields.get_mut(i) {
                                    r.kind = match v.as_str() { "number" => CustomFieldType::Number, "dropdown" => CustomFieldType::Dropdown, _ => CustomFieldType::Text };
                                });
                            }>
                                <option value="text">"Text"</option>
                                <option value="number">"Number"</option>
                                <option value="dropdown">"Choice from a list"</option>
                            </select>
                        </label>
                        {row_text(i, format!("Question {n} choices (comma separated)"), format!("{p}.options"), |r| r.options.clone(), |r, v| r.options = v)}
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
            <p class="field-error" aria-live="polite">{error_for("custom_fields".into())}</p>
            <button type="button" class="secondary" on:click=move |_| form.update(|f| f.custom_fields.push(CustomFieldRow::default()))>"Add question"</button>
        </fieldset>
    }
}

#[component]
fn Metadata<E, F>(form: RwSignal<LinkForm>, error_for: E) -> impl IntoView
where
    E: Fn(String) -> F + Copy + Send + Sync + 'static,
    F: Fn() -> Option<String> + Send + Sync + 'static,
{
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
