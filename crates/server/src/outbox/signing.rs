//! How a delivery proves it comes from paylinks: the vendor's `X-RevKeen-Signature` (hex
//! HMAC-SHA256 of `{t}.{body}`) and the Standard Webhooks headers (base64 HMAC-SHA256 of
//! `{id}.{t}.{body}`, keyed with the secret's UTF-8 bytes), one signature per active secret.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn hmac(secret: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The signing headers of one delivery attempt of event `event_id` with `body`, signed at unix
/// time `t` with each of `secrets`.
pub fn signature_headers(event_id: &str, body: &str, t: i64, secrets: &[String]) -> [(&'static str, String); 4] {
    let stamp = t.to_string();
    let revkeen: Vec<String> = secrets
        .iter()
        .map(|s| format!("v1={}", hex::encode(hmac(s, &[stamp.as_bytes(), b".", body.as_bytes()]))))
        .collect();
    let standard: Vec<String> = secrets
        .iter()
        .map(|s| {
            let mac = hmac(s, &[event_id.as_bytes(), b".", stamp.as_bytes(), b".", body.as_bytes()]);
            format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac))
        })
        .collect();
    [
        ("x-revkeen-signature", format!("t={stamp},{}", revkeen.join(","))),
        ("webhook-id", event_id.to_string()),
        ("webhook-timestamp", stamp),
        ("webhook-signature", standard.join(" ")),
    ]
}

/// The secret as a Standard Webhooks library takes it: `whsec_` + base64 of its UTF-8 bytes.
pub fn standard_webhooks_secret(secret: &str) -> String {
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_signatures_follow_their_recipes() {
        let secrets = vec!["rk_wh_test".to_string()];
        let headers = signature_headers("evt_1", "{\"a\":1}", 1_700_000_000, &secrets);
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac rk_wh_test
        let expected = hex::encode(hmac("rk_wh_test", &[b"1700000000.{\"a\":1}"]));
        assert_eq!(headers[0], ("x-revkeen-signature", format!("t=1700000000,v1={expected}")));
        assert_eq!(headers[1].1, "evt_1");
        assert_eq!(headers[2].1, "1700000000");
        let standard = hmac("rk_wh_test", &[b"evt_1.1700000000.{\"a\":1}"]);
        let standard = base64::engine::general_purpose::STANDARD.encode(standard);
        assert_eq!(headers[3].1, format!("v1,{standard}"));
    }

    #[test]
    fn a_rotated_endpoint_signs_with_both_secrets() {
        let secrets = vec!["rk_wh_new".to_string(), "rk_wh_old".to_string()];
        let headers = signature_headers("evt_1", "{}", 1, &secrets);
        assert_eq!(headers[0].1.matches("v1=").count(), 2);
        assert_eq!(headers[3].1.split(' ').count(), 2);
    }

    #[test]
    fn standard_webhooks_secrets_are_the_base64_of_ours() {
        assert_eq!(standard_webhooks_secret("rk_wh_abc"), "whsec_cmtfd2hfYWJj");
    }
}
