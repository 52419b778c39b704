//! The customer's journeys on the public checkout page, in headless Chromium against the real
//! server and the release build of the checkout.

use paylinks_e2e::Env;
use serde_json::{json, Value};
use std::time::Duration;
use thirtyfour::prelude::*;

const XSS: &str = "<img src=x onerror=alert(1)>";

async fn set_status(env: &Env, link: &Value, status: &str) {
    let path = format!("/v2/payment-links/{}/status", link["id"].as_str().unwrap());
    let (code, body) = env.api(reqwest::Method::PATCH, &path, Some(&json!({ "status": status }))).await;
    assert_eq!(code, 200, "{body}");
}

async fn run(env: &Env, script: &str) -> Value {
    env.driver.execute(script, vec![]).await.unwrap().json().clone()
}

async fn value_of(env: &Env, css: &str) -> String {
    env.find(css).await.prop("value").await.unwrap().unwrap_or_default()
}

fn cafe_link() -> Value {
    json!({
        "name": "Cafe order", "allow_quantity_adjustment": true, "collect_phone": true,
        "description": "Fresh **every** morning.",
        "custom_fields": [{"key": "table", "label": "Table number", "type": "number", "required": true}],
        "line_items": [
            {"price_data": {"unit_amount": 450, "currency": "usd", "product_data": {"name": "Tea", "description": "Green"}}},
            {"price_data": {"unit_amount": 300, "currency": "usd", "product_data": {"name": "Cake"}}, "quantity": 2},
        ],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_pays_on_a_phone_and_the_merchant_sees_it() {
    let env = Env::start(360, 780).await;
    let link = env.create_link(cafe_link()).await;
    let id = link["id"].as_str().unwrap();

    // The merchant copies the public URL from the dashboard; the customer opens exactly that.
    env.sign_in().await;
    env.driver.goto(env.url(&format!("/links/{id}"))).await.unwrap();
    env.find("button[aria-label='Copy the public checkout URL']").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let copied = env.clipboard_text().await;
    assert_eq!(copied, link["url"].as_str().unwrap());
    env.driver.goto(&copied).await.unwrap();

    env.wait_text(".test-banner", "4111 1111 1111 1111").await;
    env.wait_text(".summary h1", "Cafe order").await;
    env.wait_text(".description strong", "every").await;
    env.wait_text(".total", "$10.50").await;
    env.find("button[aria-label='More Tea']").await.click().await.unwrap();
    env.wait_text(".total", "$15.00").await;
    env.wait_text("button.pay", "Pay $15.00").await;
    assert!(env.fits_width().await, "the page fits a 360 px screen");
    for (css, autocomplete) in [
        ("#email", "email"),
        ("#name", "name"),
        ("#phone", "tel"),
        ("#card-number", "cc-number"),
        ("#card-expiry", "cc-exp"),
        ("#card-cvc", "cc-csc"),
    ] {
        assert_eq!(env.find(css).await.attr("autocomplete").await.unwrap().as_deref(), Some(autocomplete), "{css}");
    }
    env.screenshot("checkout-360").await;

    // Pressing pay with nothing filled in names every field and moves the keyboard to the first.
    env.find("button.pay").await.click().await.unwrap();
    env.wait_text("#email-error", "is required").await;
    env.wait_focus("email").await;

    env.fill("#email", "ann@example.com").await;
    env.fill("#name", "Ann Lee").await;
    env.fill("#phone", "+1 415 555 0100").await;
    env.fill("#custom-table", "12").await;
    env.fill("#card-number", "4000000000000002").await;
    assert_eq!(value_of(&env, "#card-number").await, "4000 0000 0000 0002", "grouped as typed");

    // A declined card: the reason is shown and nothing typed is lost.
    env.pay_with("4000000000000002").await;
    env.wait_text(".form-error", "declined").await;
    env.wait_focus("card-number").await;
    env.screenshot("checkout-declined").await;
    assert_eq!(value_of(&env, "#email").await, "ann@example.com");
    assert_eq!(value_of(&env, "#custom-table").await, "12");
    assert_eq!(value_of(&env, "#quantity-0").await, "2");

    env.pay_with("4111111111111111").await;
    env.wait_text(".confirmation h1", "Payment received").await;
    env.wait_text(".confirmation", "You paid $15.00 to E2E Coffee.").await;
    env.screenshot("checkout-success").await;

    // The merchant sees both attempts and the stats on the link page.
    env.driver.goto(env.url(&format!("/links/{id}"))).await.unwrap();
    env.wait_text(".stats", "Successful payments").await;
    let stats = env.find(".stats").await.text().await.unwrap();
    assert!(stats.contains("Checkout attempts\n2") && stats.contains("$15.00"), "{stats}");
    let table = env.wait_text("table", "Succeeded").await;
    assert!(table.contains("Failed: card declined") && table.contains("visa ···· 1111"), "{table}");
    assert!(table.contains("Table number: 12") && table.contains("Ann Lee <ann@example.com>"), "{table}");
    // A payment's details: what was bought and everything the customer gave.
    env.find("details.payment-detail summary").await.click().await.unwrap();
    let detail = env.wait_text("details.payment-detail[open]", "Phone").await;
    assert!(detail.contains("2 × Tea at $4.50") && detail.contains("+1 415 555 0100"), "{detail}");
    env.find(".stats").await.scroll_into_view().await.unwrap();
    env.screenshot("dashboard-payments-360").await;
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_checkout_redirects_to_the_success_url_and_unavailable_links_say_so() {
    let env = Env::start(1280, 900).await;
    let success = env.url("/thanks?payment={PAYMENT_ID}&amount={AMOUNT}");
    let link = env
        .create_link(json!({"name": "Give what you like", "link_type": "donation", "success_url": success,
            "custom_amount": {"minimum": 100, "maximum": 100000, "preset": 2500}}))
        .await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(value_of(&env, "#amount").await, "25.00");
    env.fill("#amount", "12.5").await;
    env.wait_text("button.pay", "Pay $12.50").await;
    env.fill("#email", "bo@example.com").await;
    env.fill("#name", "Bo").await;
    env.screenshot("checkout-desktop").await;
    env.pay_with("4111 1111 1111 1111").await;
    env.wait_url("/thanks?").await;
    let landed = env.driver.current_url().await.unwrap();
    assert_eq!(landed.path(), "/thanks");
    let query = landed.query().unwrap_or_default();
    assert!(query.starts_with("payment=py_") && query.ends_with("&amount=12.50"), "{query}");
    // Back from the merchant's page: the confirmation of this payment, not its form again.
    env.driver.back().await.unwrap();
    env.wait_text(".confirmation", "You paid $12.50 to E2E Coffee.").await;
    assert!(env.driver.find(By::Css("form.checkout-form")).await.is_err());

    // Missing and archived links get the same page.
    let off = env.create_link(json!({"name": "Off", "amount_minor": 100})).await;
    set_status(&env, &off, "archived").await;
    for url in [env.url("/l/pl_AAAAAAAAAAAAAAAAAAAA"), off["url"].as_str().unwrap().to_string()] {
        env.driver.goto(&url).await.unwrap();
        env.wait_text(".unavailable h1", "This payment link is not available").await;
    }
    env.screenshot("checkout-unavailable").await;
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_merchant_text_stays_inert_on_the_checkout_and_the_dashboard() {
    let env = Env::start(1280, 900).await;
    // Where the contract refuses it, it is refused, naming the field.
    for field in ["success_url", "cancel_url", "redirect_url", "cover_image_url"] {
        let mut body = json!({"name": "x", "amount_minor": 100});
        body[field] = json!("javascript:alert(1)");
        let (status, err) = env.api(reqwest::Method::POST, "/v2/payment-links", Some(&body)).await;
        assert_eq!(status, 400, "{field}");
        assert!(err["details"]["fields"][field].is_array(), "{field}: {err}");
    }
    // Where it is stored, it must render as text.
    let link = env
        .create_link(json!({
            "name": format!("Deal {XSS}"),
            "description": format!("{XSS} [click](javascript:alert(1)) <script>alert(1)</script>"),
            "confirmation_message": XSS, "customer_id": XSS, "external_reference": XSS,
            "metadata": {"note": XSS}, "allow_quantity_adjustment": true,
            "custom_fields": [{"key": "q", "label": format!("Q {XSS}"), "type": "dropdown", "options": [XSS]}],
            "line_items": [{"price_data": {"unit_amount": 500, "product_data": {"name": XSS, "description": XSS}}}],
        }))
        .await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.wait_text(".summary h1", "Deal <img").await;
    env.wait_text(".description", "<script>alert(1)</script>").await;
    env.wait_text(".items", XSS).await;
    env.wait_text("label[for='custom-q']", XSS).await;
    let assert_inert = |where_: &'static str| {
        let env = &env;
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!env.dialog_open().await, "{where_}: a dialog opened");
            let injected = env
                .driver
                .find_all(By::Css("img[src='x'], script:not([src]):not([type]), a[href^='javascript']"))
                .await
                .unwrap();
            assert!(injected.is_empty(), "{where_}: {} injected elements", injected.len());
        }
    };
    assert_inert("checkout").await;
    // The confirmation shows the merchant's message as text too.
    env.fill("#email", "a@example.com").await;
    env.fill("#name", "A").await;
    env.pay_with("4111111111111111").await;
    env.wait_text(".confirmation", XSS).await;
    assert_inert("confirmation").await;

    env.sign_in().await;
    env.driver.goto(env.url(&format!("/links/{}", link["id"].as_str().unwrap()))).await.unwrap();
    env.wait_text("h1", "Deal <img").await;
    env.wait_text(".fields", XSS).await;
    env.wait_text("table", "Succeeded").await;
    assert_inert("dashboard").await;
    env.driver.goto(env.url("/links")).await.unwrap();
    env.wait_text("table", "Deal <img").await;
    assert_inert("dashboard list").await;
    env.quit().await;
}

/// The checkout's own build carries none of the dashboard's key handling: no header name, no
/// key prefix, no sign-in text.
#[test]
fn the_checkout_bundle_knows_nothing_of_api_keys() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/checkout");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("the checkout is built (cargo xtask test builds it)") {
        let path = entry.unwrap().path();
        if matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js")) {
            let bytes = std::fs::read(&path).unwrap();
            for needle in ["x-api-key", "rk_sandbox_", "rk_live_", "Sign out"] {
                let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
                assert!(!found, "{} contains {needle}", path.display());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2, "one wasm and one JS file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quantity_stays_as_typed_and_the_confirmation_survives_a_reload() {
    let env = Env::start(390, 844).await;
    let link = env.create_link(cafe_link()).await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.wait_text(".total", "$10.50").await;
    assert_eq!(run(&env, "return document.title").await, "Cafe order — E2E Coffee");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(env.console_problems().await, Vec::<String>::new(), "a normal load logs nothing wrong");

    // "2.5" typed key by key stays "2.5", caret at the end; it is refused, never read as 25 or 52.
    env.fill("#quantity-0", "2.5").await;
    assert_eq!(value_of(&env, "#quantity-0").await, "2.5");
    assert_eq!(run(&env, "return document.getElementById('quantity-0').selectionStart").await, 3);
    env.wait_text(".total", "—").await;
    assert_eq!(env.find("button.pay").await.text().await.unwrap(), "Pay");
    env.find("#email").await.click().await.unwrap();
    env.wait_text("#quantity-0-error", "enter a whole number").await;
    assert_eq!(env.find("#quantity-0").await.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    env.screenshot("checkout-quantity-refused").await;
    // Passing through a field without changing it says nothing about it; pressing pay does.
    env.find("#name").await.click().await.unwrap();
    assert_eq!(env.find("#email-error").await.text().await.unwrap(), "");
    env.find("button.pay").await.click().await.unwrap();
    env.wait_focus("quantity-0").await;
    env.wait_text("#email-error", "is required").await;

    env.fill("#quantity-0", "3").await;
    env.wait_text(".item:first-child .item-subtotal", "$13.50").await;
    env.wait_text(".total", "$19.50").await;
    env.fill("#email", "ann@example.com").await;
    env.fill("#name", "Ann Lee").await;
    env.fill("#phone", "+1 415 555 0100").await;
    env.fill("#custom-table", "7").await;
    env.pay_with("4111111111111111").await;
    env.wait_text(".confirmation h1", "Payment received").await;
    let shown = env.find(".confirmation").await.text().await.unwrap();
    for part in ["You paid $19.50 to E2E Coffee.", "3 × Tea", "2 × Cake", "ann@example.com", "visa ···· 1111"] {
        assert!(shown.contains(part), "{part}: {shown}");
    }
    let url = env.driver.current_url().await.unwrap();
    let paid = url.query().unwrap_or_default().to_string();
    assert!(paid.starts_with("paid=py_"), "the address names the payment: {url}");
    env.screenshot("checkout-confirmation-390").await;

    // Reload, back and forward: the confirmation, never a fresh form for the same purchase.
    env.driver.refresh().await.unwrap();
    env.wait_text(".confirmation h1", "Payment received").await;
    assert!(env.driver.find(By::Css("form.checkout-form")).await.is_err());
    env.driver.back().await.unwrap();
    env.driver.forward().await.unwrap();
    env.wait_text(".confirmation", "3 × Tea").await;
    assert!(env.driver.find(By::Css("form.checkout-form")).await.is_err());
    let (_, stats) =
        env.api(reqwest::Method::GET, &format!("/v2/payment-links/{}/stats", link["id"].as_str().unwrap()), None).await;
    assert_eq!(stats["successful_payments"], 1, "{stats}");
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_says_what_will_be_charged_and_when() {
    let env = Env::start(390, 844).await;
    let link = env
        .create_link(
            json!({"name": "Coffee club", "line_items": [{"price_data": {"unit_amount": 999, "currency": "usd",
            "product_data": {"name": "Monthly beans"}, "recurring": {"interval": "month"}}}]}),
        )
        .await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.wait_text("button.pay", "Subscribe — $9.99 per month").await;
    let terms = env.wait_text(".renewal-terms", "until you cancel").await;
    assert!(terms.contains("$9.99 now, then $9.99 per month") && terms.contains("contacting E2E Coffee"), "{terms}");
    env.screenshot("checkout-subscription-390").await;
    env.fill("#email", "ann@example.com").await;
    env.fill("#name", "Ann Lee").await;
    env.pay_with("4111111111111111").await;
    env.wait_text(".confirmation h1", "You are subscribed").await;
    env.wait_text(".confirmation .renewal", "Renews automatically at $9.99 per month until you cancel").await;
    env.screenshot("checkout-subscribed-390").await;
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_loses_the_last_place_is_told_so_and_paused_links_say_why() {
    let env = Env::start(1280, 900).await;
    let link = env
        .create_link(json!({"name": "Last seat", "amount_minor": 500, "max_completions": 1,
            "inactive_message": "Next tour in May."}))
        .await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.wait_text("button.pay", "Pay $5.00").await;
    // Someone else takes the last place while this tab is open.
    let public_id = link["public_id"].as_str().unwrap();
    let other = reqwest::Client::new()
        .post(env.url(&format!("/public/payment-links/{public_id}/checkout")))
        .json(&json!({"email": "bo@example.com", "name": "Bo",
            "card": {"number": "4111111111111111", "expiry": "12/34", "cvc": "123"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    env.fill("#email", "ann@example.com").await;
    env.fill("#name", "Ann Lee").await;
    env.pay_with("4111111111111111").await;
    env.wait_text(".unavailable h1", "This link has reached its limit").await;
    env.wait_text(".unavailable", "you have not been charged").await;
    env.wait_text(".merchant-note", "Next tour in May.").await;
    assert_eq!(run(&env, "return document.title").await, "This link has reached its limit");
    env.screenshot("checkout-sold-out").await;
    let (_, stats) =
        env.api(reqwest::Method::GET, &format!("/v2/payment-links/{}/stats", link["id"].as_str().unwrap()), None).await;
    assert_eq!(
        (stats["successful_payments"].as_i64(), stats["checkout_attempts"].as_i64()),
        (Some(1), Some(1)),
        "{stats}"
    );

    let paused = env.create_link(json!({"name": "Paused", "amount_minor": 100})).await;
    set_status(&env, &paused, "inactive").await;
    env.driver.goto(paused["url"].as_str().unwrap()).await.unwrap();
    env.wait_text(".unavailable h1", "This payment link is paused").await;
    env.wait_text(".unavailable", "E2E Coffee is not taking payments on it right now.").await;
    assert!(env.driver.find(By::Css(".merchant-note")).await.is_err(), "no message was set");
    env.quit().await;
}
