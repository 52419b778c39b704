//! A live link in headless Chromium on a phone: the customer fills our form, goes to (a local
//! fake of) Stripe's hosted page for the card, comes back without paying and finds everything
//! they typed, goes again and pays, and lands on the confirmation; the merchant sees the payment.

use paylinks_e2e::{Env, Setup};
use paylinks_fake_stripe::{FakeStripe, SECRET_KEY, WEBHOOK_SECRET};
use paylinks_server::stripe::StripeConfig;
use serde_json::json;
use std::time::Duration;
use thirtyfour::prelude::*;

async fn value_of(env: &Env, css: &str) -> String {
    env.find(css).await.prop("value").await.unwrap().unwrap_or_default()
}

/// A browser of `width`×`height` on a server whose live links pay through a fresh fake Stripe.
async fn start(width: u32, height: u32) -> (Env, FakeStripe) {
    let stripe = FakeStripe::start().await;
    let config = StripeConfig {
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        api_base: stripe.base.clone(),
        timeout: Duration::from_secs(5),
    };
    let env = Env::start_with(width, height, Setup { stripe: Some(config), ..Setup::default() }).await;
    stripe.set_webhook_url(&format!("http://{}/webhooks/stripe", env.server));
    (env, stripe)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_on_a_phone_pays_a_live_link_on_stripes_page() {
    let (env, stripe) = start(390, 844).await;
    let link = env
        .create_link(json!({"name": "Pottery class", "amount_minor": 4500, "currency": "EUR", "collect_phone": true}))
        .await;

    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.wait_text(".summary h1", "Pottery class").await;
    env.wait_text(".secure-note", "Stripe's secure payment page").await;
    assert!(env.driver.find(By::Css(".test-banner")).await.is_err(), "a live page has no test banner");
    assert!(env.driver.find(By::Css("#card-number")).await.is_err(), "no card field on our page");
    env.fill("#email", "mia@example.com").await;
    env.fill("#name", "Mia Live").await;
    env.fill("#phone", "+44 20 7946 0000").await;
    env.wait_text("button.pay", "Continue to payment").await;
    assert!(env.fits_width().await, "the page fits a 390 px screen");
    env.screenshot("live-checkout-phone").await;
    env.find("button.pay").await.click().await.unwrap();

    // Stripe's page; the customer goes back without paying and finds what they typed.
    env.wait_url("/pay/cs_test_").await;
    env.find_xpath("//button[normalize-space()='Cancel']").await.click().await.unwrap();
    env.wait_url("cancelled=1").await;
    env.wait_text(".form-error", "you have not been charged").await;
    assert_eq!(value_of(&env, "#email").await, "mia@example.com");
    assert_eq!(value_of(&env, "#name").await, "Mia Live");
    assert_eq!(value_of(&env, "#phone").await, "+44 20 7946 0000");

    // Again, unchanged: back to the same session, and this time they pay.
    env.find("button.pay").await.click().await.unwrap();
    env.wait_url("/pay/cs_test_").await;
    env.find_xpath("//button[normalize-space()='Pay']").await.click().await.unwrap();
    env.wait_text(".confirmation h1", "Payment received").await;
    env.wait_text(".confirmation", "Card, through Stripe").await;
    env.wait_text(".confirmation", "€45.00").await;
    env.wait_url("?paid=py_").await;
    env.screenshot("live-confirmation-phone").await;
    assert_eq!(stripe.sessions().len(), 1, "the second press went back to the first session");

    // The merchant: one payment, succeeded, with its Stripe reference.
    let path = format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap());
    let (_, payments) = env.api(reqwest::Method::GET, &path, None).await;
    let payments = payments["data"].as_array().unwrap().clone();
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0]["status"], "succeeded");
    env.sign_in().await;
    env.driver.goto(env.url(&format!("/links/{}", link["id"].as_str().unwrap()))).await.unwrap();
    env.wait_text("table.payments", "Succeeded").await;
    let table = env.find("table.payments").await;
    table.scroll_into_view().await.unwrap();
    env.wait_text("table.payments", "Through Stripe").await;
    env.screenshot("live-payment-dashboard-phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_link_on_a_desktop_says_where_the_card_goes() {
    let (env, _stripe) = start(1280, 900).await;
    let body = json!({"name": "Annual membership", "currency": "USD", "line_items": [
        {"price_data": {"unit_amount": 12000, "currency": "usd", "product_data": {"name": "Membership"},
            "recurring": {"interval": "year"}}},
    ]});
    let link = env.create_link(body).await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.wait_text(".secure-note", "Stripe's secure payment page").await;
    env.wait_text("button.pay", "Continue to payment").await;
    env.wait_text(".renewal-terms", "per year").await;
    assert!(env.driver.find(By::Css("#card-number")).await.is_err());
    env.screenshot("live-checkout-desktop").await;
}
