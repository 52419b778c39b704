//! The write path itself: phases with recovery points survive a crash between them, and every
//! write records what happened in the same transaction as the change (never for a rejected write
//! or a replay).

mod common;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use common::{expect_error, parts, TestApp};
use paylinks_api::event::EventType;
use paylinks_server::error::Reply;
use paylinks_server::idempotency::WriteRequest;
use paylinks_server::write::WriteTx;
use serde_json::{json, Value};

on_both_backends!(a_phased_write_resumes_from_its_last_recovery_point, every_write_records_what_happened);

async fn a_phased_write_resumes_from_its_last_recovery_point(app: TestApp) {
    let mut headers = HeaderMap::new();
    headers.insert("idempotency-key", HeaderValue::from_static("phased-1"));
    let request = |body: &'static [u8]| WriteRequest::new(app.scope, &Method::POST, "/v2/phased", &headers, body);

    let write = WriteTx::begin(&app.state, request(b"{}")).await.unwrap();
    assert_eq!(write.recovery_point(), "started");
    let slow = write.checkpoint("session_requested").await.unwrap();
    assert_eq!(slow.recovery_point(), "session_requested");
    // This request now stalls between phases (a hung call, or a process that died).

    // A retry while the holder's lease runs waits; a different request under the key is refused.
    let waiting = WriteTx::begin(&app.state, request(b"{}")).await.err().unwrap();
    assert_eq!(waiting.status, StatusCode::CONFLICT);
    assert!(waiting.body.contains("idempotency_in_progress"), "{}", waiting.body);
    let other = WriteTx::begin(&app.state, request(b"{\"x\":1}")).await.err().unwrap();
    assert!(other.body.contains("idempotency_conflict"), "{}", other.body);

    // Once the lease has run out, the retry takes the key over from the recovery point.
    app.clock.advance(chrono::Duration::seconds(61));
    let write = WriteTx::begin(&app.state, request(b"{}")).await.unwrap();
    assert_eq!(write.recovery_point(), "session_requested");
    let between = write.checkpoint("session_stored").await.unwrap();
    // The lease is the new taker's now: another retry meanwhile waits rather than taking it too,
    // and the stalled request, waking up, may not run its next phase.
    let second = WriteTx::begin(&app.state, request(b"{}")).await.err().unwrap();
    assert!(second.body.contains("idempotency_in_progress"), "{}", second.body);
    let woke = slow.resume(&app.state).await.err().unwrap();
    assert_eq!(woke.body.error, paylinks_api::ErrorCode::IdempotencyInProgress);
    let write = between.resume(&app.state).await.unwrap();
    assert_eq!(write.recovery_point(), "session_stored");
    let done = write.finish(Ok(Reply::json(StatusCode::CREATED, &json!({ "done": true })))).await;
    assert_eq!(done.status, StatusCode::CREATED);

    // From then on the stored answer is replayed, byte for byte.
    let replay = WriteTx::begin(&app.state, request(b"{}")).await.err().unwrap();
    assert_eq!((replay.status, replay.body.as_str()), (StatusCode::CREATED, done.body.as_str()));
    assert!(replay.headers.iter().any(|(name, value)| name == "idempotency-replayed" && value == "true"));
}

async fn events(app: &TestApp) -> Vec<Value> {
    let (events, _) = app.store.list_events(app.scope, &Default::default(), 100).await.unwrap();
    events.into_iter().rev().map(|e| serde_json::to_value(e.event).unwrap()).collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn every_write_records_what_happened(app: TestApp) {
    // A create records the link exactly as it was answered, with the request that made it.
    let tea = json!({"name": "Tea", "amount_minor": 450});
    let create_tea = || app.send_as(&app.key, reqwest::Method::POST, "/v2/payment-links", &tea, Some("ev-1"));
    let res = create_tea().await;
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let (status, link) = parts(res).await;
    assert_eq!(status, 201);
    let recorded = events(&app).await;
    assert_eq!(types(&recorded), ["payment_link.created"]);
    let event = &recorded[0];
    assert_eq!(event["data"]["object"], link);
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["object"], "event");
    assert_eq!(event["livemode"], false);
    assert_eq!(event["account"], app.scope.merchant_id.to_string());
    assert_eq!(event["api_version"], paylinks_api::API_VERSION);
    assert_eq!(event["request"], json!({ "id": request_id, "idempotency_key": "ev-1" }));

    // A replay and a rejected write record nothing.
    let replay = create_tea().await;
    assert_eq!(replay.headers()["idempotency-replayed"], "true");
    expect_error(app.create(&json!({ "name": "" })).await, 400, "invalid_request").await;
    let slug = json!({ "name": "A", "amount_minor": 100, "slug": "taken" });
    app.create_ok(&slug).await;
    expect_error(app.create(&slug).await, 409, "conflict").await;
    assert_eq!(types(&events(&app).await), ["payment_link.created", "payment_link.created"]);

    // A status change records the link after it and what the status was.
    let id = link["id"].as_str().unwrap();
    assert_eq!(app.set_status(id, "inactive").await.status(), 200);
    let recorded = events(&app).await;
    let updated = recorded.last().unwrap();
    assert_eq!(updated["type"], "payment_link.updated");
    assert_eq!(updated["data"]["object"]["status"], "inactive");
    assert_eq!(updated["data"]["previous_attributes"], json!({ "status": "active" }));
    // Asking for the status it already has changes nothing and records nothing.
    assert_eq!(app.set_status(id, "inactive").await.status(), 200);
    assert_eq!(events(&app).await.len(), recorded.len());

    // A payment records its outcome; a successful one also the completed checkout.
    let payable = app.simple_link("Cake").await;
    let public_id = payable["public_id"].as_str().unwrap();
    let pay = |number: &str| {
        let body = json!({ "email": "ann@example.com", "name": "Ann", "card": { "number": number, "expiry": "12/40", "cvc": "123" } });
        app.client.post(app.url(&format!("/public/payment-links/{public_id}/checkout"))).json(&body).send()
    };
    let (_, paid) = parts(pay("4111 1111 1111 1111").await.unwrap()).await;
    let (_, declined) = parts(pay("4000 0000 0000 0002").await.unwrap()).await;
    let recorded = events(&app).await;
    let tail: Vec<_> = recorded[recorded.len() - 3..].to_vec();
    assert_eq!(types(&tail), ["payment.succeeded", "checkout.session.completed", "payment.failed"]);
    assert_eq!(tail[0]["data"]["object"]["id"], paid["data"]["payment_id"]);
    assert_eq!(tail[0]["data"]["object"]["status"], "succeeded");
    assert_eq!(tail[1]["data"]["object"]["public_id"], public_id);
    assert_eq!(tail[1]["data"]["object"]["amount_minor"], 1000);
    assert_eq!(tail[2]["data"]["object"]["id"], declined["data"]["payment_id"]);
    assert_eq!(tail[2]["data"]["object"]["failure_code"], "card_declined");
    // Every event type paylinks emits so far parses back as a known type.
    for event in &recorded {
        assert!(serde_json::from_value::<EventType>(event["type"].clone()).is_ok());
    }
}
