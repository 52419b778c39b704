//! Devdraft's `/api/v0/payment-links` over the real server: every field of the seed document
//! (required, optional, defaults, limits), the x-client-key / x-client-secret mapping, Devdraft's
//! error shape, idempotency, skip/take paging, partial PUT under the edit rules, and the same
//! links seen through v2 and v0 both ways, per merchant and mode.

mod common;

use common::{parts, TestApp};
use paylinks_server::store::parse_key;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    every_field_round_trips_and_v2_sees_it,
    devdraft_defaults_and_a_minimal_link,
    required_fields_and_limits_name_the_field,
    amounts_are_exact_decimals,
    renewing_and_donation_links,
    credentials_map_to_our_keys,
    idempotency_replays_and_conflicts,
    skip_and_take_page_a_bare_array,
    put_changes_only_what_it_sends,
    put_follows_the_edit_rules_after_a_payment,
    v2_links_show_in_v0_and_keep_what_v0_cannot_say,
    other_merchants_and_modes_get_404,
);

/// A request to a v0 route with `secret` as the client secret and its prefix as the client key.
async fn v0(app: &TestApp, method: Method, path: &str, secret: &str, body: Option<&Value>) -> reqwest::Response {
    let client_key = parse_key(secret).map(|(_, prefix)| prefix).unwrap_or_default();
    send(app, method, path, &client_key, secret, body, None).await
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    client_key: &str,
    secret: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, app.url(&format!("/api/v0{path}")))
        .header("x-client-key", client_key)
        .header("x-client-secret", secret);
    if let Some(body) = body {
        req = req.json(body);
    }
    if let Some(key) = idempotency_key {
        req = req.header("idempotency-key", key);
    }
    req.send().await.unwrap()
}

async fn create(app: &TestApp, body: &Value) -> (u16, Value) {
    parts(v0(app, Method::POST, "/payment-links", &app.key, Some(body)).await).await
}

async fn create_ok(app: &TestApp, body: &Value) -> Value {
    let (status, link) = create(app, body).await;
    assert_eq!(status, 201, "{link}");
    link
}

async fn put(app: &TestApp, id: &str, body: &Value) -> (u16, Value) {
    parts(v0(app, Method::PUT, &format!("/payment-links/{id}"), &app.key, Some(body)).await).await
}

/// Asserts Devdraft's error shape and that `field` is named; returns the body.
fn devdraft_error(status: u16, body: &Value, expected: u16, field: Option<&str>) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["statusCode"], expected, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty() && e != "invalid_request"), "{body}");
    if let Some(field) = field {
        assert!(body["fields"][field].is_array(), "{field} is not named: {body}");
    }
}

fn minimal(url: &str) -> Value {
    json!({"title": "Green tea", "url": url, "linkType": "PRODUCT", "amount": 12.5})
}

async fn every_field_round_trips_and_v2_sees_it(app: TestApp) {
    let body = json!({
        "title": "Tea club box",
        "url": "tea-club",
        "description": "A **monthly** box of tea",
        "coverImage": "https://cdn.example.com/tea.png",
        "linkType": "PRODUCT",
        "amount": 29.99,
        "paymentForId": "order-77",
        "recurringType": "ONE_TIME",
        "customerId": "cus_42",
        "paymentLinkProducts": [],
        "isForAllProduct": false,
        "allowQuantityAdjustment": false,
        "collectTax": true,
        "taxId": "txr_eu_vat",
        "collectAddress": true,
        "requirePhoneNumber": true,
        "limitPayments": true,
        "maxPayments": 30.0,
        "customFields": [
            {"key": "size", "label": "Box size", "type": "dropdown", "required": true, "options": ["S", "L"]},
            {"key": "note", "label": "Gift note", "type": "text"}
        ],
        "allowBusinessTaxId": true,
        "allowMobilePayment": true,
        "confirmationPage": "REDIRECT",
        "successUrl": "https://shop.example.com/thanks",
        "createInvoicePdf": true,
        "currency": "eurc",
        "expiration_date": "2030-01-31T23:59:59Z"
    });
    let link = create_ok(&app, &body).await;
    let id = link["id"].as_str().unwrap();
    for (field, value) in body.as_object().unwrap() {
        match field.as_str() {
            "url" => assert_eq!(link["slug"], *value),
            "paymentLinkProducts" => assert_eq!(link[field], json!([])),
            "maxPayments" => assert_eq!(link[field], 30),
            "customFields" => {
                assert_eq!(link[field][0]["options"], json!(["S", "L"]));
                assert_eq!(link[field][1]["required"], false);
            }
            "expiration_date" => assert_eq!(link[field], "2030-01-31T23:59:59Z"),
            _ => assert_eq!(link[field], *value, "{field}"),
        }
    }
    // The amount is written back as the exact decimal that was sent.
    let raw = v0(&app, Method::GET, &format!("/payment-links/{id}"), &app.key, None).await.text().await.unwrap();
    assert!(raw.contains(r#""amount":29.99,"#), "{raw}");
    assert_eq!(link["status"], "ACTIVE");
    let (_, v2) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
    assert!(link["url"].as_str().unwrap().ends_with(&format!("/l/{}", v2["public_id"].as_str().unwrap())));
    let expected = json!({
        "name": "Tea club box", "slug": "tea-club", "amount_minor": 2999, "currency": "EURC", "mode": "custom",
        "link_type": "product", "external_reference": "order-77", "customer_id": "cus_42",
        "tax_behavior": "exclusive", "tax_rate_id": "txr_eu_vat", "collect_address": true, "collect_phone": true,
        "max_completions": 30, "allow_quantity_adjustment": false, "allow_business_tax_id": true,
        "allow_mobile_payment": true, "create_invoice_pdf": true, "after_completion": "redirect",
        "success_url": "https://shop.example.com/thanks", "cover_image_url": "https://cdn.example.com/tea.png",
        "expires_at": "2030-01-31T23:59:59Z",
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(v2[field], *value, "v2 {field}");
    }
    assert_eq!(v2["custom_fields"].as_array().unwrap().len(), 2);
}

async fn devdraft_defaults_and_a_minimal_link(app: TestApp) {
    let link = create_ok(&app, &minimal("green-tea")).await;
    let defaults = json!({
        "currency": "usdc", "recurringType": "ONE_TIME", "allowQuantityAdjustment": true, "collectTax": false,
        "collectAddress": false, "requirePhoneNumber": false, "limitPayments": false, "maxPayments": null,
        "isForAllProduct": false, "allowBusinessTaxId": false, "allowMobilePayment": false,
        "confirmationPage": "SHOW", "createInvoicePdf": false, "customFields": [], "paymentLinkProducts": [],
        "expiration_date": null, "status": "ACTIVE", "paymentsCount": 0, "amount": 12.5,
    });
    for (field, value) in defaults.as_object().unwrap() {
        assert_eq!(link[field], *value, "{field}");
    }
    assert!(link["createdAt"].is_string() && link["updatedAt"].is_string());
    // The checkout URL it returns is the one customers open.
    let page = app.client.get(link["url"].as_str().unwrap().replace("/l/", "/public/payment-links/"));
    assert_eq!(page.send().await.unwrap().status(), 200);
    // The SDK's naive datetime (no offset) is read as UTC.
    let naive = json!({"title": "Naive", "url": "naive", "linkType": "PRODUCT", "amount": 1,
        "expiration_date": "2031-05-01T10:00:00"});
    assert_eq!(create_ok(&app, &naive).await["expiration_date"], "2031-05-01T10:00:00Z");
}

async fn required_fields_and_limits_name_the_field(app: TestApp) {
    let (status, body) = create(&app, &json!({})).await;
    devdraft_error(status, &body, 400, Some("title"));
    for field in ["url", "linkType"] {
        assert!(body["fields"][field].is_array(), "{field}: {body}");
    }
    assert_eq!(body["error"], "Bad Request");
    let cases: Vec<(Value, &str)> = vec![
        (json!({"title": "Te"}), "title"),
        (json!({"title": "T".repeat(101)}), "title"),
        (json!({"url": "shop/tea"}), "url"),
        (json!({"url": "https://x.example.com/tea"}), "url"),
        (json!({"url": "tea.box"}), "url"),
        (json!({"url": "tea_box"}), "url"),
        (json!({"description": "d".repeat(501)}), "description"),
        (json!({"coverImage": "javascript:alert(1)"}), "coverImage"),
        (json!({"linkType": "RAFFLE"}), "linkType"),
        (json!({"recurringType": "DAILY"}), "recurringType"),
        (json!({"currency": "doge"}), "currency"),
        (json!({"customerId": "c".repeat(256)}), "customerId"),
        (json!({"paymentForId": "p".repeat(256)}), "paymentForId"),
        (json!({"isForAllProduct": true}), "isForAllProduct"),
        (json!({"limitPayments": true}), "maxPayments"),
        (json!({"limitPayments": true, "maxPayments": 0}), "maxPayments"),
        (json!({"maxPayments": 5}), "maxPayments"),
        (json!({"taxId": "txr_1"}), "taxId"),
        (json!({"confirmationPage": "REDIRECT"}), "confirmationPage"),
        (json!({"confirmationPage": "LATER"}), "confirmationPage"),
        (json!({"expiration_date": "2001-01-01T00:00:00Z"}), "expiration_date"),
        (json!({"expiration_date": "next tuesday"}), "expiration_date"),
        (json!({"paymentLinkProducts": [{"productId": uuid::Uuid::new_v4()}]}), "paymentLinkProducts[0].productId"),
        (
            json!({"paymentLinkProducts": [{"productId": uuid::Uuid::new_v4(), "quantity": 2}]}),
            "paymentLinkProducts[0].quantity",
        ),
        (
            json!({"customFields": (0..11).map(|i| json!({"key": format!("k{i}"), "label": "Q", "type": "text"})).collect::<Vec<_>>()}),
            "customFields",
        ),
        (json!({"customFields": [{"key": "a b", "label": "Q", "type": "text"}]}), "customFields[0].key"),
        (json!({"slug": "tea"}), "slug"),
    ];
    for (extra, field) in cases {
        let mut body = minimal("limits");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, error) = create(&app, &body).await;
        devdraft_error(status, &error, 400, Some(field));
    }
    // Nothing was created by any of them; a taken url is a 409 naming it.
    let listed = parts(v0(&app, Method::GET, "/payment-links", &app.key, None).await).await.1;
    assert_eq!(listed, json!([]));
    create_ok(&app, &minimal("taken")).await;
    let (status, error) = create(&app, &minimal("taken")).await;
    devdraft_error(status, &error, 409, Some("url"));
    assert_eq!(error["error"], "Conflict");
    let (status, error) = create_raw(&app, "{\"title\": ".into()).await;
    devdraft_error(status, &error, 400, Some("body"));
}

/// Creates from a body sent as written (so numbers keep their exact text).
async fn create_raw(app: &TestApp, body: String) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v0/payment-links"))
        .header("x-client-key", parse_key(&app.key).unwrap().1)
        .header("x-client-secret", &app.key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    parts(res).await
}

async fn amounts_are_exact_decimals(app: TestApp) {
    let cases = [("29.99", 2999_i64), ("0.01", 1), ("0.10", 10), ("1000000", 100000000), ("999999999.99", 99999999999)];
    for (amount, minor) in cases {
        let body = format!(r#"{{"title":"Exact","url":"e-{minor}","linkType":"PRODUCT","amount":{amount}}}"#);
        let (status, link) = create_raw(&app, body).await;
        assert_eq!(status, 201, "{amount}: {link}");
        let v2 = parts(app.get(&format!("/v2/payment-links/{}", link["id"].as_str().unwrap())).await).await.1;
        assert_eq!(v2["amount_minor"], minor, "{amount}");
    }
    for amount in
        ["0.001", "0", "-5", "1e3", "1000000000", "123456789012345678901234567890.5", "\"12\"", "null", "true"]
    {
        let body = format!(r#"{{"title":"Exact","url":"bad","linkType":"PRODUCT","amount":{amount}}}"#);
        let (status, error) = create_raw(&app, body).await;
        devdraft_error(status, &error, 400, Some("amount"));
    }
    // A zero-decimal currency takes whole units.
    let yen = create_ok(
        &app,
        &json!({"title": "Yen tea", "url": "yen", "linkType": "PRODUCT", "amount": 1250, "currency": "jpy"}),
    )
    .await;
    assert_eq!((yen["amount"].clone(), yen["currency"].clone()), (json!(1250), json!("jpy")));
    let (status, error) = create(
        &app,
        &json!({"title": "Yen tea", "url": "yen2", "linkType": "PRODUCT", "amount": 12.5, "currency": "jpy"}),
    )
    .await;
    devdraft_error(status, &error, 400, Some("amount"));
}

async fn renewing_and_donation_links(app: TestApp) {
    let club = create_ok(
        &app,
        &json!({"title": "Tea club", "url": "club", "linkType": "SUBSCRIPTION", "amount": 9.99, "recurringType": "BI_WEEKLY"}),
    )
    .await;
    assert_eq!((club["recurringType"].clone(), club["amount"].clone()), (json!("BI_WEEKLY"), json!(9.99)));
    let v2 = parts(app.get(&format!("/v2/payment-links/{}", club["id"].as_str().unwrap())).await).await.1;
    assert_eq!(v2["mode"], "subscription");
    assert_eq!(v2["line_items"][0]["product_details"]["recurring"], json!({"interval": "week", "interval_count": 2}));
    let (status, error) =
        create(&app, &json!({"title": "Tea club", "url": "club2", "linkType": "SUBSCRIPTION", "amount": 9.99})).await;
    devdraft_error(status, &error, 400, Some("recurringType"));
    let give =
        create_ok(&app, &json!({"title": "Support us", "url": "give", "linkType": "DONATION", "amount": 5})).await;
    assert_eq!((give["linkType"].clone(), give["amount"].clone()), (json!("DONATION"), json!(5.00)));
    let v2 = parts(app.get(&format!("/v2/payment-links/{}", give["id"].as_str().unwrap())).await).await.1;
    assert_eq!(v2["custom_amount"]["preset"], 500);
    let (status, error) =
        create(&app, &json!({"title": "Support", "url": "give2", "linkType": "DONATION", "recurringType": "MONTHLY"}))
            .await;
    devdraft_error(status, &error, 400, Some("recurringType"));
    let open = create_ok(&app, &json!({"title": "Any amount", "url": "open", "linkType": "DONATION"})).await;
    assert_eq!(open["amount"], Value::Null);
}

async fn credentials_map_to_our_keys(app: TestApp) {
    let ok = |res: reqwest::Response| async move { res.status().as_u16() };
    assert_eq!(ok(v0(&app, Method::GET, "/payment-links", &app.key, None).await).await, 200);
    let prefix = parse_key(&app.key).unwrap().1;
    let wrong_secret = format!("{}{}", &app.key[..app.key.len() - 4], "AAAA");
    let other = app.new_key("Acme", false).await;
    let other_prefix = parse_key(&other).unwrap().1;
    for (client_key, secret) in [
        ("", ""),
        (prefix.as_str(), ""),
        ("", app.key.as_str()),
        (prefix.as_str(), wrong_secret.as_str()),
        (other_prefix.as_str(), app.key.as_str()),
        (app.key.as_str(), app.key.as_str()),
        ("rk_sandbox_x", "not-a-key"),
    ] {
        let (status, body) =
            parts(send(&app, Method::GET, "/payment-links", client_key, secret, None, None).await).await;
        devdraft_error(status, &body, 401, None);
        assert_eq!(body["error"], "Unauthorized");
    }
    // A v2 header alone does not open v0.
    let (status, body) = parts(app.get_as(&app.key, "/api/v0/payment-links").await).await;
    devdraft_error(status, &body, 401, None);
    // A revoked key is refused.
    use paylinks_server::clock::Clock;
    assert!(app.store.revoke_key(&other_prefix, app.clock.now()).await.unwrap());
    let (status, _) = parts(v0(&app, Method::GET, "/payment-links", &other, None).await).await;
    assert_eq!(status, 401);
    // Sandbox and live are separate: a live key sees only live links, each made live.
    let live = app.new_key("Acme", true).await;
    let link = create_ok(&app, &minimal("sandbox-one")).await;
    let live_list = parts(v0(&app, Method::GET, "/payment-links", &live, None).await).await.1;
    assert_eq!(live_list, json!([]));
    let (status, _) =
        parts(v0(&app, Method::GET, &format!("/payment-links/{}", link["id"].as_str().unwrap()), &live, None).await)
            .await;
    assert_eq!(status, 404);
    let (status, live_link) =
        parts(v0(&app, Method::POST, "/payment-links", &live, Some(&minimal("sandbox-one"))).await).await;
    assert_eq!(status, 201, "the same slug is free in live mode: {live_link}");
    let v2 =
        parts(app.get_as(&live, &format!("/v2/payment-links/{}", live_link["id"].as_str().unwrap())).await).await.1;
    assert_eq!(v2["livemode"], true);
}

async fn idempotency_replays_and_conflicts(app: TestApp) {
    let client_key = parse_key(&app.key).unwrap().1;
    let first =
        send(&app, Method::POST, "/payment-links", &client_key, &app.key, Some(&minimal("once")), Some("v0-1")).await;
    assert_eq!(first.status(), 201);
    let first = first.bytes().await.unwrap();
    let again =
        send(&app, Method::POST, "/payment-links", &client_key, &app.key, Some(&minimal("once")), Some("v0-1")).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first);
    let other =
        send(&app, Method::POST, "/payment-links", &client_key, &app.key, Some(&minimal("twice")), Some("v0-1")).await;
    let (status, body) = parts(other).await;
    devdraft_error(status, &body, 409, None);
    let listed = parts(v0(&app, Method::GET, "/payment-links", &app.key, None).await).await.1;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // A stored validation error replays in Devdraft's shape too, and PUT is idempotent.
    for _ in 0..2 {
        let res =
            send(&app, Method::POST, "/payment-links", &client_key, &app.key, Some(&json!({})), Some("v0-bad")).await;
        let (status, body) = parts(res).await;
        devdraft_error(status, &body, 400, Some("title"));
    }
    let id = serde_json::from_slice::<Value>(&first).unwrap()["id"].as_str().unwrap().to_string();
    let path = format!("/payment-links/{id}");
    for _ in 0..2 {
        let res =
            send(&app, Method::PUT, &path, &client_key, &app.key, Some(&json!({"title": "Renamed"})), Some("v0-put"))
                .await;
        assert_eq!(parts(res).await.1["title"], "Renamed");
    }
    // The same key on another route is another request.
    let res =
        send(&app, Method::PUT, &path, &client_key, &app.key, Some(&json!({"title": "Renamed again"})), Some("v0-1"))
            .await;
    assert_eq!(res.status(), 200);
}

async fn skip_and_take_page_a_bare_array(app: TestApp) {
    for i in 0..12 {
        create_ok(&app, &minimal(&format!("page-{i:02}"))).await;
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let page = |query: &'static str| {
        let app = &app;
        async move { parts(v0(app, Method::GET, &format!("/payment-links{query}"), &app.key, None).await).await }
    };
    let (_, all) = page("").await;
    let slugs = |list: &Value| {
        list.as_array().unwrap().iter().map(|l| l["slug"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(slugs(&all).len(), 10, "take defaults to 10");
    assert_eq!(slugs(&all)[0], "page-11", "newest first");
    let (_, second) = page("?skip=10&take=10").await;
    assert_eq!(slugs(&second), ["page-01", "page-00"]);
    let (_, some) = page("?skip=2&take=3").await;
    assert_eq!(slugs(&some), ["page-09", "page-08", "page-07"]);
    assert_eq!(page("?skip=50").await.1, json!([]));
    for (query, field) in
        [("?take=0", "take"), ("?skip=-1", "skip"), ("?take=many", "take"), ("?skip=1&skip=2", "skip")]
    {
        let (status, body) = page(query).await;
        devdraft_error(status, &body, 400, Some(field));
    }
}

async fn put_changes_only_what_it_sends(app: TestApp) {
    let body = json!({"title": "Green tea", "url": "green", "linkType": "PRODUCT", "amount": 12.5,
        "description": "Loose leaf", "collectAddress": true, "limitPayments": true, "maxPayments": 5});
    let link = create_ok(&app, &body).await;
    let id = link["id"].as_str().unwrap();
    app.clock.advance(chrono::Duration::seconds(5));
    let (status, after) = put(&app, id, &json!({"title": "Jade tea", "description": null})).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["title"], "Jade tea");
    for field in ["url", "slug", "description", "amount", "collectAddress", "maxPayments", "createdAt", "currency"] {
        assert_eq!(after[field], link[field], "{field} stays");
    }
    assert_ne!(after["updatedAt"], link["updatedAt"]);
    // Price, cap, url and the switches change while nothing is paid.
    let (status, after) = put(
        &app,
        id,
        &json!({"amount": 14, "url": "jade", "limitPayments": false, "requirePhoneNumber": true, "currency": "eurc"}),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(
        (after["amount"].clone(), after["slug"].clone(), after["currency"].clone()),
        (json!(14.00), json!("jade"), json!("eurc"))
    );
    assert_eq!(
        (after["limitPayments"].clone(), after["maxPayments"].clone(), after["requirePhoneNumber"].clone()),
        (json!(false), Value::Null, json!(true))
    );
    let (status, error) = put(&app, id, &json!({"linkType": "DONATION"})).await;
    devdraft_error(status, &error, 400, Some("linkType"));
    let (_, unchanged) = put(&app, id, &json!({"linkType": "PRODUCT", "title": "Jade tea"})).await;
    assert_eq!(unchanged["updatedAt"], after["updatedAt"], "sending what is already there changes nothing");
    let (_, unchanged) = put(&app, id, &json!({})).await;
    assert_eq!(unchanged, after);
    for (patch, field) in [
        (json!({"title": "No"}), "title"),
        (json!({"amount": 0.001}), "amount"),
        (json!({"url": "a/b"}), "url"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let (status, error) = put(&app, id, &patch).await;
        devdraft_error(status, &error, 400, Some(field));
    }
    create_ok(&app, &minimal("taken")).await;
    let (status, error) = put(&app, id, &json!({"url": "taken"})).await;
    devdraft_error(status, &error, 409, Some("url"));
    // The changes are v2's too, and each is recorded as an update event.
    let v2 = parts(app.get(&format!("/v2/payment-links/{id}")).await).await.1;
    assert_eq!(
        (v2["name"].clone(), v2["amount_minor"].clone(), v2["slug"].clone()),
        (json!("Jade tea"), json!(1400), json!("jade"))
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE type = 'payment_link.updated'")
        .fetch_one(&sqlx::AnyPool::connect(&app.db_url).await.unwrap())
        .await
        .unwrap_or(-1);
    assert_eq!(events, 2, "one event per PUT that changed something");
}

async fn put_follows_the_edit_rules_after_a_payment(app: TestApp) {
    let link = create_ok(&app, &json!({"title": "Green tea", "url": "green", "linkType": "PRODUCT", "amount": 12.5, "limitPayments": true, "maxPayments": 3})).await;
    let id = link["id"].as_str().unwrap();
    let public_id = link["url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    for _ in 0..2 {
        let pay = json!({"email": "ann@example.com", "name": "Ann Lee", "card": {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}});
        let res = app
            .client
            .post(app.url(&format!("/public/payment-links/{public_id}/checkout")))
            .json(&pay)
            .send()
            .await
            .unwrap();
        let (status, out) = parts(res).await;
        assert_eq!((status, out["data"]["status"].clone()), (200, json!("succeeded")), "{out}");
    }
    let (status, error) = put(&app, id, &json!({"amount": 10})).await;
    devdraft_error(status, &error, 409, Some("amount"));
    assert!(error["message"].as_str().unwrap().contains("duplicate it instead"), "{error}");
    let (status, error) = put(&app, id, &json!({"currency": "eurc"})).await;
    devdraft_error(status, &error, 409, Some("currency"));
    let (status, error) = put(&app, id, &json!({"maxPayments": 1})).await;
    devdraft_error(status, &error, 400, Some("maxPayments"));
    // What does not touch the price still changes; the cap may rise.
    let (status, after) =
        put(&app, id, &json!({"title": "Green tea (new harvest)", "maxPayments": 2.0, "amount": 12.50})).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!((after["paymentsCount"].clone(), after["maxPayments"].clone()), (json!(2), json!(2)));
    assert_eq!(after["status"], "EXPIRED", "a cap reached is v0's EXPIRED");
}

async fn v2_links_show_in_v0_and_keep_what_v0_cannot_say(app: TestApp) {
    let v2 = app
        .create_ok(&json!({
            "name": "Bundle", "currency": "usd", "metadata": {"sku": "b-1"}, "collect_shipping": true,
            "line_items": [
                {"price_data": {"currency": "USD", "unit_amount": 1250, "product_data": {"name": "Mug"}}, "quantity": 2},
                {"price_data": {"currency": "USD", "unit_amount": 500, "product_data": {"name": "Tea"}}}
            ]
        }))
        .await;
    let id = v2["id"].as_str().unwrap();
    let (status, seen) = parts(v0(&app, Method::GET, &format!("/payment-links/{id}"), &app.key, None).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        (seen["currency"].clone(), seen["amount"].clone(), seen["title"].clone()),
        (json!("usd"), json!(30.00), json!("Bundle"))
    );
    assert_eq!(
        (seen["linkType"].clone(), seen["status"].clone(), seen["url"].clone()),
        (json!("PRODUCT"), json!("ACTIVE"), v2["url"].clone())
    );
    let by_public_id = parts(
        v0(&app, Method::GET, &format!("/payment-links/{}", v2["public_id"].as_str().unwrap()), &app.key, None).await,
    )
    .await
    .1;
    assert_eq!(by_public_id["id"], v2["id"]);
    // Renaming through v0 keeps the items, their product ids, the metadata and shipping.
    let (status, _) = put(&app, id, &json!({"title": "Bundle of two"})).await;
    assert_eq!(status, 200);
    let after = parts(app.get(&format!("/v2/payment-links/{id}")).await).await.1;
    assert_eq!(after["name"], "Bundle of two");
    for field in ["line_items", "metadata", "collect_shipping", "amount_minor", "public_id", "created_at"] {
        assert_eq!(after[field], v2[field], "{field}");
    }
    // Statuses in v0's words.
    app.set_status(id, "inactive").await;
    let seen = parts(v0(&app, Method::GET, &format!("/payment-links/{id}"), &app.key, None).await).await.1;
    assert_eq!(seen["status"], "INACTIVE");
    app.set_status(id, "archived").await;
    let seen = parts(v0(&app, Method::GET, &format!("/payment-links/{id}"), &app.key, None).await).await.1;
    assert_eq!(seen["status"], "EXPIRED");
    // And a v0 link is in the v2 list.
    let made = create_ok(&app, &minimal("from-v0")).await;
    let list = parts(app.get("/v2/payment-links").await).await.1;
    assert!(list["data"].as_array().unwrap().iter().any(|l| l["id"] == made["id"]));
}

async fn other_merchants_and_modes_get_404(app: TestApp) {
    let link = create_ok(&app, &minimal("mine")).await;
    let path = format!("/payment-links/{}", link["id"].as_str().unwrap());
    let intruder = app.new_key("Globex", false).await;
    for method in [Method::GET, Method::PUT] {
        let body = (method == Method::PUT).then(|| json!({"title": "Stolen"}));
        let (status, error) = parts(v0(&app, method, &path, &intruder, body.as_ref()).await).await;
        devdraft_error(status, &error, 404, None);
        assert_eq!(error["error"], "Not Found");
    }
    assert_eq!(parts(v0(&app, Method::GET, "/payment-links", &intruder, None).await).await.1, json!([]));
    assert_eq!(parts(v0(&app, Method::GET, &path, &app.key, None).await).await.1["title"], "Green tea");
    let (status, error) = parts(v0(&app, Method::GET, "/payment-links/not-an-id", &app.key, None).await).await;
    devdraft_error(status, &error, 404, None);
    let (status, error) = parts(v0(&app, Method::DELETE, &path, &app.key, None).await).await;
    devdraft_error(status, &error, 405, None);
}

/// One bucket per key whichever API spends it; v0's 429 is in Devdraft's shape with Retry-After.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v0_and_v2_share_the_key_rate_limit() {
    use paylinks_server::rate_limit::{Limit, RateLimitSetting};
    let limit = RateLimitSetting::Both(Limit { per_minute: 60, burst: 3 });
    let app =
        TestApp::spawn_with(common::Db::Sqlite, common::Options { rate_limit: limit, ..Default::default() }).await;
    assert_eq!(app.get("/v2/payment-links").await.status(), 200);
    for _ in 0..2 {
        assert_eq!(v0(&app, Method::GET, "/payment-links", &app.key, None).await.status(), 200);
    }
    let res = v0(&app, Method::GET, "/payment-links", &app.key, None).await;
    assert!(res.headers().contains_key("retry-after"));
    let (status, body) = parts(res).await;
    devdraft_error(status, &body, 429, None);
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(app.get("/v2/payment-links").await.status(), 429);
}
