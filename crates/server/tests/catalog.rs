//! The catalogue and promotion codes over real HTTP: products and prices in the vendor's shapes
//! (unsupported fields refused by name, archive, versions once used), codes (case-insensitive,
//! unique, deactivated, run out), a checkout with a code (the discount recomputed by the server
//! and stored with the payment; never over-redeemed under concurrency), isolation per merchant
//! and mode.

mod common;

use common::{expect_error, parts, TestApp};
use paylinks_server::clock::Clock;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    products_and_their_default_price,
    unsupported_vendor_fields_are_refused_by_name,
    prices_of_every_model_and_their_list,
    a_used_price_keeps_its_amount_and_gets_a_new_version,
    archived_entries_stay_on_links_but_not_on_new_ones,
    the_catalogue_is_confined_to_its_merchant_and_mode,
    promotion_codes_are_managed,
    a_code_takes_its_discount_off_the_payment,
    a_code_is_refused_when_it_cannot_be_used,
    concurrent_customers_never_over_redeem_a_code,
);

const CARD: &str = "4111 1111 1111 1111";
const DECLINED: &str = "4000 0000 0000 0002";

fn tee_body() -> Value {
    json!({"product_id": "tee", "name": "T-shirt", "kind": "one_time", "pricing_model": "one_time",
           "amount_minor": 2500, "currency": "usd"})
}

async fn ok(res: reqwest::Response, status: u16) -> Value {
    let (got, body) = parts(res).await;
    assert_eq!(got, status, "{body}");
    body
}

async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    ok(app.send(Method::POST, path, body).await, 201).await
}

async fn patch(app: &TestApp, path: &str, body: &Value) -> Value {
    ok(app.send(Method::PATCH, path, body).await, 200).await
}

async fn get(app: &TestApp, path: &str) -> Value {
    ok(app.get(path).await, 200).await
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

async fn product(app: &TestApp, body: &Value) -> Value {
    post(app, "/v2/products", body).await["data"].clone()
}

async fn code(app: &TestApp, body: Value) -> Value {
    let mut full = json!({"name": "A code", "discount_type": "percentage", "discount_value": 10});
    for (k, v) in body.as_object().unwrap() {
        full[k] = v.clone();
    }
    post(app, "/v2/discounts", &full).await["data"].clone()
}

fn customer(card: &str, extra: Value) -> Value {
    let mut body = json!({"email": "ann@example.com", "name": "Ann Lee",
                          "card": {"number": card, "expiry": "12/34", "cvc": "123"}});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn pay(app: &TestApp, link: &Value, body: &Value) -> (u16, Value) {
    let url = app.url(&format!("/public/payment-links/{}/checkout", link["public_id"].as_str().unwrap()));
    parts(app.client.post(url).json(body).send().await.unwrap()).await
}

async fn check_code(app: &TestApp, link: &Value, typed: &str) -> (u16, Value) {
    let url = app.url(&format!("/public/payment-links/{}/promotion-code", link["public_id"].as_str().unwrap()));
    parts(app.client.post(url).json(&json!({"promotion_code": typed})).send().await.unwrap()).await
}

async fn products_and_their_default_price(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    assert_eq!(tee["object"], "product");
    assert_eq!((tee["product_id"].as_str(), tee["kind"].as_str()), (Some("tee"), Some("one_time")));
    assert_eq!((tee["amount_minor"].as_i64(), tee["currency"].as_str()), (Some(2500), Some("usd")));
    assert_eq!((tee["is_active"].as_bool(), tee["is_archived"].as_bool()), (Some(true), Some(false)));
    let price = get(&app, &format!("/v2/prices/{}", tee["default_price_id"].as_str().unwrap())).await;
    assert_eq!((price["unit_amount"].as_i64(), price["pricing_model"].as_str()), (Some(2500), Some("fixed")));
    assert_eq!((price["type"].as_str(), price["version"].as_i64()), (Some("one_time"), Some(1)));
    assert_eq!(price["product_id"], tee["id"]);
    assert_eq!(get(&app, &format!("/v2/products/{}", id(&tee))).await["data"], tee);

    // Free at 0; a subscription bills on its interval.
    let free = product(
        &app,
        &json!({"product_id": "sticker", "name": "Sticker", "kind": "one_time",
                                     "pricing_model": "one_time", "amount_minor": 0}),
    )
    .await;
    let free_price = get(&app, &format!("/v2/prices/{}", free["default_price_id"].as_str().unwrap())).await;
    assert_eq!(free_price["pricing_model"], "free");
    let club = product(
        &app,
        &json!({"product_id": "club", "name": "Tea club", "kind": "subscription",
        "pricing_model": "recurring", "amount_minor": 900, "currency": "EUR", "interval": "month", "trial_days": 14}),
    )
    .await;
    assert_eq!((club["interval"].as_str(), club["interval_count"].as_i64()), (Some("month"), Some(1)));
    assert_eq!((club["trial_days"].as_i64(), club["currency"].as_str()), (Some(14), Some("eur")));

    // The merchant's own product_id is unique.
    let res = app.send(Method::POST, "/v2/products", &tee_with("name", json!("Another"))).await;
    let err = expect_error(res, 409, "conflict").await;
    assert!(err["details"]["fields"]["product_id"].is_array(), "{err}");

    // The vendor's list: offset pages and a search over name and product_id.
    let page = get(&app, "/v2/products?limit=2&page=2").await;
    assert_eq!(page["pagination"], json!({"kind": "offset", "page": 2, "limit": 2, "total": 3, "totalPages": 2}));
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["product_id"], "tee", "newest first");
    let found = get(&app, "/v2/products?search=TEA").await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["product_id"], "club");
    expect_error(app.get("/v2/products?page=0").await, 400, "invalid_request").await;

    // A change of name keeps the price; a change of amount on an unused price changes it in place.
    let path = format!("/v2/products/{}", id(&tee));
    let renamed =
        patch(&app, &path, &json!({"name": "Tee", "description": "Organic cotton", "metadata": {"sku": "T1"}})).await;
    assert_eq!(
        (renamed["data"]["name"].as_str(), renamed["data"]["metadata"]["sku"].as_str()),
        (Some("Tee"), Some("T1"))
    );
    let repriced = patch(&app, &path, &json!({"amount_minor": 2700})).await["data"].clone();
    assert_eq!(repriced["amount_minor"], 2700);
    assert_eq!(repriced["default_price_id"], tee["default_price_id"], "an unused price changes in place");
    // Field errors name their field.
    let err = expect_error(
        app.send(Method::PATCH, &path, &json!({"amount_minor": -5, "name": ""})).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(
        err["details"]["fields"]["amount_minor"].is_array() && err["details"]["fields"]["name"].is_array(),
        "{err}"
    );
    let bad = json!({"product_id": "x y", "name": "X", "kind": "subscription", "pricing_model": "one_time", "amount_minor": 1});
    let err = expect_error(app.send(Method::POST, "/v2/products", &bad).await, 400, "invalid_request").await;
    for field in ["product_id", "pricing_model", "interval"] {
        assert!(err["details"]["fields"][field].is_array(), "{field}: {err}");
    }
    expect_error(app.get("/v2/products/not-a-uuid").await, 404, "resource_missing").await;
}

fn tee_with(field: &str, value: Value) -> Value {
    let mut body = tee_body();
    body[field] = value;
    body
}

async fn unsupported_vendor_fields_are_refused_by_name(app: TestApp) {
    for (field, value) in [
        ("usage_meter_id", json!("meter_1")),
        ("billing_anchor_rule", json!("day_of_month")),
        ("track_inventory", json!(true)),
        ("fulfillment_type", json!("physical")),
    ] {
        let res = app.send(Method::POST, "/v2/products", &tee_with(field, value)).await;
        let err = expect_error(res, 400, "invalid_request").await;
        assert_eq!(err["details"]["fields"][field][0], "is not supported by paylinks", "{err}");
    }
    let err = expect_error(
        app.send(Method::POST, "/v2/products", &tee_with("kind", json!("usage"))).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(err["details"]["fields"]["kind"].is_array(), "{err}");
    // The defaults a generated client fills in ask for nothing and pass.
    let mut body = tee_with("fulfillment_type", json!("none"));
    body["first_charge_behavior"] = json!("immediate");
    body["track_inventory"] = json!(false);
    let tee = product(&app, &body).await;
    let tiered = json!({"product_id": tee["id"], "unit_amount": 100, "billing_scheme": "tiered", "tiers_mode": "graduated",
                        "tiers": [{"up_to": 10, "unit_amount_minor": 100}, {"up_to": null, "unit_amount_minor": 80}]});
    let err = expect_error(app.send(Method::POST, "/v2/prices", &tiered).await, 400, "invalid_request").await;
    for field in ["billing_scheme", "tiers_mode", "tiers"] {
        assert_eq!(err["details"]["fields"][field][0], "is not supported by paylinks", "{err}");
    }
    let per_unit = json!({"product_id": tee["id"], "unit_amount": 100, "billing_scheme": "per_unit"});
    post(&app, "/v2/prices", &per_unit).await;
    let err = expect_error(
        app.send(
            Method::POST,
            "/v2/discounts",
            &json!({"code": "A", "name": "A", "discount_type": "percentage",
            "discount_value": 5, "recurring_type": "forever", "first_time_customer": true}),
        )
        .await,
        400,
        "invalid_request",
    )
    .await;
    for field in ["recurring_type", "first_time_customer"] {
        assert_eq!(err["details"]["fields"][field][0], "is not supported by paylinks", "{err}");
    }
}

async fn prices_of_every_model_and_their_list(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    let pid = tee["id"].clone();
    let large = post(
        &app,
        "/v2/prices",
        &json!({"product_id": pid, "unit_amount": 3000, "nickname": "Large", "lookup_key": "tee-l"}),
    )
    .await;
    assert_eq!((large["nickname"].as_str(), large["lookup_key"].as_str()), (Some("Large"), Some("tee-l")));
    let pwyw = post(
        &app,
        "/v2/prices",
        &json!({"product_id": pid, "pricing_model": "pay_what_you_want",
        "minimum_amount": 500, "maximum_amount": 10000, "suggested_amount": 1500, "preset_amounts": [500, 1500, 5000]}),
    )
    .await;
    assert_eq!(pwyw["unit_amount"], Value::Null);
    assert_eq!(
        (pwyw["minimum_amount"].as_i64(), pwyw["preset_amounts"].clone()),
        (Some(500), json!([500, 1500, 5000]))
    );
    let free = post(&app, "/v2/prices", &json!({"product_id": pid, "pricing_model": "free", "currency": "eur"})).await;
    assert_eq!((free["unit_amount"].as_i64(), free["currency"].as_str()), (Some(0), Some("eur")));

    // Rules that need the product: a one-time product takes one-time prices.
    let monthly = json!({"product_id": pid, "unit_amount": 100, "type": "recurring", "interval": "month"});
    let err = expect_error(app.send(Method::POST, "/v2/prices", &monthly).await, 400, "invalid_request").await;
    assert!(err["details"]["fields"]["type"][0].as_str().unwrap().contains("one_time"), "{err}");
    let no_product = json!({"product_id": uuid::Uuid::new_v4(), "unit_amount": 100});
    expect_error(app.send(Method::POST, "/v2/prices", &no_product).await, 404, "resource_missing").await;
    let taken = json!({"product_id": pid, "unit_amount": 100, "lookup_key": "tee-l"});
    expect_error(app.send(Method::POST, "/v2/prices", &taken).await, 409, "conflict").await;

    // The vendor's list: filters, cursors both ways, the count.
    let all = get(&app, "/v2/prices").await;
    assert_eq!((all["object"].as_str(), all["total_count"].as_i64()), (Some("list"), Some(4)));
    let ids: Vec<&str> = all["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids[0], id(&free), "newest first");
    let page = get(&app, "/v2/prices?limit=2").await;
    assert_eq!(page["has_more"], true);
    let next = get(&app, &format!("/v2/prices?limit=2&starting_after={}", ids[1])).await;
    let next_ids: Vec<&str> = next["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(next_ids, ids[2..4]);
    assert_eq!(next["has_more"], false);
    let back = get(&app, &format!("/v2/prices?limit=2&ending_before={}", ids[2])).await;
    let back_ids: Vec<&str> = back["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(back_ids, ids[0..2]);
    let pwyw_only = get(&app, "/v2/prices?pricing_model=pay_what_you_want").await;
    assert_eq!(pwyw_only["data"].as_array().unwrap().len(), 1);
    assert_eq!(get(&app, "/v2/prices?lookup_key=tee-l").await["data"][0]["id"], large["id"]);
    assert_eq!(get(&app, "/v2/prices?currency=EUR").await["total_count"], 1);
    assert_eq!(
        get(&app, &format!("/v2/prices?product_id={pid}&type=recurring", pid = id(&tee))).await["total_count"],
        0
    );
    for bad in ["active=yes", "type=", "product_id=nope", "currency=ZZZ", "starting_after=x"] {
        expect_error(app.get(&format!("/v2/prices?{bad}")).await, 400, "invalid_request").await;
    }

    // Labels change; archiving is DELETE and shows in the list's filter.
    let path = format!("/v2/prices/{}", id(&large));
    let changed = patch(&app, &path, &json!({"nickname": "L", "lookup_key": null})).await;
    assert_eq!((changed["nickname"].as_str(), changed["lookup_key"].clone()), (Some("L"), Value::Null));
    let archived = ok(app.send(Method::DELETE, &path, &json!({})).await, 200).await;
    assert_eq!(archived["active"], false);
    assert_eq!(get(&app, "/v2/prices?active=false").await["data"][0]["id"], large["id"]);
    let err = expect_error(
        app.send(Method::PATCH, &format!("/v2/prices/{}", id(&pwyw)), &json!({"unit_amount": 5})).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(err["details"]["fields"]["unit_amount"].is_array(), "{err}");
}

async fn a_used_price_keeps_its_amount_and_gets_a_new_version(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    let price = tee["default_price_id"].as_str().unwrap().to_string();
    let link = app.create_ok(&json!({"name": "Tee shop", "line_items": [{"price": price, "quantity": 2}]})).await;
    let (_, paid) = pay(&app, &link, &customer(CARD, json!({}))).await;
    assert_eq!(paid["data"]["status"], "succeeded", "{paid}");
    let payments = get(&app, &format!("/v2/payment-links/{}/payments", id(&link))).await;
    assert_eq!(payments["data"][0]["line_items"][0]["price_id"], price.as_str(), "the payment names its price");

    // The product's new amount is a new version of its default price; the old one stays as paid.
    let repriced =
        patch(&app, &format!("/v2/products/{}", id(&tee)), &json!({"amount_minor": 2900})).await["data"].clone();
    let new_price = repriced["default_price_id"].as_str().unwrap();
    assert_ne!(new_price, price);
    let old = get(&app, &format!("/v2/prices/{price}")).await;
    assert_eq!((old["unit_amount"].as_i64(), old["active"].as_bool()), (Some(2500), Some(false)));
    let new = get(&app, &format!("/v2/prices/{new_price}")).await;
    assert_eq!(
        (new["unit_amount"].as_i64(), new["version"].as_i64(), new["active"].as_bool()),
        (Some(2900), Some(2), Some(true))
    );
    // The link sold at its price and keeps selling at it.
    let (_, again) = pay(&app, &link, &customer(CARD, json!({}))).await;
    assert_eq!(again["data"]["amount_minor"], 5000, "{again}");
    // The same through the price itself: ext unit_amount on a used price answers the next version.
    let next = patch(&app, &format!("/v2/prices/{new_price}"), &json!({"unit_amount": 3100})).await;
    assert_eq!((next["version"].as_i64(), next["unit_amount"].as_i64()), (Some(2), Some(3100)), "unused: in place");
    let link2 = app.create_ok(&json!({"name": "Tee shop 2", "line_items": [{"price": new_price}]})).await;
    pay(&app, &link2, &customer(CARD, json!({}))).await;
    let third = patch(&app, &format!("/v2/prices/{new_price}"), &json!({"unit_amount": 3300})).await;
    assert_eq!(third["version"], 3);
    assert_ne!(third["id"].as_str(), Some(new_price));
}

async fn archived_entries_stay_on_links_but_not_on_new_ones(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    let price = tee["default_price_id"].clone();
    let link =
        app.create_ok(&json!({"name": "Before", "line_items": [{"price": price}], "product_ids": [tee["id"]]})).await;
    patch(&app, &format!("/v2/products/{}", id(&tee)), &json!({"is_archived": true})).await;
    let res = app.create(&json!({"name": "After", "line_items": [{"price": price}]})).await;
    let err = expect_error(res, 400, "invalid_request").await;
    assert!(err["details"]["fields"]["line_items[0].price"][0].as_str().unwrap().contains("archived"), "{err}");
    let err = expect_error(
        app.create(&json!({"name": "After", "amount_minor": 100, "product_ids": [tee["id"]]})).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(err["details"]["fields"]["product_ids[0]"][0].as_str().unwrap().contains("archived"), "{err}");
    let err = expect_error(
        app.send(Method::POST, "/v2/prices", &json!({"product_id": tee["id"], "unit_amount": 1})).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(err["details"]["fields"]["product_id"].is_array(), "{err}");
    // The link made before still sells it.
    let (status, paid) = pay(&app, &link, &customer(CARD, json!({}))).await;
    assert_eq!((status, paid["data"]["status"].as_str()), (200, Some("succeeded")), "{paid}");

    // An archived price likewise; a pay-what-you-want price is sold with custom_amount instead.
    let other = product(&app, &tee_with("product_id", json!("mug"))).await;
    let price = other["default_price_id"].as_str().unwrap();
    ok(app.send(Method::DELETE, &format!("/v2/prices/{price}"), &json!({})).await, 200).await;
    expect_error(app.create(&json!({"name": "Mug", "line_items": [{"price": price}]})).await, 400, "invalid_request")
        .await;
    let pwyw =
        post(&app, "/v2/prices", &json!({"product_id": other["id"], "pricing_model": "pay_what_you_want"})).await;
    let err = expect_error(
        app.create(&json!({"name": "Tip", "line_items": [{"price": pwyw["id"]}]})).await,
        400,
        "invalid_request",
    )
    .await;
    assert!(err["details"]["fields"]["line_items[0].price"][0].as_str().unwrap().contains("custom_amount"), "{err}");
}

async fn the_catalogue_is_confined_to_its_merchant_and_mode(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    let discount = code(&app, json!({"code": "MINE"})).await;
    let price = tee["default_price_id"].as_str().unwrap().to_string();
    for key in [app.new_key("Other", false).await, app.new_key("Acme", true).await] {
        for path in [
            format!("/v2/products/{}", id(&tee)),
            format!("/v2/prices/{price}"),
            format!("/v2/discounts/{}", id(&discount)),
        ] {
            expect_error(app.get_as(&key, &path).await, 404, "resource_missing").await;
            let res = app.send_as(&key, Method::PATCH, &path, &json!({"name": "Taken"}), None).await;
            expect_error(res, 404, "resource_missing").await;
        }
        for path in ["/v2/products", "/v2/prices", "/v2/discounts"] {
            let (_, list) = parts(app.get_as(&key, path).await).await;
            assert_eq!(list["data"], json!([]), "{path}");
        }
        // The same product_id and code are free in another scope.
        let res = app.send_as(&key, Method::POST, "/v2/products", &tee_body(), None).await;
        assert_eq!(res.status(), 201);
        let body = json!({"product_id": tee["id"], "unit_amount": 100});
        expect_error(app.send_as(&key, Method::POST, "/v2/prices", &body, None).await, 404, "resource_missing").await;
        let body = json!({"code": "mine", "name": "Mine", "discount_type": "percentage", "discount_value": 5});
        assert_eq!(app.send_as(&key, Method::POST, "/v2/discounts", &body, None).await.status(), 201);
        let link = json!({"name": "Theirs", "line_items": [{"price": price}]});
        expect_error(app.send_as(&key, Method::POST, "/v2/payment-links", &link, None).await, 400, "invalid_request")
            .await;
    }
    // Another merchant's code does not apply to this merchant's link.
    let other = app.new_key("Third", false).await;
    let body = json!({"code": "THEIRS", "name": "Theirs", "discount_type": "percentage", "discount_value": 50});
    app.send_as(&other, Method::POST, "/v2/discounts", &body, None).await;
    let link = app.simple_link("Tea").await;
    let (status, err) = check_code(&app, &link, "theirs").await;
    assert_eq!(status, 400, "{err}");
    let (status, _) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "THEIRS"}))).await;
    assert_eq!(status, 400);
}

async fn promotion_codes_are_managed(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    let summer = code(&app, json!({"code": " summer-10 ", "max_redemptions": 3, "description": "Summer sale"})).await;
    assert_eq!((summer["code"].as_str(), summer["discount_type"].as_str()), (Some("SUMMER-10"), Some("percentage")));
    assert_eq!((summer["current_redemptions"].as_i64(), summer["redemptions_left"].as_i64()), (Some(0), Some(3)));
    assert_eq!((summer["is_active"].as_bool(), summer["applies_to"].as_str()), (Some(true), Some("all")));
    // Codes are unique per merchant and mode, whatever their case.
    let res = app
        .send(
            Method::POST,
            "/v2/discounts",
            &json!({"code": "Summer-10", "name": "Again", "discount_type": "percentage", "discount_value": 5}),
        )
        .await;
    let err = expect_error(res, 409, "conflict").await;
    assert!(err["details"]["fields"]["code"].is_array(), "{err}");
    let fixed = code(
        &app,
        json!({"code": "FIVER", "discount_type": "fixed_amount", "discount_value": 500,
        "currency": "eur", "applies_to": "specific_products", "product_ids": [tee["id"]]}),
    )
    .await;
    assert_eq!((fixed["currency"].as_str(), fixed["product_ids"][0].clone()), (Some("EUR"), tee["id"].clone()));
    let bad = json!({"code": "B", "name": "B", "discount_type": "fixed_amount", "discount_value": 5,
                     "applies_to": "specific_products", "product_ids": [uuid::Uuid::new_v4()]});
    let err = expect_error(app.send(Method::POST, "/v2/discounts", &bad).await, 400, "invalid_request").await;
    assert!(err["details"]["fields"]["product_ids[0]"].is_array(), "{err}");

    let list = get(&app, "/v2/discounts?limit=1").await;
    assert_eq!((list["meta"]["total"].as_i64(), list["meta"]["has_more"].as_bool()), (Some(2), Some(true)));
    assert_eq!(list["data"][0]["code"], "FIVER");
    let path = format!("/v2/discounts/{}", id(&summer));
    assert_eq!(get(&app, &path).await["data"], summer);
    let changed = patch(
        &app,
        &path,
        &json!({"name": "Late summer", "max_redemptions": 1, "valid_until": "2099-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(
        (changed["data"]["name"].as_str(), changed["data"]["redemptions_left"].as_i64()),
        (Some("Late summer"), Some(1))
    );
    // Redeemed once, the limit cannot go below it.
    let link = app.simple_link("Tea").await;
    let (_, paid) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "summer-10"}))).await;
    assert_eq!(paid["data"]["status"], "succeeded", "{paid}");
    let used = get(&app, &path).await["data"].clone();
    assert_eq!((used["current_redemptions"].as_i64(), used["redemptions_left"].as_i64()), (Some(1), Some(0)));
    let res = app.send(Method::PATCH, &path, &json!({"max_redemptions": 0})).await;
    expect_error(res, 400, "invalid_request").await;
    let more = patch(&app, &path, &json!({"max_redemptions": null})).await;
    assert_eq!(more["data"]["redemptions_left"], Value::Null, "unlimited");
    let off = patch(&app, &path, &json!({"is_active": false})).await;
    assert_eq!(off["data"]["is_active"], false);
    let (status, err) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "SUMMER-10"}))).await;
    assert_eq!(status, 400);
    assert_eq!(err["details"]["fields"]["promotion_code"][0], "\"SUMMER-10\" is no longer active");
}

async fn a_code_takes_its_discount_off_the_payment(app: TestApp) {
    let tee = product(&app, &tee_body()).await;
    let mug = product(&app, &json!({"product_id": "mug", "name": "Mug", "kind": "one_time", "pricing_model": "one_time", "amount_minor": 1250})).await;
    let link = app
        .create_ok(&json!({"name": "Shop", "line_items": [{"price": tee["default_price_id"], "quantity": 2}, {"price": mug["default_price_id"]}]}))
        .await;
    code(&app, json!({"code": "FIFTEEN", "discount_value": 15})).await;
    code(
        &app,
        json!({"code": "MUGS", "discount_value": 50, "applies_to": "specific_products", "product_ids": [mug["id"]]}),
    )
    .await;
    code(&app, json!({"code": "TENOFF", "discount_type": "fixed_amount", "discount_value": 1000})).await;

    // The page checks the code first: the rule, matched in any case.
    let (status, preview) = check_code(&app, &link, " fifteen ").await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["data"],
        json!({"code": "FIFTEEN", "discount_type": "percentage", "discount_value": 15, "currency": null, "product_ids": null})
    );
    let (status, err) = check_code(&app, &link, "NOPE").await;
    assert_eq!(
        (status, err["details"]["fields"]["promotion_code"][0].as_str()),
        (400, Some("\"NOPE\" is not a valid promotion code"))
    );

    // 15 % of 6,250 is 937.5: half to even, 938 off.
    let (_, paid) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "fifteen"}))).await;
    assert_eq!(
        (paid["data"]["status"].as_str(), paid["data"]["amount_minor"].as_i64()),
        (Some("succeeded"), Some(5312)),
        "{paid}"
    );
    let (_, paid) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "MUGS"}))).await;
    assert_eq!(paid["data"]["amount_minor"], 6250 - 625, "half off the mug only");
    let (_, paid) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "TenOff"}))).await;
    assert_eq!(paid["data"]["amount_minor"], 5250);
    let payments = get(&app, &format!("/v2/payment-links/{}/payments", id(&link))).await;
    assert_eq!(payments["data"][0]["discount"], json!({"code": "TENOFF", "amount_minor": 1000}));
    assert_eq!(payments["data"][2]["discount"], json!({"code": "FIFTEEN", "amount_minor": 938}));
    let stats = get(&app, &format!("/v2/payment-links/{}/stats", id(&link))).await;
    assert_eq!(stats["revenue"], json!([{"currency": "USD", "amount_minor": 5312 + 5625 + 5250}]));
    // A declined card takes no redemption.
    let limited = code(&app, json!({"code": "ONCE", "max_redemptions": 1})).await;
    let (_, declined) = pay(&app, &link, &customer(DECLINED, json!({"promotion_code": "ONCE"}))).await;
    assert_eq!(declined["data"]["status"], "failed", "{declined}");
    assert_eq!(get(&app, &format!("/v2/discounts/{}", id(&limited))).await["data"]["current_redemptions"], 0);
    let (_, paid) = pay(&app, &link, &customer(CARD, json!({"promotion_code": "ONCE"}))).await;
    assert_eq!(paid["data"]["status"], "succeeded");
    assert_eq!(get(&app, &format!("/v2/discounts/{}", id(&limited))).await["data"]["redemptions_left"], 0);
}

async fn a_code_is_refused_when_it_cannot_be_used(app: TestApp) {
    let link = app.simple_link("Tea").await; // 1,000 USD minor units
    let refused = async |typed: &str, link: &Value| -> String {
        let (status, err) = pay(&app, link, &customer(CARD, json!({"promotion_code": typed}))).await;
        assert_eq!(status, 400, "{err}");
        err["details"]["fields"]["promotion_code"][0].as_str().unwrap().to_string()
    };
    code(&app, json!({"code": "LATER", "valid_from": "2099-01-01T00:00:00Z"})).await;
    assert_eq!(refused("later", &link).await, "\"later\" is not valid yet");
    let now = app.clock.now();
    code(
        &app,
        json!({"code": "GONE", "valid_from": (now - chrono::Duration::days(2)).to_rfc3339(),
                      "valid_until": (now - chrono::Duration::days(1)).to_rfc3339()}),
    )
    .await;
    assert_eq!(refused("GONE", &link).await, "\"GONE\" has expired");
    code(&app, json!({"code": "EUROS", "discount_type": "fixed_amount", "discount_value": 100, "currency": "EUR"}))
        .await;
    assert_eq!(refused("EUROS", &link).await, "\"EUROS\" applies only to payments in EUR");
    code(&app, json!({"code": "ALL", "discount_type": "fixed_amount", "discount_value": 5000})).await;
    assert!(refused("ALL", &link).await.contains("free"), "a code never makes an order free");
    code(&app, json!({"code": "HUNDRED", "discount_value": 100})).await;
    assert!(refused("HUNDRED", &link).await.contains("free"));
    let tee = product(&app, &tee_body()).await;
    code(&app, json!({"code": "TEES", "applies_to": "specific_products", "product_ids": [tee["id"]]})).await;
    assert!(refused("TEES", &link).await.contains("does not apply"));
    let closed = app.create_ok(&json!({"name": "No codes", "amount_minor": 500, "allow_promotion_codes": false})).await;
    code(&app, json!({"code": "OPEN"})).await;
    assert_eq!(refused("OPEN", &closed).await, "this link does not accept promotion codes");
    let (status, _) = check_code(&app, &closed, "OPEN").await;
    assert_eq!(status, 400);
    // A refusal keeps every other field's error too, and nothing is charged.
    let (status, err) = pay(&app, &link, &json!({"promotion_code": "GONE", "email": "nope"})).await;
    assert_eq!(status, 400);
    assert!(
        err["details"]["fields"]["email"].is_array() && err["details"]["fields"]["promotion_code"].is_array(),
        "{err}"
    );
    let payments = get(&app, &format!("/v2/payment-links/{}/payments", id(&link))).await;
    assert_eq!(payments["data"], json!([]));
}

async fn concurrent_customers_never_over_redeem_a_code(app: TestApp) {
    let link = app.simple_link("Tea").await;
    let five = code(&app, json!({"code": "FIVE", "max_redemptions": 5})).await;
    let url = app.url(&format!("/public/payment-links/{}/checkout", link["public_id"].as_str().unwrap()));
    let attempts = (0..20).map(|i| {
        let (client, url) = (app.client.clone(), url.clone());
        tokio::spawn(async move {
            let body = customer(CARD, json!({"promotion_code": "five"}));
            let res = client.post(url).header("idempotency-key", format!("race-{i}")).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        })
    });
    let mut succeeded = 0;
    for attempt in futures_util::future::join_all(attempts).await {
        match attempt.unwrap() {
            (200, body) if body["data"]["status"] == "succeeded" => succeeded += 1,
            (400, body) => {
                assert_eq!(body["details"]["fields"]["promotion_code"][0], "\"five\" has been used up", "{body}")
            }
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!(succeeded, 5);
    let after = get(&app, &format!("/v2/discounts/{}", id(&five))).await["data"].clone();
    assert_eq!((after["current_redemptions"].as_i64(), after["redemptions_left"].as_i64()), (Some(5), Some(0)));
    let stats = get(&app, &format!("/v2/payment-links/{}/stats", id(&link))).await;
    assert_eq!(stats["successful_payments"], 5);
}
