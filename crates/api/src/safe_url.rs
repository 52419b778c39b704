//! The last check before a stored URL becomes an `href`, an image source or a redirect; the same
//! rule a URL must pass to be stored (`rules::normalized_url`).

/// https anywhere; http://localhost and http://127.0.0.1 only for sandbox links. Parsed, not
/// prefix-matched: `http://localhost:@evil.example/` is a link to evil.example.
pub fn is_safe_href(url: &str, livemode: bool) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return false;
    }
    let Ok(parsed) = url::Url::parse(url) else { return false };
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1"));
    let scheme_ok = parsed.scheme() == "https" || (parsed.scheme() == "http" && local && !livemode);
    let credentials = !parsed.username().is_empty() || parsed.password().is_some();
    scheme_ok && parsed.host_str().is_some_and(|h| !h.is_empty()) && !credentials
}

#[cfg(test)]
mod tests {
    use super::is_safe_href;

    #[test]
    fn only_https_and_sandbox_localhost_pass() {
        assert!(is_safe_href("https://shop.example/thanks", true));
        assert!(is_safe_href("http://localhost:8080/x", false));
        assert!(!is_safe_href("http://localhost:8080/x", true));
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "https://a b",
            "http://localhost:@evil.example/",
            "http://localhost.evil.example/",
            "https://user:pw@shop.example/",
            "https:\\\\evil.example\\@ok.example/",
        ] {
            assert!(!is_safe_href(bad, false), "{bad}");
        }
    }
}
