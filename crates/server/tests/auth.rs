//! Authentication, merchant and mode isolation, and the rate limit.

mod common;

use common::{expect_error, Db, Options, TestApp};
use paylinks_server::known_keys::VERIFIED_FOR;
use paylinks_server::rate_limit::{Limit, RateLimitSetting};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

on_both_backends!(
    bad_keys_get_401,
    other_merchants_and_modes_get_404,
    revoked_key_fails_within_a_second,
    account_names_the_keys_owner
);

async fn account_names_the_keys_owner(app: TestApp) {
    let (status, account) = common::parts(app.get("/v2/account").await).await;
    assert_eq!(status, 200);
    assert_eq!(account, json!({"merchant_id": app.scope.merchant_id, "merchant_name": "Acme", "livemode": false}));
    let live = app.new_key("Acme", true).await;
    let (_, account) = common::parts(app.get_as(&live, "/v2/account").await).await;
    assert_eq!(account["livemode"], true);
    expect_error(app.get_as("rk_sandbox_nope", "/v2/account").await, 401, "unauthenticated").await;
}

/// Every `/v2` operation the OpenAPI document lists (so a new route is covered when it is
/// documented), with every kind of bad key.
async fn v2_operations(app: &TestApp) -> Vec<(Method, String)> {
    let (_, doc) = common::parts(app.client.get(app.url("/v2/openapi.json")).send().await.unwrap()).await;
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v2/") || path == "/v2/openapi.json" {
            continue;
        }
        let concrete = path.replace("{id}", "pl_AAAAAAAAAAAAAAAAAAAA");
        assert!(!concrete.contains('{'), "a path parameter this test does not fill: {path}");
        for method in item.as_object().unwrap().keys() {
            operations.push((method.to_uppercase().parse().unwrap(), concrete.clone()));
        }
    }
    operations
}

async fn bad_keys_get_401(app: TestApp) {
    let routes = v2_operations(&app).await;
    assert!(routes.len() >= 11, "the document lists the routes: {routes:?}");
    let wrong_secret = format!("{}{}", &app.key[..app.key.len() - 1], if app.key.ends_with('A') { "B" } else { "A" });
    let keys = [
        None,
        Some("".to_string()),
        Some("Bearer something".to_string()),
        Some("rk_sandbox_short".to_string()),
        Some(format!("rk_sandbox_{}", "A".repeat(32))),
        Some(wrong_secret),
        Some(app.key.replace("rk_sandbox_", "rk_live_")),
    ];
    for (method, path) in &routes {
        for key in &keys {
            let mut req =
                app.client.request(method.clone(), app.url(path)).json(&json!({"name": "x", "amount_minor": 1}));
            if let Some(key) = key {
                req = req.header("x-api-key", key);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 401, "{method} {path} with {key:?}");
            expect_error(res, 401, "unauthenticated").await;
        }
    }
}

async fn other_merchants_and_modes_get_404(app: TestApp) {
    let link = app.simple_link("Private").await;
    let strangers = [app.new_key("Globex", false).await, app.new_key("Acme", true).await];
    for id in [link["id"].as_str().unwrap(), link["public_id"].as_str().unwrap()] {
        for key in &strangers {
            let res = app.get_as(key, &format!("/v2/payment-links/{id}")).await;
            expect_error(res, 404, "resource_missing").await;
            let res = app
                .send_as(
                    key,
                    Method::PATCH,
                    &format!("/v2/payment-links/{id}/status"),
                    &json!({"status": "inactive"}),
                    None,
                )
                .await;
            expect_error(res, 404, "resource_missing").await;
            for route in ["expire", "deactivate", "activate", "archive"] {
                let res =
                    app.send_as(key, Method::POST, &format!("/v2/payment-links/{id}/{route}"), &json!({}), None).await;
                expect_error(res, 404, "resource_missing").await;
            }
            for route in ["payments", "stats"] {
                expect_error(
                    app.get_as(key, &format!("/v2/payment-links/{id}/{route}")).await,
                    404,
                    "resource_missing",
                )
                .await;
            }
            let (_, list) = common::parts(app.get_as(key, &format!("/v2/payment-links?search={id}")).await).await;
            assert_eq!(list["pagination"]["total"], 0);
        }
    }
    let (_, still) = common::parts(app.get(&format!("/v2/payment-links/{}", link["id"].as_str().unwrap())).await).await;
    assert_eq!(still["status"], "active", "nobody else changed it");
    // Live objects say so.
    let res = app
        .send_as(&strangers[1], Method::POST, "/v2/payment-links", &json!({"name": "Live", "amount_minor": 1}), None)
        .await;
    let live: serde_json::Value = res.json().await.unwrap();
    assert_eq!(live["livemode"], true);
    // And the reverse: the sandbox key cannot see the live link.
    expect_error(
        app.get(&format!("/v2/payment-links/{}", live["id"].as_str().unwrap())).await,
        404,
        "resource_missing",
    )
    .await;
}

async fn revoked_key_fails_within_a_second(app: TestApp) {
    assert_eq!(app.get("/v2/payment-links").await.status(), 200);
    // Its use is recorded (off the request path, so allow it a moment).
    let mut used = false;
    for _ in 0..50 {
        used = app.store.list_keys().await.unwrap().iter().any(|k| k.last_used_at.is_some());
        if used {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(used, "last_used_at is written");
    let prefix = &app.key[..app.key.len() - 24];
    use paylinks_server::clock::Clock;
    // A key that has never been used is not remembered: revoking it refuses it at once.
    let unused = app.new_key("Acme", false).await;
    assert!(app.store.revoke_key(&unused[..unused.len() - 24], app.clock.now()).await.unwrap());
    expect_error(app.get_as(&unused, "/v2/payment-links").await, 401, "unauthenticated").await;
    // A key just used may be trusted for VERIFIED_FOR more, never longer.
    let revoked = std::time::Instant::now();
    assert!(app.store.revoke_key(prefix, app.clock.now()).await.unwrap());
    loop {
        let sent = revoked.elapsed();
        if app.get("/v2/payment-links").await.status() != 200 {
            break;
        }
        assert!(sent < VERIFIED_FOR, "a revoked key still worked {sent:?} later");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    expect_error(app.get("/v2/payment-links").await, 401, "unauthenticated").await;
    assert!(!app.store.revoke_key(prefix, app.clock.now()).await.unwrap(), "revoking twice reports nothing to revoke");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_retry_after() {
    let limit = RateLimitSetting::Both(Limit { per_minute: 60, burst: 3 });
    let app = TestApp::spawn_with(Db::Sqlite, Options { rate_limit: limit, ..Options::default() }).await;
    for _ in 0..3 {
        assert_eq!(app.get("/v2/payment-links").await.status(), 200);
    }
    let res = app.get("/v2/payment-links").await;
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    expect_error(res, 429, "rate_limited").await;
    // Buckets are per key.
    let other = app.new_key("Globex", false).await;
    assert_eq!(app.get_as(&other, "/v2/payment-links").await.status(), 200);
}

/// Wrong keys cost the same however much of them is right: an unknown prefix, the right prefix
/// with a secret wrong from its first character, and the right key but its last character.
/// Statistical, not a stopwatch: medians of 300 interleaved requests each, compared with a wide
/// margin — the leak this guards against (answering unknown prefixes without the lookup and hash
/// that known ones get) shows as a multiple, not a few percent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_key_timing_does_not_depend_on_how_much_matches() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (prefix, secret) = app.key.split_at(app.key.len() - 24);
    let flip = |c: char| if c == 'A' { 'B' } else { 'A' };
    let first_wrong = format!("{prefix}{}{}", flip(secret.chars().next().unwrap()), &secret[1..]);
    let last_wrong = format!("{}{}", &app.key[..app.key.len() - 1], flip(app.key.chars().last().unwrap()));
    let unknown_prefix = format!("rk_sandbox_{}", "Z".repeat(32));
    let variants = [unknown_prefix, first_wrong, last_wrong];
    let mut samples = vec![Vec::new(); variants.len()];
    for round in 0..310 {
        for (i, key) in variants.iter().enumerate() {
            let started = Instant::now();
            let res = app.get_as(key, "/v2/account").await;
            let elapsed = started.elapsed();
            assert_eq!(res.status(), 401);
            if round >= 10 {
                samples[i].push(elapsed); // the first rounds warm connections and caches
            }
        }
    }
    let medians: Vec<Duration> = samples
        .iter_mut()
        .map(|s| {
            s.sort();
            s[s.len() / 2]
        })
        .collect();
    let (fastest, slowest) = (medians.iter().min().unwrap(), medians.iter().max().unwrap());
    assert!(
        slowest.as_secs_f64() < fastest.as_secs_f64() * 1.5,
        "median times differ by how much of the key is right: {medians:?}"
    );
}
