//! The line items with their quantity or choice controls, or the amount the customer chooses.

use super::fields::{Fields, AMOUNT};
use crate::common::field::Field;
use crate::common::format;
use leptos::prelude::*;
use paylinks_api::{PublicPaymentLink, SelectionMode, WireEnum};

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
            let unit = interval.as_str();
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
