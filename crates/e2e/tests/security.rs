//! Browser security in headless Chromium: the served CSP lets the app run and stops injected
//! inline script; the API key reaches localStorage only when the merchant asks; the checkout
//! never sends a key, even in a browser where the dashboard is signed in. (The bundle check is
//! in `checkout.rs`; the `frame-ancestors 'none'` header in the server's `serving.rs`.)

use paylinks_e2e::Env;
use serde_json::{json, Value};

async fn run(env: &Env, script: &str) -> Value {
    env.driver.execute(script, vec![]).await.unwrap().json().clone()
}

/// Adds an inline `<script>` to the page, as an injection would, and says whether it ran.
async fn injected_inline_script_runs(env: &Env) -> bool {
    let script = "const s = document.createElement('script'); s.textContent = 'window.__injected = true;';
                  document.body.appendChild(s); return window.__injected === true;";
    run(env, script).await == json!(true)
}

/// Signs in with "Remember on this device" ticked.
async fn sign_in_remembered(env: &Env) {
    env.driver.goto(env.url("/")).await.unwrap();
    env.fill("#api-key", &env.key).await;
    env.find("label.check input[type=checkbox]").await.click().await.unwrap();
    env.find("button[type=submit]").await.click().await.unwrap();
    env.find(".test-banner").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csp_lets_the_app_run_and_stops_injected_inline_script() {
    let env = Env::start(1280, 900).await;
    env.sign_in().await; // the dashboard ran under the served policy
    assert!(!injected_inline_script_runs(&env).await, "inline script ran on the dashboard");
    let link = env.create_link(json!({"name": "Policy", "amount_minor": 500, "currency": "USD"})).await;
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.find("button.pay").await; // the checkout ran too
    assert!(!injected_inline_script_runs(&env).await, "inline script ran on the checkout");
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_kept_on_the_device_only_when_the_merchant_asks() {
    let env = Env::start(1280, 900).await;
    sign_in_remembered(&env).await;
    let remembered = run(&env, "return localStorage.getItem('paylinks.session')").await;
    assert!(remembered.as_str().is_some_and(|s| s.contains(&env.key)), "{remembered}");
    let sign_out = env.find_xpath("//button[normalize-space()='Sign out']").await;
    sign_out.click().await.unwrap();
    env.find("#api-key").await;
    let left =
        run(&env, "return [localStorage.getItem('paylinks.session'), sessionStorage.getItem('paylinks.session')]")
            .await;
    assert_eq!(left, json!([null, null]), "signing out forgets the key");
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkout_sends_no_key_beside_a_signed_in_dashboard() {
    let env = Env::start(390, 844).await;
    sign_in_remembered(&env).await; // the key is in this origin's storage
    let link = env.create_link(json!({"name": "Keyless", "amount_minor": 700, "currency": "USD"})).await;
    // Record every request the page makes, with its header names, from before the app starts.
    let record = "window.__sent = [];
        const originalFetch = window.fetch;
        window.fetch = function (input, init) {
            const headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
            window.__sent.push([String(input instanceof Request ? input.url : input), [...headers.keys()]]);
            return originalFetch.apply(this, arguments);
        };";
    let devtools = env.driver.cdp();
    devtools.send_raw("Page.enable", json!({})).await.unwrap();
    devtools.send_raw("Page.addScriptToEvaluateOnNewDocument", json!({"source": record})).await.unwrap();
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.fill("#email", "cy@example.com").await;
    env.fill("#name", "Cy").await;
    env.pay_with("4111111111111111").await;
    env.wait_text(".confirmation h1", "Payment received").await;
    let sent = run(&env, "return window.__sent").await;
    let sent = sent.as_array().unwrap();
    let api_calls = sent.iter().filter(|r| r[0].as_str().unwrap().contains("/public/payment-links/")).count();
    assert!(api_calls >= 2, "the page loads the link and pays: {sent:?}");
    for request in sent {
        let url = request[0].as_str().unwrap();
        assert!(
            url.contains("/public/payment-links/") || url.starts_with("/checkout/"),
            "an unexpected call: {request}"
        );
        let headers = request[1].as_array().unwrap();
        assert!(!headers.iter().any(|h| h == "x-api-key"), "the checkout sent a key: {request}");
    }
    env.quit().await;
}
