//! The last check before a stored URL becomes an `href`, an image source or a redirect.

/// https anywhere; http://localhost and http://127.0.0.1 only for sandbox links.
pub fn is_safe_href(url: &str, livemode: bool) -> bool {
    let lower = url.to_ascii_lowercase();
    let local = ["http://localhost:", "http://localhost/", "http://127.0.0.1:", "http://127.0.0.1/"];
    let scheme_ok = lower.starts_with("https://") || (!livemode && local.iter().any(|p| lower.starts_with(p)));
    scheme_ok && !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::is_safe_href;

    #[test]
    fn only_https_and_sandbox_localhost_pass() {
        assert!(is_safe_href("https://shop.example/thanks", true));
        assert!(is_safe_href("http://localhost:8080/x", false));
        assert!(!is_safe_href("http://localhost:8080/x", true));
        for bad in ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil.example", "https://a b"] {
            assert!(!is_safe_href(bad, false), "{bad}");
        }
    }
}
