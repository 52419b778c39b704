//! The payment-links routes over HTTP: shapes, validation rules, list, status machine,
//! deprecated routes, public route, headers.

mod common;

use common::{expect_error, parts, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    create_returns_the_full_object,
    every_validation_rule_names_its_field,
    line_items_with_price_data_and_catalogue_references,
    slug_conflict_is_409,
    get_by_id_or_public_id,
    list_filters_search_and_pagination,
    walking_all_pages_returns_each_link_once_newest_first,
    lists_sort_by_name_or_revenue_and_links_count_their_revenue,
    full_status_transition_table,
    read_time_expiry,
    deprecated_routes_keep_working_with_headers,
    public_route_shows_only_payable_links,
    http_hygiene_headers_limits_and_fallbacks,
    openapi_document_covers_every_route,
    racing_status_changes_never_lose_an_update,
);

async fn create_returns_the_full_object(app: TestApp) {
    let link = app
        .create_ok(&json!({
            "name": "Coffee beans", "slug": "coffee-beans", "amount_minor": 1250, "currency": "eur",
            "success_url": "https://shop.example/thanks?c={CHECKOUT_ID}", "metadata": {"sku": "B-1"},
            "collect_shipping": true, "tax_behavior": "inclusive"
        }))
        .await;
    for field in [
        "id",
        "merchant_id",
        "public_id",
        "name",
        "slug",
        "mode",
        "status",
        "amount_minor",
        "currency",
        "invoice_id",
        "subscription_id",
        "product_ids",
        "line_items",
        "success_url",
        "cancel_url",
        "redirect_url",
        "collect_shipping",
        "allow_promotion_codes",
        "tax_behavior",
        "metadata",
        "expires_at",
        "selection_mode",
        "default_product_id",
        "highlighted_product_id",
        "created_at",
        "updated_at",
        "url",
        "is_active",
        "status_changed_at",
        "livemode",
        "link_type",
        "description",
        "cover_image_url",
        "allow_quantity_adjustment",
        "custom_amount",
        "collect_address",
        "collect_phone",
        "custom_fields",
        "max_completions",
        "completed_count",
        "after_completion",
        "confirmation_message",
        "inactive_message",
        "revenue_minor",
        "customer_id",
        "external_reference",
    ] {
        assert!(link.get(field).is_some(), "missing {field}: {link}");
    }
    assert_eq!(link["currency"], "EUR");
    assert_eq!(link["status"], "active");
    assert_eq!(link["mode"], "custom");
    assert_eq!(link["is_active"], true);
    assert_eq!(link["livemode"], false);
    assert_eq!(link["allow_promotion_codes"], true);
    assert_eq!(link["selection_mode"], "bundle");
    assert_eq!(link["merchant_id"], app.scope.merchant_id.to_string());
    let public_id = link["public_id"].as_str().unwrap();
    assert!(public_id.starts_with("pl_") && public_id.len() == 23, "{public_id}");
    assert_eq!(link["url"], app.url(&format!("/l/{public_id}")));

    let draft = app.create_ok(&json!({"name": "Later", "amount_minor": 5, "status": "draft"})).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["is_active"], false);
}

/// (body, field that must be named). Each body breaks exactly one rule.
fn invalid_bodies() -> Vec<(Value, &'static str)> {
    let ok = |extra: Value| {
        let mut body = json!({"name": "Valid", "amount_minor": 100});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let long = "x".repeat(201);
    vec![
        (json!({"amount_minor": 100}), "name"),
        (ok(json!({"name": ""})), "name"),
        (ok(json!({"name": "   "})), "name"),
        (ok(json!({"name": long})), "name"),
        (ok(json!({"name": "a\u{202E}b"})), "name"),
        (ok(json!({"name": "a\u{0000}b"})), "name"),
        (ok(json!({"name": 5})), "name"),
        (ok(json!({"slug": "Has-Caps"})), "slug"),
        (ok(json!({"slug": "-lead"})), "slug"),
        (ok(json!({"slug": "a".repeat(65)})), "slug"),
        (ok(json!({"slug": "sp ace"})), "slug"),
        (ok(json!({"amount_minor": -1})), "amount_minor"),
        (ok(json!({"amount_minor": 0})), "amount_minor"),
        (
            json!({"name": "Two schedules", "line_items": [
                {"price_data": {"unit_amount": 100, "product_data": {"name": "A"}, "recurring": {"interval": "month"}}},
                {"price_data": {"unit_amount": 100, "product_data": {"name": "B"}, "recurring": {"interval": "year"}}},
            ]}),
            "line_items[1]",
        ),
        (
            json!({"name": "Free", "line_items": [{"price_data": {"unit_amount": 0, "currency": "usd", "product_data": {"name": "Gift"}}}]}),
            "line_items[0].price_data.unit_amount",
        ),
        (ok(json!({"amount_minor": 100_000_000_000i64})), "amount_minor"),
        (ok(json!({"amount_minor": 12.5})), "amount_minor"),
        (ok(json!({"amount_minor": "100"})), "amount_minor"),
        (ok(json!({"currency": "XYZ"})), "currency"),
        (ok(json!({"currency": "US"})), "currency"),
        (ok(json!({"mode": "donation"})), "mode"),
        (json!({"name": "No amount"}), "amount_minor"),
        (ok(json!({"mode": "invoice"})), "invoice_id"),
        (ok(json!({"invoice_id": "7f1d4c1e-0000-4000-8000-000000000001"})), "invoice_id"),
        (ok(json!({"invoice_id": "not-a-uuid", "mode": "invoice"})), "invoice_id"),
        (ok(json!({"mode": "subscription"})), "subscription_id"),
        (ok(json!({"subscription_id": "7f1d4c1e-0000-4000-8000-000000000001"})), "subscription_id"),
        (ok(json!({"success_url": "http://shop.example/x"})), "success_url"),
        (ok(json!({"success_url": "javascript:alert(1)"})), "success_url"),
        (ok(json!({"cancel_url": "data:text/html,hi"})), "cancel_url"),
        (ok(json!({"cancel_url": "//evil.example/x"})), "cancel_url"),
        (ok(json!({"redirect_url": "/relative"})), "redirect_url"),
        (ok(json!({"redirect_url": "https://user:pw@shop.example/"})), "redirect_url"),
        (ok(json!({"success_url": format!("https://shop.example/{}", "a".repeat(2048))})), "success_url"),
        (ok(json!({"metadata": {"k": "v".repeat(501)}})), "metadata.k"),
        (ok(json!({"metadata": {"k".repeat(41): "v"}})), "metadata"),
        (
            ok(json!({"metadata": (0..51).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()})),
            "metadata",
        ),
        (ok(json!({"metadata": {"n": 1}})), "metadata.n"),
        (ok(json!({"description": "x".repeat(501)})), "description"),
        (ok(json!({"description": "a\u{202E}b"})), "description"),
        (ok(json!({"cover_image_url": "javascript:alert(1)"})), "cover_image_url"),
        (ok(json!({"link_type": "donation"})), "custom_amount"),
        (json!({"name": "x", "custom_amount": {"minimum": 0}}), "custom_amount.minimum"),
        (json!({"name": "x", "custom_amount": {"minimum": 500, "maximum": 100}}), "custom_amount.maximum"),
        (json!({"name": "x", "custom_amount": {"minimum": 5, "preset": 1}}), "custom_amount.preset"),
        (ok(json!({"custom_amount": {}})), "custom_amount"),
        (ok(json!({"custom_fields": [{"key": "a b", "label": "A", "type": "text"}]})), "custom_fields[0].key"),
        (ok(json!({"custom_fields": [{"key": "a", "label": "A", "type": "dropdown"}]})), "custom_fields[0].options"),
        (
            ok(json!({"custom_fields": [{"key": "a", "label": "A", "type": "text", "options": ["x"]}]})),
            "custom_fields[0].options",
        ),
        (
            ok(
                json!({"custom_fields": [{"key": "a", "label": "A", "type": "text"}, {"key": "a", "label": "B", "type": "text"}]}),
            ),
            "custom_fields[1].key",
        ),
        (
            ok(
                json!({"custom_fields": (0..11).map(|i| json!({"key": format!("k{i}"), "label": "L", "type": "text"})).collect::<Vec<_>>()}),
            ),
            "custom_fields",
        ),
        (ok(json!({"custom_fields": [{"key": "a", "label": "", "type": "number"}]})), "custom_fields[0].label"),
        (ok(json!({"max_completions": 0})), "max_completions"),
        (ok(json!({"after_completion": "redirect"})), "after_completion"),
        (ok(json!({"confirmation_message": "y".repeat(501)})), "confirmation_message"),
        (ok(json!({"inactive_message": "y".repeat(501)})), "inactive_message"),
        (ok(json!({"customer_id": "c".repeat(256)})), "customer_id"),
        (ok(json!({"external_reference": "\u{0000}"})), "external_reference"),
        (ok(json!({"expires_at": "2001-01-01T00:00:00Z"})), "expires_at"),
        (ok(json!({"expires_at": "tomorrow"})), "expires_at"),
        (ok(json!({"tax_behavior": "sometimes"})), "tax_behavior"),
        (ok(json!({"selection_mode": "pick"})), "selection_mode"),
        (ok(json!({"default_product_id": "7f1d4c1e-0000-4000-8000-000000000001"})), "default_product_id"),
        (
            ok(
                json!({"selection_mode": "single_select", "highlighted_product_id": "7f1d4c1e-0000-4000-8000-000000000001"}),
            ),
            "highlighted_product_id",
        ),
        (ok(json!({"product_ids": ["7f1d4c1e-0000-4000-8000-000000000001"]})), "product_ids[0]"),
        (ok(json!({"idempotency_key": ""})), "idempotency_key"),
        (ok(json!({"unknown_field": 1})), "unknown_field"),
        (ok(json!({"amount_minor": null, "line_items": [{}]})), "line_items[0]"),
        (
            ok(json!({"amount_minor": null, "line_items": [{"price": "7f1d4c1e-0000-4000-8000-000000000001"}]})),
            "line_items[0].price",
        ),
        (
            ok(
                json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": 5, "product_data": {"name": "A"}}, "quantity": 0}]}),
            ),
            "line_items[0].quantity",
        ),
        (
            ok(
                json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": -5, "product_data": {"name": "A"}}}]}),
            ),
            "line_items[0].price_data.unit_amount",
        ),
        (
            ok(json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": 5}}]})),
            "line_items[0].price_data",
        ),
        (
            ok(
                json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": 5, "product_data": {"name": ""}}}]}),
            ),
            "line_items[0].price_data.product_data.name",
        ),
        (
            ok(
                json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": 5, "currency": "zzz", "product_data": {"name": "A"}}}]}),
            ),
            "line_items[0].price_data.currency",
        ),
        (
            ok(
                json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": 5, "product_data": {"name": "A"}, "recurring": {"interval": "month", "interval_count": 37}}}]}),
            ),
            "line_items[0].price_data.recurring.interval_count",
        ),
        (
            ok(
                json!({"amount_minor": null, "line_items": [{"price_data": {"unit_amount": 5, "product_data": {"name": "A", "extra": 1}}}]}),
            ),
            "line_items[0].price_data.product_data.extra",
        ),
        (
            json!({"name": "Mixed", "currency": "USD", "line_items": [{"price_data": {"unit_amount": 5, "currency": "EUR", "product_data": {"name": "A"}}}]}),
            "line_items[0].currency",
        ),
        (
            json!({"name": "Overflow", "line_items": [{"price_data": {"unit_amount": 99_999_999_999i64, "product_data": {"name": "A"}}, "quantity": 2}]}),
            "line_items",
        ),
        (
            json!({"name": "Mismatch", "amount_minor": 1, "line_items": [{"price_data": {"unit_amount": 5, "product_data": {"name": "A"}}}]}),
            "amount_minor",
        ),
        (
            json!({"name": "Too many", "line_items": (0..21).map(|_| json!({"price_data": {"unit_amount": 1, "product_data": {"name": "A"}}})).collect::<Vec<_>>()}),
            "line_items",
        ),
    ]
}

async fn every_validation_rule_names_its_field(app: TestApp) {
    for (body, field) in invalid_bodies() {
        let res = app.create(&body).await;
        let err = expect_error(res, 400, "invalid_request").await;
        let fields = &err["details"]["fields"];
        assert!(fields.get(field).is_some(), "expected {field} to be named for {body}: {err}");
        assert!(err["message"].as_str().unwrap().contains(field), "message should name {field}: {err}");
    }
    // Malformed JSON and a non-JSON content type.
    let res = app
        .client
        .post(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    let err = expect_error(res, 400, "invalid_request").await;
    assert!(err["details"]["fields"].get("body").is_some(), "{err}");
    let res = app
        .client
        .post(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let err = expect_error(res, 400, "invalid_request").await;
    assert!(err["details"]["fields"].get("content-type").is_some(), "{err}");
    // Nothing was created by any of it.
    let (_, list) = parts(app.get("/v2/payment-links").await).await;
    assert_eq!(list["pagination"]["total"], 0);
}

async fn line_items_with_price_data_and_catalogue_references(app: TestApp) {
    let link = app
        .create_ok(&json!({
            "name": "Two things",
            "line_items": [
                {"price_data": {"unit_amount": 1250, "currency": "usd", "product_data": {"name": "Mug", "description": "Blue"}}, "quantity": 2},
                {"price_data": {"unit_amount": 300, "product_data": {"name": "Sticker"}}, "merchant_reference": "S-1"}
            ]
        }))
        .await;
    assert_eq!(link["amount_minor"], 2800);
    assert_eq!(link["currency"], "USD");
    let items = link["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["is_adhoc"], true);
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["price_id"], Value::Null);
    assert_eq!(
        items[0]["product_details"],
        json!({"name": "Mug", "description": "Blue", "unit_amount": 1250, "currency": "USD", "recurring": null})
    );
    assert_eq!(items[1]["quantity"], 1);
    assert_eq!(items[1]["merchant_reference"], "S-1");
    assert!(uuid::Uuid::parse_str(items[0]["product_id"].as_str().unwrap()).is_ok());

    // Currency defaults to the first item's; JPY has no minor digits.
    let yen = app.create_ok(&json!({"name": "Yen", "line_items": [{"price_data": {"unit_amount": 1250, "currency": "jpy", "product_data": {"name": "Tea"}}}]})).await;
    assert_eq!(yen["currency"], "JPY");

    // Catalogue references: an existing price and product, of this merchant and mode only.
    let plan = json!({"product_id": "plan", "name": "Plan", "kind": "subscription", "pricing_model": "recurring",
                      "amount_minor": 900, "interval": "month"});
    let (status, plan) = parts(app.send(Method::POST, "/v2/products", &plan).await).await;
    assert_eq!(status, 201, "{plan}");
    let product: uuid::Uuid = plan["data"]["id"].as_str().unwrap().parse().unwrap();
    let price: uuid::Uuid = plan["data"]["default_price_id"].as_str().unwrap().parse().unwrap();
    let sub = app
        .create_ok(&json!({"name": "Monthly", "mode": "subscription", "line_items": [{"price": price}],
                           "product_ids": [product], "selection_mode": "single_select", "default_product_id": product}))
        .await;
    assert_eq!(sub["line_items"][0]["price_id"], price.to_string());
    assert_eq!(sub["line_items"][0]["product_id"], product.to_string());
    assert_eq!(sub["line_items"][0]["is_adhoc"], false);
    assert_eq!(sub["line_items"][0]["product_details"]["name"], "Plan");
    assert_eq!(sub["line_items"][0]["product_details"]["recurring"], json!({"interval": "month", "interval_count": 1}));
    assert_eq!(sub["default_product_id"], product.to_string());

    // The same ids are unknown to another merchant.
    let other = app.new_key("Other", false).await;
    let res = app
        .send_as(
            &other,
            Method::POST,
            "/v2/payment-links",
            &json!({"name": "x", "line_items": [{"price": price}]}),
            None,
        )
        .await;
    let err = expect_error(res, 400, "invalid_request").await;
    assert!(err["message"].as_str().unwrap().contains(&price.to_string()), "{err}");
}

async fn slug_conflict_is_409(app: TestApp) {
    app.create_ok(&json!({"name": "A", "slug": "spring-sale", "amount_minor": 1})).await;
    let err = expect_error(
        app.create(&json!({"name": "B", "slug": "spring-sale", "amount_minor": 1})).await,
        409,
        "conflict",
    )
    .await;
    assert!(err["details"]["fields"].get("slug").is_some(), "{err}");
    // Slugs are per merchant and mode.
    let live = app.new_key("Acme", true).await;
    let res = app
        .send_as(
            &live,
            Method::POST,
            "/v2/payment-links",
            &json!({"name": "B", "slug": "spring-sale", "amount_minor": 1}),
            None,
        )
        .await;
    assert_eq!(res.status(), 201);
}

async fn get_by_id_or_public_id(app: TestApp) {
    let link = app.simple_link("Findable").await;
    for id in [link["id"].as_str().unwrap(), link["public_id"].as_str().unwrap()] {
        let (status, got) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
        assert_eq!(status, 200);
        assert_eq!(got, link);
    }
    let upper = link["id"].as_str().unwrap().to_uppercase();
    assert_eq!(app.get(&format!("/v2/payment-links/{upper}")).await.status(), 200);
    for missing in ["pl_AAAAAAAAAAAAAAAAAAAA", "7f1d4c1e-0000-4000-8000-000000000001", "nonsense", "..%2F..%2Fetc"] {
        expect_error(app.get(&format!("/v2/payment-links/{missing}")).await, 404, "resource_missing").await;
    }
}

async fn list_filters_search_and_pagination(app: TestApp) {
    let a = app.create_ok(&json!({"name": "Spring Sale", "slug": "spring", "amount_minor": 1})).await;
    let b = app.create_ok(&json!({"name": "Invoice 42", "mode": "invoice", "invoice_id": uuid::Uuid::new_v4()})).await;
    let c = app.create_ok(&json!({"name": "100% off_today", "amount_minor": 1})).await;
    let d = app.create_ok(&json!({"name": "Café Crème \"Deluxe\"", "amount_minor": 1})).await;
    app.set_status(d["id"].as_str().unwrap(), "archived").await;
    app.set_status(a["id"].as_str().unwrap(), "inactive").await;

    let names = |v: &Value| {
        v["data"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let (_, all) = parts(app.get("/v2/payment-links").await).await;
    assert_eq!(names(&all), ["Café Crème \"Deluxe\"", "100% off_today", "Invoice 42", "Spring Sale"]);
    assert_eq!(all["pagination"], json!({"limit": 25, "offset": 0, "total": 4, "hasMore": false}));

    let cases = [
        ("status=inactive", vec!["Spring Sale"]),
        ("status=active", vec!["100% off_today", "Invoice 42"]),
        ("mode=invoice", vec!["Invoice 42"]),
        ("search=SPRING", vec!["Spring Sale"]),
        ("search=spri", vec!["Spring Sale"]),
        ("search=100%25", vec!["100% off_today"]),
        ("search=f_t", vec!["100% off_today"]),
        ("search=%25", vec!["100% off_today"]),
        ("search=_", vec!["100% off_today"]),
        ("search=x' OR '1'='1", vec![]),
        ("search=CR%C3%88ME", vec!["Café Crème \"Deluxe\""]),
        ("search=%22deluxe%22", vec!["Café Crème \"Deluxe\""]),
        ("search=%22de", vec!["Café Crème \"Deluxe\""]),
        ("search=e%20*", vec![]),
        ("status=archived", vec!["Café Crème \"Deluxe\""]),
    ];
    for (query, expected) in cases {
        let (status, page) = parts(app.get(&format!("/v2/payment-links?{query}")).await).await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(names(&page), expected, "{query}");
    }
    for id in [b["public_id"].as_str().unwrap(), b["id"].as_str().unwrap()] {
        let (_, page) = parts(app.get(&format!("/v2/payment-links?search={id}")).await).await;
        assert_eq!(names(&page), ["Invoice 42"]);
    }
    let (_, page) = parts(app.get("/v2/payment-links?limit=1&offset=2").await).await;
    assert_eq!(names(&page), ["Invoice 42"]);
    assert_eq!(page["pagination"], json!({"limit": 1, "offset": 2, "total": 4, "hasMore": true}));
    let (_, page) = parts(app.get("/v2/payment-links?limit=1000").await).await;
    assert_eq!(page["pagination"]["limit"], 100);
    for bad in ["limit=0", "limit=-3", "offset=-1", "status=paused", "mode=x", "limit=abc"] {
        let field = bad.split('=').next().unwrap();
        let err = expect_error(app.get(&format!("/v2/payment-links?{bad}")).await, 400, "invalid_request").await;
        assert!(err["details"]["fields"].get(field).is_some(), "{bad}: {err}");
    }
    let _ = c;
}

async fn walking_all_pages_returns_each_link_once_newest_first(app: TestApp) {
    let mut created = Vec::new();
    for i in 0..23 {
        created.push(app.simple_link(&format!("Link {i}")).await["id"].as_str().unwrap().to_string());
    }
    for limit in [1, 5, 7, 23, 100] {
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let (_, page) = parts(app.get(&format!("/v2/payment-links?limit={limit}&offset={offset}")).await).await;
            let data = page["data"].as_array().unwrap();
            seen.extend(data.iter().map(|l| l["id"].as_str().unwrap().to_string()));
            offset += data.len();
            assert_eq!(page["pagination"]["hasMore"], offset < 23, "limit {limit} offset {offset}");
            if page["pagination"]["hasMore"] == false {
                break;
            }
        }
        let newest_first: Vec<String> = created.iter().rev().cloned().collect();
        assert_eq!(seen, newest_first, "limit {limit}");
    }
}

async fn lists_sort_by_name_or_revenue_and_links_count_their_revenue(app: TestApp) {
    let mut ids = Vec::new();
    for (name, amount) in [("banana", 300), ("Apple", 100), ("cherry", 200), ("apple pie", 200)] {
        ids.push(app.create_ok(&json!({"name": name, "amount_minor": amount})).await);
    }
    let pay = |link: &Value| {
        let url = app.url(&format!("/public/payment-links/{}/checkout", link["public_id"].as_str().unwrap()));
        let client = app.client.clone();
        async move {
            let body = json!({"email": "a@example.com", "name": "A", "card": {"number": "4111111111111111", "expiry": "12/34", "cvc": "123"}});
            assert_eq!(client.post(url).json(&body).send().await.unwrap().status(), 200);
        }
    };
    pay(&ids[0]).await; // banana: 300
    pay(&ids[2]).await; // cherry: 200 + 200
    pay(&ids[2]).await;
    let declined = json!({"email": "a@example.com", "name": "A", "card": {"number": "4000000000000002", "expiry": "12/34", "cvc": "123"}});
    let url = app.url(&format!("/public/payment-links/{}/checkout", ids[1]["public_id"].as_str().unwrap()));
    assert_eq!(app.client.post(url).json(&declined).send().await.unwrap().status(), 200, "a decline takes nothing");
    let names = |body: &Value| {
        body["data"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };

    let (_, by_revenue) = parts(app.get("/v2/payment-links?sort=revenue").await).await;
    assert_eq!(names(&by_revenue), ["cherry", "banana", "apple pie", "Apple"], "most first, then newest");
    let revenue: Vec<_> =
        by_revenue["data"].as_array().unwrap().iter().map(|l| l["revenue_minor"].as_i64().unwrap()).collect();
    assert_eq!(revenue, [400, 300, 0, 0]);
    let (_, by_name) = parts(app.get("/v2/payment-links?sort=name&limit=2").await).await;
    assert_eq!(names(&by_name), ["Apple", "apple pie"], "A to Z whatever the case");
    let (_, rest) = parts(app.get("/v2/payment-links?sort=name&limit=2&offset=2").await).await;
    assert_eq!(names(&rest), ["banana", "cherry"]);
    let (_, searched) = parts(app.get("/v2/payment-links?sort=revenue&search=an").await).await;
    assert_eq!(names(&searched), ["banana"]);
    let (_, newest) = parts(app.get("/v2/payment-links?sort=created").await).await;
    assert_eq!(names(&newest), ["apple pie", "cherry", "Apple", "banana"]);
    let err = expect_error(app.get("/v2/payment-links?sort=price").await, 400, "invalid_request").await;
    assert!(err["details"]["fields"]["sort"].is_array(), "{err}");
}

async fn full_status_transition_table(app: TestApp) {
    let allowed = |from: &str, to: &str| {
        from == to
            || matches!(
                (from, to),
                ("draft", "active" | "inactive" | "archived" | "expired")
                    | ("active", "inactive" | "archived" | "expired")
                    | ("inactive", "active" | "archived" | "expired")
                    | ("expired", "archived")
            )
    };
    for from in ["draft", "active", "inactive", "archived", "expired"] {
        for to in ["active", "inactive", "archived", "expired"] {
            let link = app.create_ok(&json!({"name": "T", "amount_minor": 1, "status": "draft"})).await;
            let id = link["id"].as_str().unwrap();
            let path = match from {
                "draft" => vec![],
                "active" => vec!["active"],
                "inactive" => vec!["inactive"],
                "archived" => vec!["archived"],
                _ => vec!["expired"],
            };
            for step in path {
                assert_eq!(app.set_status(id, step).await.status(), 200);
            }
            let before: Value = app.get(&format!("/v2/payment-links/{id}")).await.json().await.unwrap();
            let res = app.set_status(id, to).await;
            if allowed(from, to) {
                let (status, result) = parts(res).await;
                assert_eq!(status, 200, "{from} -> {to}: {result}");
                assert_eq!(result["status"], to);
                assert_eq!(result["is_active"], to == "active");
                assert_eq!(result.as_object().unwrap().len(), 5, "{result}");
                if from == to {
                    assert_eq!(result["updated_at"], before["updated_at"], "a no-op changes nothing");
                }
            } else {
                let err = expect_error(res, 400, "invalid_request").await;
                let message = err["message"].as_str().unwrap();
                assert!(message.contains(from) && message.contains(to), "{message}");
                let after: Value = app.get(&format!("/v2/payment-links/{id}")).await.json().await.unwrap();
                assert_eq!(after, before, "a refused transition changes nothing");
            }
        }
    }
    let link = app.simple_link("bad body").await;
    let id = link["id"].as_str().unwrap();
    for body in
        [json!({"status": "completed"}), json!({"status": "draft"}), json!({}), json!({"status": "active", "x": 1})]
    {
        let res = app.send(Method::PATCH, &format!("/v2/payment-links/{id}/status"), &body).await;
        expect_error(res, 400, "invalid_request").await;
    }
    expect_error(app.set_status("pl_AAAAAAAAAAAAAAAAAAAA", "active").await, 404, "resource_missing").await;
}

async fn read_time_expiry(app: TestApp) {
    let soon = app.clock_now() + chrono::Duration::hours(1);
    let link = app.create_ok(&json!({"name": "Soon", "amount_minor": 1, "expires_at": soon})).await;
    let id = link["id"].as_str().unwrap();
    assert_eq!(link["status"], "active");
    app.clock.advance(chrono::Duration::hours(2));
    let (_, got) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
    assert_eq!(got["status"], "expired");
    assert_eq!(got["is_active"], false);
    let (_, page) = parts(app.get("/v2/payment-links?status=expired").await).await;
    assert_eq!(page["pagination"]["total"], 1);
    let (_, page) = parts(app.get("/v2/payment-links?status=active").await).await;
    assert_eq!(page["pagination"]["total"], 0);
    assert_eq!(
        app.client
            .get(app.url(&format!("/public/payment-links/{}", link["public_id"].as_str().unwrap())))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    expect_error(app.set_status(id, "active").await, 400, "invalid_request").await;
    let (status, result) = parts(app.set_status(id, "expired").await).await;
    assert_eq!((status, result["status"].as_str()), (200, Some("expired")));
    let (status, result) = parts(app.set_status(id, "archived").await).await;
    assert_eq!((status, result["status"].as_str()), (200, Some("archived")));
}

async fn deprecated_routes_keep_working_with_headers(app: TestApp) {
    let link = app.simple_link("Old client").await;
    let id = link["id"].as_str().unwrap();
    for (route, expected) in
        [("deactivate", "inactive"), ("activate", "active"), ("expire", "expired"), ("archive", "archived")]
    {
        let res = app
            .client
            .post(app.url(&format!("/v2/payment-links/{id}/{route}")))
            .header("x-api-key", &app.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["deprecation"], "true", "{route}");
        let link_header = res.headers()["link"].to_str().unwrap().to_string();
        assert_eq!(link_header, format!("</v2/payment-links/{id}/status>; rel=\"successor-version\""));
        let (status, body) = parts(res).await;
        assert_eq!(status, 200, "{route}: {body}");
        assert_eq!(body["status"], expected, "{route}");
        if route == "expire" {
            assert!(body.get("public_id").is_some(), "expire returns the full link: {body}");
        } else {
            assert_eq!(body.as_object().unwrap().len(), 5, "{route}: {body}");
        }
    }
    // Archived is final; expiring an expired link is a 400; a reason is accepted.
    let res = app
        .client
        .post(app.url(&format!("/v2/payment-links/{id}/activate")))
        .header("x-api-key", &app.key)
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "invalid_request").await;
    let other = app.simple_link("Expire twice").await;
    let oid = other["id"].as_str().unwrap();
    let res = app.send(Method::POST, &format!("/v2/payment-links/{oid}/expire"), &json!({"reason": "sold out"})).await;
    assert_eq!(res.status(), 200);
    let res = app.send(Method::POST, &format!("/v2/payment-links/{oid}/expire"), &json!({})).await;
    let err = expect_error(res, 400, "invalid_request").await;
    assert!(err["message"].as_str().unwrap().contains("already expired"), "{err}");
    let res = app.send(Method::POST, &format!("/v2/payment-links/{oid}/expire"), &json!({"reasn": "typo"})).await;
    expect_error(res, 400, "invalid_request").await;
}

async fn public_route_shows_only_payable_links(app: TestApp) {
    let link = app
        .create_ok(&json!({"name": "Public page", "metadata": {"secret": "internal"}, "success_url": "https://shop.example/ok",
                            "description": "Hand **stitched** <b>tote</b>",
                            "line_items": [{"price_data": {"unit_amount": 700, "product_data": {"name": "Tote"}}, "quantity": 3}]}))
        .await;
    let public_id = link["public_id"].as_str().unwrap();
    let res = app
        .client
        .get(app.url(&format!("/public/payment-links/{public_id}")))
        .header("origin", "https://anywhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let (status, body) = parts(res).await;
    assert_eq!(status, 200);
    let data = &body["data"];
    assert_eq!(data["active"], true);
    assert_eq!(data["product_name"], "Tote");
    assert_eq!(data["amount_minor"], 2100);
    assert_eq!(data["merchant_name"], "Acme");
    assert_eq!(data["checkout_url"], link["url"]);
    assert_eq!(data["line_items"][0]["quantity"], 3);
    // The markdown as written, and rendered by the server with raw HTML as text.
    assert_eq!(data["description"], "Hand **stitched** <b>tote</b>");
    assert_eq!(data["description_html"], "<p>Hand <strong>stitched</strong> &lt;b&gt;tote&lt;/b&gt;</p>\n");
    let text = body.to_string();
    for private in ["internal", "shop.example", link["id"].as_str().unwrap(), link["merchant_id"].as_str().unwrap()] {
        assert!(!text.contains(private), "public body leaks {private}: {text}");
    }

    // One identical 404 for every id that says nothing (a paused, expired or sold-out link says
    // why: tests/checkout.rs).
    let missing = app.client.get(app.url("/public/payment-links/pl_AAAAAAAAAAAAAAAAAAAA")).send().await.unwrap();
    let (missing_status, missing_body) = parts(missing).await;
    assert_eq!(missing_status, 404);
    let draft = app.create_ok(&json!({"name": "d", "amount_minor": 1, "status": "draft"})).await;
    let mut unpayable = vec![draft["public_id"].as_str().unwrap().to_string()];
    let archived = app.simple_link("archived").await;
    app.set_status(archived["id"].as_str().unwrap(), "archived").await;
    unpayable.push(archived["public_id"].as_str().unwrap().to_string());
    for id in unpayable.iter().map(String::as_str).chain(["not-an-id", link["id"].as_str().unwrap()]) {
        let res = app.client.get(app.url(&format!("/public/payment-links/{id}"))).send().await.unwrap();
        assert_eq!(parts(res).await, (missing_status, missing_body.clone()), "{id}");
    }
}

async fn http_hygiene_headers_limits_and_fallbacks(app: TestApp) {
    let res = app.get("/v2/payment-links").await;
    assert_eq!(res.headers()["revkeen-version"], "2026-05-01");
    assert!(uuid::Uuid::parse_str(res.headers()["x-request-id"].to_str().unwrap()).is_ok());
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));

    // A caller's request id is kept.
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "trace-me-1").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-1");
    assert_eq!(parts(res).await, (200, json!({"status": "ok"})));

    // 64 KiB body limit.
    let big = json!({"name": "x".repeat(70 * 1024), "amount_minor": 1});
    expect_error(app.create(&big).await, 413, "payload_too_large").await;

    // CORS: configured origin allowed with the contract's headers; others not.
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/v2/payment-links"))
        .header("origin", "https://dash.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-api-key, content-type, idempotency-key")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers()["access-control-allow-origin"], "https://dash.example.com");
    let allowed = preflight.headers()["access-control-allow-headers"].to_str().unwrap().to_string();
    for h in ["x-api-key", "content-type", "idempotency-key", "revkeen-version"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    let res = app
        .client
        .get(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("origin", "https://dash.example.com")
        .send()
        .await
        .unwrap();
    let exposed = res.headers()["access-control-expose-headers"].to_str().unwrap().to_string();
    for h in ["idempotency-replayed", "retry-after", "revkeen-version", "x-request-id"] {
        assert!(exposed.contains(h), "{exposed}");
    }
    let res = app
        .client
        .get(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = app
        .client
        .get(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("origin", app.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], app.base.as_str(), "own origin always allowed");

    // JSON for unknown routes and wrong methods.
    expect_error(app.get("/v2/nothing-here").await, 404, "resource_missing").await;
    let res = app.client.delete(app.url("/v2/payment-links")).header("x-api-key", &app.key).send().await.unwrap();
    expect_error(res, 405, "invalid_request").await;
}

async fn openapi_document_covers_every_route(app: TestApp) {
    let (status, doc) = parts(app.client.get(app.url("/v2/openapi.json")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = &doc["paths"];
    for (path, method) in [
        ("/v2/payment-links", "get"),
        ("/v2/payment-links", "post"),
        ("/v2/payment-links/{id}", "get"),
        ("/v2/payment-links/{id}/status", "patch"),
        ("/v2/payment-links/{id}/expire", "post"),
        ("/v2/payment-links/{id}/deactivate", "post"),
        ("/v2/payment-links/{id}/activate", "post"),
        ("/v2/payment-links/{id}/archive", "post"),
        ("/public/payment-links/{public_id}", "get"),
        ("/public/payment-links/{public_id}/checkout", "post"),
        ("/v2/payment-links/{id}/payments", "get"),
        ("/v2/payment-links/{id}/stats", "get"),
        ("/v2/account", "get"),
        ("/api/v0/payment-links", "get"),
        ("/api/v0/payment-links", "post"),
        ("/api/v0/payment-links/{id}", "get"),
        ("/api/v0/payment-links/{id}", "put"),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} missing");
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.keys().any(|k| k.starts_with('2')), "{method} {path}");
        if path.starts_with("/api/v0") {
            assert_eq!(op["tags"], serde_json::json!(["Devdraft v0"]), "{method} {path}");
            assert_eq!(op["security"], serde_json::json!([{"client_key": [], "client_secret": []}]), "{path}");
        }
        if !path.starts_with("/public") {
            for code in ["401", "429", "503"] {
                assert!(responses.contains_key(code), "{method} {path} lacks {code}");
            }
        }
        if path.contains("/expire")
            || path.contains("/activate")
            || path.contains("/deactivate")
            || path.contains("/archive")
        {
            assert_eq!(op["deprecated"], true, "{path}");
        }
    }
    for schema in [
        "PaymentLink",
        "CreatePaymentLink",
        "ErrorBody",
        "PaymentLinkList",
        "StatusResult",
        "PublicLinkEnvelope",
        "V0LinkInput",
        "V0PaymentLink",
        "V0Error",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
    for scheme in ["api_key", "client_key", "client_secret"] {
        assert!(doc["components"]["securitySchemes"][scheme].is_object(), "{scheme}");
    }
    openapi_links_chain_every_operation_on_an_id(paths);
}

/// Every operation has its own operationId (the vendor's where it has one), and the `links` lead
/// from a create to every operation on an id, each filling exactly the target's path parameters.
fn openapi_links_chain_every_operation_on_an_id(paths: &Value) {
    let mut operations = std::collections::BTreeMap::new();
    for (path, item) in paths.as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(operations.insert(id.to_owned(), (path.clone(), op.clone())).is_none(), "operationId {id} twice");
        }
    }
    for vendor in ["payment_links_create", "payment_links_list", "payment_links_get", "payment_links_update"] {
        assert!(operations.contains_key(vendor), "the vendor's {vendor}");
    }
    let mut reached = std::collections::BTreeSet::new();
    for (id, (_, op)) in &operations {
        for (status, response) in op["responses"].as_object().unwrap() {
            let Some(links) = response["links"].as_object() else { continue };
            for (name, link) in links {
                let target = link["operationId"].as_str().unwrap();
                let (target_path, _) =
                    operations.get(target).unwrap_or_else(|| panic!("{id} {status} {name}: {target}"));
                let given: std::collections::BTreeSet<&str> =
                    link["parameters"].as_object().unwrap().keys().map(String::as_str).collect();
                let wanted: std::collections::BTreeSet<&str> =
                    target_path.split(['{', '}']).skip(1).step_by(2).collect();
                assert_eq!(given, wanted, "{id} {status} link {name} to {target}");
                reached.insert(target.to_owned());
            }
        }
    }
    for (id, (path, _)) in &operations {
        if path.contains('{') {
            assert!(reached.contains(id), "no link leads to {id} ({path})");
        }
    }
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl ClockNow for TestApp {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use paylinks_server::clock::Clock;
        self.clock.now()
    }
}

async fn racing_status_changes_never_lose_an_update(app: TestApp) {
    use paylinks_server::store::StatusChange;
    let link = app.simple_link("Contested").await;
    let id = link["id"].as_str().unwrap().to_string();

    // The store refuses a write based on a stale read: that is what becomes a 409.
    let now = app.clock_now();
    let stored = app.store.get_link(app.scope, &id, now).await.unwrap().unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let to = paylinks_api::LinkStatus::Inactive;
    let first = tx.update_status(app.scope, stored.link.id, stored.version, to, now).await.unwrap();
    let second = tx.update_status(app.scope, stored.link.id, stored.version, to, now).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((first, second), (StatusChange::Changed, StatusChange::LostRace));

    // Over HTTP, concurrent changes each get a 200 or a 409 and the link ends in a real state.
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (app, id) = (app.clone(), id.clone());
            tokio::spawn(async move {
                app.set_status(&id, if i % 2 == 0 { "active" } else { "inactive" }).await.status().as_u16()
            })
        })
        .collect();
    for task in tasks {
        let status = task.await.unwrap();
        assert!(status == 200 || status == 409, "{status}");
    }
    let (_, after) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
    assert!(after["status"] == "active" || after["status"] == "inactive", "{after}");
}
