//! Idempotency-Key: byte-identical replay, conflicts, concurrency and 24-hour expiry.

mod common;

use common::{expect_error, parts, TestApp};
use reqwest::Method;
use serde_json::json;

on_both_backends!(
    replay_is_byte_identical,
    same_key_different_body_is_409,
    body_key_works_and_header_wins,
    concurrent_identical_creates_make_one_link,
    keys_expire_after_24_hours,
    validation_errors_are_stored_and_malformed_keys_are_not,
    status_changes_are_idempotent_too,
    keys_are_scoped_to_merchant_and_mode,
);

async fn count(app: &TestApp) -> i64 {
    let (_, list) = parts(app.get("/v2/payment-links").await).await;
    list["pagination"]["total"].as_i64().unwrap()
}

async fn replay_is_byte_identical(app: TestApp) {
    let body = json!({"name": "Once", "amount_minor": 500});
    let first = app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("k-1")).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first_body = first.bytes().await.unwrap();
    // Same JSON with keys reordered and spacing changed is the same request.
    let reordered = app
        .client
        .post(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("idempotency-key", "k-1")
        .header("content-type", "application/json")
        .body("{ \"amount_minor\": 500,   \"name\": \"Once\" }")
        .send()
        .await
        .unwrap();
    assert_eq!(reordered.status(), 201);
    assert_eq!(reordered.headers()["idempotency-replayed"], "true");
    assert_eq!(reordered.bytes().await.unwrap(), first_body);
    assert_eq!(count(&app).await, 1);
}

async fn same_key_different_body_is_409(app: TestApp) {
    let res = app
        .send_as(&app.key, Method::POST, "/v2/payment-links", &json!({"name": "A", "amount_minor": 1}), Some("k"))
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .send_as(&app.key, Method::POST, "/v2/payment-links", &json!({"name": "B", "amount_minor": 1}), Some("k"))
        .await;
    expect_error(res, 409, "idempotency_conflict").await;
    assert_eq!(count(&app).await, 1);
}

async fn body_key_works_and_header_wins(app: TestApp) {
    let body = json!({"name": "Body key", "amount_minor": 1, "idempotency_key": "from-body"});
    let a = app.create(&body).await.bytes().await.unwrap();
    let res = app.create(&body).await;
    assert_eq!(res.headers()["idempotency-replayed"], "true");
    assert_eq!(res.bytes().await.unwrap(), a);
    // With a header too, the header's key is the one used: a new link.
    let res = app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("from-header")).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotency-replayed").is_none());
    assert_eq!(count(&app).await, 2);
}

async fn concurrent_identical_creates_make_one_link(app: TestApp) {
    let body = json!({"name": "Race", "amount_minor": 42});
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move {
                let res = app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("race-key")).await;
                (res.status().as_u16(), res.bytes().await.unwrap())
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "all 50 responses are identical");
    assert_eq!(count(&app).await, 1);
}

async fn keys_expire_after_24_hours(app: TestApp) {
    let body = json!({"name": "Daily", "amount_minor": 1});
    assert_eq!(app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("day")).await.status(), 201);
    app.clock.advance(chrono::Duration::hours(23));
    let res = app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("day")).await;
    assert_eq!(res.headers()["idempotency-replayed"], "true");
    app.clock.advance(chrono::Duration::hours(2));
    let res = app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("day")).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotency-replayed").is_none(), "an expired key starts afresh");
    assert_eq!(count(&app).await, 2);
    // The purge deletes what is older than 24 h and keeps the fresh key.
    app.clock.advance(chrono::Duration::hours(25));
    use paylinks_server::clock::Clock;
    assert_eq!(app.store.purge_idempotency_keys(app.clock.now()).await.unwrap(), 1);
}

async fn validation_errors_are_stored_and_malformed_keys_are_not(app: TestApp) {
    let bad = json!({"name": "", "amount_minor": 1});
    let first = app.send_as(&app.key, Method::POST, "/v2/payment-links", &bad, Some("bad-1")).await;
    assert_eq!(first.status(), 400);
    let first = first.bytes().await.unwrap();
    let again = app.send_as(&app.key, Method::POST, "/v2/payment-links", &bad, Some("bad-1")).await;
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first);

    let long = "k".repeat(256);
    for key in [long.as_str(), "tab\there"] {
        let res = app
            .send_as(&app.key, Method::POST, "/v2/payment-links", &json!({"name": "x", "amount_minor": 1}), Some(key))
            .await;
        let err = expect_error(res, 400, "invalid_request").await;
        assert!(err["details"]["fields"].get("Idempotency-Key").is_some(), "{err}");
    }
    // Unauthenticated attempts store nothing: the same key works afterwards.
    let res = app
        .send_as(
            "rk_sandbox_nope",
            Method::POST,
            "/v2/payment-links",
            &json!({"name": "x", "amount_minor": 1}),
            Some("later"),
        )
        .await;
    assert_eq!(res.status(), 401);
    let res = app
        .send_as(&app.key, Method::POST, "/v2/payment-links", &json!({"name": "x", "amount_minor": 1}), Some("later"))
        .await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotency-replayed").is_none());
}

async fn status_changes_are_idempotent_too(app: TestApp) {
    let link = app.simple_link("Toggle").await;
    let path = format!("/v2/payment-links/{}/status", link["id"].as_str().unwrap());
    let a = app.send_as(&app.key, Method::PATCH, &path, &json!({"status": "inactive"}), Some("s-1")).await;
    let a = a.bytes().await.unwrap();
    app.set_status(link["id"].as_str().unwrap(), "active").await;
    let b = app.send_as(&app.key, Method::PATCH, &path, &json!({"status": "inactive"}), Some("s-1")).await;
    assert_eq!(b.headers()["idempotency-replayed"], "true");
    assert_eq!(b.bytes().await.unwrap(), a);
    let (_, now) = parts(app.get(&format!("/v2/payment-links/{}", link["id"].as_str().unwrap())).await).await;
    assert_eq!(now["status"], "active", "a replay does not run the change again");
}

async fn keys_are_scoped_to_merchant_and_mode(app: TestApp) {
    let body = json!({"name": "Scoped", "amount_minor": 1});
    assert_eq!(app.send_as(&app.key, Method::POST, "/v2/payment-links", &body, Some("shared")).await.status(), 201);
    for key in [app.new_key("Acme", true).await, app.new_key("Globex", false).await] {
        let res = app.send_as(&key, Method::POST, "/v2/payment-links", &body, Some("shared")).await;
        assert_eq!(res.status(), 201);
        assert!(res.headers().get("idempotency-replayed").is_none());
    }
}
