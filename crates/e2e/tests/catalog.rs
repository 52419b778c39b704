//! The catalogue and promotion codes in headless Chromium: a merchant adds a product with two
//! prices and a code in the dashboard, makes a link from them by name, and a customer on a phone
//! applies the code (the discount and the new total shown before paying) and pays the
//! discounted amount.

use paylinks_e2e::Env;
use serde_json::Value;
use thirtyfour::prelude::*;

async fn click_button(env: &Env, words: &str) {
    env.find_xpath(&format!("//button[normalize-space()='{words}']")).await.click().await.unwrap();
}

async fn fits(env: &Env, shot: &str) {
    assert!(env.fits_width().await, "{shot} fits a 360 px screen: {:?}", env.overflowing().await);
    env.screenshot(shot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_sells_a_product_and_a_customer_on_a_phone_pays_with_a_code() {
    let env = Env::start(360, 780).await;
    env.sign_in().await;

    // A product with its first price...
    env.find("a[href='/products']").await.click().await.unwrap();
    env.wait_text("h1", "Products").await;
    env.wait_text(".empty-state", "No products yet").await;
    env.fill("#product-name", "Stoneware mug").await;
    assert_eq!(env.find("#product-code").await.prop("value").await.unwrap().as_deref(), Some("stoneware-mug"));
    env.fill("#product-price", "twelve").await;
    click_button(&env, "Add product").await;
    // An amount that cannot be read is said on its field, and nothing typed is lost.
    env.wait_text("#product-price-error", "must be a number like 12.50").await;
    assert_eq!(env.find("#product-name").await.prop("value").await.unwrap().as_deref(), Some("Stoneware mug"));
    env.fill("#product-price", "12.50").await;
    click_button(&env, "Add product").await;
    env.wait_text(".product h3", "Stoneware mug").await;
    env.wait_text(".product .prices", "$12.50").await;

    // ...and a second one, named.
    click_button(&env, "Add a price to Stoneware mug").await;
    env.fill(".new-price input[id$='-nickname']", "Gift boxed").await;
    env.fill(".new-price input[id$='-amount']", "15").await;
    fits(&env, "products-new-price-phone").await;
    click_button(&env, "Add price").await;
    env.wait_text(".product .prices", "Gift boxed").await;
    env.wait_text(".product .prices", "$15.00").await;
    fits(&env, "products-phone").await;

    // A code, limited to five uses.
    env.find("a[href='/promotion-codes']").await.click().await.unwrap();
    env.wait_text("h1", "Promotion codes").await;
    env.fill("#code-code", "welcome10").await;
    env.fill("#code-value", "10").await;
    env.fill("#code-limit", "5").await;
    click_button(&env, "Make code").await;
    env.wait_text(".codes", "WELCOME10").await;
    env.wait_text(".codes", "10% off").await;
    env.wait_text(".codes", "0 used · 5 left").await;
    // A second code with the same letters is refused on the code's field.
    assert_eq!(
        env.find("#code-code").await.prop("value").await.unwrap().as_deref(),
        Some(""),
        "the form is ready for the next"
    );
    env.fill("#code-code", "Welcome10").await;
    env.fill("#code-value", "20").await;
    click_button(&env, "Make code").await;
    env.wait_text("#code-code-error", "already used").await;
    fits(&env, "promotion-codes-phone").await;

    // A link that sells the boxed mug, picked by name.
    env.find("a[href='/links/new']").await.click().await.unwrap();
    env.fill("#name", "Mug shop").await;
    let pick = env.find("#catalog-pick").await;
    let option = pick.find(By::XPath(".//option[contains(., 'Gift boxed')]")).await.unwrap();
    option.click().await.unwrap();
    env.wait_text(".line-item", "Stoneware mug").await;
    env.wait_text(".line-item", "$15.00").await;
    env.wait_text(".line-item", "from your products").await;
    fits(&env, "create-from-product-phone").await;
    env.find("button[type=submit]").await.click().await.unwrap();
    env.wait_text("h1", "Mug shop").await;
    let url = env.find(".url a").await.text().await.unwrap();
    let links = env.api_links().await;
    let link = &links["data"][0];
    assert_eq!(link["line_items"][0]["product_details"]["unit_amount"], 1500);
    assert!(link["line_items"][0]["price_id"].is_string(), "{link}");

    // The customer, on a phone, applies the code: the discount and the new total show.
    env.driver.goto(&url).await.unwrap();
    env.wait_text(".items", "Stoneware mug").await;
    env.wait_text(".total", "$15.00").await;
    env.fill("#promotion-code", "nope").await;
    click_button(&env, "Apply").await;
    env.wait_text("#promotion-code-error", "is not a valid promotion code").await;
    env.fill("#promotion-code", "welcome10").await;
    // Enter applies the code; it never pays.
    env.find("#promotion-code").await.send_keys(Key::Enter).await.unwrap();
    env.wait_text(".discount-line", "WELCOME10").await;
    env.wait_text(".discount-line", "−$1.50").await;
    env.wait_text(".total", "$13.50").await;
    env.wait_text("button.pay", "Pay $13.50").await;
    env.wait_focus("promotion-remove").await;
    fits(&env, "checkout-code-phone").await;
    env.fill("#email", "kim@example.com").await;
    env.fill("#name", "Kim Lee").await;
    env.pay_with("4111 1111 1111 1111").await;
    env.wait_text(".confirmation h1", "Payment received").await;
    env.wait_text(".confirmation", "$13.50").await;
    env.wait_text(".receipt-lines", "Promotion code WELCOME10").await;
    env.wait_text(".receipt-lines", "−$1.50").await;
    fits(&env, "checkout-code-paid-phone").await;

    // What the merchant's records say: the discounted amount, the code, one redemption.
    let path = format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap());
    let (_, payments) = env.api(reqwest::Method::GET, &path, None).await;
    let paid: &Value = &payments["data"][0];
    assert_eq!((paid["amount_minor"].as_i64(), paid["status"].as_str()), (Some(1350), Some("succeeded")));
    assert_eq!(paid["discount"], serde_json::json!({"code": "WELCOME10", "amount_minor": 150}));
    env.driver.goto(env.url("/promotion-codes")).await.unwrap();
    env.wait_text(".codes", "1 used · 4 left").await;
    // Only the two refusals this test asked for (the browser logs every 4xx).
    let problems = env.console_problems().await;
    let expected = |p: &String| {
        (p.contains("/v2/discounts ") && p.contains("409")) || (p.contains("/promotion-code ") && p.contains("400"))
    };
    assert!(problems.iter().all(expected) && problems.len() == 2, "{problems:?}");
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_used_up_while_the_customer_types_is_refused_before_any_charge_on_a_desktop() {
    let env = Env::start(1280, 900).await;
    let product = serde_json::json!({"product_id": "tea", "name": "Loose leaf tea", "kind": "one_time",
        "pricing_model": "one_time", "amount_minor": 1800, "description": "Second flush Darjeeling, 100 g"});
    let (status, product) = env.api(reqwest::Method::POST, "/v2/products", Some(&product)).await;
    assert_eq!(status, 201, "{product}");
    let price = serde_json::json!({"product_id": product["data"]["id"], "pricing_model": "pay_what_you_want",
        "minimum_amount": 500, "suggested_amount": 1500});
    env.api(reqwest::Method::POST, "/v2/prices", Some(&price)).await;
    let code = serde_json::json!({"code": "LASTONE", "name": "Last one", "discount_type": "fixed_amount",
        "discount_value": 300, "max_redemptions": 1});
    env.api(reqwest::Method::POST, "/v2/discounts", Some(&code)).await;
    let link = env
        .create_link(serde_json::json!({"name": "Tea shop", "line_items": [{"price": product["data"]["default_price_id"], "quantity": 2}]}))
        .await;

    env.sign_in().await;
    env.driver.goto(env.url("/products")).await.unwrap();
    env.wait_text(".product", "Loose leaf tea").await;
    env.wait_text(".product .prices", "Customer chooses (from $5.00)").await;
    env.screenshot("products-desktop").await;
    env.driver.goto(env.url("/promotion-codes")).await.unwrap();
    env.wait_text(".codes", "$3.00 off").await;
    env.wait_text(".codes", "0 used · 1 left").await;
    env.screenshot("promotion-codes-desktop").await;

    // The customer applies the last redemption's code...
    env.driver.goto(link["url"].as_str().unwrap()).await.unwrap();
    env.fill("#promotion-code", "lastone").await;
    click_button(&env, "Apply").await;
    env.wait_text(".total", "$33.00").await;
    env.fill("#email", "kim@example.com").await;
    env.fill("#name", "Kim Lee").await;
    env.screenshot("checkout-code-desktop").await;
    // ...someone else pays with it first...
    let other = serde_json::json!({"email": "lee@example.com", "name": "Lee", "promotion_code": "LASTONE",
        "card": {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}});
    let url = format!("http://{}/public/payment-links/{}/checkout", env.server, link["public_id"].as_str().unwrap());
    let paid: Value = reqwest::Client::new().post(url).json(&other).send().await.unwrap().json().await.unwrap();
    assert_eq!(paid["data"]["status"], "succeeded", "{paid}");
    // ...so paying is refused on the code's line, nothing typed is lost, and nothing is charged.
    env.pay_with("4111 1111 1111 1111").await;
    env.wait_text(".promotion", "\"LASTONE\" has been used up").await;
    env.wait_text(".form-error", "you have not been charged").await;
    assert_eq!(env.find("#email").await.prop("value").await.unwrap().as_deref(), Some("kim@example.com"));
    let path = format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap());
    let (_, payments) = env.api(reqwest::Method::GET, &path, None).await;
    assert_eq!(payments["data"].as_array().unwrap().len(), 1, "only the other customer paid");
    env.screenshot("checkout-code-used-up-desktop").await;
    // Removing the code pays the full price.
    click_button(&env, "Remove code LASTONE").await;
    env.wait_text(".total", "$36.00").await;
    env.find("button.pay").await.click().await.unwrap();
    env.wait_text(".confirmation", "$36.00").await;
    env.quit().await;
}
