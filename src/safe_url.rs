//! The last check before a stored URL becomes an `href`, an image source or a redirect.

/// https anywhere; http://localhost and http://127.0.0.1 only for sandbox links.
pub fn is_safe_href(url: &str, livemode: bool) -> bool {
    let lower = url.to_ascii_lowercase();
    let local = ["http://localhost:", "http://localhost/", "http://127.0.0.1:", "http://127.0.0.1/"];
    let scheme_ok = lower.starts_with("https://") || (!livemode && local.iter().any(|p| lower.starts_with(p)));
    scheme_ok && !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}
