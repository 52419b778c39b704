//! Crash safety of a live checkout: the real server binary is killed with SIGKILL between each of
//! its phases (before Stripe saw the request, after Stripe made the session but before we heard,
//! after the answer) and restarted on the same database; the customer's retry with the same
//! Idempotency-Key gets one session, one payment, and the right outcome once paid.

mod common;

use common::{temp_db, Db, ServeProcess};
use paylinks_fake_stripe::{FakeStripe, Hold, SECRET_KEY, WEBHOOK_SECRET};
use serde_json::{json, Value};
use std::time::Duration;

on_both_databases!(a_checkout_killed_between_its_phases_resumes_on_retry);

/// Fixed, so the stored session parameters read the same before and after a restart.
const BASE_URL: &str = "https://pay.example";

fn start(db_url: &str, stripe: &FakeStripe) -> ServeProcess {
    let env = [
        ("PAYLINKS_RATE_LIMIT", "off"),
        ("PAYLINKS_PUBLIC_BASE_URL", BASE_URL),
        ("PAYLINKS_STRIPE_SECRET_KEY", SECRET_KEY),
        ("PAYLINKS_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("PAYLINKS_STRIPE_API_BASE", &stripe.base),
    ];
    let server = ServeProcess::start(db_url, &env, std::process::Stdio::null());
    stripe.set_webhook_url(&format!("{}/webhooks/stripe", server.base));
    server
}

fn live_key(db_url: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paylinks"))
        .args(["--database-url", db_url, "keys", "create", "--merchant", "Crash Live", "--mode", "live"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace().find(|w| w.starts_with("rk_live_")).expect("a live key is printed").to_owned()
}

fn checkout(base: &str, public_id: &str, idempotency_key: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{base}/public/payment-links/{public_id}/checkout"))
        .header("idempotency-key", idempotency_key)
        .json(&json!({"email": "kim@example.com", "name": "Kim Crash"}))
}

/// The customer's retry, repeated while the key is still held by the killed server.
async fn retry(base: &str, public_id: &str, idempotency_key: &str) -> Value {
    for _ in 0..80 {
        let res = checkout(base, public_id, idempotency_key).send().await.unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        if status == 409 && body["error"] == "idempotency_in_progress" {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        assert_eq!(status, 200, "{idempotency_key}: {body}");
        return body;
    }
    panic!("{idempotency_key}: the key stayed held");
}

async fn a_checkout_killed_between_its_phases_resumes_on_retry(db: Db) {
    let db = temp_db(db).await;
    let stripe = FakeStripe::start().await;
    let mut server = start(&db.url, &stripe);
    let key = live_key(&db.url);
    let mut links = Vec::new();
    for name in ["before-stripe", "after-stripe", "after-answer"] {
        let link = server.create_link(&key, &json!({"name": format!("Crash {name}"), "amount_minor": 1800})).await;
        links.push((name, link["id"].as_str().unwrap().to_owned(), link["public_id"].as_str().unwrap().to_owned()));
    }
    // Two checkouts stopped at Stripe: one before Stripe did anything, one after it made the
    // session but before its answer reached us; then the server is killed.
    let mut pending = Vec::new();
    for (hold, (name, _, public_id)) in [Hold::BeforeCreating, Hold::AfterCreating].into_iter().zip(&links) {
        stripe.hold_creates(hold);
        pending.push(tokio::spawn(checkout(&server.base, public_id, name).send()));
        tokio::time::timeout(Duration::from_secs(10), stripe.wait_until_held()).await.expect("Stripe was called");
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stripe.release();
    stripe.release();
    for answer in pending {
        assert!(answer.await.unwrap().is_err(), "the customer got no answer");
    }
    assert_eq!(stripe.sessions().len(), 1, "Stripe made the second one's session");
    server = start(&db.url, &stripe);
    // A third checkout is answered, then the server is killed.
    let (name, _, public_id) = &links[2];
    let answered: Value = checkout(&server.base, public_id, name).send().await.unwrap().json().await.unwrap();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    server = start(&db.url, &stripe);

    for (name, id, public_id) in &links {
        // The customer taps again: the same key resumes where the killed server stopped (once
        // the dead server's 60 s hold on the key has run out; until then: "in progress").
        let body = retry(&server.base, public_id, name).await;
        assert_eq!(body["data"]["status"], "requires_action", "{name}: {body}");
        if *name == "after-answer" {
            assert_eq!(body, answered, "the stored answer is replayed");
        }
        // Over a minute after phase 1, the expiry fixed then is too close for Stripe: the
        // payment that Stripe never saw gets a new one (and the next key); Stripe opens it.
        let session = stripe.session(body["data"]["checkout_id"].as_str().unwrap()).unwrap();
        let open_for = session["expires_at"].as_i64().unwrap() - chrono::Utc::now().timestamp();
        assert!(open_for >= 29 * 60, "{name}: open for {open_for} s");
        let payments = server.get(&key, &format!("/v2/payment-links/{id}/payments")).await;
        assert_eq!(payments["data"].as_array().unwrap().len(), 1, "{name}: one payment");
        // Paid on Stripe's page: the webhook reaches the restarted server and counts it once.
        stripe.pay(body["data"]["checkout_id"].as_str().unwrap()).await;
        assert_eq!(server.get(&key, &format!("/v2/payment-links/{id}")).await["completed_count"], 1, "{name}");
        let payments = server.get(&key, &format!("/v2/payment-links/{id}/payments")).await;
        assert_eq!(payments["data"][0]["status"], "succeeded", "{name}");
    }
    assert_eq!(stripe.sessions().len(), 3, "one session per payment");
    server.terminate();
}
