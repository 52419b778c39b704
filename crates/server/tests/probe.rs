//! What an outside probe of the server found (issue 14), each as a regression test: the client
//! address behind a proxy, a limiter that grew on junk ids and let invalid requests lock a link,
//! URLs stored as typed, card numbers reaching a fingerprint, unchecked product descriptions,
//! duplicate key headers, an idempotency scope that depended on how an id was spelled, and
//! missing response headers.

mod common;

use common::{expect_error, parts, Db, Options, TestApp};
use paylinks_server::rate_limit::RateLimitSetting;
use serde_json::{json, Value};

on_both_backends!(
    urls_are_stored_as_parsed,
    a_card_number_never_reaches_a_fingerprint_or_a_field,
    product_descriptions_follow_the_text_rules,
    an_encoded_public_id_is_the_same_checkout,
);

/// Like `on_both_backends!`, on a server behind a proxy (`behind_proxy`).
macro_rules! behind_proxy_on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod behind_proxy_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::behind_proxy(super::Db::Sqlite).await).await;
            })*
        }
        mod behind_proxy_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::Db::postgres() else { return };
                super::$name(super::behind_proxy(db).await).await;
            })*
        }
    };
}

behind_proxy_on_both_backends!(invalid_requests_cannot_lock_a_link, a_rate_limited_charge_is_not_stored);

/// A server that believes 127.0.0.1 is its proxy, with the checkout limits on.
async fn behind_proxy(db: Db) -> TestApp {
    let trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    TestApp::spawn_with(db, Options { rate_limit: RateLimitSetting::Default, trusted_proxies, ..Options::default() })
        .await
}

fn customer() -> Value {
    json!({"email": "ann@example.com", "name": "Ann Lee",
           "card": {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}})
}

fn pid(link: &Value) -> String {
    link["public_id"].as_str().unwrap().to_string()
}

/// A checkout as the proxy passes it on: the customer's address in X-Forwarded-For.
async fn pay_from(app: &TestApp, public_id: &str, client: &str, body: &Value, key: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/public/payment-links/{public_id}/checkout")))
        .header("x-forwarded-for", client)
        .json(body);
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_customer_has_their_own_bucket() {
    let app = behind_proxy(Db::Sqlite).await;
    let link = app.simple_link("Tea").await;
    // One customer spends their ten attempts (burst) and is refused...
    for _ in 0..10 {
        assert_eq!(pay_from(&app, &pid(&link), "203.0.113.1", &json!({}), None).await.status(), 400);
    }
    let refused = pay_from(&app, &pid(&link), "203.0.113.1", &customer(), None).await;
    expect_error(refused, 429, "rate_limited").await;
    // ...which the next customer behind the same proxy does not notice; a spoofed left-most hop
    // does not give the first one a new bucket.
    assert_eq!(pay_from(&app, &pid(&link), "203.0.113.2", &customer(), None).await.status(), 200);
    let spoofed = pay_from(&app, &pid(&link), "10.9.9.9, 203.0.113.1", &customer(), None).await;
    assert_eq!(spoofed.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let app =
        TestApp::spawn_with(Db::Sqlite, Options { rate_limit: RateLimitSetting::Default, ..Options::default() }).await;
    let link = app.simple_link("Tea").await;
    for i in 0..10 {
        let body = json!({});
        assert_eq!(pay_from(&app, &pid(&link), &format!("203.0.113.{i}"), &body, None).await.status(), 400);
    }
    // Every "client" was the same peer all along.
    let res = pay_from(&app, &pid(&link), "198.51.100.1", &customer(), None).await;
    assert_eq!(res.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_ids_spend_no_bucket_and_leave_nothing_behind() {
    let app = behind_proxy(Db::Sqlite).await;
    let link = app.simple_link("Tea").await;
    let before = app.state.limiter.len();
    let long = "x".repeat(60_000);
    for i in 0..2_000 {
        let id = match i % 10 {
            0 => format!("{long}{i}"),
            1 => format!("pl_{i:0>20}"),
            _ => format!("junk-{i}"),
        };
        let res = pay_from(&app, &id, &format!("203.0.{}.{}", i / 250, i % 250), &json!({}), None).await;
        assert_eq!(res.status(), 404, "{}", &id[..id.len().min(30)]);
    }
    // (At most as many: the idle sweep may forget the key's bucket meanwhile.)
    assert!(app.state.limiter.len() <= before, "2,000 junk ids made no bucket");
    // A real link still takes a customer's payment.
    assert_eq!(pay_from(&app, &pid(&link), "198.51.100.1", &customer(), None).await.status(), 200);
}

async fn invalid_requests_cannot_lock_a_link(app: TestApp) {
    let link = app.simple_link("Tea").await;
    // More invalid attempts than the link's whole burst (60), each from its own address.
    for i in 0..80 {
        let res = pay_from(&app, &pid(&link), &format!("203.0.113.{i}"), &json!({}), None).await;
        assert_eq!(res.status(), 400);
    }
    assert_eq!(pay_from(&app, &pid(&link), "198.51.100.1", &customer(), None).await.status(), 200);
}

async fn a_rate_limited_charge_is_not_stored(app: TestApp) {
    let link = app.simple_link("Tea").await;
    // Charge until the link's bucket (burst 60, refilling as we go) refuses one.
    let mut refused = None;
    for i in 0..300 {
        let (client, key) = (format!("203.0.{}.{}", i / 250, i % 250), format!("charge-{i}"));
        let res = pay_from(&app, &pid(&link), &client, &customer(), Some(&key)).await;
        match res.status().as_u16() {
            200 => continue,
            429 => {
                expect_error(res, 429, "rate_limited").await;
                refused = Some((i, key));
                break;
            }
            other => panic!("charge {i}: {other}"),
        }
    }
    let (i, key) = refused.expect("the link's charge limit refuses one");
    assert!(i >= 60, "the first 60 charges (the burst) go through, refused at {i}");
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = $1")
        .bind(&key)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "a retry after the wait runs instead of replaying the 429");
    pool.close().await;
}

async fn urls_are_stored_as_parsed(app: TestApp) {
    let link = app
        .create_ok(&json!({"name": "Tea", "amount_minor": 500, "success_url": "https:evil.example",
            "cover_image_url": "https://cdn.example.com/tea.png\"onerror=\"alert(1)"}))
        .await;
    assert_eq!(link["success_url"], "https://evil.example/", "stored as the browser will follow it");
    assert!(!link["cover_image_url"].as_str().unwrap().contains('"'), "{}", link["cover_image_url"]);
    for (field, url) in [
        ("success_url", "https:\\\\evil.example\\@ok.example/"),
        ("success_url", "http://localhost:@evil.example/"),
        ("cover_image_url", "https://user:pw@cdn.example.com/x.png"),
    ] {
        let res = app.create(&json!({"name": "Tea", "amount_minor": 500, field: url})).await;
        let body = expect_error(res, 400, "invalid_request").await;
        assert!(body["details"]["fields"][field].is_array(), "{url}: {body}");
    }
    // The sandbox markdown filter reads the host, not a prefix.
    let link = app
        .create_ok(&json!({"name": "Tea", "amount_minor": 500,
            "description": "[ok](http://localhost:8080/x) [bad](http://localhost:@evil.example/)"}))
        .await;
    let (_, public) =
        parts(app.client.get(app.url(&format!("/public/payment-links/{}", pid(&link)))).send().await.unwrap()).await;
    let html = public["data"]["description_html"].as_str().unwrap();
    assert!(html.contains("href=\"http://localhost:8080/x\"") && !html.contains("evil.example/\""), "{html}");
    // A placeholder in the path survives being written out ({ } are encoded there).
    let link = app
        .create_ok(
            &json!({"name": "Tea", "amount_minor": 500, "success_url": "https://shop.example/thanks/{PAYMENT_ID}"}),
        )
        .await;
    let res = app.client.post(app.url(&format!("/public/payment-links/{}/checkout", pid(&link)))).json(&customer());
    let (_, paid) = parts(res.send().await.unwrap()).await;
    let redirect = paid["data"]["next"]["url"].as_str().unwrap();
    assert_eq!(redirect, format!("https://shop.example/thanks/{}", paid["data"]["payment_id"].as_str().unwrap()));
}

async fn a_card_number_never_reaches_a_fingerprint_or_a_field(app: TestApp) {
    let link = app
        .create_ok(&json!({"name": "Tea", "amount_minor": 500,
        "custom_fields": [{"key": "note", "label": "Note", "type": "text"}]}))
        .await;
    let url = app.url(&format!("/public/payment-links/{}/checkout", pid(&link)));
    let card_as_text = json!({"email": "ann@example.com", "name": "Ann", "card": "4111 1111 1111 1111"});
    let res = app.client.post(&url).header("idempotency-key", "card-text").json(&card_as_text).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let row = sqlx::query("SELECT fingerprint, body FROM idempotency_keys WHERE idem_key = 'card-text'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (fingerprint, stored): (String, String) = (sqlx::Row::get(&row, 0), sqlx::Row::get(&row, 1));
    // Not the hash of a body that holds the card number, however the path is written.
    let canonical = paylinks_server::idempotency::canonical_json(&card_as_text);
    for path in [
        format!("/public/payment-links/{}/checkout", pid(&link)),
        format!("/public/payment-links/{}/checkout", link["id"].as_str().unwrap()),
    ] {
        let naive = paylinks_server::ids::sha256_hex(format!("POST\n{path}\n{canonical}").as_bytes());
        assert_ne!(fingerprint, naive);
    }
    assert!(!stored.contains("4111"), "{stored}");
    // Typed into a name, a question or the email, it is refused by name and never stored.
    for (field, body) in [
        ("name", json!({"name": "4111-1111-1111-1111"})),
        ("custom_fields.note", json!({"custom_fields": {"note": "my card is 4242 4242 4242 4242"}})),
    ] {
        let mut full = customer();
        for (k, v) in body.as_object().unwrap() {
            full[k] = v.clone();
        }
        let res = app.client.post(&url).json(&full).send().await.unwrap();
        let error = expect_error(res, 400, "invalid_request").await;
        assert!(error["details"]["fields"][field][0].as_str().unwrap().contains("card number"), "{error}");
        assert!(!error.to_string().contains("4242 4242") && !error.to_string().contains("4111-1111"), "{error}");
    }
    let payments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(&pool).await.unwrap();
    assert_eq!(payments, 0);
    pool.close().await;
}

async fn product_descriptions_follow_the_text_rules(app: TestApp) {
    let res = app
        .create(&json!({"name": "Tea", "line_items": [{"price_data": {"currency": "usd", "unit_amount": 100,
            "product_data": {"name": "Tea", "description": "Total \u{202e}00.001$"}}}]}))
        .await;
    let body = expect_error(res, 400, "invalid_request").await;
    assert!(body["details"]["fields"]["line_items[0].price_data.product_data.description"].is_array(), "{body}");
}

async fn an_encoded_public_id_is_the_same_checkout(app: TestApp) {
    let link = app.simple_link("Tea").await;
    let public_id = pid(&link);
    let encoded = format!("%70{}", &public_id[1..]);
    let first = app
        .client
        .post(app.url(&format!("/public/payment-links/{public_id}/checkout")))
        .header("idempotency-key", "one-payment")
        .json(&customer());
    let (_, first) = parts(first.send().await.unwrap()).await;
    let again = app
        .client
        .post(app.url(&format!("/public/payment-links/{encoded}/checkout")))
        .header("idempotency-key", "one-payment")
        .json(&customer())
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    let (_, again) = parts(again).await;
    assert_eq!(again["data"]["payment_id"], first["data"]["payment_id"]);
    let (_, list) = parts(app.get(&format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap())).await).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_api_key_header_only() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let res = app
        .client
        .get(app.url("/v2/payment-links"))
        .header("x-api-key", &app.key)
        .header("x-api-key", "rk_sandbox_someone_else")
        .send()
        .await
        .unwrap();
    expect_error(res, 401, "unauthenticated").await;
    let client_key = paylinks_server::store::parse_key(&app.key).unwrap().1;
    let res = app
        .client
        .get(app.url("/api/v0/payment-links"))
        .header("x-client-key", &client_key)
        .header("x-client-secret", &app.key)
        .header("x-client-secret", &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_answers_are_not_cached_and_request_ids_are_bounded() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let link = app.simple_link("Tea").await;
    for path in [format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap()), "/v2/payment-links".into()] {
        assert_eq!(app.get(&path).await.headers()["cache-control"], "no-store", "{path}");
    }
    let res = app.client.get(app.url("/api/v0/payment-links")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let with_id = |id: &str| app.client.get(app.url("/healthz")).header("x-request-id", id).send();
    assert_eq!(with_id("trace-1234.abc").await.unwrap().headers()["x-request-id"], "trace-1234.abc");
    for bad in ["has spaces in it", &"a".repeat(65), "quote\"d", "line\u{7f}feed"] {
        let Ok(res) = with_id(bad).await else { continue }; // some cannot even be sent
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{bad:?} was replaced by the server's own id, got {id}");
    }
}

/// The real binary behind an https public URL sends HSTS; a local one keeps localhost out of
/// nothing but its own development CSP (checked in `serving.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_server_sends_hsts() {
    let db = common::temp_db(Db::Sqlite).await;
    let env = [("PAYLINKS_PUBLIC_BASE_URL", "https://pay.example.com")];
    let mut server = common::ServeProcess::start(&db.url, &env, std::process::Stdio::null());
    let res = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    server.terminate();
    let mut local = common::ServeProcess::start(&db.url, &[], std::process::Stdio::null());
    let res = reqwest::get(format!("{}/healthz", local.base)).await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
    local.terminate();
}

/// `/metrics` is absent unless a token is set, and then only for its bearer: requests by route
/// template (never a raw id) and status, latency histograms, payments, replays, refusals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_their_token_and_count_what_happened() {
    let closed = TestApp::spawn(Db::Sqlite).await;
    assert_eq!(closed.client.get(closed.url("/metrics")).send().await.unwrap().status(), 404);
    let options = Options { metrics_token: Some("scrape-me".into()), ..Options::default() };
    let app = TestApp::spawn_with(Db::Sqlite, options).await;
    let link = app.simple_link("Tea").await;
    let pay = || {
        app.client
            .post(app.url(&format!("/public/payment-links/{}/checkout", pid(&link))))
            .header("idempotency-key", "metrics-pay")
            .json(&customer())
            .send()
    };
    assert_eq!(pay().await.unwrap().status(), 200);
    assert_eq!(pay().await.unwrap().headers()["idempotency-replayed"], "true");
    assert_eq!(app.get(&format!("/v2/payment-links/{}", link["id"].as_str().unwrap())).await.status(), 200);
    for token in [None, Some("Bearer wrong"), Some("scrape-me")] {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(token) = token {
            req = req.header("authorization", token);
        }
        assert_eq!(req.send().await.unwrap().status(), 401, "{token:?}");
    }
    let res = app.client.get(app.url("/metrics")).header("authorization", "Bearer scrape-me").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    for needle in [
        r#"http_requests_total{method="GET",route="/v2/payment-links/{id}",status="200"}"#,
        r#"route="/public/payment-links/{public_id}/checkout""#,
        "http_request_duration_seconds_bucket{",
        r#"payments_total{status="succeeded",mode="sandbox"}"#,
        "idempotency_replays_total",
    ] {
        assert!(text.contains(needle), "{needle} is missing from:\n{text}");
    }
    assert!(!text.contains(link["id"].as_str().unwrap()), "no raw ids in labels");
}
