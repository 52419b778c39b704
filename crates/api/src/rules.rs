//! Rules for text, URLs and identifiers that every object shares, and their limits.

use crate::error::FieldErrors;
use crate::link::{Interval, Recurring};
use std::collections::BTreeMap;

pub const NAME_MAX_CHARS: usize = 200;
pub const MAX_URL_LEN: usize = 2048;
pub const DESCRIPTION_MAX_CHARS: usize = 500;
pub const METADATA_MAX_KEYS: usize = 50;
pub const METADATA_KEY_MAX_CHARS: usize = 40;
pub const METADATA_VALUE_MAX_CHARS: usize = 500;

/// Text shown to people: not blank, bounded, and free of control and direction-override
/// characters (they can disguise what a customer reads).
pub fn check_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    let len = value.chars().count();
    if value.trim().is_empty() || len > max {
        errors.add(field, format!("must be 1 to {max} characters"));
    } else if value.chars().any(is_disallowed_char) {
        errors.add(field, "must not contain control or text-direction characters");
    }
}

/// Markdown text: line breaks and tabs are fine, other control and direction characters are not.
pub fn check_multiline(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if value.chars().any(|c| !matches!(c, '\n' | '\r' | '\t') && is_disallowed_char(c)) {
        errors.add(field, "must not contain control or text-direction characters");
    }
}

fn is_disallowed_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

pub fn is_valid_slug(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    let ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty() && bytes.len() <= 64 && ok(&bytes[0]) && bytes[1..].iter().all(|b| ok(b) || *b == b'-')
}

/// `Idempotency-Key`: 1 to 255 printable ASCII characters.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Redirect and image URLs: absolute https (http://localhost and http://127.0.0.1 for sandbox
/// objects), at most 2,048 characters, no user name or password. Returns the URL as it is
/// stored: parsed and written out again (`https:evil.example` is `https://evil.example/`), so
/// what is stored, shown and followed is one and the same URL.
pub fn check_url(errors: &mut FieldErrors, field: &str, value: &str, livemode: bool) -> Option<String> {
    normalized_url(value, livemode).map_err(|message| errors.add(field, message)).ok()
}

/// The URL as stored, or why it may not be stored or used as a link target.
pub fn normalized_url(value: &str, livemode: bool) -> Result<String, String> {
    if value.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    if value.contains('\\') {
        return Err("must not contain backslashes".into());
    }
    let https_only = "must be an absolute https:// URL";
    let parsed = url::Url::parse(value).map_err(|_| https_only.to_string())?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    let normalized = parsed.as_str();
    if normalized.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters once written out"));
    }
    if !crate::safe_url::is_safe_href(normalized, livemode) {
        return Err(if livemode { https_only.into() } else { format!("{https_only} (or http://localhost)") });
    }
    Ok(normalized.to_string())
}

/// Billing periods up to three years, as card networks allow.
pub fn check_recurring(errors: &mut FieldErrors, field: &str, recurring: &Recurring) {
    let max = match recurring.interval {
        Interval::Day => 1095,
        Interval::Week => 156,
        Interval::Month => 36,
        Interval::Year => 3,
    };
    if !(1..=max).contains(&recurring.interval_count) {
        errors.add(field, format!("must be between 1 and {max} for this interval"));
    }
}

pub fn check_metadata(errors: &mut FieldErrors, field: &str, metadata: &BTreeMap<String, String>) {
    if metadata.len() > METADATA_MAX_KEYS {
        errors.add(field, format!("must have at most {METADATA_MAX_KEYS} keys"));
    }
    for (key, value) in metadata {
        let key_len = key.chars().count();
        if key_len == 0 || key_len > METADATA_KEY_MAX_CHARS || key.chars().any(char::is_control) {
            let shown: String = key.chars().take(METADATA_KEY_MAX_CHARS).collect();
            errors.add(
                field,
                format!("key \"{shown}\" must be 1 to {METADATA_KEY_MAX_CHARS} characters without control characters"),
            );
        } else if value.chars().count() > METADATA_VALUE_MAX_CHARS {
            errors.add(format!("{field}.{key}"), format!("must be at most {METADATA_VALUE_MAX_CHARS} characters"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalized_url;

    #[test]
    fn urls_are_stored_as_browsers_read_them() {
        assert_eq!(normalized_url("https:evil.example", true).unwrap(), "https://evil.example/");
        assert_eq!(normalized_url("HTTPS://Shop.Example/a?b=c", true).unwrap(), "https://shop.example/a?b=c");
        let quoted = normalized_url("https://cdn.example/x.png\"onerror=\"alert(1)", true).unwrap();
        assert!(!quoted.contains('"'), "{quoted}");
        for bad in ["https:\\\\evil.example\\@ok.example/", "http://localhost:@evil.example/", "https://a:b@c.example/"]
        {
            assert!(normalized_url(bad, false).is_err(), "{bad}");
        }
        assert_eq!(normalized_url("http://localhost:8080/x", false).unwrap(), "http://localhost:8080/x");
        assert!(normalized_url("http://localhost:8080/x", true).is_err());
    }
}
