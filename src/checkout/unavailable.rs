//! What a customer sees when a link cannot be paid: why, when the server says (a paused, expired
//! or sold-out link, with the merchant's own message), else one answer for every other case.

use super::screen::set_title;
use leptos::prelude::*;
use paylinks_api::error::UnavailableReason;
use paylinks_api::ErrorBody;

/// The heading and the sentence under it for `reason`.
pub fn wording(reason: Option<UnavailableReason>, merchant: &str) -> (&'static str, String) {
    match reason {
        Some(UnavailableReason::Paused) => {
            ("This payment link is paused", format!("{merchant} is not taking payments on it right now."))
        }
        Some(UnavailableReason::Expired) => {
            ("This payment link has expired", format!("{merchant} is no longer taking payments on it."))
        }
        Some(UnavailableReason::SoldOut) => {
            ("This link has reached its limit", "It cannot take any more payments; you have not been charged.".into())
        }
        None => {
            ("This payment link is not available", "It may have expired, been paid already or been turned off.".into())
        }
    }
}

#[component]
pub fn Unavailable(body: ErrorBody) -> impl IntoView {
    let details = body.details.unwrap_or_default();
    let merchant = details.merchant_name.unwrap_or_else(|| "The seller".into());
    let (heading, sentence) = wording(details.reason, &merchant);
    set_title(heading);
    let note = details.message.map(|message| {
        view! {
            <figure class="merchant-note">
                <blockquote>{message}</blockquote>
                <figcaption>{format!("— {merchant}")}</figcaption>
            </figure>
        }
    });
    view! {
        <section class="unavailable">
            <h1>{heading}</h1>
            <p>{sentence}</p>
            {note}
            <p>"Ask the seller for a new link if you still want to pay."</p>
        </section>
    }
}
