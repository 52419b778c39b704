//! What the customer sees after paying (when the link does not redirect), and on every later
//! visit to `?paid=…`: what was bought, when, how, and what renews.

use super::markdown::Markdown;
use super::screen::set_title;
use crate::common::format;
use leptos::prelude::*;
use paylinks_api::checkout::Receipt;

#[component]
pub fn Confirmation(receipt: Receipt) -> impl IntoView {
    let r = receipt;
    let money = |minor: i64| format::amount(Some(minor), &r.currency);
    // A live payment's card was typed on Stripe's page: paylinks never saw it.
    let paid_with = if r.card_last4.is_empty() {
        "Card, through Stripe".to_string()
    } else {
        format!("{} ···· {}", r.card_brand, r.card_last4)
    };
    let heading = if r.renewal.is_some() { "You are subscribed" } else { "Payment received" };
    set_title(&format!("{heading} — {}", r.link_name));
    let lines = r.line_items.iter().map(|line| {
        let each = line.recurring.as_ref().map(|every| format!(" {}", format::every(every))).unwrap_or_default();
        view! {
            <li>
                <span>{format!("{} × {}", line.quantity, line.name)}</span>
                <span>{format!("{}{each}", money(line.unit_amount.saturating_mul(line.quantity)))}</span>
            </li>
        }
    });
    let discount = r.discount.as_ref().map(|d| {
        view! {
            <li class="receipt-discount">
                <span>{format!("Promotion code {}", d.code)}</span>
                <span>{format!("−{}", money(d.amount_minor))}</span>
            </li>
        }
    });
    let lines = (lines.collect_view(), discount);
    let renews = r.renewal.as_ref().map(|renewal| {
        view! {
            <p class="renewal">{format!(
                "Renews automatically at {} until you cancel. To cancel, contact {}.",
                format::renewal(renewal, &r.currency),
                r.merchant_name
            )}</p>
        }
    });
    view! {
        <section class="confirmation" role="status">
            {(!r.livemode).then(|| view! { <p class="test-banner" role="note">"Test mode — no real money moved"</p> })}
            <h1>{heading}</h1>
            <p>{format!("You paid {} to {}.", money(r.amount_minor), r.merchant_name)}</p>
            <ul class="receipt-lines" aria-label="What you bought">{lines}</ul>
            {renews}
            {r.message_html.map(|html| view! { <Markdown html=html/> })}
            <dl class="receipt">
                <dt>"Date"</dt><dd>{format::when(r.paid_at)}</dd>
                <dt>"Paid with"</dt><dd>{paid_with}</dd>
                <dt>"Email"</dt><dd>{r.customer_email}</dd>
                <dt>"Reference"</dt><dd><code>{r.payment_id}</code></dd>
            </dl>
        </section>
    }
}
