//! The line items with their quantity or choice controls, or the amount the customer chooses.

use super::fields::{Fields, AMOUNT};
use crate::common::field::{scoped, Field};
use crate::common::format;
use leptos::prelude::*;
use paylinks_api::checkout_rules::MAX_QUANTITY;
use paylinks_api::{PublicPaymentLink, Recurring, SelectionMode};

/// The line items with their quantity or choice controls, or the amount to choose.
#[component]
pub fn Items(link: StoredValue<PublicPaymentLink>, ctx: Fields) -> impl IntoView {
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
                <Field id="amount" label=format!("Amount ({currency})") field="amount_minor" messages=ctx.messages
                    kind=AMOUNT value=move || form.with(|f| f.amount.clone()) on_input=move |v| form.update(|f| f.amount = v)/>
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
            format!(" {}", format::every(&Recurring { interval, interval_count: item.interval_count.unwrap_or(1) }))
        });
        let name = item.name.clone();
        // What was typed stays as typed; the buttons and the subtotal read it as a number.
        let quantity = move || form.with(|f| f.quantity(i));
        let set_typed = move |typed: String| {
            ctx.edit(&format!("quantities[{i}]"), move |f| {
                if let Some(slot) = f.quantities.get_mut(i) {
                    *slot = typed;
                }
            });
        };
        let set_quantity = move |q: i64| set_typed(q.to_string());
        let (unit_amount, currency) = (item.unit_amount, item.currency.clone());
        let subtotal = move || {
            let q = quantity().filter(|q| *q > 0)?;
            let total = unit_amount.checked_mul(q)?;
            Some(format::amount(Some(total), &currency))
        };
        let default_quantity = item.quantity;
        let highlighted = l.highlighted_item == Some(i);
        let chooser = match mode {
            SelectionMode::Bundle => None,
            SelectionMode::SingleSelect => Some(view! {
                <label class="check"><input type="radio" name="item" prop:checked=move || { quantity().unwrap_or(0) > 0 }
                    on:change=move |_| ctx.edit("quantities", move |f| {
                        for (j, q) in f.quantities.iter_mut().enumerate() { *q = if j == i { default_quantity } else { 0 }.to_string() }
                    })/>{format!("Choose {name}")}</label>
            }.into_any()),
            SelectionMode::MultiSelect => Some(view! {
                <label class="check"><input type="checkbox" prop:checked=move || { quantity().unwrap_or(0) > 0 }
                    on:change=move |ev| { let on = event_target_checked(&ev); set_quantity(if on { default_quantity } else { 0 }) }/>
                    {format!("Add {name}")}</label>
            }.into_any()),
        };
        let qty_id = scoped(&format!("quantity-{i}"));
        let error_id = format!("{qty_id}-error");
        let error_p_id = error_id.clone();
        let label = format!("Quantity of {}", item.name);
        let field = format!("quantities[{i}]");
        let (error, invalid) = (ctx.error_for(field.clone()), ctx.error_for(field.clone()));
        // A text input, not type=number: a number input reports "2." as empty while it is typed,
        // and a value rewritten on every key moves the caret.
        let stepper = adjustable.then(|| view! {
            <div class="stepper">
                <button type="button" class="secondary" aria-label=format!("Fewer {}", item.name)
                    disabled=move || { quantity().is_none_or(|q| q <= 1) }
                    on:click=move |_| set_quantity(quantity().map_or(1, |q| (q - 1).clamp(1, MAX_QUANTITY)))>"−"</button>
                <label class="visually-hidden" for=qty_id.clone()>{label}</label>
                <input id=qty_id type="text" inputmode="numeric" autocomplete="off" size="3"
                    prop:value=move || form.with(|f| f.quantities.get(i).cloned().unwrap_or_default())
                    aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                    on:input=move |ev| set_typed(event_target_value(&ev)) on:blur=move |_| ctx.leave(&field)/>
                <button type="button" class="secondary" aria-label=format!("More {}", item.name)
                    disabled=move || { quantity().is_some_and(|q| q >= MAX_QUANTITY) }
                    on:click=move |_| set_quantity(quantity().map_or(1, |q| (q + 1).clamp(1, MAX_QUANTITY)))>"+"</button>
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
                <span class="item-subtotal" aria-live="polite">{subtotal}</span>
                <p id=error_p_id class="field-error" aria-live="polite">{error}</p>
            </li>
        }
    });
    view! {
        <ul class="items" aria-label="What you are paying for">{rows.collect_view()}</ul>
        <p class="field-error" aria-live="polite">{ctx.error_for("quantities".into())}</p>
    }
    .into_any()
}
