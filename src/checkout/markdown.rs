//! A merchant's markdown description as safe HTML: raw HTML shows as text, links keep only safe
//! targets, images become their alt text. `pulldown-cmark` escapes all text it writes.

use crate::safe_url::is_safe_href;
use leptos::prelude::*;
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// A merchant's markdown on the page: the only place the checkout sets HTML, and only this
/// module's sanitised output.
#[component]
pub fn Markdown(text: String, livemode: bool) -> impl IntoView {
    view! { <div class="description" inner_html=to_safe_html(&text, livemode)></div> }
}

pub fn to_safe_html(markdown: &str, livemode: bool) -> String {
    // Whether each open link was kept, so its end tag follows the same choice.
    let mut links_kept: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let keep = is_safe_href(dest_url, livemode);
            links_kept.push(keep);
            keep.then_some(event)
        }
        Event::End(TagEnd::Link) => links_kept.pop().unwrap_or(false).then_some(event),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}
