//! What the customer sees after paying when the link does not redirect.

use super::markdown::Markdown;
use crate::common::format;
use leptos::prelude::*;
use paylinks_api::checkout::{CheckoutResult, NextStep};
use paylinks_api::PublicPaymentLink;

/// Shown after a successful payment when the link does not redirect.
#[component]
pub fn Confirmation(link: StoredValue<PublicPaymentLink>, result: RwSignal<Option<CheckoutResult>>) -> impl IntoView {
    let l = link.get_value();
    let result = result.get_untracked();
    let paid = result.as_ref().map(|r| format::amount(Some(r.amount_minor), &r.currency)).unwrap_or_default();
    let message = result.as_ref().and_then(|r| match &r.next {
        Some(NextStep::Confirmation { message_html: Some(html), .. }) => Some(html.clone()),
        _ => None,
    });
    let reference = result.map(|r| r.payment_id).unwrap_or_default();
    view! {
        <section class="confirmation" role="status">
            <h1>"Payment received"</h1>
            <p>{format!("You paid {paid} to {}.", l.merchant_name)}</p>
            {message.map(|html| view! { <Markdown html=html/> })}
            <p class="reference">"Reference: " <code>{reference}</code></p>
        </section>
    }
}
