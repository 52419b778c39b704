//! Live payments through Stripe Checkout, against a local fake of Stripe's API (form-encoded
//! bodies, Idempotency-Key semantics, the hosted page, signed webhooks): the customer is sent to
//! Stripe and back; each payment settles once whichever of the webhook, the return and the
//! reconciler comes first; a capped link is never oversold; Stripe's failures tell the customer
//! they were not charged and a retry recovers without a second session.

mod common;

use common::{expect_error, parts, Db, Options, TestApp};
use paylinks_fake_stripe::{FakeStripe, SECRET_KEY, WEBHOOK_SECRET};
use paylinks_server::clock::Clock;
use paylinks_server::stripe::StripeConfig;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

on_both_databases!(
    a_customer_pays_on_stripe_and_the_webhook_settles_it_once,
    the_return_settles_a_payment_whose_webhook_is_late,
    an_expired_session_releases_its_slot,
    a_lost_webhook_is_settled_by_the_reconciler,
    webhooks_without_a_good_signature_change_nothing,
    stripe_failures_tell_the_customer_and_a_retry_makes_one_session,
    a_capped_link_is_never_oversold,
    an_amount_stripe_changed_is_held_for_review,
    line_items_and_subscriptions_map_to_stripe,
    a_promotion_code_discounts_the_session_and_an_expiry_gives_it_back,
    a_bank_payment_settles_when_its_outcome_comes,
);

struct Live {
    app: TestApp,
    stripe: FakeStripe,
    /// A live key of merchant "Acme Live".
    key: String,
}

/// The server with live payments through a fresh fake Stripe (1 s timeout, reconciler every
/// 100 ms).
async fn start(db: Db) -> Live {
    let stripe = FakeStripe::start().await;
    let config = StripeConfig {
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        api_base: stripe.base.clone(),
        timeout: Duration::from_secs(1),
    };
    let options = Options { stripe: Some(config), reconcile_every: Duration::from_millis(100), ..Options::default() };
    let app = TestApp::spawn_with(db, options).await;
    stripe.set_webhook_url(&app.url("/webhooks/stripe"));
    let key = app.new_key("Acme Live", true).await;
    Live { app, stripe, key }
}

impl Live {
    async fn link(&self, body: Value) -> Value {
        let res = self.app.send_as(&self.key, Method::POST, "/v2/payment-links", &body, None).await;
        let (status, link) = parts(res).await;
        assert_eq!(status, 201, "{link}");
        link
    }

    async fn checkout(&self, link: &Value, idempotency_key: &str) -> reqwest::Response {
        self.checkout_with(link, idempotency_key, None).await
    }

    async fn checkout_with(&self, link: &Value, idempotency_key: &str, code: Option<&str>) -> reqwest::Response {
        let url = self.app.url(&format!("/public/payment-links/{}/checkout", link["public_id"].as_str().unwrap()));
        let body = json!({"email": "ann@example.com", "name": "Ann Lee", "promotion_code": code});
        self.app.client.post(url).header("idempotency-key", idempotency_key).json(&body).send().await.unwrap()
    }

    /// A checkout that must send the customer to Stripe: its `data`, and the session's id.
    async fn to_stripe(&self, link: &Value, idempotency_key: &str) -> (Value, String) {
        self.to_stripe_with(link, idempotency_key, None).await
    }

    async fn to_stripe_with(&self, link: &Value, idempotency_key: &str, code: Option<&str>) -> (Value, String) {
        let (status, body) = parts(self.checkout_with(link, idempotency_key, code).await).await;
        assert_eq!(status, 200, "{body}");
        let data = body["data"].clone();
        assert_eq!(data["status"], "requires_action", "{data}");
        assert_eq!(data["next"]["type"], "redirect", "{data}");
        let url = data["next"]["url"].as_str().unwrap();
        let session = url.rsplit('/').next().unwrap().to_string();
        assert!(url.starts_with(&format!("{}/pay/cs_test_", self.stripe.base)), "{url}");
        (data, session)
    }

    async fn payments(&self, link: &Value) -> Vec<Value> {
        let path = format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap());
        let (status, body) = parts(self.app.get_as(&self.key, &path).await).await;
        assert_eq!(status, 200, "{body}");
        body["data"].as_array().unwrap().clone()
    }

    async fn read(&self, link: &Value) -> Value {
        let (_, body) =
            parts(self.app.get_as(&self.key, &format!("/v2/payment-links/{}", link["id"].as_str().unwrap())).await)
                .await;
        body
    }

    /// The customer back from Stripe: what the return page is told.
    async fn returned(&self, link: &Value, session: &str) -> Value {
        let path = format!("/public/payment-links/{}/sessions/{session}", link["public_id"].as_str().unwrap());
        let (status, body) = parts(self.app.client.get(self.app.url(&path)).send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// Waits (up to 5 s) until the link's only payment has `status`.
    async fn until_status(&self, link: &Value, status: &str) -> Value {
        for _ in 0..100 {
            let payments = self.payments(link).await;
            if payments.first().is_some_and(|p| p["status"] == status) {
                return payments[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the payment never became {status}: {:?}", self.payments(link).await);
    }

    async fn events(&self, kind: &str) -> usize {
        let owner = self.app.store.authenticate(&self.key).await.unwrap().unwrap();
        let (events, _) = self.app.store.list_events(owner.scope(), &Default::default(), 100).await.unwrap();
        events.iter().filter(|e| paylinks_api::WireEnum::as_str(e.event.event_type) == kind).count()
    }
}

async fn a_customer_pays_on_stripe_and_the_webhook_settles_it_once(db: Db) {
    let live = start(db).await;
    let link = live.link(json!({"name": "Pottery class", "amount_minor": 2500, "currency": "EUR"})).await;
    let (data, session_id) = live.to_stripe(&link, "tap-1").await;
    assert_eq!(data["checkout_id"], session_id.as_str(), "the checkout is Stripe's session");

    // The session Stripe was asked for: our amount, our payment, back to our page.
    let session = live.stripe.session(&session_id).unwrap();
    let public_id = link["public_id"].as_str().unwrap();
    assert_eq!((session["amount_total"].as_i64(), session["currency"].as_str()), (Some(2500), Some("eur")));
    assert_eq!(session["client_reference_id"], data["payment_id"]);
    assert_eq!(session["metadata"]["paylinks_payment_id"], data["payment_id"]);
    assert_eq!(session["metadata"]["paylinks_link_id"], link["id"]);
    assert_eq!(session["customer_email"], "ann@example.com");
    assert_eq!(session["mode"], "payment");
    let page = live.app.url(&format!("/l/{public_id}"));
    assert_eq!(session["success_url"], format!("{page}?session_id={{CHECKOUT_SESSION_ID}}"));
    assert_eq!(session["cancel_url"], format!("{page}?cancelled=1"));
    let minutes_open = (session["expires_at"].as_i64().unwrap() - chrono::Utc::now().timestamp()) / 60;
    assert!((30..=31).contains(&minutes_open), "{minutes_open}");

    // Pending until Stripe says so; a double tap is the same answer and the same session.
    assert_eq!(live.payments(&link).await[0]["status"], "pending");
    let again = live.checkout(&link, "tap-1").await;
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(parts(again).await.1["data"], data);
    assert_eq!(live.stripe.sessions().len(), 1);

    // The customer pays on Stripe's page; the signed webhook settles the payment.
    let back = live.stripe.pay(&session_id).await;
    assert_eq!(back, format!("{page}?session_id={session_id}"));
    let paid = live.until_status(&link, "succeeded").await;
    assert_eq!(paid["processor_reference"], session_id.as_str());
    assert_eq!((paid["card_last4"].as_str(), paid["amount_minor"].as_i64()), (Some(""), Some(2500)));
    let after = live.read(&link).await;
    assert_eq!(after["completed_count"], 1);
    let returned = live.returned(&link, &session_id).await;
    assert_eq!(returned["status"], "succeeded");
    assert_eq!(returned["receipt"]["amount_minor"], 2500);

    // Stripe delivers the same event again: acknowledged, nothing counted twice.
    let event = live.stripe.events().into_iter().find(|e| e["type"] == "checkout.session.completed").unwrap();
    assert_eq!(live.stripe.deliver(event["id"].as_str().unwrap()).await, 200);
    assert_eq!(live.read(&link).await["completed_count"], 1);
    assert_eq!(live.events("payment.succeeded").await, 1);
    assert_eq!(live.events("checkout.session.completed").await, 1);
    // Another link's page does not show this session.
    let other = live.link(json!({"name": "Other", "amount_minor": 100})).await;
    let path = format!("/public/payment-links/{}/sessions/{session_id}", other["public_id"].as_str().unwrap());
    expect_error(live.app.client.get(live.app.url(&path)).send().await.unwrap(), 404, "resource_missing").await;
}

async fn the_return_settles_a_payment_whose_webhook_is_late(db: Db) {
    let live = start(db).await;
    live.stripe.set_auto_deliver(false);
    let link = live.link(json!({"name": "Late", "amount_minor": 900})).await;
    let (_, session_id) = live.to_stripe(&link, "late-1").await;
    live.stripe.pay(&session_id).await;
    // Back before the webhook: the page asks Stripe, and the payment is settled.
    assert_eq!(live.returned(&link, &session_id).await["status"], "succeeded");
    assert_eq!(live.read(&link).await["completed_count"], 1);
    // The webhook comes late: acknowledged, counted once.
    let event = live.stripe.events().pop().unwrap();
    assert_eq!(live.stripe.deliver(event["id"].as_str().unwrap()).await, 200);
    assert_eq!(live.read(&link).await["completed_count"], 1);
    assert_eq!(live.events("payment.succeeded").await, 1);
}

async fn an_expired_session_releases_its_slot(db: Db) {
    let live = start(db).await;
    let link = live.link(json!({"name": "One seat", "amount_minor": 5000, "max_completions": 1})).await;
    let (_, first) = live.to_stripe(&link, "seat-a").await;
    // The one slot is held while the first customer is on Stripe's page.
    let full = expect_error(live.checkout(&link, "seat-b").await, 409, "sold_out").await;
    assert!(full["message"].as_str().unwrap().contains("try again in a few minutes"), "{full}");
    // Their session runs out: the payment is expired and the slot free again.
    live.stripe.expire(&first).await;
    let expired = live.until_status(&link, "expired").await;
    assert_eq!(expired["failure_code"], "expired");
    let (_, second) = live.to_stripe(&link, "seat-c").await;
    live.stripe.pay(&second).await;
    let link_after = loop {
        let read = live.read(&link).await;
        if read["completed_count"] == 1 {
            break read;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(link_after["status"], "completed");
    expect_error(live.checkout(&link, "seat-d").await, 404, "resource_missing").await;
}

async fn a_lost_webhook_is_settled_by_the_reconciler(db: Db) {
    let live = start(db).await;
    live.stripe.set_auto_deliver(false);
    let paid = live.link(json!({"name": "Lost webhook", "amount_minor": 1200})).await;
    let abandoned = live.link(json!({"name": "Abandoned", "amount_minor": 1300})).await;
    let (_, paid_session) = live.to_stripe(&paid, "lost-1").await;
    let (_, abandoned_session) = live.to_stripe(&abandoned, "lost-2").await;
    live.stripe.pay(&paid_session).await;
    // Neither webhook arrives and the customers never come back. Once the sessions should have
    // ended, the reconciler asks Stripe.
    assert_eq!(live.payments(&paid).await[0]["status"], "pending");
    live.app.clock.advance(chrono::Duration::minutes(33));
    live.stripe.expire(&abandoned_session).await;
    live.until_status(&paid, "succeeded").await;
    live.until_status(&abandoned, "expired").await;
    assert_eq!(live.read(&paid).await["completed_count"], 1);
    assert_eq!(live.read(&abandoned).await["completed_count"], 0);
}

async fn webhooks_without_a_good_signature_change_nothing(db: Db) {
    let live = start(db).await;
    live.stripe.set_auto_deliver(false);
    let link = live.link(json!({"name": "Signed", "amount_minor": 700})).await;
    let (_, session_id) = live.to_stripe(&link, "sig-1").await;
    live.stripe.pay(&session_id).await;
    let event = live.stripe.events().pop().unwrap().to_string();
    // The server checks the age against its own (manual) clock, which does not move by itself.
    let now = live.app.clock.now().timestamp();
    let signed = |secret: &str, t: i64| paylinks_fake_stripe::signature(secret, t, &event);
    for signature in [
        None,
        Some("t=1,v1=00".to_string()),
        Some(signed("whsec_someone_else", now)),
        Some(signed(WEBHOOK_SECRET, now - 301)),
        Some(signed(WEBHOOK_SECRET, now).replace(",v1=", ",v0=")),
    ] {
        let mut req = live.app.client.post(live.app.url("/webhooks/stripe")).body(event.clone());
        if let Some(signature) = &signature {
            req = req.header("stripe-signature", signature);
        }
        expect_error(req.send().await.unwrap(), 400, "invalid_request").await;
    }
    assert_eq!(live.payments(&link).await[0]["status"], "pending");
    // A tampered body under a good signature of the original is refused too.
    let tampered = event.replace("\"paid\"", "\"unpaid\"");
    let req =
        live.app.client.post(live.app.url("/webhooks/stripe")).header("stripe-signature", signed(WEBHOOK_SECRET, now));
    expect_error(req.body(tampered).send().await.unwrap(), 400, "invalid_request").await;
    // Two v1 signatures (a secret being rolled), one of them good: accepted.
    let rolled = format!("{},v1={}", signed(WEBHOOK_SECRET, now), "ab".repeat(32));
    let req = live.app.client.post(live.app.url("/webhooks/stripe")).header("stripe-signature", rolled);
    assert_eq!(req.body(event).send().await.unwrap().status(), 200);
    assert_eq!(live.payments(&link).await[0]["status"], "succeeded");
}

async fn stripe_failures_tell_the_customer_and_a_retry_makes_one_session(db: Db) {
    let live = start(db).await;
    let link = live.link(json!({"name": "Flaky", "amount_minor": 1500})).await;
    // Stripe answers 500: the customer is told they were not charged, and may retry soon.
    live.stripe.fail_next_creates(&[500]);
    let res = live.checkout(&link, "flaky-1").await;
    assert_eq!(res.headers()["retry-after"], "5");
    let failed = expect_error(res, 502, "processor_error").await;
    assert!(failed["message"].as_str().unwrap().contains("you have not been charged"), "{failed}");
    // The retry runs at once, under Stripe's next key (the first one would replay the 500).
    let (_, session_id) = live.to_stripe(&link, "flaky-1").await;
    assert_eq!(live.stripe.sessions().len(), 1);

    // Stripe is too slow to answer: 503, and the retry reuses the key, so the session Stripe
    // made meanwhile is the one the customer gets.
    let slow = live.link(json!({"name": "Slow", "amount_minor": 1600})).await;
    live.stripe.delay_creates(Duration::from_millis(1500));
    let res = live.checkout(&slow, "slow-1").await;
    assert_eq!(res.headers()["retry-after"], "5");
    expect_error(res, 503, "service_unavailable").await;
    live.stripe.delay_creates(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (_, slow_session) = live.to_stripe(&slow, "slow-1").await;
    assert_eq!(live.stripe.sessions().len(), 2, "one session per payment");
    assert_ne!(slow_session, session_id);
    assert_eq!(live.payments(&slow).await.len(), 1);
    assert_eq!(live.payments(&link).await.len(), 1);
}

async fn a_capped_link_is_never_oversold(db: Db) {
    let live = std::sync::Arc::new(start(db).await);
    let link = live.link(json!({"name": "Ten seats", "amount_minor": 3000, "max_completions": 10})).await;
    let buyers: Vec<_> = (0..30)
        .map(|i| {
            let (live, link) = (live.clone(), link.clone());
            tokio::spawn(async move {
                let (status, body) = parts(live.checkout(&link, &format!("buyer-{i}")).await).await;
                (status, body)
            })
        })
        .collect();
    let mut sessions = Vec::new();
    for buyer in buyers {
        let (status, body) = buyer.await.unwrap();
        match status {
            200 => {
                assert_eq!(body["data"]["status"], "requires_action", "{body}");
                sessions.push(body["data"]["next"]["url"].as_str().unwrap().rsplit('/').next().unwrap().to_string());
            }
            409 => assert_eq!(body["error"], "sold_out", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(sessions.len(), 10, "exactly the cap got a session");
    for session in &sessions {
        live.stripe.pay(session).await;
    }
    let read = live.read(&link).await;
    assert_eq!((read["completed_count"].as_i64(), read["status"].as_str()), (Some(10), Some("completed")));
    expect_error(live.checkout(&link, "buyer-late").await, 404, "resource_missing").await;
    let succeeded = live.payments(&link).await.iter().filter(|p| p["status"] == "succeeded").count();
    assert_eq!(succeeded, 10);
}

async fn an_amount_stripe_changed_is_held_for_review(db: Db) {
    let live = start(db).await;
    live.stripe.tamper_amounts(1);
    let link = live.link(json!({"name": "Tampered", "amount_minor": 4200})).await;
    let (_, session_id) = live.to_stripe(&link, "tamper-1").await;
    live.stripe.pay(&session_id).await;
    let held = live.until_status(&link, "needs_review").await;
    assert_eq!(held["amount_minor"], 4200);
    assert_eq!(live.read(&link).await["completed_count"], 0, "nothing counted");
    assert_eq!(live.events("payment.succeeded").await, 0);
    assert_eq!(live.returned(&link, &session_id).await["status"], "needs_review");
}

async fn line_items_and_subscriptions_map_to_stripe(db: Db) {
    let live = start(db).await;
    let shop = live
        .link(json!({"name": "Shop", "line_items": [
            {"price_data": {"unit_amount": 1200, "currency": "usd", "product_data": {"name": "Mug"}}, "quantity": 2},
            {"price_data": {"unit_amount": 450, "currency": "usd", "product_data": {"name": "Tea"}}},
        ]}))
        .await;
    let (_, session_id) = live.to_stripe(&shop, "shop-1").await;
    let session = live.stripe.session(&session_id).unwrap();
    assert_eq!((session["mode"].as_str(), session["amount_total"].as_i64()), (Some("payment"), Some(2850)));
    let form = live.stripe.request_of(&session_id);
    assert_eq!(form.get("line_items[0][quantity]").map(String::as_str), Some("2"));
    assert_eq!(form.get("line_items[0][price_data][unit_amount]").map(String::as_str), Some("1200"));
    let plan = live
        .link(json!({"name": "Plan", "line_items": [
            {"price_data": {"unit_amount": 900, "currency": "usd", "product_data": {"name": "Monthly"},
                "recurring": {"interval": "month"}}},
            {"price_data": {"unit_amount": 500, "currency": "usd", "product_data": {"name": "Setup"}}},
        ]}))
        .await;
    let (_, session_id) = live.to_stripe(&plan, "plan-1").await;
    let session = live.stripe.session(&session_id).unwrap();
    assert_eq!((session["mode"].as_str(), session["amount_total"].as_i64()), (Some("subscription"), Some(1400)));
    let form = live.stripe.request_of(&session_id);
    let param = |name: &str| form.get(name).map(String::as_str);
    assert_eq!(param("line_items[0][price_data][recurring][interval]"), Some("month"));
    assert_eq!(param("line_items[0][price_data][recurring][interval_count]"), Some("1"));
    assert_eq!(param("line_items[0][price_data][product_data][name]"), Some("Monthly"));
    assert_eq!(param("line_items[1][price_data][recurring][interval]"), None);
    assert_eq!(param("line_items[1][quantity]"), Some("1"));
}

async fn a_promotion_code_discounts_the_session_and_an_expiry_gives_it_back(db: Db) {
    let live = start(db).await;
    let shop = live
        .link(json!({"name": "Shop", "line_items": [
            {"price_data": {"unit_amount": 1200, "currency": "usd", "product_data": {"name": "Mug"}}, "quantity": 3},
            {"price_data": {"unit_amount": 450, "currency": "usd", "product_data": {"name": "Tea"}}},
        ]}))
        .await;
    let body = json!({"code": "ONCE", "name": "Once", "discount_type": "percentage", "discount_value": 15, "max_redemptions": 1});
    let res = live.app.send_as(&live.key, Method::POST, "/v2/discounts", &body, None).await;
    let discount = parts(res).await.1["data"].clone();
    // 15 % off 4,050 is 607.5: 608 off, and Stripe is asked for exactly the rest.
    let (data, session_id) = live.to_stripe_with(&shop, "code-1", Some("once")).await;
    assert_eq!(data["amount_minor"], 3442);
    let session = live.stripe.session(&session_id).unwrap();
    assert_eq!(session["amount_total"].as_i64(), Some(3442));
    let form = live.stripe.request_of(&session_id);
    assert_eq!(form.get("line_items[0][price_data][product_data][name]").map(String::as_str), Some("Mug × 3"));
    assert_eq!(form.get("line_items[0][quantity]").map(String::as_str), Some("1"));
    // The code's one redemption is held while the customer is on Stripe's page...
    let path = format!("/v2/discounts/{}", discount["id"].as_str().unwrap());
    let used = |body: Value| body["data"]["current_redemptions"].as_i64();
    assert_eq!(used(parts(live.app.get_as(&live.key, &path).await).await.1), Some(1));
    let taken = expect_error(live.checkout_with(&shop, "code-2", Some("ONCE")).await, 400, "invalid_request").await;
    assert_eq!(taken["details"]["fields"]["promotion_code"][0], "\"ONCE\" has been used up");
    // ...and given back when the session expires unpaid; the next customer pays with it.
    live.stripe.expire(&session_id).await;
    live.until_status(&shop, "expired").await;
    assert_eq!(used(parts(live.app.get_as(&live.key, &path).await).await.1), Some(0));
    let (_, second) = live.to_stripe_with(&shop, "code-3", Some("ONCE")).await;
    live.stripe.pay(&second).await;
    let payments = loop {
        let payments = live.payments(&shop).await;
        if payments.iter().any(|p| p["status"] == "succeeded") {
            break payments;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let paid = payments.iter().find(|p| p["status"] == "succeeded").unwrap();
    assert_eq!((paid["amount_minor"].as_i64(), paid["discount"]["amount_minor"].as_i64()), (Some(3442), Some(608)));
    assert_eq!(used(parts(live.app.get_as(&live.key, &path).await).await.1), Some(1));
}

async fn a_bank_payment_settles_when_its_outcome_comes(db: Db) {
    let live = start(db).await;
    let link = live.link(json!({"name": "By bank", "amount_minor": 8000})).await;
    let (_, declined) = live.to_stripe(&link, "bank-1").await;
    // The session completes unpaid: the payment waits for the bank.
    live.stripe.pay_later(&declined).await;
    assert_eq!(live.returned(&link, &declined).await["status"], "pending");
    live.stripe.settle_later(&declined, false).await;
    let failed = live.until_status(&link, "failed").await;
    assert!(failed["failure_message"].as_str().unwrap().contains("not been charged"), "{failed}");
    assert_eq!(live.read(&link).await["completed_count"], 0);
    // Another one goes through a day later.
    let (_, paid) = live.to_stripe(&link, "bank-2").await;
    live.stripe.pay_later(&paid).await;
    live.stripe.settle_later(&paid, true).await;
    assert_eq!(live.returned(&link, &paid).await["status"], "succeeded");
    assert_eq!(live.read(&link).await["completed_count"], 1);
}
