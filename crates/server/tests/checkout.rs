//! The public checkout: test cards, totals from the stored link, the completion cap under
//! concurrency, idempotent double submits, success_url placeholders, uniform 404s, the merchant's
//! payments and stats, and no card number anywhere after a run.

mod common;

use common::{expect_error, parts, Db, Options, TestApp};
use paylinks_server::rate_limit::RateLimitSetting;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    test_cards_decide_the_outcome,
    totals_come_from_the_stored_link,
    cap_holds_under_concurrent_payments,
    double_submit_pays_once,
    success_url_placeholders_are_filled_and_encoded,
    unavailable_links_say_why_only_to_those_who_hold_them,
    a_customer_sees_the_receipt_again_and_no_one_else_does,
    merchant_sees_payments_and_stats,
    invoice_links_complete_and_live_links_refuse,
);

const SUCCESS: &str = "4111 1111 1111 1111";

fn customer(card: &str) -> Value {
    json!({
        "email": "ann@example.com",
        "name": "Ann Lee",
        "card": { "number": card, "expiry": "12/34", "cvc": "123" },
    })
}

fn with(mut body: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn pay(app: &TestApp, public_id: &str, body: &Value, key: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(app.url(&format!("/public/payment-links/{public_id}/checkout"))).json(body);
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    req.send().await.unwrap()
}

/// Pays and returns the outcome (`data`) of a 200.
async fn pay_ok(app: &TestApp, public_id: &str, body: &Value) -> Value {
    let (status, json) = parts(pay(app, public_id, body, None).await).await;
    assert_eq!(status, 200, "{json}");
    json["data"].clone()
}

fn pid(link: &Value) -> String {
    link["public_id"].as_str().unwrap().to_string()
}

async fn test_cards_decide_the_outcome(app: TestApp) {
    let link = app.simple_link("Tea").await;
    let cases = [
        (SUCCESS, "succeeded", None),
        ("4000 0000 0000 0002", "failed", Some("card_declined")),
        ("4000000000009995", "failed", Some("insufficient_funds")),
        ("4000-0000-0000-0069", "failed", Some("expired_card")),
        ("5555 5555 5555 4444", "failed", Some("card_declined")),
    ];
    for (card, status, code) in cases {
        let out = pay_ok(&app, &pid(&link), &customer(card)).await;
        assert_eq!(out["status"], status, "{card}: {out}");
        assert_eq!(out["failure_code"].as_str(), code, "{card}");
        assert_eq!(out["amount_minor"], 1000);
        if status == "failed" {
            assert!(out["failure_message"].as_str().unwrap().contains("card"), "{out}");
            assert!(out["next"].is_null());
        } else {
            assert_eq!(out["next"]["type"], "confirmation");
        }
    }
    let other = pay_ok(&app, &pid(&link), &customer("5555 5555 5555 4444")).await;
    assert!(other["failure_message"].as_str().unwrap().contains("4111 1111 1111 1111"));

    // Luhn, expiry and CVC are checked before any charge, each on its own field.
    let bad = json!({"email": "ann@example.com", "name": "Ann",
        "card": {"number": "4111 1111 1111 1112", "expiry": "01/20", "cvc": "12"}});
    let body = expect_error(pay(&app, &pid(&link), &bad, None).await, 400, "invalid_request").await;
    for field in ["card.number", "card.expiry", "card.cvc"] {
        assert!(body["details"]["fields"][field].is_array(), "{field}: {body}");
    }
    let wrong_type = json!({"email": "a@b.co", "name": "A", "card": {"number": 4111111111111111u64, "expiry": "12/34", "cvc": "123"}});
    let body = expect_error(pay(&app, &pid(&link), &wrong_type, None).await, 400, "invalid_request").await;
    assert!(!body.to_string().contains("4111111111111111"), "the number is not echoed: {body}");
    let missing = expect_error(pay(&app, &pid(&link), &json!({}), None).await, 400, "invalid_request").await;
    for field in ["email", "name", "card.number"] {
        assert!(missing["details"]["fields"][field].is_array(), "{field}: {missing}");
    }
}

async fn totals_come_from_the_stored_link(app: TestApp) {
    let link = app
        .create_ok(&json!({"name": "Cafe", "allow_quantity_adjustment": true, "line_items": [
            {"price_data": {"unit_amount": 450, "currency": "usd", "product_data": {"name": "Tea"}}, "quantity": 2},
            {"price_data": {"unit_amount": 300, "currency": "usd", "product_data": {"name": "Cake"}}},
        ]}))
        .await;
    let out = pay_ok(&app, &pid(&link), &customer(SUCCESS)).await;
    assert_eq!(out["amount_minor"], 1200);
    let out = pay_ok(&app, &pid(&link), &with(customer(SUCCESS), json!({"quantities": [3, 5]}))).await;
    assert_eq!(out["amount_minor"], 3 * 450 + 5 * 300);
    for (quantities, field) in
        [(json!([100, 1]), "quantities[0]"), (json!([1, 0]), "quantities[1]"), (json!([1]), "quantities")]
    {
        let body = with(customer(SUCCESS), json!({ "quantities": quantities }));
        let err = expect_error(pay(&app, &pid(&link), &body, None).await, 400, "invalid_request").await;
        assert!(err["details"]["fields"][field].is_array(), "{field}: {err}");
    }
    // A total sent by the browser is not a field: the server decides.
    let body = with(customer(SUCCESS), json!({"total": 1}));
    let err = expect_error(pay(&app, &pid(&link), &body, None).await, 400, "invalid_request").await;
    assert!(err["details"]["fields"]["total"].is_array());
    let body = with(customer(SUCCESS), json!({"amount_minor": 1}));
    expect_error(pay(&app, &pid(&link), &body, None).await, 400, "invalid_request").await;

    let fixed = app
        .create_ok(&json!({"name": "Fixed", "line_items": [
        {"price_data": {"unit_amount": 450, "product_data": {"name": "Tea"}}, "quantity": 2}]}))
        .await;
    let body = with(customer(SUCCESS), json!({"quantities": [3]}));
    let err = expect_error(pay(&app, &pid(&fixed), &body, None).await, 400, "invalid_request").await;
    assert_eq!(err["details"]["fields"]["quantities[0]"][0], "cannot be changed on this link");

    let donation = app
        .create_ok(&json!({"name": "Give", "link_type": "donation", "currency": "JPY",
            "custom_amount": {"minimum": 100, "maximum": 50000, "preset": 1000}}))
        .await;
    for (amount, ok) in [(99, false), (100, true), (50000, true), (50001, false)] {
        let res = pay(&app, &pid(&donation), &with(customer(SUCCESS), json!({"amount_minor": amount})), None).await;
        assert_eq!(res.status() == 200, ok, "{amount}");
    }
    let err = expect_error(pay(&app, &pid(&donation), &customer(SUCCESS), None).await, 400, "invalid_request").await;
    assert!(err["details"]["fields"]["amount_minor"].is_array());
}

async fn cap_holds_under_concurrent_payments(app: TestApp) {
    let link = app.create_ok(&json!({"name": "Five seats", "amount_minor": 2000, "max_completions": 5})).await;
    let public_id = pid(&link);
    let attempts = (0..20).map(|i| {
        let (client, url) = (app.client.clone(), app.url(&format!("/public/payment-links/{public_id}/checkout")));
        tokio::spawn(async move {
            let res = client.post(url).header("idempotency-key", format!("seat-{i}")).json(&customer(SUCCESS));
            let res = res.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        })
    });
    let mut succeeded = 0;
    for attempt in futures_util::future::join_all(attempts).await {
        let (status, body) = attempt.unwrap();
        match status {
            200 if body["data"]["status"] == "succeeded" => succeeded += 1,
            200 => assert_eq!(body["data"]["failure_code"], "link_unavailable", "{body}"),
            404 => assert_eq!(body["error"], "resource_missing"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(succeeded, 5);
    let (_, after) = parts(app.get(&format!("/v2/payment-links/{}", link["id"].as_str().unwrap())).await).await;
    assert_eq!(after["completed_count"], 5);
    assert_eq!(after["status"], "completed");
    let (_, stats) = parts(app.get(&format!("/v2/payment-links/{}/stats", link["id"].as_str().unwrap())).await).await;
    assert_eq!(stats["successful_payments"], 5);
    assert_eq!(stats["revenue"], json!([{"currency": "USD", "amount_minor": 10000}]));
}

async fn double_submit_pays_once(app: TestApp) {
    let link = app.simple_link("Once").await;
    let first = pay(&app, &pid(&link), &customer(SUCCESS), Some("tap-1")).await;
    assert_eq!(first.status(), 200);
    let first_body = first.text().await.unwrap();
    let second = pay(&app, &pid(&link), &customer(SUCCESS), Some("tap-1")).await;
    assert_eq!(second.headers()["idempotency-replayed"], "true");
    assert_eq!(second.text().await.unwrap(), first_body);
    let changed = with(customer(SUCCESS), json!({"email": "bob@example.com"}));
    expect_error(pay(&app, &pid(&link), &changed, Some("tap-1")).await, 409, "idempotency_conflict").await;
    let (_, payments) = parts(app.get(&format!("/v2/payment-links/{}/payments", pid(&link))).await).await;
    assert_eq!(payments["pagination"]["total"], 1, "{payments}");
}

async fn success_url_placeholders_are_filled_and_encoded(app: TestApp) {
    let url = "https://shop.example/thanks?c={CHECKOUT_ID}&p={PAYMENT_ID}&a={AMOUNT}&cur={CURRENCY}&cus={CUSTOMER_ID}";
    let link = app
        .create_ok(&json!({"name": "Thanks", "amount_minor": 1250, "success_url": url, "customer_id": "cus 1&2"}))
        .await;
    assert_eq!(link["after_completion"], "redirect");
    let out = pay_ok(&app, &pid(&link), &customer(SUCCESS)).await;
    let expected = format!(
        "https://shop.example/thanks?c={}&p={}&a=12.50&cur=USD&cus=cus%201%262",
        out["checkout_id"].as_str().unwrap(),
        out["payment_id"].as_str().unwrap()
    );
    assert_eq!(out["next"], json!({"type": "redirect", "url": expected}));

    let shown = app
        .create_ok(&json!({"name": "Stay", "amount_minor": 100, "success_url": "https://shop.example/",
            "after_completion": "confirmation", "confirmation_message": "See you **soon**"}))
        .await;
    let out = pay_ok(&app, &pid(&shown), &customer(SUCCESS)).await;
    assert_eq!(
        out["next"],
        json!({"type": "confirmation", "message": "See you **soon**", "message_html": "<p>See you <strong>soon</strong></p>\n"})
    );
    let err = expect_error(
        app.create(&json!({"name": "X", "amount_minor": 1, "after_completion": "redirect"})).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(err["details"]["fields"]["after_completion"].is_array());
}

/// Both public routes answer one link alike: missing, malformed, draft and archived ids get one
/// identical 404; a paused, expired or sold-out link's 404 says why, with the merchant's words.
async fn unavailable_links_say_why_only_to_those_who_hold_them(app: TestApp) {
    let answers = |id: String| {
        let app = &app;
        async move {
            let (paid, paid_body) = parts(pay(app, &id, &customer(SUCCESS), None).await).await;
            let (read, read_body) = parts(app.get(&format!("/public/payment-links/{id}")).await).await;
            assert_eq!((paid, read), (404, 404), "{id}: {paid_body} {read_body}");
            assert_eq!(paid_body, read_body, "{id}: the page and the payment agree");
            assert_eq!(read_body["error"], "resource_missing", "{id}");
            read_body
        }
    };
    let mut silent = vec!["pl_AAAAAAAAAAAAAAAAAAAA".to_string(), "not-an-id".into()];
    let archived = app.simple_link("Archived").await;
    assert_eq!(app.set_status(archived["id"].as_str().unwrap(), "archived").await.status(), 200);
    silent.push(pid(&archived));
    let draft = app.create_ok(&json!({"name": "Draft", "amount_minor": 1, "status": "draft"})).await;
    silent.push(pid(&draft));
    let mut bodies = Vec::new();
    for id in silent {
        let body = answers(id).await;
        assert_eq!(body["details"], Value::Null, "{body}");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");

    let message = "Back in **May**; write to shop@example.com";
    let paused = app.create_ok(&json!({"name": "Paused", "amount_minor": 1, "inactive_message": message})).await;
    assert_eq!(paused["inactive_message"], message, "the merchant reads back what was set");
    assert_eq!(app.set_status(paused["id"].as_str().unwrap(), "inactive").await.status(), 200);
    let expired = app.simple_link("Expired").await;
    assert_eq!(app.set_status(expired["id"].as_str().unwrap(), "expired").await.status(), 200);
    let done = app.create_ok(&json!({"name": "One", "amount_minor": 1, "max_completions": 1})).await;
    assert_eq!(pay_ok(&app, &pid(&done), &customer(SUCCESS)).await["status"], "succeeded");
    for (link, reason, said) in
        [(paused, "paused", json!(message)), (expired, "expired", Value::Null), (done, "sold_out", Value::Null)]
    {
        let body = answers(pid(&link)).await;
        let details = &body["details"];
        assert_eq!(details["reason"], reason, "{body}");
        assert_eq!(details["merchant_name"], "Acme", "{body}");
        assert_eq!(details["message"], said, "{body}");
        assert!(details.get("fields").is_none(), "{body}");
    }
    let err = app.create(&json!({"name": "x", "amount_minor": 1, "inactive_message": "y".repeat(501)})).await;
    assert!(expect_error(err, 400, "invalid_request").await["details"]["fields"]["inactive_message"].is_array());
}

async fn a_customer_sees_the_receipt_again_and_no_one_else_does(app: TestApp) {
    let link = app
        .create_ok(&json!({"name": "Club", "max_completions": 1, "confirmation_message": "Welcome *in*",
        "line_items": [
            {"price_data": {"unit_amount": 999, "currency": "usd", "product_data": {"name": "Membership"},
                "recurring": {"interval": "month"}}},
            {"price_data": {"unit_amount": 500, "currency": "usd", "product_data": {"name": "Card"}}, "quantity": 2},
        ]}))
        .await;
    let declined = pay_ok(&app, &pid(&link), &customer("4000 0000 0000 0002")).await;
    assert_eq!(declined["receipt"], Value::Null, "{declined}");
    let paid = pay_ok(&app, &pid(&link), &customer(SUCCESS)).await;
    let receipt = &paid["receipt"];
    assert_eq!(receipt["payment_id"], paid["payment_id"]);
    assert_eq!(receipt["amount_minor"], 1999);
    assert_eq!(receipt["renewal"], json!({"amount_minor": 999, "interval": "month", "interval_count": 1}));
    assert_eq!(receipt["line_items"][0]["recurring"]["interval"], "month");
    assert_eq!(receipt["customer_email"], "ann@example.com");
    assert_eq!((receipt["merchant_name"].as_str(), receipt["link_name"].as_str()), (Some("Acme"), Some("Club")));
    assert_eq!(receipt["message_html"], "<p>Welcome <em>in</em></p>\n");

    // The link is sold out now, but its customer's receipt still answers, uncached.
    let path = |public_id: &str, payment_id: &Value| {
        format!("/public/payment-links/{public_id}/payments/{}", payment_id.as_str().unwrap())
    };
    let res = app.get(&path(&pid(&link), &paid["payment_id"])).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let (status, again) = parts(res).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(&again["data"], receipt);

    let other = app.simple_link("Other").await;
    for (public_id, payment_id) in [
        (pid(&other), paid["payment_id"].clone()),
        (pid(&link), declined["payment_id"].clone()),
        (pid(&link), json!("py_AAAAAAAAAAAAAAAAAAAA")),
        ("pl_AAAAAAAAAAAAAAAAAAAA".into(), paid["payment_id"].clone()),
    ] {
        let body = expect_error(app.get(&path(&public_id, &payment_id)).await, 404, "resource_missing").await;
        assert_eq!(body["details"], Value::Null);
    }
}

async fn merchant_sees_payments_and_stats(app: TestApp) {
    let link = app
        .create_ok(&json!({"name": "Workshop", "amount_minor": 5000, "collect_phone": true, "collect_address": true,
            "custom_fields": [{"key": "diet", "label": "Dietary needs", "type": "dropdown", "options": ["None", "Vegan"], "required": true}]}))
        .await;
    let public_id = pid(&link);
    for _ in 0..3 {
        let res = app.client.get(app.url(&format!("/public/payment-links/{public_id}"))).send().await.unwrap();
        let (_, view) = parts(res).await;
        assert_eq!(view["data"]["custom_fields"][0]["key"], "diet");
        assert!(view["data"].get("metadata").is_none() && view["data"].get("id").is_none());
    }
    let full = with(
        customer(SUCCESS),
        json!({"phone": "+1 415 555 0100", "custom_fields": {"diet": "Vegan"},
            "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}),
    );
    let err = expect_error(pay(&app, &public_id, &customer(SUCCESS), None).await, 400, "invalid_request").await;
    for field in ["phone", "billing_address", "custom_fields.diet"] {
        assert!(err["details"]["fields"][field].is_array(), "{field}: {err}");
    }
    assert_eq!(pay_ok(&app, &public_id, &full).await["status"], "succeeded");
    let declined = with(full.clone(), json!({"card": {"number": "4000000000000002", "expiry": "12/34", "cvc": "123"}}));
    assert_eq!(pay_ok(&app, &public_id, &declined).await["status"], "failed");

    let (status, payments) = parts(app.get(&format!("/v2/payment-links/{public_id}/payments?limit=1")).await).await;
    assert_eq!(status, 200);
    assert_eq!(payments["pagination"], json!({"limit": 1, "offset": 0, "total": 2, "hasMore": true}));
    let newest = &payments["data"][0];
    assert_eq!(newest["status"], "failed");
    assert_eq!((newest["card_brand"].as_str(), newest["card_last4"].as_str()), (Some("visa"), Some("0002")));
    let (_, older) = parts(app.get(&format!("/v2/payment-links/{public_id}/payments?offset=1")).await).await;
    let paid = &older["data"][0];
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["custom_fields"], json!({"diet": "Vegan"}));
    assert_eq!(paid["billing_address"]["city"], "Springfield");
    assert_eq!(paid["customer_phone"], "+1 415 555 0100");
    assert_eq!(paid["customer_email"], "ann@example.com");

    let (_, stats) = parts(app.get(&format!("/v2/payment-links/{public_id}/stats")).await).await;
    assert_eq!(
        stats,
        json!({"views": 3, "checkout_attempts": 2, "successful_payments": 1,
            "revenue": [{"currency": "USD", "amount_minor": 5000}]})
    );
    // Views are written in batches: once written, they count once.
    tokio::time::sleep(paylinks_server::views::FLUSH_EVERY + std::time::Duration::from_millis(500)).await;
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let written: i64 = sqlx::Row::get(
        &sqlx::query("SELECT view_count FROM payment_links WHERE public_id = $1")
            .bind(&public_id)
            .fetch_one(&pool)
            .await
            .unwrap(),
        0,
    );
    pool.close().await;
    assert_eq!(written, 3);
    let (_, again) = parts(app.get(&format!("/v2/payment-links/{public_id}/stats")).await).await;
    assert_eq!(again["views"], 3);
    // Another merchant sees none of it.
    let other = app.new_key("Other", false).await;
    for path in ["payments", "stats"] {
        expect_error(
            app.get_as(&other, &format!("/v2/payment-links/{public_id}/{path}")).await,
            404,
            "resource_missing",
        )
        .await;
    }
}

async fn invoice_links_complete_and_live_links_refuse(app: TestApp) {
    let invoice = app
        .create_ok(
            &json!({"name": "Invoice 7", "mode": "invoice", "invoice_id": uuid::Uuid::new_v4(), "amount_minor": 900}),
        )
        .await;
    let paid = pay(&app, &pid(&invoice), &customer(SUCCESS), Some("invoice-tap")).await;
    let (status, paid) = parts(paid).await;
    assert_eq!((status, paid["data"]["status"].as_str()), (200, Some("succeeded")), "{paid}");
    let (_, after) = parts(app.get(&format!("/v2/payment-links/{}", pid(&invoice))).await).await;
    assert_eq!((after["status"].as_str(), after["completed_count"].as_i64()), (Some("completed"), Some(1)));
    // The payer's retry (the answer was lost) is replayed, though the link is now completed;
    // a new attempt gets the same 404 as any unpayable link.
    let retry = pay(&app, &pid(&invoice), &customer(SUCCESS), Some("invoice-tap")).await;
    assert_eq!(retry.headers()["idempotency-replayed"], "true");
    assert_eq!(parts(retry).await, (200, paid));
    expect_error(pay(&app, &pid(&invoice), &customer(SUCCESS), Some("another-tap")).await, 404, "resource_missing")
        .await;

    let live = app.new_key("Acme Live", true).await;
    let res = app
        .send_as(&live, Method::POST, "/v2/payment-links", &json!({"name": "Live", "amount_minor": 100}), None)
        .await;
    let (_, link) = parts(res).await;
    // A live link never takes a card on our page (Stripe's page does)...
    let carded = expect_error(pay(&app, &pid(&link), &customer(SUCCESS), None).await, 400, "invalid_request").await;
    assert!(carded["details"]["fields"]["card"][0].as_str().unwrap().contains("secure payment page"), "{carded}");
    // ...and with no Stripe configured it says plainly that it cannot take payments.
    let out = pay_ok(&app, &pid(&link), &json!({"email": "ann@example.com", "name": "Ann Lee"})).await;
    assert_eq!(out["status"], "failed");
    assert_eq!(out["failure_code"], "live_payments_unavailable");
    assert!(out["failure_message"].as_str().unwrap().contains("not been charged"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_attempts_are_rate_limited_per_client() {
    let app =
        TestApp::spawn_with(Db::Sqlite, Options { rate_limit: RateLimitSetting::Default, ..Options::default() }).await;
    let link = app.simple_link("Limited").await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(pay(&app, &pid(&link), &customer("4000 0000 0000 0002"), None).await);
    }
    let last = statuses.pop().unwrap();
    assert!(last.headers().get("retry-after").is_some());
    expect_error(last, 429, "rate_limited").await;
    assert!(statuses[..10].iter().all(|r| r.status() == 200));
}

/// Card numbers as customers type them in this test; none may be found after the run.
const CARDS: [&str; 4] = ["4111 1111 1111 1111", "4000000000000002", "4000-0000-0000-9995", "4111111111111112"];

fn card_traces(haystack: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(haystack);
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    CARDS.iter().map(|c| c.replace([' ', '-'], "")).filter(|digits| compact.contains(digits.as_str())).collect()
}

async fn pay_every_card(client: &reqwest::Client, base: &str, key: &str) {
    let res = client
        .post(format!("{base}/v2/payment-links"))
        .header("x-api-key", key)
        .json(&json!({"name": "Secret test", "amount_minor": 700}))
        .send()
        .await
        .unwrap();
    let link: Value = res.json().await.unwrap();
    for (i, card) in CARDS.iter().enumerate() {
        let res = client
            .post(format!("{base}/public/payment-links/{}/checkout", pid(&link)))
            .header("idempotency-key", format!("k{i}"))
            .json(&customer(card))
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status().as_u16(), 200 | 400), "{card}");
    }
    let typo =
        json!({"email": "a@b.co", "name": "A", "card": {"number": 4111111111111111u64, "expiry": "1", "cvc": "1"}});
    let url = format!("{base}/public/payment-links/{}/checkout", pid(&link));
    let res = client.post(url).header("idempotency-key", "k-typo").json(&typo).send().await.unwrap();
    assert_eq!(res.status(), 400);
}

/// The real binary with every log level on: afterwards, neither its logs nor any byte of the
/// SQLite files hold a card number.
#[test]
fn no_card_number_in_the_database_files_or_logs() {
    let dir = std::env::temp_dir().join(format!("paylinks-cards-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/cards.sqlite", dir.display());
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = common::ServeProcess::start(&db, &[("RUST_LOG", "trace")], log.into());
    let key = server.key.clone().expect("a first start prints a key");
    tokio::runtime::Runtime::new().unwrap().block_on(pay_every_card(&reqwest::Client::new(), &server.base, &key));
    server.terminate();
    let stdout: Vec<u8> = server.stdout.by_ref().map_while(Result::ok).collect::<Vec<_>>().join("\n").into_bytes();

    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(card_traces(&bytes).is_empty(), "card number found in {}", path.display());
        checked += 1;
    }
    assert!(checked >= 2, "the database and the log were both checked");
    assert!(std::fs::read_to_string(&log_path).unwrap().contains("checkout"), "trace logging was on");
    assert!(card_traces(&stdout).is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

/// PostgreSQL: every row of every table, as text, holds no card number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_card_number_in_postgres() {
    let Some(db) = Db::postgres() else { return };
    let app = TestApp::spawn(db).await;
    pay_every_card(&app.client, &app.base, &app.key).await;
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    for table in ["payments", "payment_links", "idempotency_keys", "api_keys", "merchants"] {
        let sql = format!("SELECT COALESCE(string_agg(t::text, ' '), '') FROM {table} t");
        let text: String = sqlx::Row::get(&sqlx::query(&sql).fetch_one(&pool).await.unwrap(), 0);
        assert!(text.contains("py_") || table != "payments", "the payments were written");
        assert!(card_traces(text.as_bytes()).is_empty(), "card number found in {table}");
    }
    pool.close().await;
}
