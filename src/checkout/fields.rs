//! The checkout's inputs: each bound to one part of the form, through the app's one labelled input.

use super::form::{AddressForm, CheckoutForm};
use crate::common::field::{Field, InputKind};
use crate::common::form::FieldMessages;
use leptos::prelude::*;
use paylinks_api::{CustomField, CustomFieldType};

pub const EMAIL: InputKind = InputKind::new("email", "email", "email");
pub const NAME: InputKind = InputKind::new("text", "name", "text");
pub const TEL: InputKind = InputKind::new("tel", "tel", "tel");
pub const CARD_NUMBER: InputKind = InputKind::new("text", "cc-number", "numeric");
pub const CARD_EXPIRY: InputKind = InputKind::new("text", "cc-exp", "numeric");
pub const CARD_CVC: InputKind = InputKind::new("text", "cc-csc", "numeric");
pub const AMOUNT: InputKind = InputKind::new("text", "transaction-amount", "decimal");
const NUMBER: InputKind = InputKind::new("text", "off", "decimal");
const TEXT: InputKind = InputKind::new("text", "off", "text");

/// What every input of the form shares: the data, the last failure, and the messages.
#[derive(Clone, Copy)]
pub struct Fields {
    pub form: RwSignal<CheckoutForm>,
    pub failure: RwSignal<Option<String>>,
    pub messages: FieldMessages,
}

impl Fields {
    /// Changes the form: the last failure and the server's verdict on `field` no longer apply.
    pub fn edit(&self, field: &str, update: impl FnOnce(&mut CheckoutForm)) {
        self.form.update(update);
        self.failure.set(None);
        self.messages.edited(field);
    }

    fn leave(&self, field: &str) {
        self.messages.leave(field);
    }

    pub fn error_for(&self, field: String) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
        self.messages.for_field(field)
    }

    /// A labelled input bound to one field of the form, with its error under it.
    pub fn input(
        self,
        id: &str,
        label: &str,
        field: &str,
        kind: InputKind,
        get: impl Fn(&CheckoutForm) -> String + Copy + Send + Sync + 'static,
        set: impl Fn(&mut CheckoutForm, String) + Copy + 'static,
    ) -> impl IntoView {
        let form = self.form;
        let on_input = move |value: String| {
            form.update(|f| set(f, value));
            self.failure.set(None);
        };
        view! {
            <Field id=id.to_string() label=label.to_string() field=field.to_string() messages=self.messages kind=kind
                value=move || form.with(get) on_input=on_input/>
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

pub fn address_fields(ctx: Fields, shipping: bool) -> impl IntoView {
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
        let kind = InputKind::new("text", auto[usize::from(shipping)], "text");
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

pub fn custom_field(ctx: Fields, field: CustomField) -> impl IntoView {
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
