//! Schemathesis against the real server binary: every operation of `/v2/openapi.json`, public
//! and Devdraft v0 routes included, with the settings in the repository's `schemathesis.toml`. It must find no
//! 5xx and no response that breaks the published schema, and the server must not panic. Its
//! stateful phase must follow the document's `links`, and every operation on an id must have
//! answered 2xx at least once (read from Schemathesis's HAR report).
//! `cargo xtask test` installs Schemathesis (PyPI, in `.tools/venv`) and sets
//! PAYLINKS_SCHEMATHESIS to it; without it this test says SKIPPED.

mod common;

use common::{temp_db, Db, ServeProcess};
use serde_json::{json, Value};

async fn fuzz(db: Db) {
    let Ok(schemathesis) = std::env::var("PAYLINKS_SCHEMATHESIS") else {
        eprintln!("SKIPPED Schemathesis: PAYLINKS_SCHEMATHESIS is not set (`cargo xtask test` sets it)");
        return;
    };
    let db = temp_db(db).await;
    // Live payments through a fake Stripe, so the return route has a real session to find.
    let stripe = paylinks_fake_stripe::FakeStripe::start().await;
    let log = std::env::temp_dir().join(format!("paylinks-fuzz-{}.log", uuid::Uuid::new_v4()));
    let har = log.with_extension("har");
    let stderr = std::fs::File::create(&log).unwrap();
    let env = [
        ("PAYLINKS_RATE_LIMIT", "off"),
        ("PAYLINKS_STRIPE_SECRET_KEY", paylinks_fake_stripe::SECRET_KEY),
        ("PAYLINKS_STRIPE_WEBHOOK_SECRET", paylinks_fake_stripe::WEBHOOK_SECRET),
        ("PAYLINKS_STRIPE_API_BASE", &stripe.base),
    ];
    let mut server = ServeProcess::start(&db.url, &env, stderr.into());
    let key = server.key.clone().expect("a first start prints a key");
    // Webhook endpoints at a port where nothing listens (sandbox endpoints may reach loopback):
    // every delivery fails and stays retryable. This one's deliveries serve the log and retry
    // routes (nothing here changes it); the links made below give it one each.
    let unheard = |path: &str| format!("http://127.0.0.1:9/{path}");
    let logged = server.add_endpoint(&key, &unheard("logged"), &["payment_link.created"]).await;
    let link = |name: &str| json!({"name": name, "amount_minor": 500, "currency": "USD"});
    let read = server.create_link(&key, &link("Fuzzed")).await;
    let public = server.create_link(&key, &link("Fuzzed publicly")).await;
    let payment = paid(&server, public["public_id"].as_str().unwrap()).await;
    let mut ids = vec![("PAYLINKS_FUZZ_LINK_ID", read["id"].clone()), ("PAYLINKS_FUZZ_PAYMENT_ID", payment.into())];
    ids.push(("PAYLINKS_FUZZ_PUBLIC_ID", public["public_id"].clone()));
    let (live_public_id, session_id) = live_session(&server, &db.url).await;
    ids.push(("PAYLINKS_FUZZ_LIVE_PUBLIC_ID", live_public_id.into()));
    ids.push(("PAYLINKS_FUZZ_SESSION_ID", session_id.into()));
    for (env, name) in [
        ("PAYLINKS_FUZZ_STATUS_LINK_ID", "Fuzzed status"),
        ("PAYLINKS_FUZZ_EXPIRE_LINK_ID", "Fuzzed expiry"),
        ("PAYLINKS_FUZZ_ARCHIVE_LINK_ID", "Fuzzed archive"),
    ] {
        ids.push((env, server.create_link(&key, &link(name)).await["id"].clone()));
    }
    // An endpoint for the reads and changes, one to send test events to (an update may disable
    // the first), one to delete; an event and a delivery of the logged endpoint.
    for (env, path) in [
        ("PAYLINKS_FUZZ_ENDPOINT_ID", "fuzzed"),
        ("PAYLINKS_FUZZ_TEST_ENDPOINT_ID", "tested"),
        ("PAYLINKS_FUZZ_DELETE_ENDPOINT_ID", "deleted"),
    ] {
        ids.push((env, server.add_endpoint(&key, &unheard(path), &["*"]).await["id"].clone()));
    }
    let events = server.get(&key, "/v2/events?type=payment_link.created").await;
    ids.push(("PAYLINKS_FUZZ_EVENT_ID", events["data"][0]["id"].clone()));
    let deliveries = format!("/v2/webhook-deliveries?endpoint_id={}", logged["id"].as_str().unwrap());
    ids.push(("PAYLINKS_FUZZ_DELIVERY_ID", server.get(&key, &deliveries).await["data"][0]["id"].clone()));
    ids.extend(catalog(&server, &key).await);
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemathesis.toml");
    let document = format!("{}/v2/openapi.json", server.base);
    // Blocks one runtime thread while it runs; the server is another process.
    let out = std::process::Command::new(&schemathesis)
        .args(["--config-file", config, "run", &document, "--report", "har", "--report-har-path"])
        .arg(&har)
        .envs(ids.iter().map(|(env, id)| (env, id.as_str().unwrap())))
        .env("PAYLINKS_FUZZ_BASE_URL", &server.base)
        .env("PAYLINKS_FUZZ_KEY", &key)
        .env("PAYLINKS_FUZZ_CLIENT_KEY", paylinks_server::store::parse_key(&key).expect("a well-formed key").1)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {schemathesis}: {e}"));
    let paths = server.get(&key, "/v2/openapi.json").await["paths"].clone();
    server.terminate();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "Schemathesis found problems:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    let server_log = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(!server_log.contains("panicked"), "the server panicked under fuzzing:\n{server_log}");
    let exchanges: Value = serde_json::from_slice(&std::fs::read(&har).expect("Schemathesis wrote its HAR")).unwrap();
    let _ = std::fs::remove_file(&har);
    every_operation_on_an_id_succeeded(&paths, &exchanges);
    let links = report.lines().find(|l| l.contains("API Links:")).expect("the stateful phase ran");
    let covered: u32 = links.split_whitespace().nth(2).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(covered > 0, "the stateful phase followed no link: {links}");
    let summary = report.lines().rev().find(|l| l.contains("generated")).unwrap_or_default();
    eprintln!("Schemathesis: {} ({})", summary.trim(), links.trim());
}

/// A product and prices for the catalogue's operations on an id (one price to archive), a code
/// to change, and the code the public check's example names (`SUMMER10`, which nothing changes).
async fn catalog(server: &ServeProcess, key: &str) -> Vec<(&'static str, Value)> {
    let product = json!({"product_id": "fuzzed", "name": "Fuzzed", "kind": "one_time", "pricing_model": "one_time", "amount_minor": 700});
    let product = server.create(key, "/v2/products", &product).await["data"].clone();
    let price = || json!({"product_id": product["id"], "unit_amount": 300});
    let mut ids = vec![
        ("PAYLINKS_FUZZ_PRICE_ID", server.create(key, "/v2/prices", &price()).await["id"].clone()),
        ("PAYLINKS_FUZZ_ARCHIVE_PRICE_ID", server.create(key, "/v2/prices", &price()).await["id"].clone()),
    ];
    ids.push(("PAYLINKS_FUZZ_PRODUCT_ID", product["id"].clone()));
    for (code, env) in [("FUZZED", Some("PAYLINKS_FUZZ_DISCOUNT_ID")), ("SUMMER10", None)] {
        let body = json!({"code": code, "name": code, "discount_type": "percentage", "discount_value": 10});
        let id = server.create(key, "/v2/discounts", &body).await["data"]["id"].clone();
        ids.extend(env.map(|env| (env, id)));
    }
    ids
}

/// A succeeded sandbox payment on the link, so the receipt route has one to find.
async fn paid(server: &ServeProcess, public_id: &str) -> String {
    let card = json!({"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"});
    let url = format!("{}/public/payment-links/{public_id}/checkout", server.base);
    let res = reqwest::Client::new()
        .post(url)
        .json(&json!({"email": "fuzz@example.com", "name": "Ada Fuzz", "card": card}))
        .send();
    let body: Value = res.await.unwrap().json().await.unwrap();
    assert_eq!(body["data"]["status"], "succeeded", "{body}");
    body["data"]["payment_id"].as_str().unwrap().to_owned()
}

/// A live link (of a live key made with the CLI) and the Stripe session of a checkout on it.
async fn live_session(server: &ServeProcess, db_url: &str) -> (String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paylinks"))
        .args(["--database-url", db_url, "keys", "create", "--merchant", "Fuzz Live", "--mode", "live"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let key = text.split_whitespace().find(|w| w.starts_with("rk_live_")).expect("a live key is printed");
    let link = server.create_link(key, &json!({"name": "Fuzzed live", "amount_minor": 900})).await;
    let public_id = link["public_id"].as_str().unwrap().to_owned();
    let url = format!("{}/public/payment-links/{public_id}/checkout", server.base);
    let res = reqwest::Client::new().post(url).json(&json!({"email": "fuzz@example.com", "name": "Ada Live"})).send();
    let body: Value = res.await.unwrap().json().await.unwrap();
    assert_eq!(body["data"]["status"], "requires_action", "{body}");
    (public_id, body["data"]["checkout_id"].as_str().unwrap().to_owned())
}

/// Every operation with an id in its path answered 2xx at least once: it was reached with real
/// ids, not only with the made-up ones that get 404.
fn every_operation_on_an_id_succeeded(paths: &Value, exchanges: &Value) {
    let answered: Vec<(String, String, u64)> = exchanges["log"]["entries"]
        .as_array()
        .expect("a HAR log")
        .iter()
        .map(|e| {
            let url = e["request"]["url"].as_str().unwrap_or_default();
            let path = url.split("://").nth(1).and_then(|rest| rest.find('/').map(|i| &rest[i..])).unwrap_or("/");
            let path = path.split('?').next().unwrap_or_default().to_owned();
            let method = e["request"]["method"].as_str().unwrap_or_default().to_lowercase();
            (method, path, e["response"]["status"].as_u64().unwrap_or(0))
        })
        .collect();
    for (template, item) in paths.as_object().unwrap() {
        if !template.contains('{') {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let ok = answered
                .iter()
                .any(|(m, path, status)| m == method && (200..300).contains(status) && matches(template, path));
            assert!(ok, "{method} {template} never answered 2xx under fuzzing");
        }
    }
}

/// Whether a request path fits an OpenAPI path template (`{name}` stands for one segment).
fn matches(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len() && template.iter().zip(&path).all(|(t, p)| t.starts_with('{') || t == p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_on_sqlite() {
    fuzz(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_on_postgres() {
    let Some(db) = Db::postgres() else { return };
    fuzz(db).await;
}
