//! The webhook delivery worker, one per server process: it claims deliveries that are due (the
//! outbox rows written with their events), POSTs each event's fixed body, signed, to its endpoint,
//! and records what came back. It runs beside the requests and never holds one up.
//!
//! At least once: a delivery is claimed for a lease, and its outcome is recorded only under that
//! claim. An attempt cut by a crash is made again, not counted as a failure: on SQLite at the next
//! start (one process serves the file), on PostgreSQL when its claim runs out. On PostgreSQL several servers share the work (`SKIP LOCKED`
//! claims), so each attempt is made by one of them.

pub mod guard;
mod schedule;
pub mod signing;

use crate::state::AppState;
use crate::store::{Attempt, DueDelivery, Verdict};
use guard::{GuardedResolver, Policy};
use paylinks_api::API_VERSION;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The whole attempt, from connecting to the end of the answer we read.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim lasts: the attempt's timeout and time to record it.
const LEASE: chrono::Duration = chrono::Duration::seconds(20);
/// At most this much of an answer is read (and kept in the log).
const MAX_ANSWER_BYTES: usize = 4096;
/// Deliveries in flight at once per process.
const IN_FLIGHT: usize = 64;
/// How often the worker looks for due deliveries when there were none.
const POLL: Duration = Duration::from_millis(500);

/// The two HTTP clients (live and sandbox endpoints may reach different addresses).
#[derive(Clone)]
pub struct Outbox {
    live: reqwest::Client,
    sandbox: reqwest::Client,
    allow_private: bool,
}

impl Outbox {
    /// `allow_private`: deliveries may reach private addresses (`--allow-private-webhooks`).
    pub fn new(allow_private: bool) -> Result<Outbox, reqwest::Error> {
        let client = |livemode| {
            reqwest::Client::builder()
                .timeout(ATTEMPT_TIMEOUT)
                .connect_timeout(Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("paylinks/", env!("CARGO_PKG_VERSION")))
                .dns_resolver(Arc::new(GuardedResolver(Policy::for_mode(livemode, allow_private))))
                .build()
        };
        Ok(Outbox { live: client(true)?, sandbox: client(false)?, allow_private })
    }

    /// Which addresses endpoints of `livemode` may reach.
    pub fn policy(&self, livemode: bool) -> Policy {
        Policy::for_mode(livemode, self.allow_private)
    }
}

/// Delivers for as long as the server runs.
pub async fn run(state: AppState, outbox: Outbox) {
    match state.store.release_claims_of_last_run(state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(deliveries = n, "webhook attempts cut by the last run's end are made again now"),
        Err(err) => {
            tracing::warn!(error = %err, "could not release the last run's webhook claims; they run out instead")
        }
    }
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut backlog_read = Instant::now() - Duration::from_secs(60);
    loop {
        if backlog_read.elapsed() >= Duration::from_secs(5) {
            backlog_read = Instant::now();
            report_backlog(&state).await;
        }
        let free = slots.available_permits();
        if free == 0 {
            // Wait for an attempt in flight to end.
            drop(slots.acquire().await);
            continue;
        }
        match state.store.claim_due_deliveries(state.clock.now(), LEASE, free as i64).await {
            Ok(due) => {
                let claimed = due.len();
                for delivery in due {
                    let slot = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
                    let (state, outbox) = (state.clone(), outbox.clone());
                    tokio::spawn(async move {
                        deliver(&state, &outbox, &delivery).await;
                        drop(slot);
                    });
                }
                if claimed < free {
                    tokio::time::sleep(POLL).await;
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not claim webhook deliveries; trying again");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

async fn report_backlog(state: &AppState) {
    match state.store.delivery_backlog(state.clock.now()).await {
        Ok((waiting, due)) => {
            metrics::gauge!("webhook_deliveries_waiting").set(waiting as f64);
            metrics::gauge!("webhook_deliveries_due").set(due as f64);
        }
        Err(err) => tracing::warn!(error = %err, "could not read the webhook backlog"),
    }
}

/// Makes one attempt of `due` and records it (a lost claim records nothing).
async fn deliver(state: &AppState, outbox: &Outbox, due: &DueDelivery) {
    let attempt = attempt(state, outbox, due).await;
    let outcome = match &attempt.verdict {
        Verdict::Succeeded => "succeeded",
        Verdict::RetryAt(_) => "failed",
        Verdict::DeadLetter(_) => "dead_lettered",
        Verdict::Gone => "gone",
    };
    metrics::counter!("webhook_attempts_total", "outcome" => outcome).increment(1);
    let recorded = async {
        let mut tx = state.store.begin().await?;
        let kept = tx.record_attempt(due, &attempt, state.clock.now()).await?;
        tx.commit().await?;
        Ok::<bool, sqlx::Error>(kept)
    };
    match recorded.await {
        Ok(true) => {}
        Ok(false) => tracing::info!(delivery = %due.id, "a delivery's claim ran out before its outcome was recorded"),
        // The claim runs out and the attempt is made again: at least once.
        Err(err) => tracing::warn!(delivery = %due.id, error = %err, "could not record a webhook attempt"),
    }
}

/// POSTs the event to the endpoint and judges the answer.
async fn attempt(state: &AppState, outbox: &Outbox, due: &DueDelivery) -> Attempt {
    let started = Instant::now();
    let sent = send(state, outbox, due).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let now = state.clock.now();
    let failed_attempts = due.attempts + 1;
    let retry_or_dead = |what: &str| {
        if failed_attempts >= due.max_attempts {
            Verdict::DeadLetter(format!("All {failed_attempts} attempts failed; the last: {what}."))
        } else {
            Verdict::RetryAt(now + schedule::wait_after(failed_attempts, schedule::random_jitter()))
        }
    };
    match sent {
        Ok((status, answer)) => {
            let code = i64::from(status.as_u16());
            let verdict = if status.is_success() {
                Verdict::Succeeded
            } else if status == reqwest::StatusCode::GONE {
                Verdict::Gone
            } else {
                retry_or_dead(&format!("HTTP {code}"))
            };
            let error = (!status.is_success()).then_some(answer);
            let error_code = (!status.is_success()).then(|| format!("http_{code}"));
            Attempt { status_code: Some(code), error, error_code, duration_ms, verdict }
        }
        Err((error_code, error)) => {
            let verdict = retry_or_dead(&error);
            Attempt { status_code: None, error: Some(error), error_code: Some(error_code.into()), duration_ms, verdict }
        }
    }
}

/// The POST itself: the answer's status and start, or why there was none (a code and a sentence).
async fn send(
    state: &AppState,
    outbox: &Outbox,
    due: &DueDelivery,
) -> Result<(reqwest::StatusCode, String), (&'static str, String)> {
    let url =
        url::Url::parse(&due.url).map_err(|_| ("invalid_url", "The endpoint's URL does not parse".to_string()))?;
    if let Some(why) = guard::refuses_host(outbox.policy(due.livemode), &url) {
        return Err(("blocked_address", format!("The endpoint's URL names {why}, which webhooks may not reach")));
    }
    let t = state.clock.now().timestamp();
    let client = if due.livemode { &outbox.live } else { &outbox.sandbox };
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-revkeen-event-id", &due.event_id)
        .header("x-revkeen-timestamp", t.to_string())
        .header("x-revkeen-version", API_VERSION)
        .header("x-revkeen-account", &due.merchant_id);
    for (name, value) in signing::signature_headers(&due.event_id, &due.body, t, &due.secrets) {
        request = request.header(name, value);
    }
    let mut response = request.body(due.body.clone()).send().await.map_err(describe)?;
    let status = response.status();
    let mut answer = Vec::new();
    while answer.len() < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
            Ok(None) => break,
            // The status is in; an answer cut short does not change it.
            Err(_) => break,
        }
    }
    answer.truncate(MAX_ANSWER_BYTES);
    Ok((status, String::from_utf8_lossy(&answer).into_owned()))
}

/// A failed request as a code and a sentence for the delivery log, in plain words.
fn describe(err: reqwest::Error) -> (&'static str, String) {
    use std::error::Error;
    // The innermost cause says what happened; the layers around it only repeat the URL.
    let mut innermost: &dyn Error = &err;
    while let Some(inner) = innermost.source() {
        innermost = inner;
    }
    let cause = innermost.to_string();
    if err.is_timeout() {
        ("timeout", format!("No answer within {} seconds", ATTEMPT_TIMEOUT.as_secs()))
    } else if cause.contains("webhooks may not reach") {
        ("blocked_address", cause)
    } else if err.is_connect() {
        ("connection_failed", format!("Could not connect: {cause}"))
    } else {
        ("request_failed", format!("The request failed: {cause}"))
    }
}
