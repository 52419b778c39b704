//! The promotion code: typed and applied before paying (the server checks it and answers its
//! rule; the page then shows the discount and the new total), removed with one button. Enter in
//! the code's field applies it; it never pays.

use super::api;
use super::fields::Fields;
use crate::common::field::{scoped, Field, InputKind};
use crate::common::form::focus;
use crate::common::format;
use leptos::prelude::*;
use paylinks_api::PublicPaymentLink;

const CODE: InputKind = InputKind::new("text", "off", "text");

#[component]
pub fn PromotionCode(
    link: StoredValue<PublicPaymentLink>,
    ctx: Fields,
    /// What the applied code takes off now.
    discount: Memo<Option<i64>>,
    preview: bool,
) -> impl IntoView {
    let form = ctx.form;
    let checking = RwSignal::new(false);
    let apply = move || {
        let typed = form.with_untracked(|f| f.promotion_code.trim().to_string());
        if typed.is_empty() {
            ctx.messages.server.update(|e| e.replace("promotion_code", "Enter a code first."));
            return;
        }
        if preview || checking.get_untracked() {
            return;
        }
        checking.set(true);
        let public_id = link.with_value(|l| l.public_id.clone());
        leptos::task::spawn_local(async move {
            let outcome = api::promotion(&public_id, &typed).await;
            checking.set(false);
            match outcome {
                Ok(promotion) => {
                    ctx.edit("promotion_code", |f| f.promotion = Some(promotion));
                    focus("#promotion-remove");
                }
                Err(err) => {
                    let errors = err.field_errors();
                    let message = errors.get("promotion_code").map_or_else(|| err.message(), str::to_string);
                    ctx.messages.server.update(|e| e.replace("promotion_code", message));
                }
            }
        });
    };
    let remove = move |_| {
        ctx.edit("promotion_code", |f| f.promotion = None);
        focus("#promotion-code");
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            apply();
        }
    };
    let currency = link.with_value(|l| l.currency.clone());
    let off = move || discount.get().map(|d| format!("−{}", format::amount(Some(d), &currency)));
    let applied = move || form.with(|f| f.promotion.as_ref().map(|p| p.code.clone()));
    let error = ctx.error_for("promotion_code".into());
    view! {
        {move || match applied() {
            Some(code) => view! {
                <div class="promotion applied">
                    <p class="discount-line">
                        <span>{format!("Promotion code {code}")}</span>
                        <strong>{off.clone()}</strong>
                    </p>
                    <p class="field-error" aria-live="polite">{error.clone()}</p>
                    <button type="button" id=scoped("promotion-remove") class="secondary" on:click=remove>
                        {format!("Remove code {code}")}
                    </button>
                </div>
            }
            .into_any(),
            None => view! {
                <div class="promotion" on:keydown=on_key>
                    <Field id="promotion-code" label="Promotion code" field="promotion_code" messages=ctx.messages kind=CODE
                        value=move || form.with(|f| f.promotion_code.clone())
                        on_input=move |v: String| form.update(|f| f.promotion_code = v)/>
                    <button type="button" class="secondary" disabled=move || checking.get() on:click=move |_| apply()>
                        {move || if checking.get() { "Checking…" } else { "Apply" }}
                    </button>
                </div>
            }
            .into_any(),
        }}
    }
}
