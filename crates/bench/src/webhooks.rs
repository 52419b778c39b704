//! Webhooks under load: a checkout's latency with no endpoint, with one that answers at once, and
//! with one that stalls past the 10 s timeout (delivery must never slow the request that caused
//! it); and how fast a backlog drains once a receiver that held every request lets go.

use crate::load::{self, Latency, Target};
use crate::server::{self, Server};
use crate::{progress, Settings, FIRST_PUBLIC_ID};
use paylinks_e2e::receiver::Receiver;
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Serialize)]
pub struct WebhookResults {
    pub backend: String,
    /// The same checkout stream, once per receiver setup.
    pub checkout: Vec<Latency>,
    /// Deliveries answered by the prompt receiver during its checkout run (two events a checkout).
    pub delivered_during_checkout: usize,
    /// A backlog of this many deliveries, drained in `drain_seconds` once released.
    pub drain_deliveries: usize,
    pub drain_seconds: f64,
}

const CHECKOUT_BODY: &str = r#"{"email":"ann@example.com","name":"Ann Lee","card":{"number":"4111 1111 1111 1111","expiry":"12/34","cvc":"123"}}"#;
const CREATE_BODY: &str = r#"{"name":"Hooked","amount_minor":1500,"currency":"USD"}"#;

async fn add_endpoint(server: &Server, url: &str, events: &[&str]) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v2/webhook-endpoints", server.base))
        .header("x-api-key", &server.key)
        .json(&json!({"url": url, "enabled_events": events}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("add a webhook endpoint")
        .json()
        .await
        .expect("the endpoint");
    answer["data"]["id"].as_str().expect("an endpoint id").to_string()
}

async fn disable_endpoint(server: &Server, id: &str) {
    reqwest::Client::new()
        .patch(format!("{}/v2/webhook-endpoints/{id}", server.base))
        .header("x-api-key", &server.key)
        .json(&json!({"enabled": false}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("disable a webhook endpoint");
}

pub async fn measure(settings: &Settings, postgres_admin: Option<&str>, static_dir: &PathBuf) -> WebhookResults {
    let name = if postgres_admin.is_some() { "PostgreSQL" } else { "SQLite" };
    let (rate, seconds) = (100, if settings.quick { 5 } else { 30 });
    let url = server::fresh_database(&settings.out, postgres_admin, "webhooks").await;
    let key = server::prepare(&settings.server, &url);
    crate::seed::links(&url, 1).await;
    let server = Server::start(&settings.server, &url, &key, static_dir, false);
    let checkout = Target {
        name: "",
        method: "POST",
        path: format!("/public/payment-links/{FIRST_PUBLIC_ID}/checkout"),
        body: Some(CHECKOUT_BODY.into()),
    };
    let run = |setup: &'static str| {
        progress(&format!("{name}: webhooks:   checkout at {rate}/s for {seconds} s, {setup}"));
        load::latency(&server.base, &key, &Target { name: setup, ..checkout.clone() }, rate, seconds)
    };
    let mut runs = vec![run("no webhook endpoint")];

    let prompt = Receiver::start().await;
    let prompt_id = add_endpoint(&server, &prompt.url, &["*"]).await;
    runs.push(run("an endpoint that answers at once"));
    let delivered_during_checkout = prompt.count();
    disable_endpoint(&server, &prompt_id).await;

    // Longer than the sender's 10 s timeout: every attempt holds a slot until it gives up.
    let stalled = Receiver::answering_after(Duration::from_secs(15)).await;
    let stalled_id = add_endpoint(&server, &stalled.url, &["*"]).await;
    runs.push(run("an endpoint that stalls (every attempt times out)"));
    disable_endpoint(&server, &stalled_id).await;

    // A backlog: the receiver holds every request (the sender keeps 64 in flight, the rest wait
    // in the outbox) while links are created; then it answers them all.
    let drain_deliveries = if settings.quick { 300 } else { 2000 };
    progress(&format!("{name}: webhooks:   a backlog of {drain_deliveries} deliveries, drained"));
    let backlog = Receiver::start().await;
    add_endpoint(&server, &backlog.url, &["payment_link.created"]).await;
    backlog.hold();
    let create =
        Target { name: "create", method: "POST", path: "/v2/payment-links".into(), body: Some(CREATE_BODY.into()) };
    let n = drain_deliveries.to_string();
    let made = load::oha(&server.base, &key, &create, &["--output-format", "json", "-c", "32", "-n", &n])
        .output()
        .expect("run oha");
    assert!(made.status.success(), "oha: {}", String::from_utf8_lossy(&made.stderr));
    let released = Instant::now();
    backlog.release();
    let deadline = released + Duration::from_secs(300);
    while backlog.count() < drain_deliveries && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = backlog.count();
    let drain_seconds = backlog.last_answered_at().map_or(f64::NAN, |at| (at - released).as_secs_f64());
    if drained < drain_deliveries {
        progress(&format!("{name}: webhooks:   only {drained} of {drain_deliveries} arrived in 300 s"));
    }
    WebhookResults {
        backend: name.into(),
        checkout: runs,
        delivered_during_checkout,
        drain_deliveries: drained,
        drain_seconds,
    }
}
