//! The checkout's inputs: each bound to one part of the form, through the app's one labelled input.

use super::form::{AddressForm, CheckoutForm};
use crate::common::field::{scoped, Field, InputKind, DECIMAL};
use crate::common::form::FieldMessages;
use crate::common::intl::display_names;
use leptos::prelude::*;
use paylinks_api::country::COUNTRY_CODES;
use paylinks_api::{CustomField, CustomFieldType};

pub const EMAIL: InputKind = InputKind::new("email", "email", "email");
pub const NAME: InputKind = InputKind::new("text", "name", "text");
pub const TEL: InputKind = InputKind::new("tel", "tel", "tel");
pub const CARD_NUMBER: InputKind = InputKind::new("text", "cc-number", "numeric");
pub const CARD_EXPIRY: InputKind = InputKind::new("text", "cc-exp", "numeric");
pub const CARD_CVC: InputKind = InputKind::new("text", "cc-csc", "numeric");
pub const AMOUNT: InputKind = InputKind::new("text", "transaction-amount", "decimal");
const TEXT: InputKind = InputKind::new("text", "off", "text");

/// What every input of the form shares: the data and the messages.
#[derive(Clone, Copy)]
pub struct Fields {
    pub form: RwSignal<CheckoutForm>,
    pub messages: FieldMessages,
}

impl Fields {
    /// Changes the form: the server's verdict on `field` no longer applies.
    pub fn edit(&self, field: &str, update: impl FnOnce(&mut CheckoutForm)) {
        self.form.update(update);
        self.messages.edited(field);
    }

    pub fn leave(&self, field: &str) {
        self.messages.leave(field);
    }

    pub fn error_for(&self, field: String) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
        self.messages.for_field(field)
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
        let (form, kind) = (ctx.form, InputKind::new("text", auto[usize::from(shipping)], "text"));
        view! {
            <Field id=format!("{key}-{name}") label=label field=format!("{key}_address.{name}") messages=ctx.messages
                kind=kind value=move || form.with(get) on_input=move |v| form.update(|f| set(f, v))/>
        }
    };
    view! {
        <fieldset>
            <legend>{legend}</legend>
            <p class="field-error" aria-live="polite">{ctx.error_for(format!("{key}_address"))}</p>
            {part("line1", "Address line 1", ["billing address-line1", "shipping address-line1"], |a| &mut a.line1)}
            {part("line2", "Address line 2 (optional)", ["billing address-line2", "shipping address-line2"], |a| &mut a.line2)}
            {part("city", "City", ["billing address-level2", "shipping address-level2"], |a| &mut a.city)}
            {part("state", "State or region (optional)", ["billing address-level1", "shipping address-level1"], |a| &mut a.state)}
            {part("postal_code", "Postal code (optional)", ["billing postal-code", "shipping postal-code"], |a| &mut a.postal_code)}
            {choice_field(ctx, ["billing country", "shipping country"][usize::from(shipping)], format!("{key}-country"), "Country".into(), format!("{key}_address.country"), country_choices(),
                move |f| address_of(&mut f.clone(), shipping).country.clone(),
                move |f, v| address_of(f, shipping).country = v)}
        </fieldset>
    }
}

/// A labelled `<select>` over `choices` (a value and its words), with a first "Choose…".
#[allow(clippy::too_many_arguments)] // one labelled control: each argument is one of its parts
fn choice_field(
    ctx: Fields,
    autocomplete: &'static str,
    id: String,
    label: String,
    path: String,
    choices: Vec<(String, String)>,
    get: impl Fn(&CheckoutForm) -> String + Copy + Send + Sync + 'static,
    set: impl Fn(&mut CheckoutForm, String) + Copy + 'static,
) -> impl IntoView {
    let id = scoped(&id);
    let (error, invalid) = (ctx.error_for(path.clone()), ctx.error_for(path.clone()));
    let error_id = format!("{id}-error");
    let form = ctx.form;
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id autocomplete=autocomplete aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                prop:value=move || form.with(get)
                on:change=move |ev| { let v = event_target_value(&ev); ctx.edit(&path, move |f| set(f, v)); ctx.leave(&path) }>
                <option value="">"Choose…"</option>
                {choices.into_iter().map(|(value, words)| view! { <option value=value>{words}</option> }).collect_view()}
            </select>
            <p id=error_id class="field-error" aria-live="polite">{error}</p>
        </div>
    }
}

/// Every country, named by the customer's browser in its language, in the order of those names.
fn country_choices() -> Vec<(String, String)> {
    let name_of = display_names("region");
    let mut choices: Vec<(String, String)> = COUNTRY_CODES
        .iter()
        .map(|code| (code.to_string(), name_of(code).unwrap_or_else(|| code.to_string())))
        .collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1));
    choices
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
            let choices = field.options.into_iter().map(|o| (o.clone(), o)).collect();
            choice_field(ctx, "off", id, label, path, choices, get, set).into_any()
        }
        CustomFieldType::Number | CustomFieldType::Text => {
            let kind = if field.field_type == CustomFieldType::Number { DECIMAL } else { TEXT };
            let form = ctx.form;
            view! {
                <Field id=id label=label field=path messages=ctx.messages kind=kind
                    value=move || form.with(get) on_input=move |v| form.update(|f| set(f, v))/>
            }
            .into_any()
        }
    }
}
