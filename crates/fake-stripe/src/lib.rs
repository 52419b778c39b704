//! A local fake of the part of Stripe's API paylinks uses, for tests only (never shipped): Checkout
//! Sessions (`POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`,
//! `POST /v1/checkout/sessions/{id}/expire`), the hosted payment page with Pay and Cancel, and
//! webhook events signed as Stripe signs them.
//!
//! Written from Stripe's public API reference: form-encoded bodies in bracket notation, Bearer
//! auth, the `{error: {type, code, param, message}}` shape, unknown parameters refused, and
//! Idempotency-Key semantics (the first answer, a 500 included, is replayed for 24 h with
//! `Idempotent-Replayed: true`; the same key with other parameters is an `idempotency_error`).
//! The tests steer it: failures and delays for the next creates, a create held (before or after
//! Stripe did the work) while the test kills the server, webhooks delivered, withheld or
//! delivered again, and a tampered amount.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

/// The secret key the fake accepts.
pub const SECRET_KEY: &str = "sk_test_fake_paylinks";
/// The signing secret of the fake's one webhook endpoint.
pub const WEBHOOK_SECRET: &str = "whsec_fake_paylinks_signing_secret";

/// Where a held create waits while the test does something (kills the server, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Before Stripe does anything: on release the request is dropped unanswered, as if the
    /// connection broke on the way to Stripe.
    BeforeCreating,
    /// After the session is made and stored under the Idempotency-Key, before answering.
    AfterCreating,
}

#[derive(Default)]
struct Fake {
    sessions: HashMap<String, Value>,
    /// The parameters each session was made from.
    requests: HashMap<String, BTreeMap<String, String>>,
    /// Idempotency-Key → (the parameters it came with, the answer given).
    answered: HashMap<String, (String, u16, Value)>,
    events: Vec<Value>,
    webhook_url: Option<String>,
    /// Deliver each event as it happens (else only on `deliver`).
    auto_deliver: bool,
    /// Statuses the next creates answer with instead of working.
    failures: VecDeque<u16>,
    /// How long each create waits before answering.
    delay: Duration,
    hold: Option<Hold>,
    /// Added to each new session's amount_total (an amount mismatch).
    amount_delta: i64,
    /// Create requests received, replays included.
    create_requests: usize,
}

/// A running fake; it stops when dropped.
pub struct FakeStripe {
    /// `http://127.0.0.1:PORT`, for `--stripe-api-base`.
    pub base: String,
    fake: Arc<Mutex<Fake>>,
    held: Arc<Notify>,
    release: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct Shared {
    fake: Arc<Mutex<Fake>>,
    held: Arc<Notify>,
    release: Arc<Notify>,
    base: String,
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn random_id(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// `Stripe-Signature` for `payload` signed at `t`: `t=…,v1=…` (hex HMAC-SHA256 of `"{t}.{payload}"`
/// keyed with the whole `whsec_…` secret).
pub fn signature(secret: &str, t: i64, payload: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.{payload}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Stripe's error answer: `{error: {type, code, param, message}}`.
struct Refusal(StatusCode, Value);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, [("request-id", random_id("req_"))], Json(self.1)).into_response()
    }
}

fn stripe_error(status: StatusCode, kind: &str, code: Option<&str>, param: Option<&str>, message: &str) -> Refusal {
    let mut error = json!({"type": kind, "message": message});
    if let Some(code) = code {
        error["code"] = json!(code);
    }
    if let Some(param) = param {
        error["param"] = json!(param);
    }
    Refusal(status, json!({ "error": error }))
}

fn invalid(code: &str, param: &str, message: &str) -> Refusal {
    stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", Some(code), Some(param), message)
}

impl FakeStripe {
    /// Starts the fake on a free port of 127.0.0.1.
    pub async fn start() -> FakeStripe {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let fake = Arc::new(Mutex::new(Fake { auto_deliver: true, ..Fake::default() }));
        let (held, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let shared = Shared { fake: fake.clone(), held: held.clone(), release: release.clone(), base: base.clone() };
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(retrieve_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/pay/{id}", get(hosted_page).post(hosted_choice))
            .with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeStripe { base, fake, held, release, task }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Fake) -> T) -> T {
        f(&mut self.fake.lock().expect("the fake's lock"))
    }

    /// Where events are delivered (`{paylinks}/webhooks/stripe`).
    pub fn set_webhook_url(&self, url: &str) {
        self.with(|f| f.webhook_url = Some(url.to_string()));
    }

    /// Whether events are delivered as they happen (default) or only by `deliver`.
    pub fn set_auto_deliver(&self, on: bool) {
        self.with(|f| f.auto_deliver = on);
    }

    /// The next creates answer with these statuses (Stripe's `api_error` shape), one each.
    pub fn fail_next_creates(&self, statuses: &[u16]) {
        self.with(|f| f.failures.extend(statuses));
    }

    /// Each create waits this long before answering (a timeout, seen from the server).
    pub fn delay_creates(&self, delay: Duration) {
        self.with(|f| f.delay = delay);
    }

    /// Holds the next create (only) at `hold` until `release`.
    pub fn hold_creates(&self, hold: Hold) {
        self.with(|f| f.hold = Some(hold));
    }

    /// Waits until a create is being held.
    pub async fn wait_until_held(&self) {
        self.held.notified().await;
    }

    /// Lets the held create go on.
    pub fn release(&self) {
        self.release.notify_one();
    }

    /// New sessions' amount_total is off by `delta` from their line items.
    pub fn tamper_amounts(&self, delta: i64) {
        self.with(|f| f.amount_delta = delta);
    }

    /// Create requests received, replays included.
    pub fn create_requests(&self) -> usize {
        self.with(|f| f.create_requests)
    }

    /// Every session made, in no order.
    pub fn sessions(&self) -> Vec<Value> {
        self.with(|f| f.sessions.values().cloned().collect())
    }

    pub fn session(&self, id: &str) -> Option<Value> {
        self.with(|f| f.sessions.get(id).cloned())
    }

    /// The form parameters session `id` was made from.
    pub fn request_of(&self, id: &str) -> BTreeMap<String, String> {
        self.with(|f| f.requests.get(id).cloned().unwrap_or_default())
    }

    /// Every event so far, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.with(|f| f.events.clone())
    }

    /// What the hosted page's Pay button does: completes the session as paid, sends
    /// `checkout.session.completed`, and gives the success URL the browser is sent to.
    pub async fn pay(&self, session_id: &str) -> String {
        finish(&self.shared(), session_id, true).await.expect("an open session")
    }

    /// A bank payment started on the hosted page: the session completes unpaid
    /// (`checkout.session.completed` with `payment_status: unpaid`); the outcome follows later.
    pub async fn pay_later(&self, session_id: &str) {
        finish(&self.shared(), session_id, false).await.expect("an open session");
    }

    /// The outcome of a bank payment: `checkout.session.async_payment_succeeded` or `_failed`.
    pub async fn settle_later(&self, session_id: &str, succeeded: bool) {
        let shared = self.shared();
        let event = {
            let mut f = shared.fake.lock().expect("the fake's lock");
            let session = f.sessions.get_mut(session_id).expect("a session");
            if succeeded {
                session["payment_status"] = json!("paid");
            }
            let session = session.clone();
            let kind = if succeeded {
                "checkout.session.async_payment_succeeded"
            } else {
                "checkout.session.async_payment_failed"
            };
            new_event(&mut f, kind, session)
        };
        announce(&shared, event).await;
    }

    /// The session runs out (Stripe's own expiry): `checkout.session.expired`.
    pub async fn expire(&self, session_id: &str) {
        let shared = self.shared();
        let event = {
            let mut f = shared.fake.lock().expect("the fake's lock");
            let session = f.sessions.get_mut(session_id).expect("a session");
            session["status"] = json!("expired");
            session["url"] = Value::Null;
            let session = session.clone();
            new_event(&mut f, "checkout.session.expired", session)
        };
        announce(&shared, event).await;
    }

    /// Delivers event `id` (again) to the webhook URL; gives the status paylinks answered.
    pub async fn deliver(&self, id: &str) -> u16 {
        let event = self.with(|f| f.events.iter().find(|e| e["id"] == id).cloned()).expect("an event");
        deliver(&self.shared(), &event).await
    }

    fn shared(&self) -> Shared {
        Shared {
            fake: self.fake.clone(),
            held: self.held.clone(),
            release: self.release.clone(),
            base: self.base.clone(),
        }
    }
}

fn new_event(f: &mut Fake, kind: &str, session: Value) -> Value {
    let event = json!({
        "id": random_id("evt_"), "object": "event", "api_version": "2025-03-31.basil", "created": now(),
        "data": {"object": session}, "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": kind,
    });
    f.events.push(event.clone());
    event
}

async fn announce(shared: &Shared, event: Value) {
    if shared.fake.lock().expect("the fake's lock").auto_deliver {
        deliver(shared, &event).await;
    }
}

/// POSTs `event` signed to the webhook URL, as Stripe does; the status paylinks answered (0 when
/// there is no URL or no answer).
async fn deliver(shared: &Shared, event: &Value) -> u16 {
    let Some(url) = shared.fake.lock().expect("the fake's lock").webhook_url.clone() else { return 0 };
    let payload = event.to_string();
    let request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("stripe-signature", signature(WEBHOOK_SECRET, now(), &payload))
        .body(payload);
    request.send().await.map_or(0, |r| r.status().as_u16())
}

fn authorized(headers: &HeaderMap) -> Result<(), Refusal> {
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match bearer {
        Some(SECRET_KEY) => Ok(()),
        Some(other) => Err(stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            None,
            &format!("Invalid API Key provided: {}****", other.chars().take(8).collect::<String>()),
        )),
        None => Err(stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            None,
            "You did not provide an API key.",
        )),
    }
}

async fn create_session(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(denied) = authorized(&headers) {
        return denied.into_response();
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(String::from);
    let params: BTreeMap<String, String> = pairs.into_iter().collect();
    let fingerprint = format!("{params:?}");
    let (hold, delay) = {
        let mut f = shared.fake.lock().expect("the fake's lock");
        f.create_requests += 1;
        if let Some((seen, status, body)) = key.as_ref().and_then(|k| f.answered.get(k)) {
            if *seen != fingerprint {
                let message = format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. \
                     Try using a key other than '{}' if you meant to execute a different request.",
                    key.as_deref().unwrap_or_default()
                );
                return stripe_error(StatusCode::BAD_REQUEST, "idempotency_error", None, None, &message)
                    .into_response();
            }
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, [("idempotent-replayed", "true")], Json(body.clone())).into_response();
        }
        (f.hold.take(), f.delay)
    };
    if hold == Some(Hold::BeforeCreating) {
        shared.held.notify_one();
        shared.release.notified().await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    tokio::time::sleep(delay).await;
    let (status, body) = match session_from(&params, &shared.base) {
        Err(rejected) => return rejected.into_response(),
        Ok(session) => {
            let mut f = shared.fake.lock().expect("the fake's lock");
            match f.failures.pop_front() {
                Some(status) => (
                    status,
                    json!({"error": {"type": "api_error", "message": "An unknown error occurred with our servers."}}),
                ),
                None => {
                    let mut session = session;
                    let total = session["amount_total"].as_i64().unwrap_or(0) + f.amount_delta;
                    session["amount_total"] = json!(total);
                    let id = session["id"].as_str().unwrap_or_default().to_string();
                    f.requests.insert(id.clone(), params.clone());
                    f.sessions.insert(id, session.clone());
                    (200, session)
                }
            }
        }
    };
    if let Some(key) = key {
        shared.fake.lock().expect("the fake's lock").answered.insert(key, (fingerprint, status, body.clone()));
    }
    if hold == Some(Hold::AfterCreating) {
        shared.held.notify_one();
        shared.release.notified().await;
    }
    (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(body)).into_response()
}

/// The session `params` ask for, or Stripe's error for the first thing wrong with them.
fn session_from(params: &BTreeMap<String, String>, base: &str) -> Result<Value, Refusal> {
    const TOP: [&str; 6] = ["mode", "success_url", "cancel_url", "customer_email", "client_reference_id", "expires_at"];
    const LINE: [&str; 6] = [
        "[quantity]",
        "[price_data][currency]",
        "[price_data][unit_amount]",
        "[price_data][product_data][name]",
        "[price_data][recurring][interval]",
        "[price_data][recurring][interval_count]",
    ];
    let mut lines: BTreeMap<usize, ()> = BTreeMap::new();
    let mut metadata = Map::new();
    for (name, value) in params {
        if let Some(key) = name.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
            if key.len() > 40 || value.len() > 500 {
                return Err(invalid(
                    "parameter_invalid_string",
                    name,
                    "Metadata keys are at most 40 characters, values 500.",
                ));
            }
            metadata.insert(key.to_string(), json!(value));
        } else if let Some(rest) = name.strip_prefix("line_items[") {
            let (index, field) = rest.split_once(']').unwrap_or(("", ""));
            match index.parse::<usize>() {
                Ok(i) if LINE.contains(&field) => {
                    lines.insert(i, ());
                }
                _ => return Err(invalid("parameter_unknown", name, &format!("Received unknown parameter: {name}"))),
            }
        } else if !TOP.contains(&name.as_str()) {
            return Err(invalid("parameter_unknown", name, &format!("Received unknown parameter: {name}")));
        }
    }
    let mode = params.get("mode").map(String::as_str).unwrap_or_default();
    if !matches!(mode, "payment" | "subscription") {
        return Err(invalid("parameter_missing", "mode", "Missing required param: mode."));
    }
    let Some(success_url) = params.get("success_url") else {
        return Err(invalid("parameter_missing", "success_url", "Missing required param: success_url."));
    };
    let expires_at =
        match params.get("expires_at").map(|v| v.parse::<i64>()) {
            None => now() + 24 * 3600,
            Some(Ok(t)) if t >= now() + 30 * 60 && t <= now() + 24 * 3600 => t,
            Some(_) => return Err(invalid(
                "parameter_invalid_integer",
                "expires_at",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
            )),
        };
    if lines.is_empty() {
        return Err(invalid("parameter_missing", "line_items", "Missing required param: line_items."));
    }
    let (mut total, mut currency, mut recurring) = (0i64, None::<String>, false);
    for &i in lines.keys() {
        let get = |field: &str| params.get(&format!("line_items[{i}]{field}"));
        let int = |field: &str| -> Result<i64, Refusal> {
            let param = format!("line_items[{i}]{field}");
            let value = get(field)
                .ok_or_else(|| invalid("parameter_missing", &param, &format!("Missing required param: {param}.")))?;
            value
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| invalid("parameter_invalid_integer", &param, &format!("Invalid integer: {value}")))
        };
        let quantity = int("[quantity]")?;
        let unit_amount = int("[price_data][unit_amount]")?;
        let Some(line_currency) =
            get("[price_data][currency]").filter(|c| c.len() == 3 && c.chars().all(|c| c.is_ascii_lowercase()))
        else {
            return Err(invalid(
                "parameter_missing",
                &format!("line_items[{i}][price_data][currency]"),
                "Missing or invalid currency.",
            ));
        };
        if get("[price_data][product_data][name]").is_none_or(|n| n.trim().is_empty()) {
            let param = format!("line_items[{i}][price_data][product_data][name]");
            return Err(invalid("parameter_missing", &param, &format!("Missing required param: {param}.")));
        }
        if let Some(interval) = get("[price_data][recurring][interval]") {
            if !matches!(interval.as_str(), "day" | "week" | "month" | "year") {
                let param = format!("line_items[{i}][price_data][recurring][interval]");
                return Err(invalid("parameter_invalid_string", &param, "Invalid interval."));
            }
            recurring = true;
        }
        if currency.as_ref().is_some_and(|c| c != line_currency) {
            return Err(invalid(
                "parameter_invalid_string",
                "line_items",
                "All line items must have the same currency.",
            ));
        }
        currency = Some(line_currency.clone());
        total += unit_amount * quantity;
    }
    if mode == "payment" && recurring {
        return Err(invalid(
            "parameter_invalid_string",
            "mode",
            "You specified `payment` mode but passed a recurring price.",
        ));
    }
    if mode == "subscription" && !recurring {
        return Err(invalid(
            "parameter_invalid_string",
            "mode",
            "You must specify at least one recurring price in `subscription` mode.",
        ));
    }
    let id = random_id("cs_test_");
    Ok(json!({
        "id": id, "object": "checkout.session", "livemode": false, "created": now(), "expires_at": expires_at,
        "mode": mode, "status": "open", "payment_status": "unpaid",
        "amount_subtotal": total, "amount_total": total, "currency": currency,
        "customer_email": params.get("customer_email"), "client_reference_id": params.get("client_reference_id"),
        "metadata": metadata, "success_url": success_url, "cancel_url": params.get("cancel_url"),
        "url": format!("{base}/pay/{id}"),
    }))
}

async fn retrieve_session(State(shared): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(denied) = authorized(&headers) {
        return denied.into_response();
    }
    match shared.fake.lock().expect("the fake's lock").sessions.get(&id) {
        Some(session) => Json(session.clone()).into_response(),
        None => stripe_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            Some("resource_missing"),
            Some("session"),
            &format!("No such checkout.session: '{id}'"),
        )
        .into_response(),
    }
}

async fn expire_session(State(shared): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(denied) = authorized(&headers) {
        return denied.into_response();
    }
    let event = {
        let mut f = shared.fake.lock().expect("the fake's lock");
        let Some(session) = f.sessions.get_mut(&id) else {
            return invalid("resource_missing", "session", &format!("No such checkout.session: '{id}'"))
                .into_response();
        };
        if session["status"] != "open" {
            return invalid(
                "checkout_session_not_open",
                "session",
                "Only Checkout Sessions with a status in [\"open\"] can be expired.",
            )
            .into_response();
        }
        session["status"] = json!("expired");
        session["url"] = Value::Null;
        let session = session.clone();
        (new_event(&mut f, "checkout.session.expired", session.clone()), session)
    };
    announce(&shared, event.0).await;
    Json(event.1).into_response()
}

/// Completes (Pay) an open session: the event, and the URL the customer goes back to.
async fn finish(shared: &Shared, id: &str, paid: bool) -> Option<String> {
    let (event, url) = {
        let mut f = shared.fake.lock().expect("the fake's lock");
        let session = f.sessions.get_mut(id).filter(|s| s["status"] == "open")?;
        session["status"] = json!("complete");
        session["payment_status"] = json!(if paid { "paid" } else { "unpaid" });
        session["url"] = Value::Null;
        let url = session["success_url"].as_str().unwrap_or_default().replace("{CHECKOUT_SESSION_ID}", id);
        let session = session.clone();
        (new_event(&mut f, "checkout.session.completed", session), url)
    };
    announce(shared, event).await;
    Some(url)
}

/// Stripe's hosted page, reduced to what a customer does there: pay or go back.
async fn hosted_page(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(session) = shared.fake.lock().expect("the fake's lock").sessions.get(&id).cloned() else {
        return (StatusCode::NOT_FOUND, Html("<h1>Session not found</h1>".to_string())).into_response();
    };
    if session["status"] != "open" {
        return Html("<h1>This Checkout Session is no longer active</h1>".to_string()).into_response();
    }
    let amount = session["amount_total"].as_i64().unwrap_or(0);
    let currency = session["currency"].as_str().unwrap_or_default().to_uppercase();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Fake Stripe Checkout</title></head><body><main><h1>Fake Stripe Checkout</h1>\
         <p id=\"total\">Total {amount} {currency} (minor units)</p>\
         <form method=\"post\"><button name=\"choice\" value=\"pay\">Pay</button>\
         <button name=\"choice\" value=\"cancel\">Cancel</button></form></main></body></html>"
    ))
    .into_response()
}

async fn hosted_choice(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("choice").map(String::as_str) == Some("cancel") {
        let cancel = shared
            .fake
            .lock()
            .expect("the fake's lock")
            .sessions
            .get(&id)
            .and_then(|s| s["cancel_url"].as_str().map(String::from));
        return match cancel {
            Some(url) => Redirect::to(&url).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    match finish(&shared, &id, true).await {
        Some(url) => Redirect::to(&url).into_response(),
        None => (StatusCode::CONFLICT, Html("<h1>This Checkout Session is no longer active</h1>".to_string()))
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_stripes() {
        // HMAC-SHA256 over "t.payload", hex, with the whole whsec_ secret as the key (the value
        // computed apart, with Python's hmac module).
        assert_eq!(
            signature("whsec_test", 1_700_000_000, "{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
