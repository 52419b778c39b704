//! The merchant's Developers page in headless Chromium: an endpoint added in the dashboard gets
//! the event of a payment made on a phone, and the delivery log says so; a receiver that cannot
//! be reached shows as failing, with its next try and "Retry now".

use paylinks_e2e::receiver::Receiver;
use paylinks_e2e::Env;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_added_in_the_dashboard_hears_of_a_payment_made_on_a_phone() {
    let receiver = Receiver::start().await;
    let url = receiver.url.clone();
    let env = Env::start(360, 780).await;
    env.sign_in().await;
    env.find("a[href='/developers']").await.click().await.unwrap();
    env.wait_text("h1", "Developers").await;
    env.fill("#endpoint-url", &url).await;
    let paid_box = env.find_xpath("//label[contains(., 'A customer paid a link')]/input").await;
    assert!(paid_box.is_selected().await.unwrap(), "payments are chosen by default");
    env.find_xpath("//button[normalize-space()='Add endpoint']").await.click().await.unwrap();
    let secret = env.wait_text(".secret .secret-value", "rk_wh_").await;
    env.wait_text(".secret", "whsec_").await;
    // The secret comes into view with the keyboard on it (the form that made it is below).
    env.wait_focus("secret-heading").await;
    env.wait_text(".endpoint-url", &url).await;
    assert!(env.fits_width().await, "the page fits a 360 px screen: {:?}", env.overflowing().await);
    env.screenshot("developers-secret-phone").await;
    env.find_xpath("//button[normalize-space()='I have stored the secret']").await.click().await.unwrap();
    // The secret is not shown again, anywhere.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let page = env.find("main").await.text().await.unwrap();
    assert!(!page.contains(secret.trim()), "the secret is shown once");

    // A customer pays on their phone.
    let link = env.create_link(json!({"name": "Hooked coffee", "amount_minor": 900, "currency": "USD"})).await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.fill("#email", "kim@example.com").await;
    env.fill("#name", "Kim Lee").await;
    env.pay_with("4111 1111 1111 1111").await;
    env.wait_text(".confirmation h1", "Payment received").await;

    // The merchant sees the delivery in the log.
    env.driver.goto(env.url("/developers")).await.unwrap();
    env.find_xpath("//button[normalize-space()='Show deliveries']").await.click().await.unwrap();
    env.wait_text("table[aria-label='Deliveries']", "checkout.session.completed").await;
    env.wait_text("table[aria-label='Deliveries']", "Delivered").await;
    env.wait_text("table[aria-label='Deliveries']", "HTTP 200").await;
    assert_eq!(receiver.count_of("checkout.session.completed"), 1, "the receiver got the payment once");
    // The endpoint's counters follow the log.
    env.wait_text(".endpoint", "1 delivery: 1 succeeded, 0 failed").await;
    env.find("table[aria-label='Deliveries']").await.scroll_into_view().await.unwrap();
    assert!(env.fits_width().await, "{:?}", env.overflowing().await);
    env.screenshot("developers-log-phone").await;
    assert!(env.console_problems().await.is_empty(), "{:?}", env.console_problems().await);
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_cannot_be_reached_shows_as_failing_on_a_desktop() {
    let env = Env::start(1280, 900).await;
    // Nothing listens on port 9 (discard): every attempt is refused.
    let body = json!({"url": "http://127.0.0.1:9/hooks", "enabled_events": ["payment_link.created"], "description": "Fulfilment"});
    let (status, made) = env.api(reqwest::Method::POST, "/v2/webhook-endpoints", Some(&body)).await;
    assert_eq!(status, 201, "{made}");
    env.create_link(json!({"name": "Unheard", "amount_minor": 500, "currency": "USD"})).await;
    env.sign_in().await;
    env.driver.goto(env.url("/developers")).await.unwrap();
    env.wait_text(".endpoint", "Fulfilment").await;
    env.find_xpath("//button[normalize-space()='Show deliveries']").await.click().await.unwrap();
    env.wait_text("table[aria-label='Deliveries']", "Failed, will retry").await;
    env.wait_text("table[aria-label='Deliveries']", "1 of 8").await;
    env.wait_text("table[aria-label='Deliveries']", "Could not connect: Connection refused").await;
    env.find("button[aria-label='Retry delivery of payment_link.created now']").await;
    env.wait_text(".endpoint", "1 delivery: 0 succeeded, 1 failed").await;
    env.find("table[aria-label='Deliveries']").await.scroll_into_view().await.unwrap();
    env.screenshot("developers-failing-desktop").await;
    // Disabling is one click, and says so.
    env.find("button[aria-label='Disable endpoint Fulfilment']").await.click().await.unwrap();
    env.wait_text(".endpoint .badge", "Disabled").await;
    env.quit().await;
}
