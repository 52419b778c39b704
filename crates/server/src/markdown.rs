//! A merchant's markdown (link description, confirmation message) as safe HTML, rendered here so
//! the customer's phone downloads no markdown parser: raw HTML shows as text, links keep only safe
//! targets, images become their alt text. `pulldown-cmark` escapes all text it writes.

use paylinks_api::safe_url::is_safe_href;
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

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

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn never_renders_raw_html_or_unsafe_links() {
        let html = to_safe_html(
            "Hi <img src=x onerror=alert(1)> **bold**\n\n[bad](javascript:alert(1)) [ok](https://a.example/) \
             ![pic](https://img.example/x.png)\n\n<script>alert(1)</script>",
            true,
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<img") && !html.contains("<script") && !html.contains("javascript:"), "{html}");
        assert!(html.contains("<a href=\"https://a.example/\">ok</a>"), "{html}");
        assert!(html.contains("bad") && html.contains("pic"), "link and image text stay: {html}");
    }

    #[test]
    fn sandbox_links_may_point_at_localhost() {
        assert!(to_safe_html("[t](http://localhost:8080/x)", false).contains("href=\"http://localhost:8080/x\""));
        assert!(!to_safe_html("[t](http://localhost:8080/x)", true).contains("href"));
    }
}
